/**
 * The what-if of a draft model (issue 27, item 3), pure: past dossiers re-judged twice with the
 * same code, once under the models that governed them (`current`) and once with the draft in
 * place of the governing version of its procedure (`draft`). Each recorded step gets its due
 * time from the model's allotment for its element and case variant, on the working calendar of
 * the model's unit (stepDueAt, as the workers set `steps.due_at`); each dossier its statutory
 * due time from the model's deadline on its clock (dossierDeadlines, clock stops as recorded).
 * From those: what was late, what the monitor would have sent (server/monitor/classify.ts),
 * which apology letters would have been due, the Decision 766 progress score, and a heat map of
 * the difference. Nothing here reads or writes the database: ./whatif-data.ts loads the facts.
 */
import { dayNumberOf, localDateOf, MINUTE_MS, weekdayOf, WEEKDAYS } from '../calendar/civil-time';
import { dossierDeadlines, stepDueAt, type DeadlinePolicy } from '../calendar/deadlines';
import { dueSoonThresholdMinutes, type DueSoonPolicy } from '../calendar/status';
import type { WorkingCalendar, WorkingCalendars } from '../calendar/working-calendar';
import { judgeDossier, judgeStep, type Condition } from '../monitor/classify';
import { judge766, type DossierFacts766, type Judgement766 } from '../scores/judge';
import { countsOf, scopeScore } from '../scores/points';
import type { ScoreRegime } from '../scores/regime';
import { dossierTermsOf, type ProcessCatalog } from '../sla/catalog';
import { CASE_VARIANTS, type CaseVariant, type EscalationLevel, type StepSla } from '../sla/spec';

export interface WhatIfStep {
  id: string;
  elementId: string;
  elementName: string | null;
  processId: string | null;
  unitId: string;
  caseVariant: string | null;
  clock: 'running' | 'stopped' | 'restart';
  startedAt: Date;
  finishedAt: Date | null;
  /** As recorded by the worker (the consistency check compares the current model's due time with it). */
  dueAt: Date;
}

export interface WhatIfDossier extends Omit<DossierFacts766, 'statutoryDueAt' | 'appointmentAt'> {
  processId: string;
  internalProcessId: string | null;
  caseVariant: CaseVariant;
  clockStartAt: Date;
  extendedAt: Date | null;
  /** The statutory due time as recorded (`dossiers.statutory_due_at`; null while unknown). */
  recordedStatutoryDueAt: Date | null;
  /** Every clock stop of the dossier (supplements and others), as recorded. */
  stops: readonly { startedAt: Date; endedAt: Date | null; reason: string }[];
  steps: readonly WhatIfStep[];
}

export interface WhatIfInput {
  dossiers: readonly WhatIfDossier[];
  /** The models as installed, and the same with the draft in place of its procedure's versions. */
  current: ProcessCatalog;
  draft: ProcessCatalog;
  calendars: WorkingCalendars;
  /** Receipt instants [from, to). */
  from: Date;
  to: Date;
  dueSoon: DueSoonPolicy;
  /** The deadline policy the workers use (working minutes in a day). */
  deadlinePolicy: DeadlinePolicy;
  /** The monitor's chain for whole dossiers (MONITOR_DOSSIER_ESCALATION). */
  dossierEscalation: readonly EscalationLevel[];
  regime: ScoreRegime | null;
}

/** Alerts by kind: `escalation1` … for the levels of the chains. */
export type AlertCounts = Record<string, number>;

export interface SideResult {
  /** Dossiers late against the statutory deadline (extended where recorded). */
  lateDossiers: number;
  /** Dossiers with at least one late step. */
  dossiersWithLateStep: number;
  lateSteps: number;
  alerts: { steps: AlertCounts; dossiers: AlertCounts; total: number };
  apologyLetters: number;
  score766: { onTime: number; progress: number; points: number | null; max: number | null };
}

export interface StepRow {
  elementId: string;
  name: string;
  steps: number;
  current: { late: number; allotments: string };
  draft: { late: number; allotments: string };
  delta: number;
}

export interface HeatMap {
  /** The Mondays (YYYY-MM-DD) of the weeks the steps started in. */
  weeks: string[];
  rows: { elementId: string; name: string; cells: number[] }[];
}

