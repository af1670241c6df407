/**
 * The SLA syntax: Zeebe extension properties (`zeebe:properties`) whose names start with
 * `lltp:`. Designers edit them in Camunda Modeler (panel "Extension properties"); this module
 * reads and validates them for one element, naming the element and the property in every
 * problem. The syntax is documented with examples in processes/README.md.
 *
 * On every task and call activity:
 *   lltp:sla.allotment                = 4h         working time for every case variant, or per variant:
 *   lltp:sla.allotment.ordinary       = 4h         no record, no police verification (pilot target 3 wd)
 *   lltp:sla.allotment.verification   = 46h        police verification (pilot target 9 wd)
 *   lltp:sla.allotment.statutory      = 94h        extended statutory case (15 wd: several provinces, abroad, foreigner, expungement)
 *   lltp:sla.unit                     = stp-mot-cua           responsible unit (id as in the calendar's office hours)
 *   lltp:sla.unitName                 = Bộ phận Một cửa Sở Tư pháp   optional display name
 *   lltp:sla.role                     = oneStopOfficer        responsible role
 *   lltp:sla.escalation               = headOfDivision > leader@4h   who is alerted once the step is late, and when
 *   lltp:sla.clock                    = running | stopped | restart   optional, default running
 * or, on a step of a national procedure whose province sets its SLA:
 *   lltp:sla.governedBy               = internalProcedure
 *
 * On a user task that must not be done by the person who did an earlier one (four eyes):
 *   lltp:fourEyes.after               = reviewDraft   the element id of the earlier user task
 *
 * On the process:
 *   lltp:procedure = quy-trinh-570, lltp:effectiveFrom = 2024-10-01, lltp:effectiveTo (optional),
 *   lltp:legalBasis = ..., lltp:target.<variant> = 3wd, lltp:deadline.<name> = 10wd,
 *   and on an internal (provincial) procedure, the SLA of each national step it governs:
 *   lltp:step.<element id>.<allotment | allotment.<variant> | unit | unitName | role | escalation> = …
 */
import { z } from 'zod';
import { isLocalDate } from '../calendar/civil-time';
import { ancestor, calledProcessId, formKey, is, jobType, type ModdleElement, zeebeProperties } from './moddle';
import { parseWorkingTime } from './working-time';

export const CASE_VARIANTS = ['ordinary', 'verification', 'statutory'] as const;
export type CaseVariant = (typeof CASE_VARIANTS)[number];

export const CLOCK_MODES = ['running', 'stopped', 'restart'] as const;
/**
 * - `running`: the dossier's clock runs while the step is active (the default);
 * - `stopped`: the clock is stopped while the step is active (waiting for the citizen); allotments must be 0;
 * - `restart`: when the step completes, the dossier's clock restarts from zero (complete supplement received).
 */
export type ClockMode = (typeof CLOCK_MODES)[number];

export const SLA_PROPERTY = {
  allotment: 'lltp:sla.allotment',
  unit: 'lltp:sla.unit',
  unitName: 'lltp:sla.unitName',
  role: 'lltp:sla.role',
  escalation: 'lltp:sla.escalation',
  clock: 'lltp:sla.clock',
  governedBy: 'lltp:sla.governedBy',
} as const;

/** The value of `lltp:sla.governedBy`: the agency's internal procedure sets the step's SLA. */
export const GOVERNED_BY_INTERNAL = 'internalProcedure';

export const allotmentProperty = (variant: CaseVariant): string => `${SLA_PROPERTY.allotment}.${variant}`;

export const PROCESS_PROPERTY = {
  procedure: 'lltp:procedure',
  effectiveFrom: 'lltp:effectiveFrom',
  effectiveTo: 'lltp:effectiveTo',
  legalBasis: 'lltp:legalBasis',
  targetPrefix: 'lltp:target.',
  deadlinePrefix: 'lltp:deadline.',
  stepPrefix: 'lltp:step.',
  formPrefix: 'lltp:form.',
} as const;

