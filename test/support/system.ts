/**
 * The whole product on the local stack, in one test process: the API (startApi), every job
 * worker, and the simulators of the external systems on their own ports, all on a database of
 * the test's own. Officers act through the public API with the demo accounts.
 *
 * Every part runs on the suite's clock (./clock.ts) unless the test gives its own, and a
 * user's session is logged in again whenever the product answers 401 to it: a session expires
 * against the product's clock, and the monitor's daily run deletes sessions that expire before
 * its clock, so a test that moves the clocks ahead by days must not lose its users.
 */
import { deployProcesses } from '../../processes/deploy';
import { startApi, type RunningApi } from '../../server/api/compose';
import { seedDemoAccounts } from '../../server/auth/seed';
import { calendarPolicyFromConfig } from '../../server/calendar/policy';
import { createCalendarProvider } from '../../server/calendar/provider';
import { loadConfig, type Config } from '../../server/config';
import type { CalendarSeed } from '../../server/calendar/model';
import type { Db } from '../../server/db';
import { monotonicMs, testClock } from './clock';
import { offsetDossierCounters } from './counters';
import { eventually } from './wait';
import { createTestDatabase } from './database';
import { requireStack } from '../../server/health';
import { createLogger } from '../../server/logger';
import { createMailer } from '../../server/mail';
import { loadProcessCatalog, processesDirOf } from '../../server/sla';
import { portalFeedSettings, startPortalFeed } from '../../server/portal/feed';
import { createZeebeClient } from '../../server/zeebe';
import { signIfPartner } from '../../server/auth/partner-signature';
import { simulatorUrls, startSimulators, type RunningSimulators } from '../../tools/simulators/main';
import { createHttpAdapters } from '../../workers/adapters';
import { createWorkerDeps } from '../../workers/framework';
import { registerWorkers } from '../../workers/registry';

/** How long the system's workers hold a job before the broker gives it again. */
const JOB_TIMEOUT_MS = 30_000;
/** How long the inbox holds a user task's job until its task is stored (USER_TASK_ACTIVATION_TIMEOUT_MS). */
const USER_TASK_ACTIVATION_TIMEOUT_MS = 15_000;
/**
 * How long a test waits for a task to reach the inbox: one job timeout and 15 s more. Zeebe may
 * activate a job whose activation never reaches the worker (the answer to a long poll lost as
 * the poll ends: camunda/camunda#3631, #59354); the job then comes back after its timeout, as
 * at-least-once delivery promises (the step's job before the task, or the task's own job after
 * the inbox's activation timeout), and the task is written then.
 */
const TASK_WAIT_MS = JOB_TIMEOUT_MS + 15_000;

/** The one-stop partner's id and secret: `call` signs each call with them (server/auth/partner-signature.ts). */
export const PARTNER = { 'x-partner-id': 'mot-cua-tinh', 'x-api-key': 'system-partner-key' } as const;
/** The demo staff accounts' password in the system under test. */
export const STAFF_PASSWORD = 'system-password';
const PASSWORD = STAFF_PASSWORD;

export interface Reply {
  status: number;
  body: Record<string, unknown>;
}

/** A task as the inbox lists it (the fields the tests use). */
export interface InboxTask {
  id: string;
  formKey: string;
  dossierCode: string;
  status: string;
}