export interface WhatIfResult {
  dossiers: number;
  steps: number;
  current: SideResult;
  draft: SideResult;
  difference: SideResult;
  byStep: StepRow[];
  heatMap: HeatMap;
  /**
   * Steps whose due time under the current model differs from the recorded `due_at`, and dossiers
   * whose statutory due time differs from the recorded `statutory_due_at` (where one is recorded).
   */
  consistency: { stepsChecked: number; dueAtDiffers: number; dossiersChecked: number; statutoryDueAtDiffers: number };
  /** Steps whose element the draft has no SLA for (removed or renamed): not judged under the draft. */
  unknownInDraft: number;
}

interface StepVerdict {
  timed: boolean;
  late: boolean;
  dueAt: Date | null;
  alerts: Condition[];
  allotment: number;
}

const MS = 1;

/** The conditions the monitor would have raised for an item, over its life up to `end`. */
function alertsOverLife(judged: { status: string; conditions: Condition[] }): Condition[] {
  const conditions = [...judged.conditions];
  // the monitor ticks every minute: an item overdue at its end went through "due soon" before
  if (judged.status === 'overdue' && !conditions.some((c) => c.kind === 'dueSoon')) {
    const overdue = conditions.find((c) => c.kind === 'overdue');
    if (overdue) conditions.push({ ...overdue, key: overdue.key.replace(/:overdue$/, ':dueSoon'), kind: 'dueSoon' });
  }
  return conditions;
}

type StepSlaOf = (processId: string, elementId: string, internalProcessId: string | null) => StepSla | undefined;

/** ProcessCatalog.stepSla, remembered: a quarter asks the same few dozen questions a hundred thousand times. */
function rememberedStepSla(catalog: ProcessCatalog): StepSlaOf {
  const known = new Map<string, StepSla | undefined>();
  return (processId, elementId, internalProcessId) => {
    const key = `${processId}\u0000${elementId}\u0000${internalProcessId ?? ''}`;
    if (known.has(key)) return known.get(key);
    const sla = catalog.stepSla(processId, elementId, internalProcessId);
    known.set(key, sla);
    return sla;
  };
}

const variantOf = (d: WhatIfDossier, s: WhatIfStep): CaseVariant =>
  (CASE_VARIANTS as readonly string[]).includes(s.caseVariant ?? '') ? (s.caseVariant as CaseVariant) : d.caseVariant;

/** Two SLAs judge a step alike: same allotment for its variant, unit (calendar), role and escalation chain. */
export function sameStepTerms(a: StepSla, b: StepSla, variant: CaseVariant): boolean {
  return (
    a === b ||
    (a.allotments[variant] === b.allotments[variant] &&
      a.unit === b.unit &&
      a.role === b.role &&
      a.escalation.length === b.escalation.length &&
      a.escalation.every((level, i) => level.role === b.escalation[i]?.role && level.afterWorkingMinutes === b.escalation[i]?.afterWorkingMinutes))
  );
}

/** The step under both models; the draft's verdict is the current one's where the draft sets the same terms (the same inputs to the same code). */
function judgeStepTwice(input: WhatIfInput, slaOf: Record<'current' | 'draft', StepSlaOf>, d: WhatIfDossier, s: WhatIfStep): Record<'current' | 'draft', StepVerdict | null> {
  const processId = s.processId ?? d.processId;
  const currentSla = slaOf.current(processId, s.elementId, d.internalProcessId);
  const draftSla = slaOf.draft(processId, s.elementId, d.internalProcessId);
  const current = currentSla ? judgeStepOn(input, currentSla, d, s) : null;
  if (currentSla && draftSla && sameStepTerms(currentSla, draftSla, variantOf(d, s))) return { current, draft: current };
  return { current, draft: draftSla ? judgeStepOn(input, draftSla, d, s) : null };
}

function judgeStepOn(input: WhatIfInput, sla: StepSla, d: WhatIfDossier, s: WhatIfStep): StepVerdict {
  const variant = variantOf(d, s);
  const allotment = sla.allotments[variant];
  const calendar = input.calendars.forUnit(sla.unit);
  const dueAt = stepDueAt(calendar, s.startedAt, allotment).dueAt;
  const timed = allotment > 0 && s.clock !== 'stopped';
  if (!timed) return { timed, late: false, dueAt, alerts: [], allotment };
  const end = s.finishedAt ?? input.to;
  const late = end > dueAt;
  const threshold = dueSoonThresholdMinutes(allotment, input.dueSoon);
  if (surelyOnTrack(s.startedAt, end, allotment - threshold) || end.getTime() - MS < dueSoonFrom(calendar, dueAt, threshold).getTime()) {
    return { timed, late, dueAt, alerts: [], allotment };
  }
  const open = { id: s.id, dossierCode: d.code, elementId: s.elementId, unitId: sla.unit, role: sla.role, dueAt, allotmentMinutes: allotment, clock: s.clock };
  const judged = judgeStep(open, sla.escalation, calendar, new Date(end.getTime() - MS), input.dueSoon);
  return { timed, late, dueAt, alerts: alertsOverLife(judged), allotment };
}

