/**
 * Two versions of a model side by side (issue 27, item 2), without I/O: the BPMN texts in, the
 * differences out.
 *
 * - `properties`: every `lltp:` property whose value differs, on the process and on each element
 *   matched by element id (model-properties.ts normalises the values), labelled in Vietnamese.
 * - `elements`: bpmn-io's bpmn-js-differ on the two bpmn-moddle definitions: elements added,
 *   removed, changed (with the changed attributes' names) and moved on the diagram. Versions of
 *   one procedure carry different process ids (`<procedure>-v<date>`), under which the differ
 *   would see one process removed and another added; b's process takes a's id before the diff.
 */
import { diff, type DiffedElement } from 'bpmn-js-differ';
import { createBpmnModdle, executableProcesses, isModdleElement, type ModdleElement } from '../sla/moddle';
import { modelProperties, propertyLabel, type ElementProperties, type ModelProperties } from './model-properties';

export type Change = 'added' | 'removed' | 'changed';

export interface PropertyRow {
  /** The element the property is on; null for the process's own properties. */
  elementId: string | null;
  elementName: string;
  property: string;
  label: string;
  a: string | null;
  b: string | null;
  change: Change;
}

export interface ElementChange {
  id: string;
  type: string;
  name: string;
}

export interface ElementDiff {
  added: ElementChange[];
  removed: ElementChange[];
  changed: (ElementChange & { attributes: string[] })[];
  layoutChanged: ElementChange[];
}

export interface VersionComparison {
  a: { processId: string; name: string };
  b: { processId: string; name: string };
  properties: PropertyRow[];
  elements: ElementDiff;
}

export interface CompareOptions {
  /** The name of a step that only an internal procedure's table names (the national model's element). */
  stepName?: (elementId: string) => string | undefined;
}

/** The name shown for process-level rows. */
export const PROCESS_LEVEL_NAME = '(cấp quy trình)';

function rowsOf(elementId: string | null, elementName: string, a: Map<string, string>, b: Map<string, string>): PropertyRow[] {
  const names = [...new Set([...a.keys(), ...b.keys()])];
  const rows: PropertyRow[] = [];
  for (const property of names) {
    const [before, after] = [a.get(property) ?? null, b.get(property) ?? null];
    if (before === after) continue;
    const change: Change = before === null ? 'added' : after === null ? 'removed' : 'changed';
    rows.push({ elementId, elementName, property, label: propertyLabel(property), a: before, b: after, change });
  }
  return rows;
}

/** Property rows: the process's first, then the elements in b's order, then those only a has. */
export function compareProperties(a: ModelProperties, b: ModelProperties, options: CompareOptions = {}): PropertyRow[] {
  const rows = rowsOf(null, PROCESS_LEVEL_NAME, a.process, b.process);
  const none = new Map<string, string>();
  const ids = [...new Set([...b.elements.keys(), ...a.elements.keys()])];
  for (const id of ids) {
    const [before, after]: (ElementProperties | undefined)[] = [a.elements.get(id), b.elements.get(id)];
    const name = after?.name ?? before?.name ?? options.stepName?.(id) ?? id;
    rows.push(...rowsOf(id, name, before?.properties ?? none, after?.properties ?? none));
  }
  return rows;
}

const described = (id: string, element: DiffedElement): ElementChange => ({ id, type: element.$type, name: element.name ?? '' });

/** bpmn-js-differ on the two definitions, b's executable process renamed to a's. */
export function compareElements(a: ModdleElement, b: ModdleElement): ElementDiff {
  const [processA] = executableProcesses(a);
  const [processB] = executableProcesses(b);
  if (processA?.id && processB && processB.id !== processA.id) (processB as unknown as { id: string }).id = processA.id;
  const result = diff(a, b);
  const list = (entries: Record<string, DiffedElement>): ElementChange[] => Object.entries(entries).map(([id, e]) => described(id, e));
  return {
    added: list(result._added),
    removed: list(result._removed),
    changed: Object.entries(result._changed).map(([id, c]) => ({ ...described(id, c.model), attributes: Object.keys(c.attrs) })),
    layoutChanged: list(result._layoutChanged),
  };
}

async function definitionsOf(xml: string, which: string): Promise<ModdleElement> {
  const { rootElement } = await createBpmnModdle().fromXML<unknown>(xml, 'bpmn:Definitions');
  if (!isModdleElement(rootElement)) throw new Error(`version ${which}: not a BPMN document`);
  return rootElement;
}

/** Compares version a (the older, usually) with version b. */
export async function compareVersions(xmlA: string, xmlB: string, options: CompareOptions = {}): Promise<VersionComparison> {
  const [a, b] = [await definitionsOf(xmlA, 'a'), await definitionsOf(xmlB, 'b')];
  const [propsA, propsB] = [modelProperties(a), modelProperties(b)];
  const properties = compareProperties(propsA, propsB, options);
  return {
    a: { processId: propsA.processId, name: propsA.processName },
    b: { processId: propsB.processId, name: propsB.processName },
    properties,
    elements: compareElements(a, b),
  };
}
