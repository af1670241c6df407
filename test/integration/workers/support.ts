/**
 * Real-but-local dependencies for the worker tests: a database of the test file's own on
 * PostgreSQL (calendar seeded, demo users seeded, dropped at the end), every simulator on an
 * ephemeral loopback port, HTTP adapters to them, the mailer to Mailpit, the process
 * catalog from processes/, and dossiers written the way the intake API writes them.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { seedDemoAccounts } from '../../../server/auth/seed';
import { restartClock } from '../../../server/calendar/clock';
import { dossierDeadlines } from '../../../server/calendar/deadlines';
import { DEFAULT_CALENDAR_POLICY } from '../../../server/calendar/policy';
import { createCalendarProvider } from '../../../server/calendar/provider';
import { loadSeed } from '../../../server/calendar/seed';
import { seedCalendar } from '../../../server/calendar/store';
import { loadConfig, type Config } from '../../../server/config';
import type { Db } from '../../../server/db';
import { createLogger } from '../../../server/logger';
import { createMailer, type Mailer } from '../../../server/mail';
import { insertDeclaration } from '../../../server/readmodel/declaration';
import { findDossier, insertDossier, newDossier, type Dossier, type NewDossier } from '../../../server/readmodel/dossier';
import { dossierTermsOf, loadProcessCatalog } from '../../../server/sla/catalog';
import { sampleVneidRequest, seededRandom } from '../../../tools/simulators/sample-requests';
import { createLltpSoftwareSim } from '../../../tools/simulators/lltp-software';
import { createPoliceSim } from '../../../tools/simulators/police';
import type { SimServer } from '../../../tools/simulators/sim-server';
import { createNotifySim, createPostSim, createSigningSim, createVneidSim } from '../../../tools/simulators/simple-systems';
import { createHttpAdapters } from '../../../workers/adapters';
import { createWorkerDeps, type WorkerDeps } from '../../../workers/framework';
import { createTestDatabase } from '../../support/database';
import { testClock } from '../../support/clock';

export const SIM_NAMES = ['lltp-software', 'police', 'signing', 'vneid', 'post', 'notify'] as const;
export type SimName = (typeof SIM_NAMES)[number];

export interface LogLine {
  level: string;
  msg: string;
  [key: string]: unknown;
}

export interface WorkerTestEnv {
  config: Config;
  dbName: string;
  db: Db;
  deps: WorkerDeps;
  mailer: Mailer;
  sims: Record<SimName, { sim: SimServer; url: string }>;
  logs: LogLine[];
  /** Environment for a child `tsx server/main.ts workers` using this database and these simulators. */
  childEnv(extra?: Record<string, string>): NodeJS.ProcessEnv;
  /** The simulator's counts: effects done, calls received, calls it is done with (answered, caller there or not). */
  stats(name: SimName): Promise<{ effects: Record<string, number>; calls: Record<string, number>; answered: Record<string, number> }>;
  configure(name: SimName, config: { latencyMs?: number; failureRate?: number }): Promise<void>;
  /** Writes the dossier and declaration as intake does (online, received now unless given). */
  createDossier(code: string, options?: { receivedAt?: Date; paperCopy?: 'none' | 'post' | 'desk'; overrides?: Partial<NewDossier> }): Promise<Dossier>;
  stop(): Promise<void>;
}

/** A dossier code of its own, in the contract's format (agency STP.KHA, as in agencies.json). */
export function uniqueCode(): string {
  return `STP.KHA-${String(241000 + Math.floor(Math.random() * 999)).padStart(6, '0')}-${randomBytes(2).readUInt16BE(0).toString().padStart(4, '0').slice(-4)}`;
}

