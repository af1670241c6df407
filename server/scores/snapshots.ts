/**
 * The index's daily snapshots (issue 25, item 3): the monitor's daily run stores, for yesterday
 * (the civil day just ended, Việt Nam time), the score of each period kind holding it (the day,
 * and the week, month, quarter and year to that day), judged at the day's end, per agency and
 * per unit, one row per indicator (table `score_snapshots`, migration 0015). Days missed (the
 * monitor was down) are caught up, at most `catchUpDays` back.
 *
 * Idempotent across replicas: a day's rows and its mark in `score_snapshot_days` are written in
 * one transaction with `ON CONFLICT DO NOTHING` on their keys, so two replicas computing the same
 * day (the lease lapsed, a run repeated) leave one row set; a day already marked is not computed.
 *
 * The 12-month trend of /chi-so reads, for each month, its last `month` snapshot: the month's
 * score as of the last day stored (the whole month once it is over).
 */
import { sql } from 'kysely';
import { dayNumberOf, dayNumberOfLocalDate, dayStartMs, localDateOf, type LocalDate } from '../calendar/civil-time';
import type { Db } from '../db';
import type { ScoreSnapshotsTable } from '../db/tables';
import { PERIOD_KINDS, scorePeriod } from './period';
import { GROUPS, groupLabels, loadRegimes, type IndicatorGroup, type ScoreRegime } from './regime';
import { computeScores, NoRegimeError, type ScoreDeps } from './service';

export const SNAPSHOT_ACTOR = 'system:monitor';
/** Rows per INSERT statement (16 parameters a row, under PostgreSQL's 65,535). */
const ROWS_PER_INSERT = 1000;

export interface SnapshotDeps {
  db: Db;
  regimes?: readonly ScoreRegime[];
}

export interface SnapshotCounts {
  /** The days this run stored, oldest first (a day another replica stored meanwhile is not among them). */
  days: LocalDate[];
  /** Indicator rows written. */
  rows: number;
}

const dayEnd = (day: LocalDate): Date => new Date(dayStartMs(dayNumberOfLocalDate(day) + 1));

/** The rows of one day: every period kind holding it, judged at its end; kinds before the first regime are left out. */
export async function snapshotRows(deps: SnapshotDeps, day: LocalDate, computedAt: Date, computedBy: string): Promise<ScoreSnapshotsTable[]> {
  const scoreDeps: ScoreDeps = { db: deps.db, regimes: deps.regimes ?? loadRegimes(), calendars: () => Promise.reject(new Error('not used')), now: () => dayEnd(day) };
  const rows: ScoreSnapshotsTable[] = [];
  for (const kind of PERIOD_KINDS) {
    let result;
    try {
      result = await computeScores(scoreDeps, { period: kind, date: day });
    } catch (error) {
      if (error instanceof NoRegimeError) continue;
      throw error;
    }
    for (const scope of result.scopes) {
      for (const i of scope.score.indicators) {
        rows.push({
          day,
          periodKind: kind,
          agencyCode: scope.agencyCode,
          unitId: scope.unitId ?? '',
          indicatorId: i.id,
          regimeId: result.regime.id,
          periodFirst: result.period.first,
          status: i.status,
          numerator: i.numerator,
          denominator: i.denominator,
          ratio: i.ratio,
          points: i.points,
          maxPoints: i.max,
          threshold: i.threshold,
          computedAt,
          computedBy,
        });
      }
    }
  }
  return rows;
}

/** Stores one day's snapshot unless it is stored already; the rows written, or null when another run had stored the day. */
export async function storeDay(deps: SnapshotDeps, day: LocalDate, computedAt: Date, computedBy: string): Promise<number | null> {
  const rows = await snapshotRows(deps, day, computedAt, computedBy);
  return deps.db.transaction().execute(async (trx) => {
    const marked = await trx
      .insertInto('scoreSnapshotDays')
      .values({ day, computedAt, computedBy, rowCount: rows.length })
      .onConflict((oc) => oc.column('day').doNothing())
      .returning('day')
      .executeTakeFirst();
    if (!marked) return null;
    let written = 0;
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
      const result = await trx
        .insertInto('scoreSnapshots')
        .values(rows.slice(i, i + ROWS_PER_INSERT))
        .onConflict((oc) => oc.columns(['agencyCode', 'unitId', 'periodKind', 'day', 'indicatorId']).doNothing())
        .executeTakeFirst();
      written += Number(result.numInsertedOrUpdatedRows ?? 0);
    }
    return written;
  });
}

