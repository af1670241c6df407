/**
 * The `lltp:` properties of one model version, as the versions page compares them (issue 27,
 * item 2): the process's (procedure, dates, legal basis, targets, deadlines, forms) and every
 * element's (unit, role, allotment per case variant, escalation, clock, governedBy, four eyes),
 * an internal procedure's `lltp:step.<element id>.*` table filed under the national element it
 * governs. Values are normalised as the product reads them, so that a rewrite that means the
 * same (`80h` for `10wd`, one allotment for every variant instead of three equal ones, no clock
 * for `running`) is no difference; working times read as formatWorkingTime writes them.
 */
import { caseVariantLabels, modelPropertyLabels } from '../glossary';
import { descendants, executableProcesses, zeebeProperties, type ModdleElement } from '../sla/moddle';
import { CASE_VARIANTS, escalationSchema, PROCESS_PROPERTY, SLA_PROPERTY } from '../sla/spec';
import { formatWorkingTime, parseWorkingTime } from '../sla/working-time';

/** One subject's properties: name as written in the model (allotments per variant) → value as shown. */
export type PropertyValues = Map<string, string>;

export interface ElementProperties {
  elementId: string;
  /** The element's name in this model; null for a governed step that only the internal table names. */
  name: string | null;
  properties: PropertyValues;
}

export interface ModelProperties {
  processId: string;
  processName: string;
  process: PropertyValues;
  /** By element id, in document order (the internal table's steps after the model's own elements). */
  elements: Map<string, ElementProperties>;
}

const STEP_ENTRY = /^lltp:step\.([A-Za-z_][A-Za-z0-9_-]*)\.(.+)$/;

/** The property a name stands for: an internal table's `lltp:step.<id>.<p>` is `lltp:sla.<p>`. */
export function baseProperty(name: string): string {
  const entry = STEP_ENTRY.exec(name);
  return entry ? `lltp:sla.${entry[2] ?? ''}` : name;
}

/** The Vietnamese label of a property (the name itself for one the product does not read). */
export function propertyLabel(name: string): string {
  const base = baseProperty(name);
  for (const variant of CASE_VARIANTS) {
    if (base === `${SLA_PROPERTY.allotment}.${variant}`) return `${modelPropertyLabels[SLA_PROPERTY.allotment]}: ${caseVariantLabels[variant]}`;
    if (base === `${PROCESS_PROPERTY.targetPrefix}${variant}`) return `${modelPropertyLabels['lltp:target']}: ${caseVariantLabels[variant]}`;
  }
  return modelPropertyLabels[base] ?? name;
}

const isWorkingTime = (base: string): boolean =>
  base.startsWith(PROCESS_PROPERTY.targetPrefix) || base.startsWith(PROCESS_PROPERTY.deadlinePrefix) || base.startsWith(SLA_PROPERTY.allotment);

/** A value as the product reads it, written back: working times by formatWorkingTime, escalation chains level by level. */
export function shownValue(name: string, value: string): string {
  const base = baseProperty(name);
  const trimmed = value.trim();
  if (isWorkingTime(base)) {
    try {
      return formatWorkingTime(parseWorkingTime(trimmed));
    } catch {
      return trimmed;
    }
  }
  if (base === SLA_PROPERTY.escalation) {
    const levels = escalationSchema.safeParse(trimmed);
    if (levels.success) return levels.data.map((l) => (l.afterWorkingMinutes > 0 ? `${l.role}@${formatWorkingTime(l.afterWorkingMinutes)}` : l.role)).join(' > ');
  }
  return trimmed;
}

/** `<prefix>allotment` for every variant becomes `<prefix>allotment.<variant>` where the variant sets none. */
function spreadAllotment(values: PropertyValues, prefix: string): void {
  const every = values.get(`${prefix}allotment`);
  if (every === undefined) return;
  values.delete(`${prefix}allotment`);
  for (const variant of CASE_VARIANTS) if (!values.has(`${prefix}allotment.${variant}`)) values.set(`${prefix}allotment.${variant}`, every);
}

function valuesOf(pairs: readonly [string, string][]): PropertyValues {
  const values: PropertyValues = new Map();
  for (const [name, value] of pairs) if (name.startsWith('lltp:')) values.set(name, shownValue(name, value));
  return values;
}

/** An element's own properties; a step with its own SLA and no clock runs the clock (the default). */
function elementValues(element: ModdleElement): PropertyValues {
  const values = valuesOf(zeebeProperties(element));
  spreadAllotment(values, 'lltp:sla.');
  if (values.has(SLA_PROPERTY.unit) && !values.has(SLA_PROPERTY.clock)) values.set(SLA_PROPERTY.clock, 'running');
  return values;
}

/** The internal table's entries out of the process's properties, by the element id they govern. */
function takeStepTable(process: PropertyValues): Map<string, PropertyValues> {
  const table = new Map<string, PropertyValues>();
  for (const [name, value] of [...process]) {
    const stepId = STEP_ENTRY.exec(name)?.[1];
    if (stepId === undefined) continue;
    process.delete(name);
    const entry = table.get(stepId) ?? new Map<string, string>();
    entry.set(name, value);
    table.set(stepId, entry);
  }
  for (const [stepId, entry] of table) spreadAllotment(entry, `lltp:step.${stepId}.`);
  return table;
}

/** The properties of the model's one executable process (the first, when a file holds several). */
export function modelProperties(definitions: ModdleElement): ModelProperties {
  const process = executableProcesses(definitions)[0];
  if (!process) throw new Error(`${definitions.id ?? 'the model'} has no executable process`);
  const processValues = valuesOf(zeebeProperties(process));
  const elements = new Map<string, ElementProperties>();
  for (const element of descendants(process)) {
    if (!element.id) continue;
    elements.set(element.id, { elementId: element.id, name: element.name ?? null, properties: elementValues(element) });
  }
  for (const [stepId, entry] of takeStepTable(processValues)) {
    const own = elements.get(stepId);
    if (own) entry.forEach((value, name) => own.properties.set(name, value));
    else elements.set(stepId, { elementId: stepId, name: null, properties: entry });
  }
  return { processId: process.id ?? '', processName: process.name ?? '', process: processValues, elements };
}