/**
 * True when an item that started at `start` and ended at `end` cannot have left "on track":
 * fewer wall-clock minutes passed than the working minutes it may use before it is due soon (or
 * its apology is asked for), and working time never runs faster than the wall clock (clock stops
 * only slow it). The monitor's judgement would raise nothing: skipping it changes no count, and
 * saves its calendar arithmetic on most steps of a quarter.
 */
/**
 * The first instant at which the monitor finds an item due soon: fewer than threshold + 1 whole
 * working minutes left (the instant server/monitor/classify.ts waits for on an item on track).
 * Judged before it, an item is on track and raises nothing.
 */
export function dueSoonFrom(calendar: WorkingCalendar, dueAt: Date, thresholdMinutes: number): Date {
  return calendar.addWorkingMs(dueAt, -((thresholdMinutes + 1) * MINUTE_MS - 1)).dueAt;
}

export function surelyOnTrack(start: Date, end: Date, quietWorkingMinutes: number): boolean {
  // one minute of margin: the monitor counts whole working minutes left
  return end.getTime() - start.getTime() < (quietWorkingMinutes - 1) * MINUTE_MS;
}

/** Judged at `end`, a dossier is on track and not yet asked for an apology (classify.ts's judgeDossier raises nothing). */
function beforeAnyDossierAlert(calendar: WorkingCalendar, clockStartAt: Date, due: Date, apologyPromptAt: Date | null, end: Date, policy: DueSoonPolicy): boolean {
  const judgedAt = end.getTime() - MS;
  if (apologyPromptAt && judgedAt >= apologyPromptAt.getTime()) return false;
  const allotment = Math.max(1, calendar.between(clockStartAt, due));
  return judgedAt < dueSoonFrom(calendar, due, dueSoonThresholdMinutes(allotment, policy)).getTime();
}

interface DossierVerdict {
  late: boolean;
  statutoryDueAt: Date | null;
  alerts: Condition[];
  apologyDue: boolean;
  judgement: Judgement766 | null;
}

function judgeDossierOn(input: WhatIfInput, catalog: ProcessCatalog, d: WhatIfDossier): DossierVerdict {
  const plan = catalog.plan(d.processId);
  if (!plan) return { late: false, statutoryDueAt: null, alerts: [], apologyDue: false, judgement: null };
  const terms = dossierTermsOf(plan, d.caseVariant, d.extendedAt !== null);
  const calendar = input.calendars.forUnit(d.unitId);
  const stoppedIntervals = d.stops.map((s) => ({ from: s.startedAt, to: s.endedAt }));
  const deadlines = dossierDeadlines(calendar, { clockStartAt: d.clockStartAt, stoppedIntervals }, terms, input.deadlinePolicy);
  const due = deadlines.statutoryDueAt;
  const end = d.finishedAt ?? input.to;
  const late = due !== null && end > due;
  const statutory = due ? terms.statutoryWorkingDays * input.deadlinePolicy.workingDayMinutes : 0;
  const quiet = Math.min(statutory - dueSoonThresholdMinutes(statutory, input.dueSoon), statutory - terms.apologyLeadMinutes - terms.apologyPromptMinutes);
  if (due && (surelyOnTrack(d.clockStartAt, end, quiet) || beforeAnyDossierAlert(calendar, d.clockStartAt, due, deadlines.apologyPromptAt, end, input.dueSoon))) return { late, statutoryDueAt: due, alerts: [], apologyDue: false, judgement: judge766({ ...d, statutoryDueAt: due, appointmentAt: due }, input.from, input.to) };
  const open = {
    code: d.code,
    unitId: d.unitId,
    clockStartAt: d.clockStartAt,
    statutoryDueAt: due,
    apologyByAt: deadlines.apologyByAt,
    apologyPromptMinutes: terms.apologyPromptMinutes,
    clockStopped: false,
  };
  const judged = judgeDossier(open, input.dossierEscalation, calendar, new Date(end.getTime() - MS), input.dueSoon);
  const conditions = alertsOverLife(judged);
  const judgement = judge766({ ...d, statutoryDueAt: due, appointmentAt: due }, input.from, input.to);
  return {
    late,
    statutoryDueAt: due,
    alerts: conditions.filter((c) => c.kind !== 'apologyDue'),
    apologyDue: conditions.some((c) => c.kind === 'apologyDue'),
    judgement,
  };
}

