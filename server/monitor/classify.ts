/**
 * The monitor's judgement, pure: from an open step or dossier, the calendar and the time, its
 * status (onTrack / dueSoon / overdue, or stopped when its clock does not run) and the
 * conditions it is in, each with a stable key:
 *
 * - `dueSoon`: to the officer holding the step, or its role in its unit (server/monitor/directory.ts);
 * - `overdue`: to the same people and the unit's heads, once it is past its due time;
 * - `escalation` level n: to the n-th role of the step's escalation chain (BPMN
 *   `lltp:sla.escalation`, e.g. `headOfDivision > leader@4h`) once it is that much working
 *   time late;
 * - for a dossier: due soon / overdue against its appointment (statutory due date, moved once
 *   by an apology) to the first role of MONITOR_DOSSIER_ESCALATION, the later roles as it gets
 *   later; and `apologyDue` to the leaders once its apology-by time has passed without an
 *   apology letter.
 *
 * Each judgement also says when it can next change (`nextCheckAt`: the due-soon threshold,
 * the due time, the next escalation level, the apology-by time; `null` when nothing more can
 * change while the clock stands still), so the monitor looks at an item again only then.
 */
import { MINUTE_MS } from '../calendar/civil-time';
import { apologyPromptOf } from '../calendar/deadlines';
import { classifyOpen, dueSoonThresholdMinutes, type DueSoonPolicy } from '../calendar/status';
import type { WorkingCalendar } from '../calendar/working-calendar';
import type { EscalationLevel } from '../sla/spec';
import type { AlertKind } from './model';

export interface Condition {
  key: string;
  kind: AlertKind;
  subject: 'step' | 'dossier';
  level: number;
  role: string;
  dossierCode: string;
  stepId: string | null;
  elementId: string | null;
  stepName: string | null;
  unitId: string;
  unitName: string | null;
  dueAt: Date;
  remainingMinutes: number;
  /** The officer holding the step (who claimed its task), if any. */
  heldBy?: string | null;
}

export type MonitoredStatus = 'onTrack' | 'dueSoon' | 'overdue' | 'stopped';

export interface Judged {
  status: MonitoredStatus;
  conditions: Condition[];
  /** When the status or the conditions can change next; `null`: not before something else changes. */
  nextCheckAt: Date | null;
}

/** Looked at again at most this long after a judgement whose next change could not be placed later. */
const MIN_RECHECK_MS = 60_000;

/**
 * The earliest of the instants at which a condition starts, after `now` (an instant at or
 * before `now` that did not change the judgement is a rounding edge: look again shortly).
 */
function earliestAfter(now: Date, instants: readonly (Date | null)[]): Date | null {
  let next: number | null = null;
  for (const at of instants) {
    if (!at) continue;
    const ms = at.getTime() > now.getTime() ? at.getTime() : now.getTime() + MIN_RECHECK_MS;
    if (next === null || ms < next) next = ms;
  }
  return next === null ? null : new Date(next);
}

/** When an open item with this due time and allotment changes status next, and reaches each escalation level. */
function changeInstants(
  calendar: WorkingCalendar,
  status: MonitoredStatus,
  item: { dueAt: Date; allotmentMinutes: number },
  chain: readonly EscalationLevel[],
  policy: DueSoonPolicy,
  lateMinutes: number,
): Date[] {
  const instants: Date[] = [];
  // due soon from the first instant at which fewer than threshold + 1 whole working minutes are left
  if (status === 'onTrack') instants.push(calendar.addWorkingMs(item.dueAt, -((dueSoonThresholdMinutes(item.allotmentMinutes, policy) + 1) * MINUTE_MS - 1)).dueAt);
  if (status !== 'overdue') instants.push(new Date(item.dueAt.getTime() + 1));
  for (const level of chain) if (level.afterWorkingMinutes > lateMinutes) instants.push(calendar.add(item.dueAt, level.afterWorkingMinutes).dueAt);
  return instants;
}

export interface OpenStep {
  id: string;
  dossierCode: string;
  elementId: string;
  elementName?: string | null;
  unitId: string;
  unitName?: string | null;
  role?: string | null;
  dueAt: Date;
  allotmentMinutes: number;
  clock?: string | null;
  /** The officer holding it now (who claimed its task). */
  heldBy?: string | null;
}

export interface OpenDossier {
  code: string;
  unitId: string;
  clockStartAt: Date;
  statutoryDueAt: Date | null;
  appointmentAt?: Date | null;
  apologyByAt: Date | null;
  /** Working minutes before apologyByAt at which the leader is asked (lltp:deadline.apologyPrompt); 0 when absent. */
  apologyPromptMinutes?: number;
  apology?: unknown;
  /** When the due date moved to the extended statutory time (the desk is told once). */
  extendedAt?: Date | null;
  stoppedIntervals?: { to: Date | null }[];
  /** The clock is stopped now (when the intervals are not loaded). */
  clockStopped?: boolean;
}