/** The days of the window ending yesterday (`catchUpDays` long) that have no snapshot yet, oldest first. */
export async function missingDays(db: Db, at: Date, catchUpDays: number): Promise<LocalDate[]> {
  const yesterday = dayNumberOf(at.getTime()) - 1;
  const window = Array.from({ length: catchUpDays }, (_, k) => localDateOf(yesterday - catchUpDays + 1 + k));
  const stored = await db.selectFrom('scoreSnapshotDays').select(sql<string>`day::text`.as('day')).where('day', '>=', window[0] ?? '').where('day', '<=', localDateOf(yesterday)).execute();
  const have = new Set(stored.map((r) => r.day));
  return window.filter((day) => !have.has(day));
}

/** The daily job: yesterday's snapshot and the missed days before it (bounded), each stored once. */
export async function takeDailySnapshots(deps: SnapshotDeps, at: Date, options: { catchUpDays: number; computedBy?: string }): Promise<SnapshotCounts> {
  const counts: SnapshotCounts = { days: [], rows: 0 };
  for (const day of await missingDays(deps.db, at, options.catchUpDays)) {
    const rows = await storeDay(deps, day, at, options.computedBy ?? SNAPSHOT_ACTOR);
    if (rows === null) continue;
    counts.days.push(day);
    counts.rows += rows;
  }
  return counts;
}

export interface TrendMonth {
  /** `YYYY-MM`. */
  month: string;
  /** The day the month's score was stored as of (its last day once it is over). */
  asOf: LocalDate;
  regimeId: string;
  points: number;
  max: number;
  groups: { group: IndicatorGroup; label: string; points: number; max: number }[];
}

/**
 * The 12 months (or `months`) up to the one holding `lastDay`, each from its last `month`
 * snapshot on or before `lastDay`, for the agency (`unit` null) or a unit; months without a
 * snapshot are left out.
 */
export async function monthlyTrend(
  deps: SnapshotDeps,
  scope: { agency: string; unit: string | null; lastDay: LocalDate; months?: number },
): Promise<TrendMonth[]> {
  const months = scope.months ?? 12;
  const last = scorePeriod('month', scope.lastDay);
  const [y, m] = [Number(last.first.slice(0, 4)), Number(last.first.slice(5, 7))];
  const firstMonth = (y * 12 + (m - 1) - (months - 1));
  const from = `${String(Math.floor(firstMonth / 12)).padStart(4, '0')}-${String((firstMonth % 12) + 1).padStart(2, '0')}-01`;
  const rows = await deps.db
    .selectFrom('scoreSnapshots as s')
    .select([sql<string>`s.period_first::text`.as('periodFirst'), sql<string>`s.day::text`.as('day'), 's.indicatorId', 's.regimeId', 's.status', 's.points', 's.maxPoints'])
    .where('s.agencyCode', '=', scope.agency)
    .where('s.unitId', '=', scope.unit ?? '')
    .where('s.periodKind', '=', 'month')
    .where('s.day', '>=', from)
    .where('s.day', '<=', scope.lastDay)
    .where('s.day', '=', (eb) =>
      eb
        .selectFrom('scoreSnapshots as l')
        .select((x) => x.fn.max('l.day').as('day'))
        .whereRef('l.agencyCode', '=', 's.agencyCode')
        .whereRef('l.unitId', '=', 's.unitId')
        .where('l.periodKind', '=', 'month')
        .whereRef('l.periodFirst', '=', 's.periodFirst')
        .where('l.day', '<=', scope.lastDay),
    )
    .orderBy('s.periodFirst')
    .execute();
  const regimes = deps.regimes ?? loadRegimes();
  const byMonth = new Map<string, TrendMonth>();
  for (const r of rows) {
    const regime = regimes.find((x) => x.id === r.regimeId);
    const group = regime?.indicators.find((i) => i.id === r.indicatorId)?.group;
    if (!group) continue;
    const month = byMonth.get(r.periodFirst) ?? {
      month: r.periodFirst.slice(0, 7),
      asOf: r.day,
      regimeId: r.regimeId,
      points: 0,
      max: 0,
      groups: GROUPS.map((g) => ({ group: g, label: groupLabels[g], points: 0, max: 0 })),
    };
    byMonth.set(r.periodFirst, month);
    if (r.status !== 'scored' || r.points === null) continue;
    const g = month.groups.find((x) => x.group === group);
    if (g) {
      g.points += r.points;
      g.max += r.maxPoints;
    }
    month.points += r.points;
    month.max += r.maxPoints;
  }
  return [...byMonth.values()].map((t) => ({ ...t, groups: t.groups.filter((g) => g.max > 0) }));
}