/**
 * The texts of the documents a national procedure version prints, set by its model
 * (`lltp:form.<name>`) because each regime has its own forms: apology.title (the apology
 * letter's title, e.g. Decree 61/2018's form 04 "Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
 * apology.form (the line under it naming the form and its legal basis), extension.reason (the
 * legal reason told to the citizen and the desk when a dossier's due date moves to the extended
 * statutory time, 15 working days).
 */
export const FORM_TEXT_NAMES = ['apology.title', 'apology.form', 'extension.reason'] as const;
export type FormTextName = (typeof FORM_TEXT_NAMES)[number];
export const formTextProperty = (name: FormTextName): string => `${PROCESS_PROPERTY.formPrefix}${name}`;

export const targetProperty = (variant: CaseVariant): string => `${PROCESS_PROPERTY.targetPrefix}${variant}`;

/**
 * The named deadlines of a national procedure (`lltp:deadline.<name>`), each read by the product:
 * statutory and statutoryExtended (the legal due dates, 10 and 15 working days), apologyLead (how
 * long before the statutory due date the apology must go out: `apologyByAt`), apologyPrompt (how
 * long before `apologyByAt` lateness is taken as foreseeable and the leader is asked for the
 * apology: the apology timers fire at `apologyPromptAt`; the lint checks it covers the apology
 * task's allotment), supplementRequest (the lint
 * checks the supplement request is reachable within it), supplementWait (how long the citizen
 * has to supplement). Any other name is refused, so a designer never sets a value nothing reads.
 */
export const DEADLINE_NAMES = ['statutory', 'statutoryExtended', 'apologyLead', 'apologyPrompt', 'supplementRequest', 'supplementWait'] as const;
export type DeadlineName = (typeof DEADLINE_NAMES)[number];
export const deadlineProperty = (name: DeadlineName): string => `${PROCESS_PROPERTY.deadlinePrefix}${name}`;

export interface EscalationLevel {
  /** Role alerted at this level. */
  role: string;
  /** Working minutes after the step's due instant at which this level is alerted. */
  afterWorkingMinutes: number;
}

/** What a step is in its model: the element, whatever sets its SLA. */
export interface StepShape {
  elementId: string;
  /** `bpmn:UserTask`, `bpmn:ServiceTask`, `bpmn:ReceiveTask`, `bpmn:CallActivity`, ... */
  elementType: string;
  name: string;
  /** Job type for job-based elements (service tasks ...); user tasks have `io.camunda.zeebe:userTask`. */
  jobType: string | null;
  formKey: string | null;
  /** For call activities: the called process id (a FEEL expression when it starts with `=`). */
  calledProcessId: string | null;
  /** Ids of the enclosing sub-processes, outermost first. */
  scope: string[];
}

/** Who does a step and in how much working time: set on the step, or by the internal procedure for a governed step. */
export interface StepTerms {
  /** Allotted working minutes per case variant; 0 means the step is not timed on its own. */
  allotments: Record<CaseVariant, number>;
  unit: string;
  unitName: string | null;
  role: string;
  escalation: EscalationLevel[];
  clock: ClockMode;
}

export interface StepSla extends StepShape, StepTerms {}

/** A task or call activity as its model says: with its own SLA, or governed by the internal procedure. */
export type StepSpec = ({ governed: false } & StepSla) | ({ governed: true } & StepShape);

export interface ProcessVersion {
  processId: string;
  name: string;
  /** Stable id of the procedure, shared by all its versions (e.g. `quy-trinh-570`). */
  procedure: string;
  /** First receipt date (Việt Nam civil date, YYYY-MM-DD) this version governs. */
  effectiveFrom: string;
  /** First receipt date it no longer governs, or null while in force. */
  effectiveTo: string | null;
  legalBasis: string;
}

export interface ProcessTargets {
  /** Working minutes per case variant that the allotments along a path may add up to. */
  targets: Record<CaseVariant, number>;
  /** Named working-time limits (`lltp:deadline.<name>`), in working minutes. */
  deadlines: Partial<Record<DeadlineName, number>>;
  /** On an internal procedure: the terms of each national step it governs (`lltp:step.<id>.*`), by element id. */
  governs: Record<string, StepTerms>;
  /** Texts of the documents this version prints (`lltp:form.<name>`). */
  forms: Partial<Record<FormTextName, string>>;
}

