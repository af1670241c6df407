/**
 * What the database guarantees under concurrency, with 20 racers on their own connections:
 * one officer gets an inbox task, one replica gets the monitor lease, and the daily dossier
 * numbers are taken once each, with no gap even when an intake rolls back.
 */
import type { Principal } from '../../../server/auth/middleware';
import { seedDemoAccounts } from '../../../server/auth/seed';
import { loadSeed } from '../../../server/calendar/seed';
import { seedCalendar } from '../../../server/calendar/store';
import { DEFAULT_DUE_SOON_POLICY } from '../../../server/calendar/status';
import { WorkingCalendars } from '../../../server/calendar/working-calendar';
import { loadCalendarData } from '../../../server/calendar/store';
import { connectDatabase, type Database, type Db } from '../../../server/db';
import { toJson } from '../../../server/db/tables';
import { claimTask, InboxError, type InboxDeps } from '../../../server/inbox/inbox';
import { nextDossierCode } from '../../../server/intake/dossier-code';
import { createLogger } from '../../../server/logger';
import { OutageLog } from '../../../server/outage';
import { acquireLease, currentLease } from '../../../server/monitor/lease';
import { insertDossier, newDossier } from '../../../server/readmodel/dossier';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { testClock, testNow } from '../../support/clock';

const RACERS = 20;
const ROUNDS = 100;
let testDb: TestDatabase;
let racers: Database;
let db: Db;

beforeAll(async () => {
  testDb = await createTestDatabase('races');
  db = testDb.database.db;
  // a pool wide enough that every racer has a connection of its own
  racers = await connectDatabase({ DATABASE_URL: testDb.url }, { max: RACERS + 2 });
  const now = (): Date => new Date('2026-11-24T02:00:00Z');
  await seedCalendar(db, loadSeed(), { actor: 'test', now });
  await seedDemoAccounts(db, { nodeEnv: 'test', password: 'x', partnerKey: 'x', now });
  await insertDossier(
    db,
    newDossier({
      code: 'STP.KHA-261124-0001',
      receiptNumber: 'BN-RACE',
      agencyCode: 'STP.KHA',
      source: 'vneid',
      channel: 'online',
      unitId: 'stp-mot-cua',
      receivedAt: now(),
      clockStartAt: now(),
      terms: { statutoryWorkingDays: 10, targetWorkingDays: 3, apologyLeadMinutes: 480 },
      deadlines: { statutoryDueAt: now(), targetDueAt: now(), apologyByAt: now(), estimated: false },
      calendarVersion: 1,
    }),
  );
}, 30000);

afterAll(async () => {
  await racers?.close();
  await testDb?.drop();
});

const officers: Extract<Principal, { kind: 'staff' }>[] = Array.from({ length: RACERS }, (_, i) => ({
  kind: 'staff',
  username: `motcua-${i}`,
  displayName: `Cán bộ ${i}`,
  roles: ['oneStopOfficer'],
  unitId: 'stp-mot-cua',
}));

test(`${RACERS} officers claiming the same task: exactly one gets it, the others a 409 naming the holder (${ROUNDS} rounds)`, async () => {
  const calendars = new WorkingCalendars(await loadCalendarData(db));
  const inbox: InboxDeps = {
    db: racers.db,
    stepSla: () => undefined,
    fourEyesAfter: () => null,
    calendars: () => Promise.resolve(calendars),
    dueSoon: DEFAULT_DUE_SOON_POLICY,
    zeebe: { completeJob: () => Promise.reject(new Error('not used')), cancelProcessInstance: () => Promise.reject(new Error('not used')), createWorker: () => { throw new Error('not used'); }, updateJobTimeout: () => Promise.reject(new Error('not used')) },
    logger: createLogger({ level: 'silent' }),
    outages: new OutageLog(createLogger({ level: 'silent' })),
    now: testClock(),
  };
  const winnersPerRound: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const id = `task:race-${round}`;
    await db
      .insertInto('tasks')
      .values({ id, jobKey: String(round), dossierCode: 'STP.KHA-261124-0001', processInstanceKey: '1', processId: 'p', elementId: 'checkDossier', elementName: 'Bước 3', formKey: 'lltp.form.check-dossier', title: 'Kiểm tra hồ sơ', role: 'oneStopOfficer', unitId: 'stp-mot-cua', startedAt: testNow(), dueAt: testNow(3_600_000), status: 'open', shown: toJson({}) })
      .execute();
    const outcomes = await Promise.allSettled(officers.map((officer) => claimTask(inbox, officer, id)));
    const winners = outcomes.filter((o) => o.status === 'fulfilled');
    const losers = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    winnersPerRound.push(winners.length);
    expect(losers.every((l) => l.reason instanceof InboxError && l.reason.status === 409)).toBe(true);
    const stored = await db.selectFrom('tasks').select(['status', 'claimedBy']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(stored.status).toBe('claimed');
    expect(losers.every((l) => (l.reason as Error).message.includes(stored.claimedBy ?? '?'))).toBe(true);
  }
  expect(winnersPerRound).toEqual(Array(ROUNDS).fill(1));
}, 120000);

test(`${RACERS} replicas taking the same expired lease: exactly one holds it, and only the holder renews it (${ROUNDS} rounds)`, async () => {
  const winnersPerRound: number[] = [];
  let now = new Date('2026-11-24T02:00:00Z');
  for (let round = 0; round < ROUNDS; round++) {
    now = new Date(now.getTime() + 61_000); // the previous round's lease (60 s) has expired
    const taken = await Promise.all(Array.from({ length: RACERS }, (_, i) => acquireLease(racers.db, 'race', `replica-${i}`, now, 60_000)));
    winnersPerRound.push(taken.filter(Boolean).length);
    const lease = await currentLease(db, 'race');
    expect(lease.term).toBe(round + 1);
    const holder = lease.holder as string;
    expect(taken[Number(holder.slice('replica-'.length))]).toBe(true);
    // within the term: the holder renews, nobody else takes it
    const later = new Date(now.getTime() + 30_000);
    const renewals = await Promise.all(Array.from({ length: RACERS }, (_, i) => acquireLease(racers.db, 'race', `replica-${i}`, later, 60_000)));
    expect(renewals.map((ok, i) => [`replica-${i}`, ok]).filter(([, ok]) => ok)).toEqual([[holder, true]]);
    now = later;
  }
  expect(winnersPerRound).toEqual(Array(ROUNDS).fill(1));
}, 120000);

test(`${RACERS} intakes taking dossier numbers at once get ${RACERS} different numbers; a rolled-back intake gives its number back`, async () => {
  const receivedAt = new Date('2026-11-25T02:00:00Z');
  const codes = await Promise.all(Array.from({ length: RACERS }, () => racers.db.transaction().execute((tx) => nextDossierCode(tx, 'STP.KHA', receivedAt))));
  expect(new Set(codes).size).toBe(RACERS);
  expect(codes.map((c) => Number(c.slice(-4))).sort((a, b) => a - b)).toEqual(Array.from({ length: RACERS }, (_, i) => i + 1));
  await expect(
    db.transaction().execute(async (tx) => {
      await nextDossierCode(tx, 'STP.KHA', receivedAt);
      throw new Error('the intake fails half-way');
    }),
  ).rejects.toThrow('half-way');
  expect(await db.transaction().execute((tx) => nextDossierCode(tx, 'STP.KHA', receivedAt))).toBe(`STP.KHA-261125-${String(RACERS + 1).padStart(4, '0')}`);
});
