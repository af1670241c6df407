/**
 * `npm run bench:db`: the database's guarantees and plans at scale, one JSON line per figure.
 *
 * - db.seq_scans_hot: the product's own hot operations (intake on both routes, the dossier view
 *   and its audit, the inbox: receive, list, claim, complete; the police answer; a monitor tick,
 *   the daily reconciliation, delivery, the weekly figures, the status page and the metrics; a
 *   calendar edit with its re-planning; log-in and the session lookup) run against a copy of
 *   the 120,000-open-dossier database (bench:monitor's, 960,000 steps) through a Kysely that
 *   records every statement; each distinct statement is then EXPLAINed with its own parameters,
 *   and a sequential scan of a large table (over 10,000 rows) counts. Must be 0: the bench
 *   exits non-zero otherwise, and prints every plan's access paths on stderr.
 * - db.claim_race_winners: 20 officers claim the same inbox task, and 20 replicas take the same
 *   lapsed monitor lease, 100 rounds each, through the product's functions on their own
 *   connections; the value is the largest number of winners of a round (must be exactly 1;
 *   db.claim_race_winners_min the smallest).
 * If the database does not answer, the local stack is started, and stopped at the end.
 */
import type { Server } from 'node:http';
import { Router } from 'express';
import { sql } from 'kysely';
import { deployProcesses } from '../../processes/deploy';
import { createApp } from '../../server/api/app';
import type { Principal } from '../../server/auth/middleware';
import { policeCallbackRoutes } from '../../server/callbacks/police';
import { createCalendarAdmin } from '../../server/calendar/admin';
import { calendarPolicyFromConfig } from '../../server/calendar/policy';
import { createCalendarProvider } from '../../server/calendar/provider';
import type { Config } from '../../server/config';
import { createPool, kyselyOver, type Db } from '../../server/db';
import { dossierRoutes } from '../../server/dossiers/routes';
import { claimTask, receiveUserTask, type InboxDeps } from '../../server/inbox/inbox';
import { inboxRoutes } from '../../server/inbox/routes';
import { intakeVneid, recordOtherChannel, type IntakeDeps } from '../../server/intake/intake';
import { createLogger } from '../../server/logger';
import type { Mailer } from '../../server/mail';
import { OutageLog } from '../../server/outage';
import { createMonitor, createMonitorDeps } from '../../server/monitor';
import { weeklyFigures } from '../../server/monitor/digest';
import { acquireLease } from '../../server/monitor/lease';
import { metricsRoute, monitorRoutes } from '../../server/monitor/routes';
import { openLateCounts, reconcile, tick } from '../../server/monitor/tick';
import { loadProcessCatalog } from '../../server/sla';
import { createZeebeClient } from '../../server/zeebe';
import { databaseUrl, dropDatabase } from '../../test/support/database';
import { sampleVneidRequest, seededRandom } from '../simulators/sample-requests';
import { explainAll, Recorder } from './plans';
import { emit, OPEN_WORK_ANCHOR, openWorkDatabase, progressOf, withStack } from './support';

const DOSSIERS = Number(process.env.BENCH_DB_DOSSIERS ?? 120_000);
const RACERS = 20;
const ROUNDS = 100;
const LARGE_TABLE_ROWS = 10_000;
const PASSWORD = 'bench';
const progress = progressOf('bench:db');

