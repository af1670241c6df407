/**
 * Rows that change together change in one transaction: an intake that fails half-way (its
 * dossier refused by a CHECK after its receipt and its number were taken) leaves nothing behind,
 * and the same request sent again completes it. A statement the database refuses is answered
 * 409 or 422 naming the field, never 500.
 */
import { Router } from 'express';
import { sql } from 'kysely';
import { deployProcesses } from '../../../processes/deploy';
import { DEFAULT_CALENDAR_POLICY } from '../../../server/calendar/policy';
import { createCalendarProvider } from '../../../server/calendar/provider';
import { loadSeed } from '../../../server/calendar/seed';
import { seedCalendar } from '../../../server/calendar/store';
import { loadConfig } from '../../../server/config';
import { constraintAnswer, type Db } from '../../../server/db';
import { requireStack } from '../../../server/health';
import { IntakeUnavailableError, intakeVneid, type IntakeDeps } from '../../../server/intake/intake';
import { createLogger } from '../../../server/logger';
import { loadProcessCatalog, ProcessCatalog } from '../../../server/sla';
import { createZeebeClient } from '../../../server/zeebe';
import { sampleVneidRequest, seededRandom } from '../../../tools/simulators/sample-requests';
import { startTestApp, type TestApp } from '../../support/app';
import { countRows } from '../../support/database';
import { testClock, testNow } from '../../support/clock';
import { uniqueId } from '../../support/unique';

const config = loadConfig(process.env);
const { camunda, zeebe } = createZeebeClient(config);
let app: TestApp;
let db: Db;
/** A statement per case, run by the test route `POST /api/test/refused/:case`. */
const refusals: Record<string, (db: Db) => Promise<unknown>> = {
  unique: (d) => d.insertInto('users').values({ username: 'motcua', displayName: 'x', email: 'x@y.vn', roles: ['oneStopOfficer'], unitId: 'u', passwordHash: 'h', createdAt: testNow() }).execute(),
  check: (d) => d.insertInto('users').values({ username: 'Not Valid!', displayName: 'x', email: 'x@y.vn', roles: ['oneStopOfficer'], unitId: 'u', passwordHash: 'h', createdAt: testNow() }).execute(),
  notNull: (d) => sql`INSERT INTO partners (partner_id, name, signing_secret, scopes) VALUES ('p', NULL, 'k', '{}')`.execute(d),
  reference: (d) => d.insertInto('sessions').values({ tokenDigest: 't', username: 'nobody', createdAt: testNow(), expiresAt: testNow() }).execute(),
  badDate: (d) => sql`SELECT ${'2026-13-45'}::date`.execute(d),
};

beforeAll(async () => {
  await requireStack(config);
  app = await startTestApp('transactions', () => [
    {
      path: '/api/test',
      router: Router().post('/refused/:case', async (req, res) => {
        await refusals[String(req.params.case)]!(db);
        res.json({ ok: true });
      }),
    },
  ]);
  db = app.db;
  await seedCalendar(db, loadSeed(), { actor: 'test', now: testClock() });
  await deployProcesses(zeebe, createLogger({ level: 'silent' }));
}, 60000);

afterAll(async () => {
  await camunda.closeAllClients();
  await app?.stop();
});

/** Intake on the shipped catalog, its national model's statutory deadline set to `statutoryMinutes` (0: a broken model). */
async function intakeDeps(statutoryMinutes: number): Promise<IntakeDeps> {
  const shipped = await loadProcessCatalog();
  const plans = shipped.plans.map((p) => (p.procedure === 'quy-trinh-570' ? { ...p, deadlines: { ...p.deadlines, statutory: statutoryMinutes } } : p));
  return {
    db,
    calendars: () => createCalendarProvider({ db, now: testClock(), refreshMs: 1000 }).current(),
    catalog: new ProcessCatalog(plans, shipped.agencies),
    zeebe,
    policy: DEFAULT_CALENDAR_POLICY,
    agencyCode: 'STP.KHA',
    unitId: 'stp-mot-cua',
    now: testClock(),
  };
}

