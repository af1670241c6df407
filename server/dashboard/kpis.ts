/**
 * The supervisors' KPIs, aggregated by the database over indexed columns (dossiers by receipt
 * and by end), counted as the province counts (server/inspection/counting.ts): received today
 * and this report week by channel; for a period (this report week by default) the VNeID ratios
 * (received through VNeID, and resolved through VNeID, each ÷ all received on every channel)
 * against 80%, the on-time rate (issued on time ÷ issued; late with an apology letter counts as
 * late) against 100%, refusals and withdrawals on their own lines, the certificates issued late
 * against each clock, open dossiers late against each clock now; and the same figures for each
 * of the last 12 report weeks (weeks from one REPORT_WEEK_CUTOFF to the next). `scope` narrows
 * every figure to one agency's or one regime's dossiers (server/inspection/regimes.ts).
 */
import { sql, type SelectQueryBuilder } from 'kysely';
import { dayNumberOf, dayStartMs } from '../calendar/civil-time';
import type { Db, Tables } from '../db';
import type { ProcessCatalog } from '../sla/catalog';
import { inRegimeSql } from '../inspection/regimes';
import { closedCounts, closedCountsOf, lateStepDossiersSql, onTimeRate, openCounts, vneidShares, type ClosedCounts } from '../inspection/counting';
import { lastEndedWeek, type WeekCutoff } from '../inspection/week';
import { DOSSIER_SOURCES, type DossierSource } from '../readmodel/dossier';

export const SERIES_WEEKS = 12;
const WEEK_MS = 7 * 86_400_000;

export interface WeekFigures {
  /** Start of the report week (the previous cut-off) and its end. */
  from: Date;
  to: Date;
  received: number;
  receivedVneid: number;
  /** Issued or refused. */
  resolved: number;
  resolvedVneid: number;
  /** Certificates issued: onTime + late. */
  issued: number;
  onTime: number;
  /** Issued late, with or without an apology letter. */
  late: number;
  lateWithApology: number;
  /** Refusals (form 03) and withdrawals: on their own lines, outside the on-time rate. */
  refused: number;
  withdrawn: number;
  /** Issued late against the Quy trình 570 target; with an internal step (QĐ 2799) late; on time by law but late on one of those. */
  lateTarget: number;
  lateStep: number;
  lateTargetOrStepOnly: number;
  /** Received through VNeID ÷ all received; resolved through VNeID ÷ all received (the province's definition). */
  vneidShareReceived: number | null;
  vneidShareResolved: number | null;
  /** Issued on time ÷ issued. */
  onTimeRate: number | null;
}

export interface Kpis {
  today: Record<DossierSource, number>;
  thisWeek: Record<DossierSource, number>;
  period: WeekFigures;
  openOverdue: number;
  /** Open dossiers late against each clock now. */
  openLateAgainst: { statutory: number; target: number; step: number };
  targets: { vneidSharePercent: number; onTimePercent: number };
  series: WeekFigures[];
  computedAt: Date;
}

/** The dossiers the KPIs count: one agency's, one regime's (null: all). */
export interface KpiScope {
  agency: string | null;
  regime: string | null;
}

type DossierQuery = SelectQueryBuilder<Tables & { d: Tables['dossiers'] }, 'd', object>;

/** The dossiers of the scope, as `dossiers as d`. */
function scopedQuery(db: Db, catalog: ProcessCatalog, scope: KpiScope): DossierQuery {
  let q: DossierQuery = db.selectFrom('dossiers as d');
  if (scope.agency !== null) q = q.where('d.agencyCode', '=', scope.agency);
  if (scope.regime !== null) q = q.where(inRegimeSql(catalog, scope.regime));
  return q;
}

interface WeekCounts {
  received: number;
  receivedVneid: number;
  closed: ClosedCounts;
}

const byChannel = (rows: readonly { source: DossierSource; n: string | number }[]): Record<DossierSource, number> => {
  const out = Object.fromEntries(DOSSIER_SOURCES.map((s) => [s, 0])) as Record<DossierSource, number>;
  for (const r of rows) out[r.source] = Number(r.n);
  return out;
};

const emptyWeek = (): WeekCounts => ({ received: 0, receivedVneid: 0, closed: closedCountsOf(undefined) });

function figures(from: Date, to: Date, w: WeekCounts): WeekFigures {
  const c = w.closed;
  return {
    from,
    to,
    received: w.received,
    receivedVneid: w.receivedVneid,
    resolved: c.resolved,
    resolvedVneid: c.resolvedVneid,
    issued: c.issued,
    onTime: c.issuedOnTime,
    late: c.issuedLate + c.issuedLateWithApology,
    lateWithApology: c.issuedLateWithApology,
    refused: c.refused,
    withdrawn: c.withdrawn,
    lateTarget: c.issuedLateTarget,
    lateStep: c.issuedLateStep,
    lateTargetOrStepOnly: c.issuedLateTargetOrStepOnly,
    ...vneidShares({ received: w.received, receivedVneid: w.receivedVneid, resolvedVneid: c.resolvedVneid }),
    onTimeRate: onTimeRate(c.issuedOnTime, c.issued),
  };
}

