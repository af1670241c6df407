/**
 * The summary of an inspection period (the same agency, unit, procedure, version and channel
 * filters as the list; the verdict filter does not apply: the summary gives every verdict):
 * - received in the period, by channel, and the VNeID share of them;
 * - resolved in the period (issued or refused): on time, late, late with an apology letter
 *   (three separate numbers that add up to the resolved), the on-time rate against 100%, the
 *   VNeID share of the resolved, on time against the Quy trình 570 target;
 * - open and overdue now; closed otherwise (withdrawn, not supplemented);
 * - the working time each step took (average and 90th percentile, steps finished in the
 *   period, on their units' calendars);
 * - where lateness originates: the first step to overrun on each late dossier, counted by step
 *   and by unit.
 * Counts are aggregated by the database; step durations are streamed, never held per dossier.
 */
import { sql } from 'kysely';
import { DOSSIER_SOURCES, type DossierSource } from '../readmodel/dossier';
import { scopedDossiers, type InspectionDeps } from './engine';
import type { InspectionFilters } from './filters';
import { openAt, stepLateAt } from './as-of';

export interface StepDurations {
  elementId: string;
  name: string;
  count: number;
  averageMinutes: number;
  p90Minutes: number;
}

export interface OriginCount {
  key: string;
  name: string;
  count: number;
}

export interface InspectionSummary {
  received: number;
  receivedByChannel: Record<DossierSource, number>;
  /** VNeID share of the dossiers received (0..1), null when none. */
  vneidShareReceived: number | null;
  resolved: number;
  resolvedByChannel: Record<DossierSource, number>;
  vneidShareResolved: number | null;
  onTime: number;
  late: number;
  lateWithApology: number;
  /** onTime ÷ resolved, against a target of 100%. */
  onTimeRate: number | null;
  /** Resolved by the Quy trình 570 target date. */
  onTarget: number;
  openOverdue: number;
  closedOther: number;
  steps: StepDurations[];
  originSteps: OriginCount[];
  originUnits: OriginCount[];
  /** When the figures were computed. */
  computedAt: Date;
}

const RESOLVED = ['issued', 'refused'] as const;
const zeroByChannel = (): Record<DossierSource, number> => Object.fromEntries(DOSSIER_SOURCES.map((s) => [s, 0])) as Record<DossierSource, number>;
const share = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

/** The 90th percentile (nearest rank) of sorted values. */
export function percentile90(sorted: readonly number[]): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.9 * sorted.length) - 1)] as number;
}

export async function summarize(deps: InspectionDeps, f: InspectionFilters): Promise<InspectionSummary> {
  const now = deps.now();
  const [received, resolved, openOverdue, closedOther, origins, durations] = await Promise.all([
    scopedDossiers(deps, f, 'received').select(['d.source', sql<string>`count(*)`.as('n')]).groupBy('d.source').execute(),
    scopedDossiers(deps, f, 'finished')
      .where('d.status', '=', 'closed')
      .where('d.outcome', 'in', RESOLVED)
      .select([
        'd.source',
        sql<string>`count(*)`.as('n'),
        sql<string>`count(*) FILTER (WHERE d.statutory_due_at IS NULL OR d.finished_at <= d.statutory_due_at)`.as('onTime'),
        sql<string>`count(*) FILTER (WHERE d.finished_at > d.statutory_due_at AND d.apology_issued_at IS NULL)`.as('late'),
        sql<string>`count(*) FILTER (WHERE d.finished_at > d.statutory_due_at AND d.apology_issued_at IS NOT NULL)`.as('lateWithApology'),
        sql<string>`count(*) FILTER (WHERE d.target_due_at IS NULL OR d.finished_at <= d.target_due_at)`.as('onTarget'),
      ])
      .groupBy('d.source')
      .execute(),
    openOverdueAt(deps, f, now).select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow(),
    scopedDossiers(deps, f, 'finished').where('d.status', '=', 'closed').where((eb) => eb.or([eb('d.outcome', 'is', null), eb('d.outcome', 'not in', RESOLVED)])).select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow(),
    originCounts(deps, f, now),
    stepDurations(deps, f),
  ]);
  const receivedByChannel = zeroByChannel();
  for (const r of received) receivedByChannel[r.source] = Number(r.n);
  const resolvedByChannel = zeroByChannel();
  let onTime = 0;
  let late = 0;
  let lateWithApology = 0;
  let onTarget = 0;
  for (const r of resolved) {
    resolvedByChannel[r.source] = Number(r.n);
    onTime += Number(r.onTime);
    late += Number(r.late);
    lateWithApology += Number(r.lateWithApology);
    onTarget += Number(r.onTarget);
  }
  const receivedTotal = Object.values(receivedByChannel).reduce((a, b) => a + b, 0);
  const resolvedTotal = Object.values(resolvedByChannel).reduce((a, b) => a + b, 0);
  return {
    received: receivedTotal,
    receivedByChannel,
    vneidShareReceived: share(receivedByChannel.vneid, receivedTotal),
    resolved: resolvedTotal,
    resolvedByChannel,
    vneidShareResolved: share(resolvedByChannel.vneid, resolvedTotal),
    onTime,
    late,
    lateWithApology,
    onTimeRate: share(onTime, resolvedTotal),
    onTarget,
    openOverdue: Number(openOverdue.n),
    closedOther: Number(closedOther.n),
    steps: durations,
    originSteps: origins.steps,
    originUnits: origins.units,
    computedAt: now,
  };
}