test('an intake whose dossier the database refuses half-way leaves no receipt, no number, no declaration, no audit; sent again it completes', async () => {
  const request = sampleVneidRequest({ receiptNumber: `BN-TX-${uniqueId()}`, receivedAt: '2026-11-24T09:00:00+07:00', random: seededRandom(5) });
  const tables = ['dossiers', 'intakeReceipts', 'declarations', 'audit', 'dossierCounters'] as const;
  const before = await Promise.all(tables.map((t) => countRows(db, t)));
  // statutory_working_days must be > 0 (a model with lltp:deadline.statutory = 0wd): the dossier insert fails after the receipt and the counter
  await expect(intakeVneid(await intakeDeps(0), request, 'partner:test')).rejects.toMatchObject({ code: '23514' });
  expect(await Promise.all(tables.map((t) => countRows(db, t)))).toEqual(before);

  const answer = await intakeVneid(await intakeDeps(10 * 480), request, 'partner:test');
  expect(answer).toMatchObject({ created: true, dossierCode: 'CA.KHA-261124-0001' }); // received 24/11/2026: the police (CA.KHA)
  expect(answer).toMatchObject({ agencyName: expect.stringMatching(/^Công an tỉnh Khánh Hòa/) as string });
  expect(await Promise.all(tables.map((t) => countRows(db, t)))).toEqual(before.map((n) => n + 1));
  const receipt = await db.selectFrom('intakeReceipts').select('processInstanceKey').where('receiptNumber', '=', request.receiptNumber).executeTakeFirstOrThrow();
  expect(receipt.processInstanceKey).toMatch(/^\d+$/);
  await zeebe.cancelProcessInstance(receipt.processInstanceKey as string).catch(() => undefined);
}, 30000);

test.each([
  ['unique', 409, 'username'],
  ['check', 422, null],
  ['notNull', 422, 'name'],
  ['reference', 422, 'username'],
  ['badDate', 422, null],
])('a statement refused by the database (%s) is answered %i naming the field, not 500', async (name, status, field) => {
  const response = await fetch(`${app.url}/api/test/refused/${name}`, { method: 'POST' });
  const body = (await response.json()) as { error: string; field?: string };
  expect(response.status).toBe(status);
  expect(body.error).toMatch(/^(Dữ liệu đã tồn tại|Giá trị|Thiếu giá trị)/);
  if (field) expect(body.field).toBe(field);
});

test('constraint answers name the constraint when the column is not known', async () => {
  const error = await refusals.check!(db).catch((e: unknown) => e);
  expect(constraintAnswer(error)).toEqual({ status: 422, field: null, message: 'Giá trị không hợp lệ (users_username_check).' });
});

test('Zeebe unreachable at intake: the dossier is stored once with its start lease given back; the same request sent again starts it once, with the same code and nothing stored twice', async () => {
  const request = sampleVneidRequest({ receiptNumber: `BN-503-${uniqueId()}`, receivedAt: '2026-11-24T10:00:00+07:00', random: seededRandom(6) });
  const tables = ['dossiers', 'intakeReceipts', 'declarations', 'audit'] as const;
  const before = await Promise.all(tables.map((t) => countRows(db, t)));
  const unreachable = createZeebeClient({ ...config, ZEEBE_GRPC_ADDRESS: 'grpc://127.0.0.1:9' }, { retries: 0 });
  try {
    await expect(intakeVneid({ ...(await intakeDeps(10 * 480)), zeebe: unreachable.zeebe }, request, 'partner:test')).rejects.toBeInstanceOf(IntakeUnavailableError);
  } finally {
    await unreachable.camunda.closeAllClients();
  }
  const stored = await db.selectFrom('intakeReceipts').selectAll().where('receiptNumber', '=', request.receiptNumber).executeTakeFirstOrThrow();
  expect(stored).toMatchObject({ processInstanceKey: null, startLeaseUntil: null });
  expect(await Promise.all(tables.map((t) => countRows(db, t)))).toEqual(before.map((n) => n + 1));

  const again = await intakeVneid(await intakeDeps(10 * 480), request, 'partner:test');
  expect(again).toMatchObject({ created: false, dossierCode: stored.dossierCode });
  expect(await Promise.all(tables.map((t) => countRows(db, t)))).toEqual(before.map((n) => n + 1));
  const bound = await db
    .selectFrom('intakeReceipts')
    .innerJoin('dossiers', 'dossiers.code', 'intakeReceipts.dossierCode')
    .select(['intakeReceipts.processInstanceKey as recorded', 'dossiers.processInstanceKey as bound', 'intakeReceipts.startLeaseUntil'])
    .where('intakeReceipts.receiptNumber', '=', request.receiptNumber)
    .executeTakeFirstOrThrow();
  expect(bound.recorded).toMatch(/^\d+$/);
  expect(bound).toMatchObject({ bound: bound.recorded, startLeaseUntil: null });
  // a third delivery finds it bound: nothing started
  expect(await intakeVneid(await intakeDeps(10 * 480), request, 'partner:test')).toMatchObject({ created: false, dossierCode: stored.dossierCode });
  await zeebe.cancelProcessInstance(bound.recorded as string).catch(() => undefined);
}, 30000);
