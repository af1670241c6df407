/**
 * Reading BPMN files: bpmn-moddle with the Zeebe extension (zeebe-bpmn-moddle), so that
 * `zeebe:properties`, task definitions, forms and subscriptions are typed elements.
 *
 * `ModdleElement` is the narrow view of a moddle element this project relies on; the helpers
 * below are the only places that look at raw extension elements.
 */
import { BpmnModdle } from 'bpmn-moddle';
import zeebeSchema from 'zeebe-bpmn-moddle/resources/zeebe.json';

export interface ModdleElement {
  readonly $type: string;
  readonly $parent?: ModdleElement;
  readonly id?: string;
  readonly name?: string;
  $instanceOf(type: string): boolean;
  get(name: string): unknown;
}

/** A BPMN file that could not be read, with every reason. */
export class BpmnReadError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly { elementId: string; message: string }[],
  ) {
    super(`${source}: cannot read BPMN: ${problems.map((p) => `${p.elementId}: ${p.message}`).join('; ')}`);
    this.name = 'BpmnReadError';
  }
}

export function createBpmnModdle(): BpmnModdle {
  return new BpmnModdle({ zeebe: zeebeSchema });
}

export interface ReadBpmnResult {
  definitions: ModdleElement;
  /** Import warnings (unknown elements or attributes, unresolved references), each naming the element. */
  warnings: { elementId: string; message: string }[];
}

/** Parses BPMN XML; XML that does not parse at all throws a `BpmnReadError`. */
export async function readBpmn(xml: string, source: string): Promise<ReadBpmnResult> {
  const moddle = createBpmnModdle();
  try {
    const result = await moddle.fromXML<ModdleElement>(xml, 'bpmn:Definitions');
    return {
      definitions: result.rootElement,
      warnings: result.warnings.map((w) => ({ elementId: w.element?.id ?? '(document)', message: w.message })),
    };
  } catch (error) {
    throw new BpmnReadError(source, [{ elementId: '(document)', message: error instanceof Error ? error.message : String(error) }]);
  }
}

export function isModdleElement(value: unknown): value is ModdleElement {
  return typeof value === 'object' && value !== null && typeof (value as { $type?: unknown }).$type === 'string';
}

/** True when the element is (a subtype of) the given type, e.g. `bpmn:Task`. */
export function is(element: ModdleElement | undefined, type: string): boolean;
export function is(element: unknown, type: string): element is ModdleElement;
export function is(element: unknown, type: string): boolean {
  return isModdleElement(element) && element.$instanceOf(type);
}

/** A list-valued property (`flowElements`, `values`, ...), empty when unset. */
export function list(element: ModdleElement | undefined, property: string): ModdleElement[] {
  const value = element?.get(property);
  return Array.isArray(value) ? value.filter(isModdleElement) : [];
}

/** A string-valued property, `undefined` when unset or not a string. */
export function text(element: ModdleElement | undefined, property: string): string | undefined {
  const value = element?.get(property);
  return typeof value === 'string' ? value : undefined;
}

/** True when the attribute is written in the model (not just a schema default). */
export function isSet(element: ModdleElement, property: string): boolean {
  return Object.prototype.hasOwnProperty.call(element, property);
}

/** The extension elements of the given type, e.g. `zeebe:TaskDefinition`. */
export function extensions(element: ModdleElement, type: string): ModdleElement[] {
  const container = element.get('extensionElements');
  if (!isModdleElement(container)) return [];
  return list(container, 'values').filter((value) => value.$instanceOf(type));
}

export function extension(element: ModdleElement, type: string): ModdleElement | undefined {
  return extensions(element, type)[0];
}

/** `zeebe:property` entries in document order, as [name, value] pairs (duplicates kept). */
export function zeebeProperties(element: ModdleElement): [string, string][] {
  return extensions(element, 'zeebe:Properties').flatMap((properties) =>
    list(properties, 'properties').map((p): [string, string] => [text(p, 'name') ?? '', text(p, 'value') ?? '']),
  );
}

/** The nearest enclosing element of the given type. */
export function ancestor(element: ModdleElement, type: string): ModdleElement | undefined {
  let current = element.$parent;
  while (current && !current.$instanceOf(type)) current = current.$parent;
  return current;
}

/** Every element below `root` (depth first, document order), `root` excluded. */
export function descendants(root: ModdleElement, property = 'flowElements'): ModdleElement[] {
  const out: ModdleElement[] = [];
  const visit = (element: ModdleElement): void => {
    for (const child of list(element, property)) {
      out.push(child);
      visit(child);
    }
  };
  visit(root);
  return out;
}

/** The executable processes of a definitions element. */
export function executableProcesses(definitions: ModdleElement): ModdleElement[] {
  return list(definitions, 'rootElements').filter((e) => e.$instanceOf('bpmn:Process') && e.get('isExecutable') === true);
}

/** The job type of a job-based element (`zeebe:taskDefinition type`), if any. */
export function jobType(element: ModdleElement): string | undefined {
  const definition = extension(element, 'zeebe:TaskDefinition');
  return definition ? text(definition, 'type') : undefined;
}

/** The form key of a job-worker user task (`zeebe:formDefinition formKey`), if any. */
export function formKey(element: ModdleElement): string | undefined {
  const definition = extension(element, 'zeebe:FormDefinition');
  return definition ? text(definition, 'formKey') : undefined;
}

/** The `processId` (a FEEL expression when it starts with `=`) of a call activity. */
export function calledProcessId(element: ModdleElement): string | undefined {
  const called = extension(element, 'zeebe:CalledElement');
  return called ? text(called, 'processId') : undefined;
}

/** The element's `bpmn:documentation` text, joined. */
export function documentation(element: ModdleElement): string {
  return list(element, 'documentation')
    .map((d) => text(d, 'text') ?? '')
    .join('\n')
    .trim();
}