function escalations(base: Omit<Condition, 'key' | 'kind' | 'level' | 'role'>, keyBase: string, chain: readonly EscalationLevel[], lateMinutes: number): Condition[] {
  return chain
    .map((level, i) => ({ level, n: i + 1 }))
    .filter(({ level }) => lateMinutes >= level.afterWorkingMinutes)
    .map(({ level, n }) => ({ ...base, key: `${keyBase}:escalation${n}`, kind: 'escalation' as const, level: n, role: level.role }));
}

export function judgeStep(step: OpenStep, chain: readonly EscalationLevel[], calendar: WorkingCalendar, now: Date, policy: DueSoonPolicy): Judged {
  if (step.clock === 'stopped' || !(step.allotmentMinutes > 0) || !step.role) return { status: 'stopped', conditions: [], nextCheckAt: null };
  const { status, remainingMinutes } = classifyOpen(calendar, { dueAt: step.dueAt, allotmentMinutes: step.allotmentMinutes }, now, policy);
  const nextCheckAt = earliestAfter(now, changeInstants(calendar, status, step, chain, policy, Math.max(0, -remainingMinutes)));
  if (status === 'onTrack') return { status, conditions: [], nextCheckAt };
  const base = {
    subject: 'step' as const,
    dossierCode: step.dossierCode,
    stepId: step.id,
    elementId: step.elementId,
    stepName: step.elementName ?? step.elementId,
    unitId: step.unitId,
    unitName: step.unitName ?? null,
    dueAt: step.dueAt,
    remainingMinutes,
    heldBy: step.heldBy ?? null,
  };
  const keyBase = `step:${step.id}`;
  if (status === 'dueSoon') return { status, conditions: [{ ...base, key: `${keyBase}:dueSoon`, kind: 'dueSoon', level: 0, role: step.role }], nextCheckAt };
  return {
    status,
    conditions: [{ ...base, key: `${keyBase}:overdue`, kind: 'overdue', level: 0, role: step.role }, ...escalations(base, keyBase, chain, -remainingMinutes)],
    nextCheckAt,
  };
}

export const DOSSIER_STEP_NAME = 'Hạn trả kết quả của hồ sơ';
/** Who receives dossiers and gives results at the desk: told of an apology that went out. */
export const ONE_STOP_ROLE = 'oneStopOfficer';

export function judgeDossier(dossier: OpenDossier, chain: readonly EscalationLevel[], calendar: WorkingCalendar, now: Date, policy: DueSoonPolicy): Judged {
  const due = dossier.appointmentAt ?? dossier.statutoryDueAt;
  const stopped = dossier.clockStopped ?? (dossier.stoppedIntervals ?? []).some((i) => i.to === null);
  if (!due || stopped || chain.length === 0) return { status: 'stopped', conditions: [], nextCheckAt: null };
  const allotment = Math.max(1, calendar.between(dossier.clockStartAt, due));
  const { status, remainingMinutes } = classifyOpen(calendar, { dueAt: due, allotmentMinutes: allotment }, now, policy);
  const [first, ...later] = chain as [EscalationLevel, ...EscalationLevel[]];
  // The leaders are told when the apology is asked for (the prompt), before the letter is due.
  const apologyPromptAt = !dossier.apology && dossier.apologyByAt ? apologyPromptOf(calendar, dossier.apologyByAt, dossier.apologyPromptMinutes ?? 0).dueAt : null;
  const nextCheckAt = earliestAfter(now, [
    ...changeInstants(calendar, status, { dueAt: due, allotmentMinutes: allotment }, later, policy, Math.max(0, -remainingMinutes)),
    apologyPromptAt && apologyPromptAt.getTime() > now.getTime() ? apologyPromptAt : null,
  ]);
  const base = {
    subject: 'dossier' as const,
    dossierCode: dossier.code,
    stepId: null,
    elementId: null,
    stepName: DOSSIER_STEP_NAME,
    unitId: dossier.unitId,
    unitName: null,
    dueAt: due,
    remainingMinutes,
  };
  const keyBase = `dossier:${dossier.code}`;
  const conditions: Condition[] = [];
  if (status === 'dueSoon') conditions.push({ ...base, key: `${keyBase}:dueSoon`, kind: 'dueSoon', level: 0, role: first.role });
  if (status === 'overdue') {
    conditions.push({ ...base, key: `${keyBase}:overdue`, kind: 'overdue', level: 0, role: first.role });
    conditions.push(...escalations(base, keyBase, later, -remainingMinutes));
  }
  if (apologyPromptAt && dossier.apologyByAt && now.getTime() >= apologyPromptAt.getTime()) {
    conditions.push({ ...base, key: `${keyBase}:apologyDue`, kind: 'apologyDue', level: 0, role: 'leader', dueAt: dossier.apologyByAt });
  }
  // The apology went out: the one-stop desk is told in writing, once (the alert's key), with the new date.
  if (dossier.extendedAt) conditions.push({ ...base, key: `${keyBase}:appointmentExtended`, kind: 'appointmentExtended', level: 0, role: ONE_STOP_ROLE });
  if (dossier.apology) conditions.push({ ...base, key: `${keyBase}:apologyIssued`, kind: 'apologyIssued', level: 0, role: ONE_STOP_ROLE });
  return { status, conditions, nextCheckAt };
}
