/**
 * `npm run bench:db`: the database's guarantees and plans at scale, one JSON line per figure.
 *
 * - db.seq_scans_hot: the product's own hot operations (intake on both routes, the register
 *   worker and the inbox's receipt of the user task, the inbox: list, claim, complete; the
 *   dossier view and its audit; the police answer; a monitor tick, the daily reconciliation,
 *   delivery, the weekly figures, the status page and the metrics; a calendar edit with its
 *   re-planning; log-in and the session lookup) run against a copy of the open-work database
 *   (bench:monitor's: 120,000 open dossiers, 960,000 steps) through a Kysely that records every
 *   statement; each distinct statement is then EXPLAINed with its own parameters, and a
 *   sequential scan of a large table (over 10,000 rows) counts. Must be 0: the bench exits
 *   non-zero otherwise, and prints every plan's access paths on stderr. db.hot_statements: how
 *   many distinct statements were checked. db.seq_scans_wide: sequential scans the planner
 *   expects to return at least a fifth of the table (no index would read less; here the weekly
 *   figures read the week's dossiers, and the data hold two weeks); not judged, printed as
 *   WIDE SCAN on stderr.
 * - db.claim_race_winners: 20 officers claim the same inbox task, and 20 replicas take the same
 *   lapsed monitor lease, ROUNDS rounds each, through the product's functions on their own
 *   connections; the value is the largest number of winners of a round (must be exactly 1;
 *   db.claim_race_winners_min the smallest, db.claim_race_rounds the rounds run).
 *
 * The process instance of the intake runs on a broker of the bench's own (./broker.ts), its
 * clock pinned at the bench's instant: the register worker and the inbox's user-task worker
 * take its jobs, and completing the task completes the real job. Monitor e-mails go to a mailer
 * that counts them (the thousands of alerts of 120,000 dossiers are not sent to the shared
 * Mailpit). Small mode (LLTP_BENCH_SMALL=1): 300 dossiers, 20 rounds.
 * BENCH_DB_DOSSIERS (120,000), BENCH_DB_ROUNDS (100).
 */
import { signIfPartner } from '../../server/auth/partner-signature';
import type { Server } from 'node:http';
import { Router } from 'express';
import { sql } from 'kysely';
import { deployProcesses } from '../../processes/deploy';
import { createApp } from '../../server/api/app';
import type { Principal } from '../../server/auth/middleware';
import { policeCallbackRoutes } from '../../server/callbacks/police';
import { createCalendarAdmin } from '../../server/calendar/admin';
import { calendarPolicyFromConfig } from '../../server/calendar/policy';
import { createCalendarProvider, type CalendarProvider } from '../../server/calendar/provider';
import type { Config } from '../../server/config';
import { connectDatabase, createPool, kyselyOver, type Db } from '../../server/db';
import { dossierRoutes } from '../../server/dossiers/routes';
import { claimTask, startInboxWorker, type InboxDeps } from '../../server/inbox/inbox';
import { inboxRoutes } from '../../server/inbox/routes';
import { intakeVneid, recordOtherChannel, type IntakeDeps } from '../../server/intake/intake';
import type { Logger } from '../../server/logger';
import { createMailer, type Mailer } from '../../server/mail';
import { OutageLog } from '../../server/outage';
import { createMonitor, createMonitorDeps } from '../../server/monitor';
import { weeklyFigures } from '../../server/monitor/digest';
import { acquireLease } from '../../server/monitor/lease';
import { metricsRoute, monitorRoutes } from '../../server/monitor/routes';
import { openLateCounts, reconcile, tick } from '../../server/monitor/tick';
import { loadProcessCatalog, type ProcessCatalog } from '../../server/sla';
import { BrokerClock, createZeebeClient, type ZeebeGrpcClient } from '../../server/zeebe';
import { createHttpAdapters } from '../../workers/adapters';
import { createWorkerDeps, runWorker } from '../../workers/framework';
import intakeRegister from '../../workers/lltp.intake.register';
import { sampleVneidRequest, seededRandom } from '../simulators/sample-requests';
import { withOwnBroker } from './broker';
import { explainAll, Recorder } from './plans';
import { benchLogger, figureOutput, OPEN_WORK_ANCHOR, openWorkDatabase, progressOf, runBench, runDatabase, runId, setting, withStack } from './support';

