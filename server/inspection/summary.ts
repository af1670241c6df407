/**
 * The summary of an inspection period (the same agency, unit, procedure, version and channel
 * filters as the list; the verdict filter does not apply: the summary gives every verdict),
 * counted as the province counts (./counting.ts):
 * - received in the period, by channel; the VNeID ratios: received through VNeID, and resolved
 *   through VNeID, each ÷ all received on every channel;
 * - resolved in the period (issued or refused); certificates issued: on time, late, late with
 *   an apology letter (three numbers that add up to the issued), the on-time rate (issued on
 *   time ÷ issued) against 100%; refusals (form 03), withdrawals and dossiers closed
 *   unsupplemented each on their own line, outside the rate;
 * - lateness on the three clocks: certificates issued in the period late against the statutory
 *   date, the Quy trình 570 target, an internal step (QĐ 2799), and those on time by law but late
 *   on the other two; open dossiers late against each now;
 * - the working time each step took (average and 90th percentile, steps finished in the
 *   period, on their units' calendars);
 * - where lateness originates: the first step to overrun on each late dossier, counted by step
 *   and by unit;
 * - per regime (the national model version governing each dossier: ./regimes.ts), side by side:
 *   received, resolved, issued on time and late, the rate, refusals, withdrawals and open overdue,
 *   each dossier judged by its own due date (its own version's statutory days): a period across
 *   1/7/2026 holds 10-day and 5-day dossiers.
 * Counts are aggregated by the database; step durations are streamed, never held per dossier.
 */
import { sql } from 'kysely';
import { DOSSIER_SOURCES, type DossierSource } from '../readmodel/dossier';
import { closedCounts, closedCountsOf, lateStepDossiersSql, onTimeRate, openCounts, RESOLVED_OUTCOMES, vneidShares, type ClosedCounts } from './counting';
import { scopedDossiers, type InspectionDeps } from './engine';
import type { InspectionFilters } from './filters';
import { openAt, stepLateAt } from './as-of';
import { dueAsOfSql } from '../readmodel/deadline-history';
import { regimeSql, regimesOf } from './regimes';

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

/** One regime's figures in a period (a national model version), beside the others': the summary's own counts. */
export interface RegimeSubtotal
  extends Pick<InspectionSummary, 'received' | 'resolved' | 'issued' | 'onTime' | 'late' | 'lateWithApology' | 'onTimeRate' | 'refused' | 'withdrawn' | 'openOverdue'> {
  /** The national model version's process id; null: a dossier no version governs (none in practice). */
  regime: string | null;
  name: string | null;
  effectiveFrom: string | null;
  /** Its statutory working days (ordinary dossiers): what its dossiers are judged against. */
  statutoryWorkingDays: number | null;
}

export interface InspectionSummary {
  received: number;
  receivedByChannel: Record<DossierSource, number>;
  /** Received through VNeID ÷ all received (every channel), 0..1; null when none received. */
  vneidShareReceived: number | null;
  /** Issued or refused in the period. */
  resolved: number;
  resolvedByChannel: Record<DossierSource, number>;
  /** Resolved through VNeID ÷ all received (every channel): the province's ratio. */
  vneidShareResolved: number | null;
  /** Certificates issued in the period: onTime + late + lateWithApology. */
  issued: number;
  onTime: number;
  late: number;
  lateWithApology: number;
  /** onTime ÷ issued, against a target of 100%. */
  onTimeRate: number | null;
  /** Refusals (form 03), outside the on-time rate. */
  refused: number;
  /** Withdrawn by the citizen, outside the on-time rate. */
  withdrawn: number;
  /** Issued by the Quy trình 570 target date. */
  onTarget: number;
  /** Certificates issued in the period, late against each clock. */
  lateAgainst: { statutory: number; target: number; step: number; targetOrStepOnly: number };
  openOverdue: number;
  /** Open dossiers late against each clock now. */
  openLateAgainst: { statutory: number; target: number; step: number };
  /** Closed unsupplemented. */
  closedOther: number;
  steps: StepDurations[];
  originSteps: OriginCount[];
  originUnits: OriginCount[];
  /** Per regime, oldest first: every regime the period's dossiers fall under (one or more). */
  byRegime: RegimeSubtotal[];
  /** When the figures were computed. */
  computedAt: Date;
}

const zeroByChannel = (): Record<DossierSource, number> => Object.fromEntries(DOSSIER_SOURCES.map((s) => [s, 0])) as Record<DossierSource, number>;

/** The 90th percentile (nearest rank) of sorted values. */
export function percentile90(sorted: readonly number[]): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.9 * sorted.length) - 1)] as number;
}

type Row = Record<string, string | null>;