const alertKey = (c: Condition): string => (c.kind === 'escalation' ? `escalation${c.level}` : c.kind);

function addAlerts(into: AlertCounts, conditions: readonly Condition[]): number {
  for (const c of conditions) into[alertKey(c)] = (into[alertKey(c)] ?? 0) + 1;
  return conditions.length;
}

const emptySide = (): SideResult => ({
  lateDossiers: 0,
  dossiersWithLateStep: 0,
  lateSteps: 0,
  alerts: { steps: {}, dossiers: {}, total: 0 },
  apologyLetters: 0,
  score766: { onTime: 0, progress: 0, points: null, max: null },
});

/** The Monday (YYYY-MM-DD, Việt Nam) of the week holding `at`. */
export function weekOf(at: Date): string {
  const day = dayNumberOf(at.getTime());
  const weekday = WEEKDAYS.indexOf(weekdayOf(day));
  return localDateOf(day - ((weekday + 6) % 7));
}

const allotmentText = (minutes: Set<number>): string =>
  [...minutes].sort((a, b) => a - b).map((m) => (m % 60 === 0 ? `${m / 60}h` : `${m}m`)).join(', ');

interface StepTally {
  name: string;
  steps: number;
  current: number;
  draft: number;
  currentAllotments: Set<number>;
  draftAllotments: Set<number>;
  weeks: Map<string, number>;
}

function tallyOf(tallies: Map<string, StepTally>, s: WhatIfStep): StepTally {
  let tally = tallies.get(s.elementId);
  if (!tally) {
    tally = { name: s.elementName ?? s.elementId, steps: 0, current: 0, draft: 0, currentAllotments: new Set(), draftAllotments: new Set(), weeks: new Map() };
    tallies.set(s.elementId, tally);
  }
  return tally;
}

/** Re-judges every dossier under the current models and under the draft. */
export function whatIf(input: WhatIfInput): WhatIfResult {
  const sides = { current: emptySide(), draft: emptySide() };
  const judged: Record<'current' | 'draft', Judgement766[]> = { current: [], draft: [] };
  const tallies = new Map<string, StepTally>();
  const slaOf = { current: rememberedStepSla(input.current), draft: rememberedStepSla(input.draft) };
  const result = { steps: 0, consistency: { stepsChecked: 0, dueAtDiffers: 0, dossiersChecked: 0, statutoryDueAtDiffers: 0 }, unknownInDraft: 0 };
  for (const d of input.dossiers) {
    const current = judgeDossierOn(input, input.current, d);
    if (d.recordedStatutoryDueAt && current.statutoryDueAt) {
      // 0 on clean data: the workers plan it with the same function from the clock's last start and
      // its stops; an apology moves the appointment, not this
      result.consistency.dossiersChecked += 1;
      if (d.recordedStatutoryDueAt.getTime() !== current.statutoryDueAt.getTime()) result.consistency.statutoryDueAtDiffers += 1;
    }
    // a draft of the internal procedure leaves the national version (the dossier's terms) as it is
    const draft = input.draft.plan(d.processId) === input.current.plan(d.processId) ? current : judgeDossierOn(input, input.draft, d);
    for (const [name, verdict] of [['current', current], ['draft', draft]] as const) {
      const side = sides[name];
      if (verdict.late) side.lateDossiers += 1;
      if (verdict.apologyDue) side.apologyLetters += 1;
      side.alerts.total += addAlerts(side.alerts.dossiers, verdict.alerts);
      if (verdict.judgement) judged[name].push(verdict.judgement);
    }
    const lateStep = { current: false, draft: false };
    for (const s of d.steps) {
      result.steps += 1;
      const { current, draft } = judgeStepTwice(input, slaOf, d, s);
      if (current?.dueAt) {
        // Clean data gives 0: the worker computed due_at with the same function from the same start.
        // A calendar edit re-plans open steps (deadline_moves), and a step recorded under an older
        // model file or calendar version also differs; the dossier's clock stops never enter a
        // step's due time (stepDueAt has no stops), so they cannot make it differ.
        result.consistency.stepsChecked += 1;
        if (current.dueAt.getTime() !== s.dueAt.getTime()) result.consistency.dueAtDiffers += 1;
      }
      if (!draft) result.unknownInDraft += 1;
      const tally = tallyOf(tallies, s);
      tally.steps += 1;
      if (current?.timed) tally.currentAllotments.add(current.allotment);
      if (draft?.timed) tally.draftAllotments.add(draft.allotment);
      for (const [name, verdict] of [['current', current], ['draft', draft]] as const) {
        if (!verdict) continue;
        const side = sides[name];
        side.alerts.total += addAlerts(side.alerts.steps, verdict.alerts);
        if (!verdict.late) continue;
        side.lateSteps += 1;
        lateStep[name] = true;
        tally[name] += 1;
      }
      const delta = Number(draft?.late ?? false) - Number(current?.late ?? false);
      if (delta !== 0) {
        const week = weekOf(s.startedAt);
        tally.weeks.set(week, (tally.weeks.get(week) ?? 0) + delta);
      }
    }
    if (lateStep.current) sides.current.dossiersWithLateStep += 1;
    if (lateStep.draft) sides.draft.dossiersWithLateStep += 1;
  }
  for (const name of ['current', 'draft'] as const) sides[name].score766 = score766Of(input, judged[name]);
  return {
    dossiers: input.dossiers.length,
    ...result,
    current: sides.current,
    draft: sides.draft,
    difference: differenceOf(sides.current, sides.draft),
    byStep: stepRows(tallies),
    heatMap: heatMapOf(input, tallies),
  };
}

