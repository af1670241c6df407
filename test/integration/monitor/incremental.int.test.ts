/**
 * The monitor's tick costs what changed: on 300 open dossiers (one open step each) it judges
 * exactly the steps and dossiers whose next check has come, and afterwards none is overdue for
 * a check. The daily reconciliation, judging everything again at the same instant, then finds
 * nothing to add: no alert missed, no next check to correct. The same holds after a calendar
 * edit, whose re-planning marks what it moved.
 *
 * @fixed-instants the monitor's clock starts at a fixed Tuesday 10:00, whatever LLTP_TEST_NOW says.
 */
import { sql } from 'kysely';
import { createCalendarAdmin } from '../../../server/calendar/admin';
import { DEFAULT_CALENDAR_POLICY } from '../../../server/calendar/policy';
import { createCalendarProvider } from '../../../server/calendar/provider';
import { loadSeed } from '../../../server/calendar/seed';
import { seedCalendar } from '../../../server/calendar/store';
import { seedDemoAccounts } from '../../../server/auth/seed';
import { loadConfig } from '../../../server/config';
import type { Db } from '../../../server/db';
import { createLogger } from '../../../server/logger';
import { createMailer } from '../../../server/mail';
import { createMonitorDeps } from '../../../server/monitor';
import { reconcile, tick, type MonitorDeps, type PassResult } from '../../../server/monitor/tick';
import { loadProcessCatalog } from '../../../server/sla';
import { seedOpenWork } from '../../../tools/bench/support';
import { createTestDatabase, type TestDatabase } from '../../support/database';

const DOSSIERS = 300;
const START = new Date('2026-11-24T03:00:00Z'); // Tuesday 10:00 in Việt Nam
let testDb: TestDatabase;
let db: Db;
let deps: MonitorDeps;
let clock = START;

beforeAll(async () => {
  testDb = await createTestDatabase('monitor_incremental');
  db = testDb.database.db;
  const now = (): Date => clock;
  await seedCalendar(db, loadSeed(), { actor: 'test', now });
  await seedDemoAccounts(db, { nodeEnv: 'test', password: 'x', partnerKey: 'x', now });
  const calendars = createCalendarProvider({ db, now, refreshMs: 0 });
  await seedOpenWork(db, await calendars.current(), { dossiers: DOSSIERS, finishedStepsPerDossier: 1, receivedWithinMinutes: 11 * 480, anchor: START, openStepAge: 1.1, seed: 3 });
  const config = loadConfig({ ...process.env, DATABASE_URL: testDb.url });
  deps = createMonitorDeps({ db, config, catalog: await loadProcessCatalog(), calendars, mailer: createMailer(config), logger: createLogger({ level: 'silent' }), now: () => clock });
}, 60000);

afterAll(async () => {
  deps?.mailer.close();
  await testDb?.drop();
});

const due = async (at: Date): Promise<number> =>
  Number((await sql<{ n: number }>`SELECT (SELECT count(*) FROM steps WHERE next_check_at <= ${at}) + (SELECT count(*) FROM dossiers WHERE next_check_at <= ${at}) AS n`.execute(db)).rows[0]?.n);
const judged = (pass: PassResult): number => [...Object.values(pass.counts.steps), ...Object.values(pass.counts.dossiers)].reduce((a, b) => a + b, 0);
const alerts = async (): Promise<number> => Number((await sql<{ n: number }>`SELECT count(*) AS n FROM alerts`.execute(db)).rows[0]?.n);

/** A tick at `at` judges exactly what was due for a check; a reconciliation at the same instant then changes nothing. */
async function tickAndCheck(at: Date): Promise<PassResult> {
  clock = at;
  const calendars = await deps.calendars.current();
  const expected = await due(at);
  const result = await tick(deps, calendars, at, `tick:${at.toISOString()}`);
  expect(judged(result)).toBe(expected);
  expect(await due(at)).toBe(0);
  const raised = await alerts();
  const again = await reconcile(deps, calendars, at, `reconcile:${at.toISOString()}`);
  expect(judged(again)).toBe(2 * DOSSIERS);
  expect({ alertsRaised: again.alertsRaised, rescheduled: again.rescheduled }).toEqual({ alertsRaised: 0, rescheduled: 0 });
  expect(await alerts()).toBe(raised);
  return result;
}

test('the first tick judges every open step and dossier (all new), and raises their alerts', async () => {
  const first = await tickAndCheck(START);
  expect(judged(first)).toBe(2 * DOSSIERS);
  expect(first.counts.steps.overdue).toBeGreaterThan(0);
  expect(first.alertsRaised).toBeGreaterThan(0);
});

test.each([
  ['5 minutes later', 5 * 60_000],
  ['an hour later', 3600_000],
  ['the afternoon', 5 * 3600_000],
  ['the next morning', 23 * 3600_000],
])('%s: a tick judges only what crossed a threshold since', async (_when, offsetMs) => {
  const result = await tickAndCheck(new Date(START.getTime() + offsetMs));
  expect(judged(result)).toBeLessThan(2 * DOSSIERS);
});

test('after a calendar edit the next tick judges what the re-planning moved, and only that besides what crossed', async () => {
  clock = new Date(START.getTime() + 24 * 3600_000);
  const admin = createCalendarAdmin({ db, now: () => clock, policy: DEFAULT_CALENDAR_POLICY });
  const { replan } = await admin.addDayOff({ actor: 'test', date: '2026-11-26', name: 'Ngày nghỉ (kiểm thử)', basis: 'Kiểm thử' });
  expect(replan.dossiersMoved + replan.stepsMoved).toBeGreaterThan(0);
  const marked = await due(new Date(0));
  expect(marked).toBe(replan.dossiersMoved + replan.stepsMoved);
  const result = await tickAndCheck(clock);
  expect(judged(result)).toBeGreaterThanOrEqual(marked);
});
