/**
 * The whole product in the bench process, on a clock the bench gives it: the API (startApi, with
 * its inbox worker), every job worker and the simulators, on a database of the run
 * (`lltp_benchrun_…`, dropped at the end: a test run starting meanwhile drops `lltp_test_…`
 * databases) and the bench's own broker. Officers act through the public API with the demo
 * accounts; a session the product refuses (expired on the moved clock) is opened again.
 * Logs go to stderr: stdout carries the figures.
 */
import { signIfPartner } from '../../server/auth/partner-signature';
import { deployProcesses } from '../../processes/deploy';
import { startApi } from '../../server/api/compose';
import { calendarPolicyFromConfig } from '../../server/calendar/policy';
import { createCalendarProvider } from '../../server/calendar/provider';
import { loadConfig, type Config } from '../../server/config';
import { connectDatabase, type Db } from '../../server/db';
import { createMailer } from '../../server/mail';
import { loadProcessCatalog } from '../../server/sla';
import { createZeebeClient } from '../../server/zeebe';
import { createHttpAdapters } from '../../workers/adapters';
import { createWorkerDeps } from '../../workers/framework';
import { registerWorkers } from '../../workers/registry';
import { seedDemoDatabase } from '../demo/seed';
import { simulatorUrls, startSimulators } from '../simulators/main';
import { benchLogger, runDatabase } from './support';

export const STAFF_PASSWORD = 'bench-password';
export const PARTNER = { 'x-partner-id': 'mot-cua-tinh', 'x-api-key': 'bench-partner-key' } as const;

export interface Reply {
  status: number;
  body: Record<string, unknown>;
}

export interface BenchSystem {
  config: Config;
  db: Db;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  /** The user's session headers (logged in once, and again when the product refused the session). */
  as(username: string): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

/** Starts the product on `brokerEnv`'s broker and a fresh database, every part on `now`. */
export async function startBenchSystem(
  label: string,
  brokerEnv: Record<string, string>,
  simulatorsPort: number,
  now: () => Date,
): Promise<BenchSystem> {
  const database = await runDatabase(label);
  const env = {
    ...process.env,
    ...brokerEnv,
    DATABASE_URL: database.url,
    HTTP_PORT: '0',
    NODE_ENV: 'test',
    DEMO_PASSWORD: STAFF_PASSWORD,
    DEMO_PARTNER_KEY: PARTNER['x-api-key'],
    SESSION_HOURS: '48',
    ...simulatorUrls(simulatorsPort),
    // every VNeID dossier waits for the police at step 7: the simulated police answer at once
    SIM_POLICE_MS_PER_WORKING_HOUR: process.env.SIM_POLICE_MS_PER_WORKING_HOUR ?? '0',
  };
  let config = loadConfig(env);
  const logger = benchLogger();
  const { camunda, zeebe } = createZeebeClient(config);
  await deployProcesses(zeebe, logger);
  // the API seeds no account: the demo's, as `npm run demo` writes them
  await seedDemoDatabase(config, now);
  const api = await startApi(config, logger, { now });
  config = loadConfig({ ...env, PUBLIC_BASE_URL: api.url });
  const sims = await startSimulators(config, { now });
  const workersDb = await connectDatabase(config);
  const policy = calendarPolicyFromConfig(config);
  const deps = createWorkerDeps({
    db: workersDb.db,
    catalog: await loadProcessCatalog(),
    calendars: createCalendarProvider({ db: workersDb.db, now, refreshMs: policy.refreshMs }),
    policy,
    adapters: createHttpAdapters(config),
    mailer: createMailer(config),
    logger,
    config,
    clock: { now },
  });
  const workers = registerWorkers(zeebe, deps, { maxJobs: 16, jobTimeoutMs: 30000, drainTimeoutMs: 2000 });

  const send = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> => {
    const json: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
    const sent = body === undefined ? undefined : JSON.stringify(body);
    const response = await fetch(`${api.url}${path}`, { method, headers: { ...json, ...signIfPartner(headers, method, path, sent, () => now().getTime()) }, body: sent });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  const sessions = new Map<string, { authorization: string }>();
  const logIn = async (username: string): Promise<{ authorization: string }> => {
    const login = await send('POST', '/api/auth/login', { username, password: STAFF_PASSWORD });
    if (login.status !== 200) throw new Error(`login ${username}: ${login.status} ${JSON.stringify(login.body)}`);
    const headers = { authorization: `Bearer ${String(login.body.token)}` };
    sessions.set(username, headers);
    return headers;
  };
  // concurrent callers share one log-in (parallel log-ins of one account are attempts in flight for the throttle)
  const loggingIn = new Map<string, Promise<{ authorization: string }>>();
  const sharedLogIn = (username: string): Promise<{ authorization: string }> => {
    const pending = loggingIn.get(username) ?? logIn(username).finally(() => loggingIn.delete(username));
    loggingIn.set(username, pending);
    return pending;
  };
  const userOf = (headers: Record<string, string>): string | undefined =>
    [...sessions].find(([, h]) => h.authorization === headers.authorization)?.[0];
  return {
    config,
    db: workersDb.db,
    as: async (username) => ({ ...(sessions.get(username) ?? (await sharedLogIn(username))) }),
    async call(method, path, body, headers = {}) {
      const reply = await send(method, path, body, headers);
      const username = userOf(headers);
      if (reply.status !== 401 || username === undefined) return reply;
      return send(method, path, body, { ...headers, ...(await logIn(username)) });
    },
    async stop() {
      await Promise.all(workers.map((w) => w.close()));
      await api.stop();
      await sims.close();
      await camunda.closeAllClients();
      await workersDb.close();
      await database.drop();
    },
  };
}