function score766Of(input: WhatIfInput, judged: readonly Judgement766[]): SideResult['score766'] {
  const counts = countsOf(judged, input.regime?.syncOnTimeMinutes ?? 0);
  if (!input.regime) return { onTime: counts.onTime, progress: counts.progress, points: null, max: null };
  const progress = scopeScore(input.regime, counts).indicators.find((i) => i.id === 'progress.onTime');
  return { onTime: counts.onTime, progress: counts.progress, points: progress?.points ?? null, max: progress?.max ?? null };
}

function minusCounts(a: AlertCounts, b: AlertCounts): AlertCounts {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return Object.fromEntries([...keys].sort().map((k) => [k, (b[k] ?? 0) - (a[k] ?? 0)]));
}

/** Draft minus current, field by field. */
export function differenceOf(current: SideResult, draft: SideResult): SideResult {
  const points = current.score766.points === null || draft.score766.points === null ? null : draft.score766.points - current.score766.points;
  return {
    lateDossiers: draft.lateDossiers - current.lateDossiers,
    dossiersWithLateStep: draft.dossiersWithLateStep - current.dossiersWithLateStep,
    lateSteps: draft.lateSteps - current.lateSteps,
    alerts: {
      steps: minusCounts(current.alerts.steps, draft.alerts.steps),
      dossiers: minusCounts(current.alerts.dossiers, draft.alerts.dossiers),
      total: draft.alerts.total - current.alerts.total,
    },
    apologyLetters: draft.apologyLetters - current.apologyLetters,
    score766: { onTime: draft.score766.onTime - current.score766.onTime, progress: draft.score766.progress - current.score766.progress, points, max: null },
  };
}

function stepRows(tallies: Map<string, StepTally>): StepRow[] {
  return [...tallies.entries()]
    .filter(([, t]) => t.currentAllotments.size > 0 || t.draftAllotments.size > 0)
    .map(([elementId, t]) => ({
      elementId,
      name: t.name,
      steps: t.steps,
      current: { late: t.current, allotments: allotmentText(t.currentAllotments) },
      draft: { late: t.draft, allotments: allotmentText(t.draftAllotments) },
      delta: t.draft - t.current,
    }))
    .sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta) || a.elementId.localeCompare(b.elementId));
}

/** Step × week of the late-count deltas (draft − current), every week of the period shown. */
function heatMapOf(input: WhatIfInput, tallies: Map<string, StepTally>): HeatMap {
  const weeks: string[] = [];
  const last = weekOf(new Date(input.to.getTime() - 1));
  for (let week = weekOf(input.from); week <= last; week = localDateOf(dayNumberOf(Date.parse(`${week}T12:00:00+07:00`)) + 7)) weeks.push(week);
  // a step of a dossier received late in the period may start after it
  for (const t of tallies.values()) for (const week of t.weeks.keys()) if (!weeks.includes(week)) weeks.push(week);
  weeks.sort();
  const rows = [...tallies.entries()]
    .filter(([, t]) => t.weeks.size > 0)
    .map(([elementId, t]) => ({ elementId, name: t.name, cells: weeks.map((w) => t.weeks.get(w) ?? 0) }))
    .sort((a, b) => a.elementId.localeCompare(b.elementId));
  return { weeks, rows };
}