export interface SystemUnderTest {
  api: RunningApi;
  config: Config;
  db: Db;
  sims: RunningSimulators;
  /** A request to the API; an intake answered 503 is sent again (for 30 s), a session answered 401 logs in again. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  /** One request to the API, answered as it is: for a test that handles 503 and 401 itself. */
  callOnce(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  /** The user's session headers (logged in once, and again when the product refused the session). */
  as(username: string): Promise<Record<string, string>>;
  simStats(name: string): Promise<{ effects: Record<string, number>; calls: Record<string, number> }>;
  simPost(name: string, path: string, body: unknown): Promise<void>;
  /** Waits for the dossier's task with this form in the user's inbox; with the user's headers. */
  task(code: string, username: string, formKey: string): Promise<{ task: InboxTask; headers: Record<string, string> }>;
  /** Waits for the dossier's task with this form in the user's inbox, claims it and completes it (throws unless both answer 200). */
  work(code: string, username: string, formKey: string, data?: Record<string, unknown>): Promise<void>;
  /** The dossier view as a supervisor sees it (`GET /api/dossiers/<code>`; throws unless 200). */
  dossier(code: string): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/**
 * `overrides` adds or overrides settings (e.g. PROCESSES_DIR and AGENCY_CODE for another province).
 * `now`: the clock of the API, the workers and the simulators (default: the suite's clock; a test
 * that pins the broker's clock pins this one too). `calendarSeed`: the calendar written into the
 * test's database (default: the repository's seed), for a test that needs a year of its own.
 * `portalFeed`: run the status feed to the national portal's simulator (server/portal/feed.ts).
 */
export async function startSystem(
  name: string,
  basePort: number,
  overrides: Record<string, string> = {},
  options: { now?: () => Date; calendarSeed?: CalendarSeed; portalFeed?: boolean } = {},
): Promise<SystemUnderTest> {
  const now = options.now ?? testClock();
  await requireStack(loadConfig(process.env));
  const testDb = await createTestDatabase(name);
  const env = {
    ...process.env,
    DATABASE_URL: testDb.url,
    HTTP_PORT: '0',
    LOG_LEVEL: process.env.LLTP_TEST_LOG_LEVEL ?? 'silent',
    NODE_ENV: 'test',
    DEMO_PASSWORD: PASSWORD,
    DEMO_PARTNER_KEY: PARTNER['x-api-key'],
    ...simulatorUrls(basePort),
    WORKER_RETRY_BACKOFF_MS: '200',
    USER_TASK_ACTIVATION_TIMEOUT_MS: String(USER_TASK_ACTIVATION_TIMEOUT_MS),
    SIM_POLICE_MS_PER_WORKING_HOUR: '100',
    SIM_POLICE_ANSWER_AFTER_WORKING_HOURS: '5',
    ...overrides,
  };
  let config = loadConfig(env);
  // The product's log lines are kept in memory (the last 400; they name dossiers by code, and the
  // test data are made up) and the relevant ones shown when a wait for a task times out;
  // LLTP_TEST_LOG_LEVEL prints them instead.
  const recentLines: string[] = [];
  const logger = process.env.LLTP_TEST_LOG_LEVEL
    ? createLogger({ level: process.env.LLTP_TEST_LOG_LEVEL })
    : createLogger({ level: 'info', destination: { write: (line: string) => void (recentLines.push(line.trimEnd()) > 400 && recentLines.shift()) } });
  const { camunda, zeebe } = createZeebeClient(config);
  await deployProcesses(zeebe, logger, { dir: processesDirOf(config) });
  const db = testDb.database.db;
  await offsetDossierCounters(db);
  // the API seeds no account: the test's demo accounts, as `npm run demo` writes them
  await seedDemoAccounts(db, { nodeEnv: config.NODE_ENV, password: PASSWORD, partnerKey: PARTNER['x-api-key'], agencyCode: config.AGENCY_CODE, now });
  const api = await startApi(config, logger, { now, ...(options.calendarSeed ? { calendarSeed: options.calendarSeed } : {}) });
  config = loadConfig({ ...env, PUBLIC_BASE_URL: api.url });
  const sims = await startSimulators(config, { now });
  const policy = calendarPolicyFromConfig(config);
  const deps = createWorkerDeps({
    db,
    catalog: await loadProcessCatalog(processesDirOf(config)),
    calendars: createCalendarProvider({ db, now, refreshMs: policy.refreshMs }),
    policy,
    adapters: createHttpAdapters(config),
    mailer: createMailer(config),
    logger,
    config,
    clock: { now },
  });
  const workers = registerWorkers(zeebe, deps, { maxJobs: 16, jobTimeoutMs: JOB_TIMEOUT_MS, drainTimeoutMs: 2000 });
  // the status feed to the national portal, as the workers role runs it: only when asked, since
  // tests that write dossiers straight into the read model also write their sync figures
  const stopFeed = options.portalFeed
    ? startPortalFeed({ db, portal: deps.adapters.portal, logger, now, settings: portalFeedSettings(config) }, config.PORTAL_FEED_INTERVAL_MS)
    : (): Promise<void> => Promise.resolve();

  const send = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> => {
    const sent = body === undefined ? undefined : JSON.stringify(body);
    const response = await fetch(`${api.url}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...signIfPartner(headers, method, path, sent, () => now().getTime()) },
      body: sent,
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  // One session per user, keyed by its bearer token too, so that a 401 to a session this
  // helper handed out is told apart from a 401 the test asked for (no token, a wrong one).
  const sessions = new Map<string, { authorization: string }>();
  const userOfToken = new Map<string, string>();
  const logIn = async (username: string): Promise<{ authorization: string }> => {
    const login = await send('POST', '/api/auth/login', { username, password: PASSWORD });
    if (login.status !== 200) throw new Error(`login ${username}: ${login.status} ${JSON.stringify(login.body)}`);
    const headers = { authorization: `Bearer ${String(login.body.token)}` };
    sessions.set(username, headers);
    userOfToken.set(headers.authorization, username);
    return headers;
  };
  // Concurrent callers share one log-in, as one client would: parallel log-ins of one account from
  // one address count as attempts in flight, and the throttle refuses them past its limit.
  const loggingIn = new Map<string, Promise<{ authorization: string }>>();
  const sharedLogIn = (username: string): Promise<{ authorization: string }> => {
    const pending = loggingIn.get(username) ?? logIn(username).finally(() => loggingIn.delete(username));
    loggingIn.set(username, pending);
    return pending;
  };
  const as = async (username: string): Promise<Record<string, string>> => ({ ...(sessions.get(username) ?? (await sharedLogIn(username))) });
  // An intake the broker did not take (503: busy, or just restarted by a test that moved its
  // clock) is sent again, as the one-stop system and VNeID do: the same request completes the
  // same dossier, never a second one.
  const sendIntake = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> => {
    const deadline = monotonicMs() + 30_000;
    for (;;) {
      const reply = await send(method, path, body, headers);
      if (reply.status !== 503 || !(method === 'POST' && path.startsWith('/api/intake/')) || monotonicMs() > deadline) return reply;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> => {
    const reply = await sendIntake(method, path, body, headers);
    const username = headers.authorization ? userOfToken.get(headers.authorization) : undefined;
    if (reply.status !== 401 || username === undefined) return reply;
    // The session expired on the product's clock (or the monitor removed it): log in again.
    // Stale headers a test still holds keep working, mapped to the new session.
    const fresh = sessions.get(username)?.authorization === headers.authorization ? await logIn(username) : sessions.get(username)!;
    return send(method, path, body, { ...headers, authorization: fresh.authorization });
  };
  const task = async (code: string, username: string, formKey: string): Promise<{ task: InboxTask; headers: Record<string, string> }> => {
    const headers = await as(username);
    const found = await eventually(async () => {
      const list = await call('GET', '/api/tasks', undefined, headers);
      return ((list.body.tasks ?? []) as InboxTask[]).find((t) => t.dossierCode === code && t.formKey === formKey);
    }, `${username}'s task ${formKey} for ${code}`, TASK_WAIT_MS).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await whereIs(code)}`);
    });
    return { task: found, headers };
  };
  /** What the product knows of a dossier, for a wait that timed out: its steps, tasks, log lines, and the recent warnings. */
  const whereIs = async (code: string): Promise<string> => {
    const [dossier, steps, tasks] = await Promise.all([
      db.selectFrom('dossiers').select(['status', 'processInstanceKey', 'receivedAt']).where('code', '=', code).executeTakeFirst(),
      db.selectFrom('steps').select(['elementId', 'unitId', 'startedAt', 'finishedAt']).where('dossierCode', '=', code).orderBy('startedAt').execute(),
      db.selectFrom('tasks').select(['formKey', 'unitId', 'role', 'status', 'claimedBy']).where('dossierCode', '=', code).execute(),
    ]).catch((failure: Error) => [`(the database could not be read: ${failure.message})`, [], []] as const);
    return [
      `dossier: ${JSON.stringify(dossier ?? null)}`,
      `steps: ${JSON.stringify(steps)}`,
      `tasks: ${JSON.stringify(tasks)}`,
      'its log lines, the last 15:',
      ...recentLines.filter((line) => line.includes(code)).slice(-15),
      'warnings and paused polls, the last 15:',
      ...recentLines.filter((line) => /"level":"(warn|error|fatal)"|pauseMs/.test(line)).slice(-15),
    ].join('\n');
  };
  const expectOk = (what: string, reply: Reply): Reply => {
    if (reply.status !== 200) throw new Error(`${what}: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply;
  };
  return {
    api,
    config,
    db,
    sims,
    call,
    callOnce: send,
    as,
    task,
    async work(code, username, formKey, data = {}) {
      const { task: found, headers } = await task(code, username, formKey);
      expectOk(`claim ${formKey} of ${code} as ${username}`, await call('POST', `/api/tasks/${found.id}/claim`, {}, headers));
      expectOk(`complete ${formKey} of ${code} as ${username}`, await call('POST', `/api/tasks/${found.id}/complete`, { data }, headers));
    },
    async dossier(code) {
      return expectOk(`dossier ${code}`, await call('GET', `/api/dossiers/${code}`, undefined, await as('giamsat'))).body;
    },
    async simStats(simName) {
      return (await fetch(`${sims.urls[simName]}/_sim/stats`)).json() as Promise<{ effects: Record<string, number>; calls: Record<string, number> }>;
    },
    async simPost(simName, path, body) {
      const response = await fetch(`${sims.urls[simName]}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (!response.ok) throw new Error(`simulator ${simName} ${path}: ${response.status}`);
    },
    async stop() {
      await stopFeed();
      await Promise.all(workers.map((w) => w.close()));
      await api.stop();
      await sims.close();
      await camunda.closeAllClients();
      await testDb.drop();
    },
  };
}