export interface SlaProblem {
  elementId: string;
  message: string;
}

export type Read<T> = { ok: true; value: T } | { ok: false; problems: SlaProblem[] };

const USER_TASK_JOB_TYPE = 'io.camunda.zeebe:userTask';

/** Tasks of every kind and call activities carry an SLA spec. */
export function needsSla(element: ModdleElement): boolean {
  return is(element, 'bpmn:Task') || is(element, 'bpmn:CallActivity');
}

const workingTime = z.string().transform((value, ctx) => {
  try {
    return parseWorkingTime(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
    return z.NEVER;
  }
});

export const roleIdSchema = z.string().regex(/^[a-z][A-Za-z0-9]*$/, 'must be a role id in camelCase, e.g. lltpOfficer');
export const unitIdSchema = z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'must be a unit id (letters, digits, _ . : -), e.g. stp-mot-cua');

export const escalationSchema = z.string().transform((value, ctx) => {
  const levels: EscalationLevel[] = [];
  for (const part of value.split('>').map((p) => p.trim())) {
    const match = /^([^@\s]+)(?:\s*@\s*(.+))?$/.exec(part);
    const role = match?.[1] ?? '';
    if (!match || !roleIdSchema.safeParse(role).success) {
      ctx.addIssue({ code: 'custom', message: `"${part}" is not "role" or "role@working time" (e.g. headOfDivision > leader@4h)` });
      return z.NEVER;
    }
    let after = 0;
    if (match[2] !== undefined) {
      try {
        after = parseWorkingTime(match[2]);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
        return z.NEVER;
      }
    }
    const previous = levels[levels.length - 1];
    if (previous && after < previous.afterWorkingMinutes) {
      ctx.addIssue({ code: 'custom', message: `level "${part}" comes before the level above it; times must not decrease` });
      return z.NEVER;
    }
    levels.push({ role, afterWorkingMinutes: after });
  }
  return levels;
});

const stepSchema = z.object({
  [SLA_PROPERTY.unit]: unitIdSchema,
  [SLA_PROPERTY.unitName]: z.string().trim().min(1, 'must not be empty').optional(),
  [SLA_PROPERTY.role]: roleIdSchema,
  [SLA_PROPERTY.escalation]: escalationSchema,
  [SLA_PROPERTY.clock]: z.enum(CLOCK_MODES, { message: `must be one of ${CLOCK_MODES.join(', ')}` }).optional(),
  [SLA_PROPERTY.allotment]: workingTime.optional(),
  ...Object.fromEntries(CASE_VARIANTS.map((v) => [allotmentProperty(v), workingTime.optional()])),
});

const STEP_KEYS = new Set(Object.keys(stepSchema.shape));

function issuesToProblems(elementId: string, issues: readonly z.core.$ZodIssue[]): SlaProblem[] {
  return issues.map((issue) => {
    const property = issue.path.map(String).join('.');
    const message = issue.code === 'invalid_type' && issue.input === undefined ? 'is missing' : issue.message;
    return { elementId, message: property ? `${property} ${message}` : message };
  });
}

/**
 * Separation of duties on a user task: the element id of an earlier user task of the same
 * process whose actor may not claim or complete this one (review, then approval).
 */
export const FOUR_EYES_PROPERTY = 'lltp:fourEyes.after';

/** The earlier step named by `lltp:fourEyes.after` on the element (trimmed), or undefined. */
export function fourEyesAfter(element: ModdleElement): string | undefined {
  const value = zeebeProperties(element).find(([name]) => name === FOUR_EYES_PROPERTY)?.[1].trim();
  return value ? value : undefined;
}

/** The element's `lltp:` SLA properties as an object; duplicates and empty names are problems. */
function lltpProperties(element: ModdleElement, elementId: string): { values: Record<string, string>; problems: SlaProblem[] } {
  const values: Record<string, string> = {};
  const problems: SlaProblem[] = [];
  for (const [name, value] of zeebeProperties(element)) {
    if (!name.startsWith('lltp:') || name === FOUR_EYES_PROPERTY) continue;
    if (name in values) problems.push({ elementId, message: `${name} is set twice` });
    values[name] = value;
  }
  return { values, problems };
}