/** Received and closed figures per report week from `anchor` (a cut-off), for receipts and ends in [from, to). */
async function weekly(dossiers: () => DossierQuery, anchor: Date, from: Date, to: Date, now: Date): Promise<Map<number, WeekCounts>> {
  const week = (column: 'received_at' | 'finished_at') => sql<Date>`date_bin('7 days', d.${sql.raw(column)}, ${anchor}::timestamptz)`.as('week');
  const [received, closed] = await Promise.all([
    dossiers()
      .select([week('received_at'), sql<string>`count(*)`.as('received'), sql<string>`count(*) FILTER (WHERE d.source = 'vneid')`.as('vneid')])
      .where('d.receivedAt', '>=', from)
      .where('d.receivedAt', '<', to)
      .groupBy('week')
      .execute(),
    dossiers()
      .select([week('finished_at'), ...Object.entries(closedCounts(now)).map(([k, v]) => v.as(k))])
      .where('d.status', '=', 'closed')
      .where('d.finishedAt', '>=', from)
      .where('d.finishedAt', '<', to)
      .groupBy('week')
      .execute() as Promise<({ week: Date } & Record<string, string>)[]>,
  ]);
  const weeks = new Map<number, WeekCounts>();
  const at = (w: Date): WeekCounts => {
    const found = weeks.get(w.getTime()) ?? emptyWeek();
    weeks.set(w.getTime(), found);
    return found;
  };
  for (const r of received) Object.assign(at(r.week), { received: Number(r.received), receivedVneid: Number(r.vneid) });
  for (const r of closed) at(r.week).closed = closedCountsOf(r);
  return weeks;
}

/** The weeks of a period added up. */
function added(weeks: Iterable<WeekCounts>): WeekCounts {
  const sum = emptyWeek();
  for (const w of weeks) {
    sum.received += w.received;
    sum.receivedVneid += w.receivedVneid;
    for (const k of Object.keys(sum.closed) as (keyof ClosedCounts)[]) sum.closed[k] += w.closed[k];
  }
  return sum;
}

export async function kpis(
  deps: { db: Db; catalog: ProcessCatalog; now: () => Date },
  cutoff: WeekCutoff,
  options: { vneidTargetPercent: number; period?: { from: Date; to: Date }; scope?: KpiScope },
): Promise<Kpis> {
  const now = deps.now();
  const dossiers = (): DossierQuery => scopedQuery(deps.db, deps.catalog, options.scope ?? { agency: null, regime: null });
  const weekStart = lastEndedWeek(now, cutoff).to;
  const todayStart = new Date(dayStartMs(dayNumberOf(now.getTime())));
  const seriesFrom = new Date(weekStart.getTime() - (SERIES_WEEKS - 1) * WEEK_MS);
  const period = options.period ?? { from: weekStart, to: now };
  const channels = (from: Date) => dossiers().select(['d.source', sql<string>`count(*)`.as('n')]).where('d.receivedAt', '>=', from).where('d.receivedAt', '<', now).groupBy('d.source').execute();
  const [today, thisWeek, series, inPeriod, openLate] = await Promise.all([
    channels(todayStart),
    channels(weekStart),
    weekly(dossiers, weekStart, seriesFrom, new Date(weekStart.getTime() + WEEK_MS), now),
    weekly(dossiers, period.from, period.from, period.to, now),
    dossiers()
      .leftJoin(lateStepDossiersSql(now), (join) => join.onRef('ls.dossierCode', '=', 'd.code'))
      .select(Object.entries(openCounts(now)).map(([k, v]) => v.as(k)))
      .where('d.status', '=', 'open')
      .executeTakeFirstOrThrow() as Promise<Record<string, string>>,
  ]);
  const openLateAgainst = { statutory: Number(openLate.openLateStatutory), target: Number(openLate.openLateTarget), step: Number(openLate.openLateStep) };
  return {
    today: byChannel(today),
    thisWeek: byChannel(thisWeek),
    period: figures(period.from, period.to, added(inPeriod.values())),
    openOverdue: openLateAgainst.statutory,
    openLateAgainst,
    targets: { vneidSharePercent: options.vneidTargetPercent, onTimePercent: 100 },
    series: Array.from({ length: SERIES_WEEKS }, (_, i) => {
      const from = new Date(seriesFrom.getTime() + i * WEEK_MS);
      return figures(from, new Date(from.getTime() + WEEK_MS), series.get(from.getTime()) ?? emptyWeek());
    }),
    computedAt: now,
  };
}
