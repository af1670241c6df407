/**
 * The 766 index's daily snapshots (issue 25, item 3) on the real PostgreSQL: the 32 dossiers of
 * test/support/scores-766-fixture.ts, yesterday's snapshot and the days missed stored once
 * whichever replica computes them (two at once, or two monitors one after the other), the
 * catch-up bounded by its window, and the stored November equal to the hand-worked scores.
 *
 * @fixed-instants the monitor's instants are literals of December 2026 (the dossiers sit in November 2026), whatever LLTP_TEST_NOW says.
 */
import { sql } from 'kysely';
import { createCalendarProvider } from '../../../server/calendar/provider';
import { loadSeed } from '../../../server/calendar/seed';
import { seedCalendar } from '../../../server/calendar/store';
import { loadConfig } from '../../../server/config';
import type { Db } from '../../../server/db';
import { createLogger } from '../../../server/logger';
import { createMailer, type Mailer } from '../../../server/mail';
import { createMonitor, createMonitorDeps } from '../../../server/monitor';
import type { MonitorDeps } from '../../../server/monitor/tick';
import { monthlyTrend, snapshotRows, takeDailySnapshots } from '../../../server/scores/snapshots';
import { loadProcessCatalog } from '../../../server/sla';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { writeScoresFixture } from '../../support/scores-766-db';
import { AGENCY, at, EXPECTED_AGENCY, EXPECTED_U1, EXPECTED_U2, TOTAL_U1, U1, U2, type Expected } from '../../support/scores-766-fixture';

let testDb: TestDatabase;
let db: Db;
let mailer: Mailer;
let deps: MonitorDeps;

beforeAll(async () => {
  testDb = await createTestDatabase('score-snapshots');
  db = testDb.database.db;
  await seedCalendar(db, loadSeed(), { actor: 'test', now: () => at('2026-11-01T00:00:00') });
  await writeScoresFixture(db);
  const config = loadConfig({ ...process.env, DATABASE_URL: testDb.url });
  mailer = createMailer(config);
  const calendars = createCalendarProvider({ db, now: () => at('2026-12-02T01:00:00'), refreshMs: 0 });
  deps = createMonitorDeps({ db, config, catalog: await loadProcessCatalog(), calendars, mailer, logger: createLogger({ level: 'silent' }), settings: { scoreSnapshotCatchUpDays: 3 } });
}, 60000);

afterAll(async () => {
  mailer?.close();
  await testDb?.drop();
});

const storedDays = async (): Promise<{ day: string; rowCount: number; computedBy: string }[]> =>
  db.selectFrom('scoreSnapshotDays').select([sql<string>`day::text`.as('day'), 'rowCount', 'computedBy']).orderBy('day').execute();
const rowsOf = async (day: string): Promise<{ n: number; holders: number }> =>
  (await sql<{ n: number; holders: number }>`SELECT count(*)::int AS n, count(DISTINCT computed_by)::int AS holders FROM score_snapshots WHERE day = ${day}`.execute(db)).rows[0]!;

test('two replicas computing the same days at once store each day once: one row set, its mark and its rows by the same replica', async () => {
  const runAt = at('2026-12-02T01:00:00');
  const [a, b] = await Promise.all([
    takeDailySnapshots({ db }, runAt, { catchUpDays: 3, computedBy: 'replica-a' }),
    takeDailySnapshots({ db }, runAt, { catchUpDays: 3, computedBy: 'replica-b' }),
  ]);
  // yesterday (1/12) and the two days before it, each stored by exactly one of them
  expect([...a.days, ...b.days].sort()).toEqual(['2026-11-29', '2026-11-30', '2026-12-01']);
  const days = await storedDays();
  expect(days.map((d) => d.day)).toEqual(['2026-11-29', '2026-11-30', '2026-12-01']);
  for (const d of days) {
    const expected = (await snapshotRows({ db }, d.day, runAt, 'check')).length;
    expect(expected).toBeGreaterThan(0);
    expect({ day: d.day, ...(await rowsOf(d.day)), marked: d.rowCount }).toEqual({ day: d.day, n: expected, holders: 1, marked: expected });
    const holder = (await db.selectFrom('scoreSnapshots').select('computedBy').where('day', '=', d.day).executeTakeFirstOrThrow()).computedBy;
    expect(holder).toBe(d.computedBy);
  }
  expect(a.rows + b.rows).toBe(days.reduce((s, d) => s + d.rowCount, 0));

  // the same run again stores nothing
  expect(await takeDailySnapshots({ db }, runAt, { catchUpDays: 3 })).toEqual({ days: [], rows: 0 });
});