function scopeOf(element: ModdleElement): string[] {
  const scope: string[] = [];
  let current = ancestor(element, 'bpmn:SubProcess');
  while (current) {
    scope.unshift(current.id ?? '');
    current = ancestor(current, 'bpmn:SubProcess');
  }
  return scope;
}

function stepShape(element: ModdleElement, elementId: string): StepShape {
  return {
    elementId,
    elementType: element.$type,
    name: element.name ?? '',
    jobType: is(element, 'bpmn:UserTask') ? USER_TASK_JOB_TYPE : (jobType(element) ?? null),
    formKey: formKey(element) ?? null,
    calledProcessId: is(element, 'bpmn:CallActivity') ? (calledProcessId(element) ?? null) : null,
    scope: scopeOf(element),
  };
}

/** Reads and validates the SLA spec of one task or call activity: its own, or `governedBy` the internal procedure. */
export function readStepSpec(element: ModdleElement): Read<StepSpec> {
  const elementId = element.id ?? '(no id)';
  const { values, problems } = lltpProperties(element, elementId);
  if (SLA_PROPERTY.governedBy in values) {
    if (values[SLA_PROPERTY.governedBy] !== GOVERNED_BY_INTERNAL) {
      problems.push({ elementId, message: `${SLA_PROPERTY.governedBy} must be ${GOVERNED_BY_INTERNAL} (the agency's internal procedure sets this step's SLA)` });
    }
    const others = Object.keys(values).filter((name) => name !== SLA_PROPERTY.governedBy);
    if (others.length) problems.push({ elementId, message: `${others.join(', ')}: a step governed by the internal procedure takes its SLA from there (lltp:step.${elementId}.* on the internal procedure), not from the national model` });
    return problems.length ? { ok: false, problems } : { ok: true, value: { governed: true, ...stepShape(element, elementId) } };
  }
  const terms = readStepTerms(values, elementId, problems);
  if (!terms) return { ok: false, problems };
  return { ok: true, value: { governed: false, ...stepShape(element, elementId), ...terms } };
}

/**
 * Validates the terms of a step from its `lltp:sla.*` values (on the step itself, or from the
 * internal procedure's `lltp:step.<id>.*` table, renamed): pushes problems, returns null when any.
 */
export function readStepTerms(values: Record<string, string>, elementId: string, problems: SlaProblem[]): StepTerms | null {
  for (const name of Object.keys(values)) {
    if (!STEP_KEYS.has(name)) problems.push({ elementId, message: `${name} is not an SLA property (known: ${[...STEP_KEYS].join(', ')})` });
  }
  const parsed = stepSchema.safeParse(values);
  if (!parsed.success) problems.push(...issuesToProblems(elementId, parsed.error.issues));
  const allotments = {} as Record<CaseVariant, number>;
  if (parsed.success) {
    const data = parsed.data as Record<string, unknown>;
    for (const variant of CASE_VARIANTS) {
      const value = data[allotmentProperty(variant)] ?? data[SLA_PROPERTY.allotment];
      if (typeof value === 'number') allotments[variant] = value;
      else problems.push({ elementId, message: `${allotmentProperty(variant)} is missing (or set ${SLA_PROPERTY.allotment} for every variant)` });
    }
    const clock = (data[SLA_PROPERTY.clock] as ClockMode | undefined) ?? 'running';
    if (clock === 'stopped' && CASE_VARIANTS.some((v) => (allotments[v] ?? 0) > 0)) {
      problems.push({ elementId, message: `${SLA_PROPERTY.clock} = stopped needs every allotment to be 0h (the dossier's clock does not run here)` });
    }
  }
  if (problems.length > 0 || !parsed.success) return null;
  const data = parsed.data as Record<string, unknown>;
  return {
    allotments,
    unit: data[SLA_PROPERTY.unit] as string,
    unitName: (data[SLA_PROPERTY.unitName] as string | undefined) ?? null,
    role: data[SLA_PROPERTY.role] as string,
    escalation: data[SLA_PROPERTY.escalation] as EscalationLevel[],
    clock: (data[SLA_PROPERTY.clock] as ClockMode | undefined) ?? 'running',
  };
}