/** Runs the product's hot operations on `db` (which records their statements). */
async function runOperations(db: Db, config: Config, recorder: Recorder): Promise<void> {
  const now = (): Date => new Date(OPEN_WORK_ANCHOR.getTime() + 3600_000);
  const policy = calendarPolicyFromConfig(config);
  const calendars = createCalendarProvider({ db, now, refreshMs: 3_600_000 });
  const catalog = await loadProcessCatalog();
  const logger = createLogger({ level: 'silent' });
  const { camunda, zeebe } = createZeebeClient(config);
  await deployProcesses(zeebe, logger);
  const intake: IntakeDeps = { db, calendars: () => calendars.current(), catalog, zeebe, policy, agencyCode: 'STP.KHA', unitId: 'stp-mot-cua', now };
  const inbox: InboxDeps = {
    db,
    stepSla: (processId, elementId, internalProcessId) => catalog.stepSla(processId, elementId, internalProcessId),
    calendars: () => calendars.current(),
    dueSoon: policy.dueSoon,
    // the engine's answer is not what is measured here: a completed job, as the broker would say
    zeebe: { completeJob: () => Promise.resolve('JOB_ACTION_ACKNOWLEDGEMENT'), createWorker: () => ({ close: () => Promise.resolve() }) } as unknown as InboxDeps['zeebe'],
    logger,
    outages: new OutageLog(logger),
    now,
  };
  const auth = { db, now };
  const app = createApp({
    checkStack: () => Promise.resolve([]),
    trustProxy: false,
    logger,
    auth: { ...auth, sessionHours: 1, secureCookies: false },
    routers: [
      { path: '/api/dossiers', router: dossierRoutes({ db, agencyCode: config.AGENCY_CODE, calendars: () => calendars.current(), dueSoon: policy.dueSoon, auth, now }) },
      { path: '/api/tasks', router: inboxRoutes({ inbox, auth }) },
      { path: '/api/callbacks', router: policeCallbackRoutes({ zeebe, db, auth, now }) },
      { path: '/api/monitor', router: monitorRoutes({ db, auth, metricsToken: '' }) },
      { path: '/metrics', router: Router().get('/', metricsRoute({ db, auth, metricsToken: '' })) },
    ],
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const call = async (method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<Record<string, unknown>> => {
    const response = await fetch(`${base}${path}`, { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (response.headers.get('content-type') ?? '').includes('json') ? ((await response.json()) as Record<string, unknown>) : {};
  };
  try {
    const request = sampleVneidRequest({ receiptNumber: `BENCH-DB-${Date.now()}`, receivedAt: now().toISOString(), random: seededRandom(1) });
    const answer = await recorder.during('intake.vneid', () => intakeVneid(intake, request, 'partner:bench'));
    await recorder.during('intake.other', () => recordOtherChannel(intake, { receiptNumber: `BENCH-DB-OTHER-${Date.now()}`, channel: 'inPerson', receivedAt: now().toISOString(), formType: 1 }, 'motcua'));
    const instance = await db.selectFrom('intakeReceipts').select('processInstanceKey').where('receiptNumber', '=', request.receiptNumber).executeTakeFirstOrThrow();
    if (instance.processInstanceKey) await zeebe.cancelProcessInstance(instance.processInstanceKey).catch(() => undefined);

    const login = await recorder.during('auth.login', () => call('POST', '/api/auth/login', {}, { username: 'motcua', password: PASSWORD }));
    const staff = { authorization: `Bearer ${String(login.token)}` };
    const admin = { authorization: `Bearer ${String((await call('POST', '/api/auth/login', {}, { username: 'quantri', password: PASSWORD })).token)}` };
    const code = answer.dossierCode;
    const task = await recorder.during('inbox.receive', () =>
      receiveUserTask(inbox, {
        key: '1',
        processInstanceKey: '1',
        bpmnProcessId: 'quy-trinh-570-v20241001',
        elementId: 'checkDossier',
        elementInstanceKey: `bench-${Date.now()}`,
        customHeaders: { 'io.camunda.zeebe:formKey': 'lltp.form.check-dossier' },
        variables: { dossierCode: code, activatedAt: now().toISOString() },
      }),
    );
    await recorder.during('inbox.list', () => call('GET', '/api/tasks', staff));
    await recorder.during('inbox.claim', () => call('POST', `/api/tasks/${task.id}/claim`, staff, {}));
    await recorder.during('inbox.complete', () => call('POST', `/api/tasks/${task.id}/complete`, staff, { data: { intakeDecision: 'accept' } }));
    await recorder.during('dossier.view', () => call('GET', `/api/dossiers/${code}?details=1`, staff));
    await recorder.during('police.answer', () =>
      call('POST', '/api/callbacks/police', { 'x-partner-id': 'ca-pv06', 'x-api-key': PASSWORD }, { requestId: `bench-${Date.now()}`, dossierCode: 'BENCH00-261124-0001', result: 'noRecord', answeredAt: now().toISOString() }),
    );

    let mailed = 0;
    const mailer: Mailer = { send: () => Promise.resolve({ messageId: String(++mailed) } as never), verify: () => Promise.resolve(), close: () => undefined };
    const deps = createMonitorDeps({ db, config, catalog, calendars, mailer, logger, settings: { leaseMs: 3_600_000, sendOutsideWorkingTime: true } });
    const current = await calendars.current();
    await recorder.during('monitor.tick', () => tick(deps, current, now(), 'bench:tick'));
    await recorder.during('monitor.reconcile', () => reconcile(deps, current, now(), 'bench:reconcile'));
    await recorder.during('monitor.run', () => createMonitor(deps, { holder: 'bench', now }).runOnce('tick'));
    await recorder.during('monitor.counts', () => openLateCounts(db, now()));
    await recorder.during('monitor.weekly', () => weeklyFigures(deps, current, now()));
    await recorder.during('monitor.status', () => call('GET', '/api/monitor/status', admin));
    await recorder.during('monitor.metrics', () => call('GET', '/metrics', admin));
    const calendarAdmin = createCalendarAdmin({ db, now, policy });
    await recorder.during('calendar.edit', () => calendarAdmin.addDayOff({ actor: 'bench', date: '2026-11-26', name: 'Đo hiệu năng', basis: 'Đo hiệu năng' }));
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await camunda.closeAllClients();
  }
}

async function races(url: string): Promise<number[]> {
  const pool = createPool({ DATABASE_URL: url }, { max: RACERS + 2 });
  const db = kyselyOver(pool);
  const winners: number[] = [];
  try {
    const dossier = await db.selectFrom('dossiers').select('code').where('status', '=', 'open').limit(1).executeTakeFirstOrThrow();
    const calendars = await createCalendarProvider({ db, now: () => new Date(), refreshMs: 3_600_000 }).current();
    const inbox = { db, calendars: () => Promise.resolve(calendars), dueSoon: { percent: 20, minutes: 240 }, now: () => new Date() } as unknown as InboxDeps;
    const officers: Principal[] = Array.from({ length: RACERS }, (_, i) => ({ kind: 'staff', username: `racer-${i}`, displayName: `Racer ${i}`, roles: ['oneStopOfficer'], unitId: 'stp-mot-cua' }));
    for (let round = 0; round < ROUNDS; round++) {
      const id = `task:bench-race-${round}-${Date.now()}`;
      await sql`INSERT INTO tasks (id, job_key, dossier_code, process_instance_key, process_id, element_id, element_name, form_key, title, role, unit_id, started_at, due_at, status)
                VALUES (${id}, '1', ${dossier.code}, '1', 'p', 'checkDossier', 'Bước 3', 'lltp.form.check-dossier', 'Kiểm tra', 'oneStopOfficer', 'stp-mot-cua', now(), now() + interval '1 hour', 'open')`.execute(db);
      const outcomes = await Promise.allSettled(officers.map((officer) => claimTask(inbox, officer, id)));
      winners.push(outcomes.filter((o) => o.status === 'fulfilled').length);
    }
    let at = new Date('2030-01-01T00:00:00Z');
    for (let round = 0; round < ROUNDS; round++) {
      at = new Date(at.getTime() + 120_000);
      const taken = await Promise.all(Array.from({ length: RACERS }, (_, i) => acquireLease(db, 'bench-race', `replica-${i}`, at, 60_000)));
      winners.push(taken.filter(Boolean).length);
    }
  } finally {
    await db.destroy();
  }
  return winners;
}

async function main(): Promise<void> {
  let failed = false;
  await withStack('bench:db', async (config) => {
    const source = await openWorkDatabase(DOSSIERS, 'bench:db');
    await source.database.close();
    const copy = `lltp_bench_db_copy_${Date.now()}`;
    const admin = createPool({ DATABASE_URL: databaseUrl('postgres') }, { max: 1 });
    progress(`copying ${source.name} (${DOSSIERS} open dossiers) to ${copy}`);
    await admin.query(`CREATE DATABASE "${copy}" TEMPLATE "${source.name}"`);
    await admin.end();
    const url = databaseUrl(copy);
    try {
      const recorder = new Recorder();
      const pool = createPool({ DATABASE_URL: url }, { max: 10 });
      const db = kyselyOver(pool, { log: recorder.record });
      try {
        await sql`ANALYZE`.execute(db);
        await runOperations(db, { ...config, DATABASE_URL: url, DEMO_PASSWORD: PASSWORD }, recorder);
        const offenders = await explainAll(db, recorder, progress, LARGE_TABLE_ROWS);
        progress(`${recorder.statements.size} distinct statements recorded; ${offenders} sequential scan(s) of a large table`);
        emit('db.seq_scans_hot', offenders, 'scans');
        emit('db.hot_statements', [...recorder.statements.values()].filter((s) => s.operation !== 'setup').length, 'statements');
        failed ||= offenders > 0;
      } finally {
        await db.destroy();
      }
      const winners = await races(url);
      emit('db.claim_race_winners', Math.max(...winners), 'winners');
      emit('db.claim_race_winners_min', Math.min(...winners), 'winners');
      emit('db.claim_race_rounds', winners.length, 'rounds');
      failed ||= winners.some((w) => w !== 1);
    } finally {
      await dropDatabase(copy);
    }
  });
  if (failed) throw new Error('a hot statement scans a large table, or a race had other than one winner');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`[bench:db] failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
