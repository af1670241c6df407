/**
 * The heat map of a process version: for each of its steps, the dossiers there now (on track,
 * due soon, overdue, or with a stopped clock) and, for a period, how many late dossiers had
 * their lateness originate there (dossiers of that version only: each version has its own map,
 * and a late dossier of another version never lights a step of this one). `agency` narrows both
 * to one agency's dossiers. Counted by the database over indexed columns (the open steps
 * of the version, grouped by element): nothing is loaded per dossier. A step is due soon once
 * the monitor raised its due-soon alert (it judges due soon in working time, at its ticks), and
 * overdue once past its due instant.
 */
import { sql } from 'kysely';
import type { InspectionDeps } from '../inspection/engine';
import { instantFilters } from '../inspection/filters';
import { originCounts } from '../inspection/summary';

export const HEAT_STATUSES = ['onTrack', 'dueSoon', 'overdue', 'stopped'] as const;
export type HeatStatus = (typeof HEAT_STATUSES)[number];

export interface HeatCell {
  elementId: string;
  name: string;
  open: Record<HeatStatus, number>;
  /** Late dossiers (resolved late in the period, or open and overdue now) whose lateness originated here. */
  lateOrigin: number;
}

export interface Heatmap {
  procedure: string;
  version: string;
  name: string;
  /** The called process (procedure id) of each call activity, for drilling into it. */
  calls: Record<string, string>;
  cells: HeatCell[];
  period: { from: Date; to: Date };
  computedAt: Date;
}

const zero = (): Record<HeatStatus, number> => ({ onTrack: 0, dueSoon: 0, overdue: 0, stopped: 0 });

/** The status of an open step, in SQL (steps as `s`). */
const statusOf = (now: Date) => sql<HeatStatus>`CASE
  WHEN s.clock = 'stopped' OR s.allotment_minutes = 0 THEN 'stopped'
  WHEN s.due_at < ${now} THEN 'overdue'
  WHEN EXISTS (SELECT 1 FROM alerts a WHERE a.id = 'step:' || s.id || ':dueSoon') THEN 'dueSoon'
  ELSE 'onTrack' END`;

/** The open steps of a version, of one agency's dossiers when `agency` is given (steps as `s`). */
function openStepsOf(deps: InspectionDeps, version: string, agency: string | null) {
  let q = deps.db.selectFrom('steps as s').where('s.finishedAt', 'is', null).where('s.processId', '=', version);
  if (agency !== null) q = q.where('s.dossierCode', 'in', (eb) => eb.selectFrom('dossiers as d').select('d.code').where('d.agencyCode', '=', agency).where('d.status', '=', 'open'));
  return q;
}

export async function heatmap(deps: InspectionDeps, version: string, period: { from: Date; to: Date }, agency: string | null = null): Promise<Heatmap & { agency: string | null }> {
  const plan = deps.catalog.plan(version);
  if (!plan) throw new Error(`no model has process id ${version}`);
  const now = deps.now();
  const [open, origins] = await Promise.all([
    openStepsOf(deps, version, agency)
      .select(['s.elementId', statusOf(now).as('status'), sql<string>`count(*)`.as('n')])
      .groupBy(['s.elementId', 'status'])
      .execute(),
    originCounts(deps, instantFilters(period.from, period.to, { basis: 'finished', version, agency }), now),
  ]);
  const cells = new Map<string, HeatCell>();
  const cell = (elementId: string): HeatCell => {
    let found = cells.get(elementId);
    if (!found) {
      found = { elementId, name: plan.steps[elementId]?.name ?? plan.governedSteps[elementId]?.name ?? elementId, open: zero(), lateOrigin: 0 };
      cells.set(elementId, found);
    }
    return found;
  };
  for (const elementId of [...Object.keys(plan.steps), ...Object.keys(plan.governedSteps)]) cell(elementId);
  for (const row of open) cell(row.elementId).open[row.status] += Number(row.n);
  for (const origin of origins.steps) if (cells.has(origin.key)) cell(origin.key).lateOrigin += origin.count;
  const calls: Record<string, string> = {};
  for (const step of [...Object.values(plan.steps), ...Object.values(plan.governedSteps)]) {
    if (step.elementType === 'bpmn:CallActivity' && step.calledProcessId) calls[step.elementId] = step.calledProcessId;
  }
  return { procedure: plan.procedure, version, name: plan.name, agency, calls, cells: [...cells.values()], period, computedAt: now };
}

export interface StepDossier {
  code: string;
  unitId: string;
  since: Date;
  dueAt: Date;
  status: HeatStatus;
  /** Working minutes past the due instant (negative: left), on the step's unit calendar. */
  lateMinutes: number;
}

/** The dossiers at a step now, most late first (codes and timing only). */
export async function dossiersAtStep(deps: InspectionDeps, version: string, elementId: string, limit = 200, agency: string | null = null): Promise<StepDossier[]> {
  const now = deps.now();
  const rows = await openStepsOf(deps, version, agency)
    .select(['s.dossierCode', 's.unitId', 's.startedAt', 's.dueAt', statusOf(now).as('status')])
    .where('s.elementId', '=', elementId)
    .orderBy('s.dueAt')
    .limit(limit)
    .execute();
  const calendars = await deps.calendars();
  return rows.map((r) => ({ code: r.dossierCode, unitId: r.unitId, since: r.startedAt, dueAt: r.dueAt, status: r.status, lateMinutes: r.dueAt < now ? calendars.forUnit(r.unitId).between(r.dueAt, now) : -calendars.forUnit(r.unitId).between(now, r.dueAt) }));
}