export const procedureIdSchema = z.string().regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, 'must be a lower-case slug, e.g. quy-trinh-570');
const localDateSchema = z.string().refine(isLocalDate, 'must be a date YYYY-MM-DD');

const versionSchema = z
  .object({
    [PROCESS_PROPERTY.procedure]: procedureIdSchema,
    [PROCESS_PROPERTY.effectiveFrom]: localDateSchema,
    [PROCESS_PROPERTY.effectiveTo]: localDateSchema.optional(),
    [PROCESS_PROPERTY.legalBasis]: z.string().trim().min(1, 'must name the legal basis'),
  })
  .refine((v) => {
    const to = v[PROCESS_PROPERTY.effectiveTo];
    return to === undefined || to > v[PROCESS_PROPERTY.effectiveFrom];
  }, {
    message: 'must be after lltp:effectiveFrom',
    path: [PROCESS_PROPERTY.effectiveTo],
  });

/** The process id a version must carry: `<procedure>-v<YYYYMMDD of effectiveFrom>`. */
export function versionedProcessId(procedure: string, effectiveFrom: string): string {
  return `${procedure}-v${effectiveFrom.replaceAll('-', '')}`;
}

/** Reads the version of a process: which procedure it belongs to and from when it governs dossiers. */
export function readProcessVersion(process: ModdleElement): Read<ProcessVersion> {
  const processId = process.id ?? '(no id)';
  const { values, problems } = lltpProperties(process, processId);
  const parsed = versionSchema.safeParse(values);
  if (!parsed.success) problems.push(...issuesToProblems(processId, parsed.error.issues));
  if (!parsed.success || problems.length > 0) return { ok: false, problems };
  const data = parsed.data;
  const procedure = data[PROCESS_PROPERTY.procedure];
  const effectiveFrom = data[PROCESS_PROPERTY.effectiveFrom];
  const expectedId = versionedProcessId(procedure, effectiveFrom);
  if (processId !== expectedId) {
    return { ok: false, problems: [{ elementId: processId, message: `process id must be ${expectedId} (lltp:procedure + "-v" + lltp:effectiveFrom without dashes)` }] };
  }
  return {
    ok: true,
    value: {
      processId,
      name: process.name ?? '',
      procedure,
      effectiveFrom,
      effectiveTo: data[PROCESS_PROPERTY.effectiveTo] ?? null,
      legalBasis: data[PROCESS_PROPERTY.legalBasis],
    },
  };
}

const VERSION_KEYS = new Set<string>([PROCESS_PROPERTY.procedure, PROCESS_PROPERTY.effectiveFrom, PROCESS_PROPERTY.effectiveTo, PROCESS_PROPERTY.legalBasis]);
/** What an internal procedure's table may set for a governed step: `lltp:step.<element id>.<property>`. */
export const STEP_TABLE_PROPERTIES = ['allotment', ...CASE_VARIANTS.map((v) => `allotment.${v}`), 'unit', 'unitName', 'role', 'escalation'] as const;
/** `<element id>.<property>` of a `lltp:step.` entry; the property may itself hold a dot (`allotment.ordinary`). */
const STEP_ENTRY = new RegExp(`^([A-Za-z_][A-Za-z0-9_-]*)\\.(${STEP_TABLE_PROPERTIES.map((p) => p.replace('.', '\\.')).join('|')})$`);

/**
 * Every `lltp:` property the product reads, by name (a governed step's table entries with
 * `stepId` in place of the element id): what processes/README.md documents, no more, no less.
 */
export function readPropertyNames(stepId: string): string[] {
  return [
    ...STEP_KEYS,
    SLA_PROPERTY.governedBy,
    FOUR_EYES_PROPERTY,
    ...VERSION_KEYS,
    ...CASE_VARIANTS.map(targetProperty),
    ...DEADLINE_NAMES.map(deadlineProperty),
    ...FORM_TEXT_NAMES.map(formTextProperty),
    ...STEP_TABLE_PROPERTIES.map((p) => `${PROCESS_PROPERTY.stepPrefix}${stepId}.${p}`),
  ];
}