test('the stored November (the month as of 30/11) is the hand-worked score of each scope, to 0.01 points', async () => {
  const stored = await db.selectFrom('scoreSnapshots').select(['unitId', 'indicatorId', 'ratio', 'points', 'periodFirst']).where('day', '=', '2026-11-30').where('periodKind', '=', 'month').execute();
  const scope = (unit: string): Record<string, { points: number | null; ratio: string | null }> =>
    Object.fromEntries(stored.filter((r) => r.unitId === unit).map((r) => [r.indicatorId, { points: r.points === null ? null : Math.round(r.points * 100) / 100, ratio: r.ratio === null ? null : r.ratio.toFixed(6) }]));
  const want = (e: Expected) => Object.fromEntries(Object.entries(e).map(([id, x]) => [id, { points: x.points, ratio: x.ratio === null ? null : x.ratio.toFixed(6) }]));
  expect(scope('')).toEqual(want(EXPECTED_AGENCY));
  expect(scope(U1)).toEqual(want(EXPECTED_U1));
  expect(scope(U2)).toEqual(want(EXPECTED_U2));
  expect(new Set(stored.map((r) => String(r.periodFirst)))).toEqual(new Set(['2026-11-01']));
});

test('the monitor\'s daily run catches up the missed days within its window only, and a second replica adds nothing', async () => {
  // the monitor was down from 2/12 to 7/12: on 8/12 it stores 5, 6 and 7/12 (a 3-day window), never 2–4/12
  const runAt = at('2026-12-08T00:30:00');
  const first = await createMonitor(deps, { holder: 'snapshots-1', now: () => runAt }).runOnce('daily');
  expect(first.run?.error).toBeNull();
  expect(first.run?.counts.scoreSnapshots?.days).toEqual(['2026-12-05', '2026-12-06', '2026-12-07']);
  expect((await storedDays()).map((d) => d.day)).toEqual(['2026-11-29', '2026-11-30', '2026-12-01', '2026-12-05', '2026-12-06', '2026-12-07']);
  const rowsAfterFirst = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM score_snapshots`.execute(db)).rows[0]!.n;
  expect(first.run?.counts.scoreSnapshots?.rows).toBeGreaterThan(0);

  // another replica while the lease is held: skipped; once it lapsed: runs, and stores nothing new
  expect(await createMonitor(deps, { holder: 'snapshots-2', now: () => runAt }).runOnce('daily')).toEqual({ ran: false, skipped: 'lease-held-elsewhere' });
  const later = new Date(runAt.getTime() + deps.settings.leaseMs + 60_000);
  const second = await createMonitor(deps, { holder: 'snapshots-2', now: () => later }).runOnce('daily');
  expect(second.run?.error).toBeNull();
  expect(second.run?.counts.scoreSnapshots).toEqual({ days: [], rows: 0 });
  expect((await sql<{ n: number }>`SELECT count(*)::int AS n FROM score_snapshots`.execute(db)).rows[0]!.n).toBe(rowsAfterFirst);
});

test('the 12-month trend reads each month\'s last month snapshot: November whole, December as of 7/12', async () => {
  const trend = await monthlyTrend({ db }, { agency: AGENCY, unit: U1, lastDay: '2026-12-07' });
  expect(trend.map((m) => [m.month, m.asOf])).toEqual([['2026-11', '2026-11-30'], ['2026-12', '2026-12-07']]);
  expect({ points: Math.round(trend[0]!.points * 100) / 100, max: trend[0]!.max }).toEqual(TOTAL_U1);
  // asked as of 30/11: December is not there yet, and November is as of that day
  expect((await monthlyTrend({ db }, { agency: AGENCY, unit: U1, lastDay: '2026-11-30' })).map((m) => m.month)).toEqual(['2026-11']);
  expect(await monthlyTrend({ db }, { agency: AGENCY, unit: U2, lastDay: '2025-12-31' })).toEqual([]);
});