export async function summarize(deps: InspectionDeps, f: InspectionFilters): Promise<InspectionSummary> {
  const now = deps.now();
  const counts = closedCounts(now);
  const open = openCounts(now, deps.pastCutoff ?? false);
  const regime = regimeSql(deps.catalog);
  const [received, closed, openLate, origins, durations] = await Promise.all([
    scopedDossiers(deps, f, 'received')
      .select(['d.source', regime.as('regime'), sql<string>`count(*)`.as('n')])
      .groupBy(['d.source', 'regime'])
      .execute() as Promise<({ source: DossierSource; regime: string | null; n: string })[]>,
    scopedDossiers(deps, f, 'finished')
      .where('d.status', '=', 'closed')
      .select((eb) => [eb.ref('d.source').as('source'), regime.as('regime'), ...Object.entries(counts).map(([k, v]) => v.as(k))])
      .groupBy(['d.source', 'regime'])
      .execute() as Promise<({ source: DossierSource; regime: string | null } & Row)[]>,
    scopedDossiers(deps, f, 'any')
      .leftJoin(lateStepDossiersSql(now), (join) => join.onRef('ls.dossierCode', '=', 'd.code'))
      .where((eb) => openAt(eb, now))
      .where('d.receivedAt', '<', f.to)
      .select([regime.as('regime'), ...Object.entries(open).map(([k, v]) => v.as(k))])
      .groupBy('regime')
      .execute() as Promise<Row[]>,
    originCounts(deps, f, now),
    stepDurations(deps, f),
  ]);
  const receivedByChannel = zeroByChannel();
  for (const r of received) receivedByChannel[r.source] += Number(r.n);
  const resolvedByChannel = zeroByChannel();
  const total = closedCountsOf(undefined);
  for (const r of closed) {
    const c = closedCountsOf(r);
    resolvedByChannel[r.source] += c.resolved;
    addCounts(total, c);
  }
  const openTotal = { openLateStatutory: 0, openLateTarget: 0, openLateStep: 0 };
  for (const r of openLate) for (const k of Object.keys(openTotal) as (keyof typeof openTotal)[]) openTotal[k] += Number(r[k] ?? 0);
  const receivedTotal = Object.values(receivedByChannel).reduce((a, b) => a + b, 0);
  return {
    received: receivedTotal,
    receivedByChannel,
    ...vneidShares({ received: receivedTotal, receivedVneid: receivedByChannel.vneid, resolvedVneid: total.resolvedVneid }),
    resolved: total.resolved,
    resolvedByChannel,
    issued: total.issued,
    onTime: total.issuedOnTime,
    late: total.issuedLate,
    lateWithApology: total.issuedLateWithApology,
    onTimeRate: onTimeRate(total.issuedOnTime, total.issued),
    refused: total.refused,
    withdrawn: total.withdrawn,
    onTarget: total.issuedOnTarget,
    lateAgainst: {
      statutory: total.issuedLate + total.issuedLateWithApology,
      target: total.issuedLateTarget,
      step: total.issuedLateStep,
      targetOrStepOnly: total.issuedLateTargetOrStepOnly,
    },
    openOverdue: openTotal.openLateStatutory,
    openLateAgainst: { statutory: openTotal.openLateStatutory, target: openTotal.openLateTarget, step: openTotal.openLateStep },
    closedOther: total.unsupplemented,
    steps: durations,
    originSteps: origins.steps,
    originUnits: origins.units,
    byRegime: regimeSubtotals(deps, received, closed, openLate),
    computedAt: now,
  };
}

function addCounts(sum: ClosedCounts, c: ClosedCounts): void {
  for (const k of Object.keys(sum) as (keyof ClosedCounts)[]) sum[k] += c[k];
}

/** The per-regime figures from the grouped rows, in the catalog's order (oldest version first). */
function regimeSubtotals(deps: InspectionDeps, received: readonly { regime: string | null; n: string }[], closed: readonly Row[], openLate: readonly Row[]): RegimeSubtotal[] {
  const known = regimesOf(deps.catalog);
  const ids = new Set<string | null>([...received, ...closed, ...openLate].map((r) => r.regime ?? null));
  const order = (id: string | null): number => (id === null ? known.length : known.findIndex((r) => r.processId === id));
  return [...ids]
    .sort((a, b) => order(a) - order(b))
    .map((id) => {
      const c = closedCountsOf(undefined);
      for (const r of closed) if ((r.regime ?? null) === id) addCounts(c, closedCountsOf(r));
      const regime = known.find((r) => r.processId === id);
      return {
        regime: id,
        name: regime?.name ?? null,
        effectiveFrom: regime?.effectiveFrom ?? null,
        statutoryWorkingDays: regime?.statutoryWorkingDays ?? null,
        received: received.filter((r) => (r.regime ?? null) === id).reduce((sum, r) => sum + Number(r.n), 0),
        resolved: c.resolved,
        issued: c.issued,
        onTime: c.issuedOnTime,
        late: c.issuedLate,
        lateWithApology: c.issuedLateWithApology,
        onTimeRate: onTimeRate(c.issuedOnTime, c.issued),
        refused: c.refused,
        withdrawn: c.withdrawn,
        openOverdue: openLate.filter((r) => (r.regime ?? null) === id).reduce((sum, r) => sum + Number(r.openLateStatutory ?? 0), 0),
      };
    });
}

/** Open at `now` (as-of.ts: a weekly report's now is its cut-off), received before the period's end, past the statutory due date. */
function openOverdueAt(deps: InspectionDeps, f: InspectionFilters, now: Date) {
  return scopedDossiers(deps, f, 'any')
    .where((eb) => openAt(eb, now))
    .where(sql<boolean>`${dueAsOfSql('statutory', now, deps.pastCutoff ?? false)} < ${now}::timestamptz`)
    .where('d.receivedAt', '<', f.to);
}

/** The first step to overrun on each late dossier (resolved late in the period, or open and overdue now), counted by step and by unit. */
export async function originCounts(deps: InspectionDeps, f: InspectionFilters, now: Date): Promise<{ steps: OriginCount[]; units: OriginCount[] }> {
  const lateResolved = scopedDossiers(deps, f, 'finished')
    .where('d.status', '=', 'closed')
    .where('d.outcome', 'in', RESOLVED_OUTCOMES)
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