export const FIGURES = ['db.seq_scans_hot', 'db.seq_scans_wide', 'db.hot_statements', 'db.claim_race_winners', 'db.claim_race_winners_min', 'db.claim_race_rounds'] as const;

const DOSSIERS = setting('BENCH_DB_DOSSIERS', 120_000, 300);
const ROUNDS = setting('BENCH_DB_ROUNDS', 100, 20);
const RACERS = 20;
const LARGE_TABLE_ROWS = 10_000;
/** A scan expected to return this share of its table or more is the right plan (see the file's comment). */
const WIDE_SHARE = 0.2;
const PASSWORD = 'bench';
/** The bench's instant: an hour after the open work's anchor (Tuesday 11:00 in Việt Nam). */
const NOW = new Date(OPEN_WORK_ANCHOR.getTime() + 3600_000);
const now = (): Date => NOW;
const progress = progressOf('bench:db');

interface Product {
  db: Db;
  config: Config;
  catalog: ProcessCatalog;
  calendars: CalendarProvider;
  zeebe: ZeebeGrpcClient;
  inbox: InboxDeps;
  logger: Logger;
}

type Call = (method: string, path: string, headers: Record<string, string>, body?: unknown) => Promise<Record<string, unknown>>;

/** The product's API routes the operations go through, on `product.db` (which records). */
async function listen(product: Product): Promise<{ call: Call; close(): Promise<void> }> {
  const { db, config, catalog, calendars, zeebe, inbox, logger } = product;
  const policy = calendarPolicyFromConfig(config);
  const auth = { db, now };
  const app = createApp({
    checkStack: () => Promise.resolve([]),
    trustProxy: false,
    logger,
    auth: { ...auth, sessionHours: 1, secureCookies: false },
    routers: [
      { path: '/api/dossiers', router: dossierRoutes({ db, agencyCode: config.AGENCY_CODE, catalog, calendars: () => calendars.current(), dueSoon: policy.dueSoon, auth, now }) },
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
  const call: Call = async (method, path, headers, body) => {
    const sent = body === undefined ? undefined : JSON.stringify(body);
    const response = await fetch(`${base}${path}`, { method, headers: { ...signIfPartner(headers, method, path, sent, () => now().getTime()), ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: sent });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (response.headers.get('content-type') ?? '').includes('json') ? ((await response.json()) as Record<string, unknown>) : {};
  };
  return { call, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Intake on both routes; the register worker and the inbox's worker take the instance to its first task. */
async function intakeAndInbox(product: Product, recorder: Recorder, call: Call): Promise<string> {
  const { db, config, catalog, calendars, zeebe, inbox, logger } = product;
  const policy = calendarPolicyFromConfig(config);
  const intake: IntakeDeps = { db, calendars: () => calendars.current(), catalog, zeebe, policy, agencyCode: config.AGENCY_CODE, unitId: 'stp-mot-cua', now };
  const request = sampleVneidRequest({ receiptNumber: `BENCH-DB-${runId()}`, receivedAt: NOW.toISOString(), random: seededRandom(1) });
  const answer = await recorder.during('intake.vneid', () => intakeVneid(intake, request, 'partner:bench'));
  await recorder.during('intake.other', () => recordOtherChannel(intake, { receiptNumber: `BENCH-DB-OTHER-${runId()}`, channel: 'inPerson', receivedAt: NOW.toISOString(), formType: 1 }, 'motcua'));
  const code = answer.dossierCode;
  const login = await recorder.during('auth.login', () => call('POST', '/api/auth/login', {}, { username: 'motcua', password: PASSWORD }));
  const staff = { authorization: `Bearer ${String(login.token)}` };

  const workerDeps = createWorkerDeps({ db, catalog, calendars, policy, adapters: createHttpAdapters(config), mailer: createMailer(config), logger, config, clock: { now } });
  const register = runWorker(zeebe, intakeRegister, workerDeps, { maxJobs: 4, jobTimeoutMs: 30_000, drainTimeoutMs: 2000, longPollMs: 1000 });
  const inboxWorker = startInboxWorker(inbox);
  let task: { id: string } | undefined;
  try {
    // watched on a connection that does not record: the officer's list shows the most urgent first
    const watch = await connectDatabase({ DATABASE_URL: config.DATABASE_URL }, { max: 1 });
    try {
      await recorder.during('worker.register+inbox.receive', async () => {
        const started = performance.now();
        while (!task && performance.now() - started < 60_000) {
          task = await watch.db.selectFrom('tasks').select('id').where('dossierCode', '=', code).where('status', '=', 'open').executeTakeFirst();
          if (!task) await new Promise((resolve) => setTimeout(resolve, 200));
        }
      });
    } finally {
      await watch.close();
    }
    if (!task) throw new Error(`the check of ${code} did not reach the inbox within 60 s`);
    await recorder.during('inbox.list', () => call('GET', '/api/tasks', staff));
    await recorder.during('inbox.claim', () => call('POST', `/api/tasks/${task!.id}/claim`, staff, {}));
    await recorder.during('inbox.complete', () => call('POST', `/api/tasks/${task!.id}/complete`, staff, { data: { intakeDecision: 'accept' } }));
  } finally {
    await register.close();
    await inboxWorker.close();
  }
  const instance = await db.selectFrom('intakeReceipts').select('processInstanceKey').where('receiptNumber', '=', request.receiptNumber).executeTakeFirstOrThrow();
  if (instance.processInstanceKey) await zeebe.cancelProcessInstance(instance.processInstanceKey).catch(() => undefined);
  await recorder.during('dossier.view', () => call('GET', `/api/dossiers/${code}?details=1`, staff));
  const police = { 'x-partner-id': 'ca-pv06', 'x-api-key': PASSWORD };
  // the police-request worker's record of its request (its statement), then the answer to it
  const requestId = `${code}:police`;
  await recorder.during('worker.police-request', () =>
    db.insertInto('policeRequests').values({ requestId, dossierCode: code, partnerId: config.POLICE_PARTNER_ID, sentAt: NOW }).onConflict((oc) => oc.column('requestId').doNothing()).execute(),
  );
  const answered = { requestId, dossierCode: code, result: 'noRecord' };
  await recorder.during('police.answer', () => call('POST', '/api/callbacks/police', police, answered));
  return code;
}

/** The monitor's passes, its pages, and a calendar edit. */
async function monitorAndCalendar(product: Product, recorder: Recorder, call: Call): Promise<void> {
  const { db, config, catalog, calendars, logger } = product;
  let mailed = 0;
  const mailer: Mailer = { send: () => Promise.resolve({ messageId: String(++mailed) }), verify: () => Promise.resolve(), close: () => undefined };
  const deps = createMonitorDeps({ db, config, catalog, calendars, mailer, logger, settings: { leaseMs: 3_600_000, sendOutsideWorkingTime: true } });
  const current = await calendars.current();
  await recorder.during('monitor.tick', () => tick(deps, current, NOW, 'bench:tick'));
  await recorder.during('monitor.reconcile', () => reconcile(deps, current, NOW, 'bench:reconcile'));
  await recorder.during('monitor.run', () => createMonitor(deps, { holder: 'bench', now }).runOnce('tick'));
  await recorder.during('monitor.counts', () => openLateCounts(db, NOW));
  await recorder.during('monitor.weekly', () => weeklyFigures(deps, current, NOW));
  const admin = { authorization: `Bearer ${String((await call('POST', '/api/auth/login', {}, { username: 'quantri', password: PASSWORD })).token)}` };
  await recorder.during('monitor.status', () => call('GET', '/api/monitor/status', admin));
  await recorder.during('monitor.metrics', () => call('GET', '/metrics', admin));
  const calendarAdmin = createCalendarAdmin({ db, now, policy: calendarPolicyFromConfig(config) });
  await recorder.during('calendar.edit', () => calendarAdmin.addDayOff({ actor: 'bench', date: '2026-11-26', name: 'Đo hiệu năng', basis: 'Đo hiệu năng' }));
  progress(`monitor: ${mailed} e-mails handed to the counting mailer`);
}

/** Runs the product's hot operations on `db` (which records their statements). */
async function runOperations(db: Db, config: Config, recorder: Recorder): Promise<void> {
  const logger = benchLogger();
  const { camunda, zeebe } = createZeebeClient(config);
  const catalog = await loadProcessCatalog();
  const calendars = createCalendarProvider({ db, now, refreshMs: 3_600_000 });
  const inbox: InboxDeps = {
    db,
    stepSla: (processId, elementId, internalProcessId) => catalog.stepSla(processId, elementId, internalProcessId),
    fourEyesAfter: (processId, elementId) => catalog.fourEyesAfter(processId, elementId),
    calendars: () => calendars.current(),
    dueSoon: calendarPolicyFromConfig(config).dueSoon,
    zeebe,
    logger,
    outages: new OutageLog(logger),
    now,
  };
  const product: Product = { db, config, catalog, calendars, zeebe, inbox, logger };
  await deployProcesses(zeebe, logger);
  const api = await listen(product);
  try {
    await intakeAndInbox(product, recorder, api.call);
    await monitorAndCalendar(product, recorder, api.call);
  } finally {
    await api.close();
    await camunda.closeAllClients();
  }
}

/** 20 officers claim one task, 20 replicas take one lapsed lease: the winners of each round. */
async function races(url: string): Promise<number[]> {
  const pool = createPool({ DATABASE_URL: url }, { max: RACERS + 2 });
  const db = kyselyOver(pool);
  const winners: number[] = [];
  try {
    const dossier = await db.selectFrom('dossiers').select('code').where('status', '=', 'open').limit(1).executeTakeFirstOrThrow();
    const calendars = await createCalendarProvider({ db, now, refreshMs: 3_600_000 }).current();
    const inbox = { db, calendars: () => Promise.resolve(calendars), dueSoon: { percent: 20, minutes: 240 }, fourEyesAfter: () => null, now } as Pick<InboxDeps, 'db' | 'calendars' | 'dueSoon' | 'fourEyesAfter' | 'now'>;
    const officers: Principal[] = Array.from({ length: RACERS }, (_, i) => ({ kind: 'staff', username: `racer-${i}`, displayName: `Racer ${i}`, roles: ['oneStopOfficer'], unitId: 'stp-mot-cua' }));
    const due = new Date(NOW.getTime() + 3600_000);
    for (let round = 0; round < ROUNDS; round++) {
      const id = `task:bench-race-${round}-${runId()}`;
      await sql`INSERT INTO tasks (id, job_key, dossier_code, process_instance_key, process_id, element_id, element_name, form_key, title, role, unit_id, started_at, due_at, status)
                VALUES (${id}, '1', ${dossier.code}, '1', 'p', 'checkDossier', 'Bước 3', 'lltp.form.check-dossier', 'Kiểm tra', 'oneStopOfficer', 'stp-mot-cua', ${NOW}, ${due}, 'open')`.execute(db);
      const outcomes = await Promise.allSettled(officers.map((officer) => claimTask(inbox as InboxDeps, officer, id)));
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
  const out = figureOutput(FIGURES);
  let failed = false;
  await withStack('bench:db', ['postgres'], async (stackConfig) =>
    withOwnBroker('db', async (broker) => {
      const config: Config = { ...stackConfig, ...broker.env, DEMO_PASSWORD: PASSWORD };
      await new BrokerClock(broker.env.ZEEBE_MANAGEMENT_URL).pin(NOW);
      const source = await openWorkDatabase(DOSSIERS, 'bench:db');
      progress(`copying ${source.name} (${DOSSIERS} open dossiers)`);
      const copy = await runDatabase('db_copy', source.name);
      try {
        const recorder = new Recorder();
        const pool = createPool({ DATABASE_URL: copy.url }, { max: 10 });
        const db = kyselyOver(pool, { log: recorder.record });
        try {
          await sql`ANALYZE`.execute(db);
          await runOperations(db, { ...config, DATABASE_URL: copy.url }, recorder);
          const { offenders, wide } = await explainAll(db, recorder, progress, LARGE_TABLE_ROWS, WIDE_SHARE);
          progress(`${recorder.statements.size} distinct statements recorded; ${offenders} sequential scan(s) of a large table, ${wide} more that read a wide share`);
          out.emit('db.seq_scans_hot', offenders, 'scans');
          out.emit('db.seq_scans_wide', wide, 'scans');
          out.emit('db.hot_statements', [...recorder.statements.values()].filter((s) => s.operation !== 'setup').length, 'statements');
          failed ||= offenders > 0;
        } finally {
          await db.destroy();
        }
        const winners = await races(copy.url);
        out.emit('db.claim_race_winners', Math.max(...winners), 'winners');
        out.emit('db.claim_race_winners_min', Math.min(...winners), 'winners');
        out.emit('db.claim_race_rounds', winners.length, 'rounds');
        failed ||= winners.some((w) => w !== 1);
      } finally {
        await copy.drop();
      }
    }),
  );
  if (failed) throw new Error('a hot statement scans a large table, or a race had other than one winner');
}

runBench('bench:db', module, main);
