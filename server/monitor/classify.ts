/**
 * The monitor's judgement, pure: from an open step or dossier, the calendar and the time, its
 * status (onTrack / dueSoon / overdue, or stopped when its clock does not run) and the
 * conditions it is in, each with a stable key:
 *
 * - `dueSoon`: to the step's role in its unit;
 * - `overdue`: to the same people, once it is past its due time;
 * - `escalation` level n: to the n-th role of the step's escalation chain (BPMN
 *   `lltp:sla.escalation`, e.g. `headOfDivision > leader@4h`) once it is that much working
 *   time late;
 * - for a dossier: due soon / overdue against its appointment (statutory due date, moved once
 *   by an apology) to the first role of MONITOR_DOSSIER_ESCALATION, the later roles as it gets
 *   later; and `apologyDue` to the leaders once its apology-by time has passed without an
 *   apology letter.
 */
import { classifyOpen, type DueSoonPolicy } from '../calendar/status';
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
}

export type MonitoredStatus = 'onTrack' | 'dueSoon' | 'overdue' | 'stopped';

export interface OpenStep {
  _id: string;
  dossierCode: string;
  elementId: string;
  elementName?: string | null;
  unitId: string;
  unitName?: string | null;
  role?: string | null;
  dueAt: Date;
  allotmentMinutes: number;
  clock?: string | null;
}

export interface OpenDossier {
  code: string;
  unitId: string;
  clockStartAt: Date;
  statutoryDueAt: Date | null;
  appointmentAt?: Date | null;
  apologyByAt: Date | null;
  apology?: unknown;
  stoppedIntervals?: { to: Date | null }[];
}

function escalations(base: Omit<Condition, 'key' | 'kind' | 'level' | 'role'>, keyBase: string, chain: readonly EscalationLevel[], lateMinutes: number): Condition[] {
  return chain
    .map((level, i) => ({ level, n: i + 1 }))
    .filter(({ level }) => lateMinutes >= level.afterWorkingMinutes)
    .map(({ level, n }) => ({ ...base, key: `${keyBase}:escalation${n}`, kind: 'escalation' as const, level: n, role: level.role }));
}

export function judgeStep(
  step: OpenStep,
  chain: readonly EscalationLevel[],
  calendar: WorkingCalendar,
  now: Date,
  policy: DueSoonPolicy,
): { status: MonitoredStatus; conditions: Condition[] } {
  if (step.clock === 'stopped' || !(step.allotmentMinutes > 0) || !step.role) return { status: 'stopped', conditions: [] };
  const { status, remainingMinutes } = classifyOpen(calendar, { dueAt: step.dueAt, allotmentMinutes: step.allotmentMinutes }, now, policy);
  if (status === 'onTrack') return { status, conditions: [] };
  const base = {
    subject: 'step' as const,
    dossierCode: step.dossierCode,
    stepId: step._id,
    elementId: step.elementId,
    stepName: step.elementName ?? step.elementId,
    unitId: step.unitId,
    unitName: step.unitName ?? null,
    dueAt: step.dueAt,
    remainingMinutes,
  };
  const keyBase = `step:${step._id}`;
  if (status === 'dueSoon') return { status, conditions: [{ ...base, key: `${keyBase}:dueSoon`, kind: 'dueSoon', level: 0, role: step.role }] };
  return {
    status,
    conditions: [{ ...base, key: `${keyBase}:overdue`, kind: 'overdue', level: 0, role: step.role }, ...escalations(base, keyBase, chain, -remainingMinutes)],
  };
}

export const DOSSIER_STEP_NAME = 'Hạn trả kết quả của hồ sơ';

export function judgeDossier(
  dossier: OpenDossier,
  chain: readonly EscalationLevel[],
  calendar: WorkingCalendar,
  now: Date,
  policy: DueSoonPolicy,
): { status: MonitoredStatus; conditions: Condition[] } {
  const due = dossier.appointmentAt ?? dossier.statutoryDueAt;
  const stopped = (dossier.stoppedIntervals ?? []).some((i) => i.to === null);
  if (!due || stopped || chain.length === 0) return { status: 'stopped', conditions: [] };
  const allotment = Math.max(1, calendar.between(dossier.clockStartAt, due));
  const { status, remainingMinutes } = classifyOpen(calendar, { dueAt: due, allotmentMinutes: allotment }, now, policy);
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
  const [first, ...later] = chain as [EscalationLevel, ...EscalationLevel[]];
  if (status === 'dueSoon') conditions.push({ ...base, key: `${keyBase}:dueSoon`, kind: 'dueSoon', level: 0, role: first.role });
  if (status === 'overdue') {
    conditions.push({ ...base, key: `${keyBase}:overdue`, kind: 'overdue', level: 0, role: first.role });
    conditions.push(...escalations(base, keyBase, later, -remainingMinutes));
  }
  if (!dossier.apology && dossier.apologyByAt && now.getTime() >= dossier.apologyByAt.getTime()) {
    conditions.push({ ...base, key: `${keyBase}:apologyDue`, kind: 'apologyDue', level: 0, role: 'leader', dueAt: dossier.apologyByAt });
  }
  return { status, conditions };
}