/** Open at `now` (as-of.ts: a weekly report's now is its cut-off), received before the period's end, past the statutory due date. */
function openOverdueAt(deps: InspectionDeps, f: InspectionFilters, now: Date) {
  return scopedDossiers(deps, f, 'any').where((eb) => openAt(eb, now)).where('d.statutoryDueAt', '<', now).where('d.receivedAt', '<', f.to);
}

/** The first step to overrun on each late dossier (resolved late in the period, or open and overdue now), counted by step and by unit. */
export async function originCounts(deps: InspectionDeps, f: InspectionFilters, now: Date): Promise<{ steps: OriginCount[]; units: OriginCount[] }> {
  const lateResolved = scopedDossiers(deps, f, 'finished')
    .where('d.status', '=', 'closed')
    .where('d.outcome', 'in', RESOLVED)
    .whereRef('d.finishedAt', '>', 'd.statutoryDueAt')
    .select('d.code');
  const openOverdue = openOverdueAt(deps, f, now).select('d.code');
  const rows = await deps.db
    .with('late', () => lateResolved.union(openOverdue))
    .with('origin', (db) =>
      db
        .selectFrom('steps as s')
        .innerJoin('late', 'late.code', 's.dossierCode')
        .distinctOn('s.dossierCode')
        .select(['s.dossierCode', 's.elementId', 's.elementName', 's.unitId', 's.unitName'])
        .where((eb) => stepLateAt(eb, now))
        .orderBy('s.dossierCode')
        .orderBy('s.dueAt'),
    )
    .selectFrom('origin')
    .select(['elementId', 'elementName', 'unitId', 'unitName', sql<string>`count(*)`.as('n')])
    .groupBy(['elementId', 'elementName', 'unitId', 'unitName'])
    .execute();
  const steps = new Map<string, OriginCount>();
  const units = new Map<string, OriginCount>();
  for (const r of rows) {
    const n = Number(r.n);
    const step = steps.get(r.elementId) ?? { key: r.elementId, name: r.elementName ?? r.elementId, count: 0 };
    step.count += n;
    steps.set(r.elementId, step);
    const unit = units.get(r.unitId) ?? { key: r.unitId, name: r.unitName ?? r.unitId, count: 0 };
    unit.count += n;
    units.set(r.unitId, unit);
  }
  const byCount = (a: OriginCount, b: OriginCount): number => b.count - a.count || a.key.localeCompare(b.key);
  return { steps: [...steps.values()].sort(byCount), units: [...units.values()].sort(byCount) };
}

/** Working time of the timed steps finished in the period, per step: streamed, then averaged and ranked. */
async function stepDurations(deps: InspectionDeps, f: InspectionFilters): Promise<StepDurations[]> {
  const calendars = await deps.calendars();
  const scope = scopedDossiers(deps, f, 'any').select('d.code');
  const query = deps.db
    .selectFrom('steps as s')
    .select(['s.elementId', 's.elementName', 's.unitId', 's.startedAt', 's.finishedAt'])
    .where('s.finishedAt', '>=', f.from)
    .where('s.finishedAt', '<', f.to)
    .where('s.allotmentMinutes', '>', 0)
    .where('s.dossierCode', 'in', scope);
  const byStep = new Map<string, { name: string; minutes: number[] }>();
  for await (const s of query.stream(2000)) {
    if (!s.finishedAt) continue;
    const entry = byStep.get(s.elementId) ?? { name: s.elementName ?? s.elementId, minutes: [] };
    entry.minutes.push(Math.max(0, calendars.forUnit(s.unitId).between(s.startedAt, s.finishedAt)));
    byStep.set(s.elementId, entry);
  }
  return [...byStep.entries()]
    .map(([elementId, { name, minutes }]) => {
      const sorted = minutes.sort((a, b) => a - b);
      return { elementId, name, count: sorted.length, averageMinutes: Math.round(sorted.reduce((a, b) => a + b, 0) / sorted.length), p90Minutes: percentile90(sorted) };
    })
    .sort((a, b) => b.p90Minutes - a.p90Minutes || a.elementId.localeCompare(b.elementId));
}