export async function startWorkerTestEnv(name: string, options: { simLatencyMs?: number } = {}): Promise<WorkerTestEnv> {
  const testDb = await createTestDatabase(name);
  const dbName = testDb.name;
  const logs: LogLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const base = loadConfig({ ...process.env, DATABASE_URL: testDb.url, LOG_LEVEL: 'info' });
  const sims = {} as Record<SimName, { sim: SimServer; url: string }>;
  const handles: { close: () => Promise<void> }[] = [];
  const created: Record<SimName, SimServer> = {
    'lltp-software': createLltpSoftwareSim({ now: testClock() }),
    police: createPoliceSim({ partnerId: 'ca-pv06', apiKey: 'test', msPerWorkingHour: 1000, defaultAnswerAfterWorkingHours: 100000, now: testClock() }),
    signing: createSigningSim(undefined, testClock()),
    vneid: createVneidSim(undefined, testClock()),
    post: createPostSim(undefined, testClock()),
    notify: createNotifySim(undefined, testClock()),
  };
  for (const simName of SIM_NAMES) {
    const sim = created[simName];
    if (options.simLatencyMs) sim.context.config.latencyMs = options.simLatencyMs;
    const handle = await sim.listen(0);
    handles.push(handle);
    sims[simName] = { sim, url: handle.url };
  }
  const config: Config = {
    ...base,
    LLTP_SOFTWARE_URL: sims['lltp-software'].url,
    POLICE_URL: sims.police.url,
    SIGNING_URL: sims.signing.url,
    VNEID_URL: sims.vneid.url,
    POST_URL: sims.post.url,
    NOTIFY_URL: sims.notify.url,
    PORTAL_URL: 'http://127.0.0.1:9',
    ADAPTER_TIMEOUT_MS: 15000,
    WORKER_RETRY_BACKOFF_MS: 200,
  };
  const db = testDb.database.db;
  const now = testClock();
  await seedCalendar(db, loadSeed(), { actor: 'test', now });
  const catalog = await loadProcessCatalog();
  const mailer = createMailer(config);
  const logger = createLogger({ level: 'info', component: 'workers-test', destination });
  const deps = createWorkerDeps({
    db,
    catalog,
    calendars: createCalendarProvider({ db, now, refreshMs: 60_000 }),
    policy: DEFAULT_CALENDAR_POLICY,
    adapters: createHttpAdapters(config),
    mailer,
    logger,
    config,
    clock: { now },
  });
  await seedDemoAccounts(db, {
    nodeEnv: 'test',
    password: 'test-password',
    partnerKey: 'test',
    emailDomain: `${dbName}.test`,
    now,
  });
  const random = seededRandom(7);

  return {
    config,
    dbName,
    db,
    deps,
    mailer,
    sims,
    logs,
    childEnv(extra = {}) {
      return {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        DATABASE_URL: config.DATABASE_URL,
        LLTP_SOFTWARE_URL: config.LLTP_SOFTWARE_URL,
        POLICE_URL: config.POLICE_URL,
        SIGNING_URL: config.SIGNING_URL,
        VNEID_URL: config.VNEID_URL,
        POST_URL: config.POST_URL,
        NOTIFY_URL: config.NOTIFY_URL,
        ...extra,
      };
    },
    async stats(simName) {
      const response = await fetch(`${sims[simName].url}/_sim/stats`);
      return (await response.json()) as { effects: Record<string, number>; calls: Record<string, number>; answered: Record<string, number> };
    },
    async configure(simName, simConfig) {
      const response = await fetch(`${sims[simName].url}/_sim/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(simConfig) });
      if (!response.ok) throw new Error(`configure ${simName}: ${response.status}`);
    },
    async createDossier(code, opts = {}) {
      const receivedAt = opts.receivedAt ?? now();
      const calendars = await deps.calendars.current();
      const calendar = calendars.forUnit('stp-mot-cua');
      const clock = restartClock(calendar, receivedAt, 'online', DEFAULT_CALENDAR_POLICY.intake);
      // the body and the version the law gives the receipt date, as intake records them (Law 107 on the suite's day)
      const agencyCode = catalog.agencyInForce('STP.KHA', receivedAt).code;
      const { nationalProcessId, internalProcessId } = catalog.processesFor(agencyCode, receivedAt);
      const terms = dossierTermsOf(catalog.plan(nationalProcessId)!, 'ordinary', false);
      const deadlines = dossierDeadlines(calendar, clock, terms);
      const receiptNumber = `BN-${code}`;
      const request = sampleVneidRequest({ receiptNumber, receivedAt: receivedAt.toISOString(), random, paperCopyByPost: opts.paperCopy === 'post' });
      const doc = newDossier(
        {
          code,
          receiptNumber,
          agencyCode,
          source: 'vneid',
          channel: 'online',
          unitId: 'stp-mot-cua',
          receivedAt,
          clockStartAt: clock.clockStartAt,
          terms,
          deadlines,
          calendarVersion: calendars.version,
        },
        { formType: request.formType, paperCopy: opts.paperCopy ?? 'none', processId: nationalProcessId, internalProcessId, ...opts.overrides },
      );
      if (!(await insertDossier(db, doc))) throw new Error(`dossier ${code} exists already`);
      await insertDeclaration(db, code, request, receivedAt);
      return (await findDossier(db, code)) as Dossier;
    },
    async stop() {
      mailer.close();
      await Promise.all(handles.map((h) => h.close()));
      await testDb.drop();
    },
  };
}
