/**
 * The supervisors' KPIs, aggregated by the database over indexed columns (dossiers by receipt
 * and by end): received today and this report week by channel; for a period (this report week
 * by default) the VNeID share of received and of resolved dossiers against 80%, the on-time rate
 * against 100% (late with an apology letter counts as late), open and overdue now; and the same
 * figures for each of the last 12 report weeks (weeks from one REPORT_WEEK_CUTOFF to the next).
 */
import { sql } from 'kysely';
import { dayNumberOf, dayStartMs } from '../calendar/civil-time';
import type { Db } from '../db';
import { lastEndedWeek, type WeekCutoff } from '../inspection/week';
import { DOSSIER_SOURCES, type DossierSource } from '../readmodel/dossier';

export const SERIES_WEEKS = 12;
const WEEK_MS = 7 * 86_400_000;
const RESOLVED = ['issued', 'refused'];

export interface WeekFigures {
  /** Start of the report week (the previous cut-off) and its end. */
  from: Date;
  to: Date;
  received: number;
  receivedVneid: number;
  resolved: number;
  resolvedVneid: number;
  onTime: number;
  /** Late, with or without an apology letter. */
  late: number;
  lateWithApology: number;
  vneidShareReceived: number | null;
  vneidShareResolved: number | null;
  onTimeRate: number | null;
}

export interface Kpis {
  today: Record<DossierSource, number>;
  thisWeek: Record<DossierSource, number>;
  period: WeekFigures;
  openOverdue: number;
  targets: { vneidSharePercent: number; onTimePercent: number };
  series: WeekFigures[];
  computedAt: Date;
}

const byChannel = (rows: readonly { source: DossierSource; n: string | number }[]): Record<DossierSource, number> => {
  const out = Object.fromEntries(DOSSIER_SOURCES.map((s) => [s, 0])) as Record<DossierSource, number>;
  for (const r of rows) out[r.source] = Number(r.n);
  return out;
};
const share = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

function figures(from: Date, to: Date, r: { received?: number; receivedVneid?: number; resolved?: number; resolvedVneid?: number; onTime?: number; late?: number; lateWithApology?: number }): WeekFigures {
  const f = { received: r.received ?? 0, receivedVneid: r.receivedVneid ?? 0, resolved: r.resolved ?? 0, resolvedVneid: r.resolvedVneid ?? 0, onTime: r.onTime ?? 0, late: r.late ?? 0, lateWithApology: r.lateWithApology ?? 0 };
  return { from, to, ...f, vneidShareReceived: share(f.receivedVneid, f.received), vneidShareResolved: share(f.resolvedVneid, f.resolved), onTimeRate: share(f.onTime, f.resolved) };
}

/** Received and resolved figures per report week from `anchor` (a cut-off), for receipts and ends in [from, to). */
async function weekly(db: Db, anchor: Date, from: Date, to: Date): Promise<Map<number, Parameters<typeof figures>[2]>> {
  const [received, resolved] = await Promise.all([
    sql<{ week: Date; received: string; vneid: string }>`
      SELECT date_bin('7 days', received_at, ${anchor}::timestamptz) AS week, count(*) AS received, count(*) FILTER (WHERE source = 'vneid') AS vneid
      FROM dossiers WHERE received_at >= ${from} AND received_at < ${to} GROUP BY week`.execute(db),
    sql<{ week: Date; resolved: string; vneid: string; on_time: string; late: string; apology: string }>`
      SELECT date_bin('7 days', finished_at, ${anchor}::timestamptz) AS week, count(*) AS resolved, count(*) FILTER (WHERE source = 'vneid') AS vneid,
        count(*) FILTER (WHERE statutory_due_at IS NULL OR finished_at <= statutory_due_at) AS on_time,
        count(*) FILTER (WHERE finished_at > statutory_due_at) AS late,
        count(*) FILTER (WHERE finished_at > statutory_due_at AND apology_issued_at IS NOT NULL) AS apology
      FROM dossiers WHERE status = 'closed' AND finished_at >= ${from} AND finished_at < ${to} AND outcome = ANY(${RESOLVED}::text[]) GROUP BY week`.execute(db),
  ]);
  const weeks = new Map<number, Parameters<typeof figures>[2]>();
  const at = (week: Date) => {
    const key = week.getTime();
    const found = weeks.get(key) ?? {};
    weeks.set(key, found);
    return found;
  };
  for (const r of received.rows) Object.assign(at(r.week), { received: Number(r.received), receivedVneid: Number(r.vneid) });
  for (const r of resolved.rows) Object.assign(at(r.week), { resolved: Number(r.resolved), resolvedVneid: Number(r.vneid), onTime: Number(r.on_time), late: Number(r.late), lateWithApology: Number(r.apology) });
  return weeks;
}

export async function kpis(deps: { db: Db; now: () => Date }, cutoff: WeekCutoff, options: { vneidTargetPercent: number; period?: { from: Date; to: Date } }): Promise<Kpis> {
  const now = deps.now();
  const weekStart = lastEndedWeek(now, cutoff).to;
  const todayStart = new Date(dayStartMs(dayNumberOf(now.getTime())));
  const seriesFrom = new Date(weekStart.getTime() - (SERIES_WEEKS - 1) * WEEK_MS);
  const period = options.period ?? { from: weekStart, to: now };
  const channels = (from: Date) => deps.db.selectFrom('dossiers').select(['source', sql<string>`count(*)`.as('n')]).where('receivedAt', '>=', from).where('receivedAt', '<', now).groupBy('source').execute();
  const [today, thisWeek, series, inPeriod, overdue] = await Promise.all([
    channels(todayStart),
    channels(weekStart),
    weekly(deps.db, weekStart, seriesFrom, new Date(weekStart.getTime() + WEEK_MS)),
    weekly(deps.db, period.from, period.from, period.to),
    deps.db.selectFrom('dossiers').select(sql<string>`count(*)`.as('n')).where('status', '=', 'open').where('statutoryDueAt', '<', now).executeTakeFirstOrThrow(),
  ]);
  const periodRow: Parameters<typeof figures>[2] = {};
  for (const r of inPeriod.values()) for (const [k, v] of Object.entries(r)) (periodRow as Record<string, number>)[k] = ((periodRow as Record<string, number>)[k] ?? 0) + (v);
  return {
    today: byChannel(today),
    thisWeek: byChannel(thisWeek),
    period: figures(period.from, period.to, periodRow),
    openOverdue: Number(overdue.n),
    targets: { vneidSharePercent: options.vneidTargetPercent, onTimePercent: 100 },
    series: Array.from({ length: SERIES_WEEKS }, (_, i) => {
      const from = new Date(seriesFrom.getTime() + i * WEEK_MS);
      return figures(from, new Date(from.getTime() + WEEK_MS), series.get(from.getTime()) ?? {});
    }),
    computedAt: now,
  };
}