/** Reads the targets (per case variant) and named deadlines of a process. */
export function readProcessTargets(process: ModdleElement): Read<ProcessTargets> {
  const processId = process.id ?? '(no id)';
  const { values, problems } = lltpProperties(process, processId);
  const targets = {} as Record<CaseVariant, number>;
  const deadlines: Partial<Record<DeadlineName, number>> = {};
  const forms: Partial<Record<FormTextName, string>> = {};
  const targetKeys = new Set(CASE_VARIANTS.map(targetProperty));
  const table = new Map<string, Record<string, string>>();
  const parse = (name: string, value: string): number | undefined => {
    try {
      return parseWorkingTime(value);
    } catch (error) {
      problems.push({ elementId: processId, message: `${name} ${error instanceof Error ? error.message : String(error)}` });
      return undefined;
    }
  };
  for (const [name, value] of Object.entries(values)) {
    if (VERSION_KEYS.has(name)) continue;
    if (targetKeys.has(name)) {
      const minutes = parse(name, value);
      if (minutes !== undefined) targets[name.slice(PROCESS_PROPERTY.targetPrefix.length) as CaseVariant] = minutes;
    } else if (name.startsWith(PROCESS_PROPERTY.stepPrefix)) {
      const match = STEP_ENTRY.exec(name.slice(PROCESS_PROPERTY.stepPrefix.length));
      if (!match) {
        problems.push({ elementId: processId, message: `${name} is not lltp:step.<element id>.<allotment | allotment.<variant> | unit | unitName | role | escalation>` });
        continue;
      }
      const [, stepId, property] = match as unknown as [string, string, string];
      const entry = table.get(stepId) ?? {};
      entry[`lltp:sla.${property}`] = value;
      table.set(stepId, entry);
    } else if (name.startsWith(PROCESS_PROPERTY.formPrefix)) {
      const form = name.slice(PROCESS_PROPERTY.formPrefix.length);
      if (!(FORM_TEXT_NAMES as readonly string[]).includes(form)) {
        problems.push({ elementId: processId, message: `${name} is not a form text the product prints (known: ${FORM_TEXT_NAMES.map(formTextProperty).join(', ')})` });
      } else if (value.trim() === '') {
        problems.push({ elementId: processId, message: `${name} is empty` });
      } else forms[form as FormTextName] = value.trim();
    } else if (name.startsWith(PROCESS_PROPERTY.deadlinePrefix)) {
      const deadline = name.slice(PROCESS_PROPERTY.deadlinePrefix.length);
      if (!(DEADLINE_NAMES as readonly string[]).includes(deadline)) {
        problems.push({ elementId: processId, message: `${name} is not a deadline the product reads (known: ${DEADLINE_NAMES.map(deadlineProperty).join(', ')})` });
        continue;
      }
      const minutes = parse(name, value);
      if (minutes !== undefined) deadlines[deadline as DeadlineName] = minutes;
    } else {
      problems.push({ elementId: processId, message: `${name} is not a process property (known: lltp:procedure, lltp:effectiveFrom, lltp:effectiveTo, lltp:legalBasis, lltp:target.<variant>, lltp:deadline.<name>, lltp:form.<name>, lltp:step.<element id>.<property>)` });
    }
  }
  const governs: Record<string, StepTerms> = {};
  for (const [stepId, values] of table) {
    const stepProblems: SlaProblem[] = [];
    const terms = readStepTerms(values, processId, stepProblems);
    problems.push(...stepProblems.map((p) => ({ elementId: processId, message: `lltp:step.${stepId}: ${p.message.replaceAll('lltp:sla.', `lltp:step.${stepId}.`)}` })));
    if (terms) governs[stepId] = terms;
  }
  for (const variant of CASE_VARIANTS) {
    if (!(targetProperty(variant) in values)) problems.push({ elementId: processId, message: `${targetProperty(variant)} is missing` });
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: { targets, deadlines, governs, forms } };
}
