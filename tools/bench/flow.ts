/**
 * `npm run bench:flow`: how many dossiers per second the product carries from intake to the
 * returned certificate on the local stack, one JSON line per figure on stdout
 * (`{"bench": name, "value": number, "unit": unit}`); progress goes to stderr.
 *
 * Each run alternates two measurements on the same broker and the same deployed models:
 *
 * - **flow** (the product): the API, the job workers and the simulators run as their own
 *   processes (`node --import tsx server/main.ts api|workers`, `tools/simulators/main.ts`,
 *   simulators at zero latency) on a fresh database; the bench posts DOSSIERS VNeID requests
 *   (no paper copy) to `POST /api/intake/vneid` as the one-stop partner, and a scripted user
 *   works the inbox through the public API with the demo accounts (claim, complete: accept,
 *   no record, approve). The time runs from the first intake to the moment the last dossier is
 *   closed as issued in the read model (the return worker's effect), after WARMUP dossiers
 *   that went the whole way first;
 * - **noop ceiling** (the broker): the same models, instances created directly, every job type
 *   (and the user tasks) completed at once by no-op workers in the bench process with
 *   variables the contracts accept; the time runs from the first start to the last
 *   `lltp.return.result` job completed.
 *
 * flow.dossiers_per_s and flow.noop_ceiling_per_s are medians of RUNS runs;
 * flow.ratio_to_ceiling is the median of the per-run ratios. flow.rss_mb.<process> is the
 * largest resident memory seen (sampled every second) during the flow measurements for each
 * process: api, workers, simulators, bench (driver and no-op workers), zeebe, postgres (the
 * proportional set size of the postmaster and its backends: shared buffers counted once), mailpit.
 *
 * Intake as data grows: the API alone (`server/main.ts api`) takes INTAKE_CALLS VNeID requests
 * one after the other, on an empty database and on a copy of a database that already holds
 * HISTORY dossiers (each with its receipt, declaration, audit entry and 8 steps; written once
 * into `lltp_bench_flow_history_<n>_<schema>` and copied for every run): flow.intake_p50_ms_empty,
 * flow.intake_p50_ms_100k (medians of the calls, median over RUNS) and their ratio
 * flow.intake_growth. The process instances these intakes start are cancelled afterwards.
 *
 * Settings: BENCH_FLOW_DOSSIERS (300), BENCH_FLOW_RUNS (3), BENCH_FLOW_WARMUP (20),
 * BENCH_FLOW_CONCURRENCY (8 concurrent intake calls, and task completions per user),
 * BENCH_FLOW_HISTORY (100000), BENCH_FLOW_INTAKE_CALLS (200).
 * If the stack is not running it is started, and stopped at the end.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { seedDemoAccounts } from '../../server/auth/seed';
import { createCalendarProvider } from '../../server/calendar/provider';
import { formatInstant } from '../../server/calendar/civil-time';
import { loadSeed } from '../../server/calendar/seed';
import { seedCalendar } from '../../server/calendar/store';
import { loadConfig, type Config } from '../../server/config';
import { connectDatabase } from '../../server/db';
import { createLogger } from '../../server/logger';
import { loadProcessCatalog } from '../../server/sla';
import { createZeebeClient } from '../../server/zeebe';
import { deployProcesses } from '../../processes/deploy';
import { jobTypes, type JobType } from '../../processes/contracts';
import { createTestDatabase, databaseUrl, dropDatabase } from '../../test/support/database';
import { simulatorUrls } from '../simulators/main';
import { sampleVneidRequest, seededRandom } from '../simulators/sample-requests';
import { benchDatabase, emit, median, progressOf, seedOpenWork, withStack, writeIntakeRecords } from './support';

const repo = path.resolve(__dirname, '../..');
const DOSSIERS = Number(process.env.BENCH_FLOW_DOSSIERS ?? 300);
const RUNS = Number(process.env.BENCH_FLOW_RUNS ?? 3);
const WARMUP = Number(process.env.BENCH_FLOW_WARMUP ?? 20);
const CONCURRENCY = Number(process.env.BENCH_FLOW_CONCURRENCY ?? 8);
const HISTORY = Number(process.env.BENCH_FLOW_HISTORY ?? 100_000);
const INTAKE_CALLS = Number(process.env.BENCH_FLOW_INTAKE_CALLS ?? 200);
const RUN_TIMEOUT_MS = 15 * 60_000;
const API_PORT = 3950;
const SIM_BASE_PORT = 4950;
const PASSWORD = 'bench-password';
const PARTNER_KEY = 'bench-partner-key';
const USERS = ['motcua', 'chuyenvien', 'truongphong', 'lanhdao'] as const;
const USER_TASK = 'io.camunda.zeebe:userTask';
const LOGS = path.join(repo, '.cache/run/logs');

const progress = progressOf('bench:flow');

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `work(i)` for i in [0, count) with at most `limit` at once. */
async function pool(count: number, limit: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, count) }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

// --- resident memory ---------------------------------------------------------------------

/**
 * Memory in MB of a process, of its whole process group, or of it and its children. For a
 * process with children (PostgreSQL: the postmaster and its backends, which share their buffers)
 * the proportional set size, so that shared memory is counted once.
 */
function rssMb(pid: number, scope: Scope): number {
  if (scope === 'children') {
    const children = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.trim()).filter(Boolean);
    let kb = 0;
    for (const p of [String(pid), ...children]) {
      try {
        kb += Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
      } catch {
        // the backend ended meanwhile
      }
    }
    return kb / 1024;
  }
  const args = scope === 'group' ? ['-g', String(pid)] : ['-p', String(pid)];
  const ps = spawnSync('ps', ['-o', 'rss=', ...args], { encoding: 'utf8' });
  return ps.stdout
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((kb) => Number.isFinite(kb) && kb > 0)
    .reduce((sum, kb) => sum + kb / 1024, 0);
}

type Scope = 'process' | 'group' | 'children';

/** A component of the local stack: its pid file (PostgreSQL: postmaster.pid in its data folder). */
function stackPid(name: string): number | null {
  const file = name === 'postgres' ? path.join(repo, '.cache/run/postgres-data/postmaster.pid') : path.join(repo, '.cache/run', `${name}.pid`);
  try {
    return Number(readFileSync(file, 'utf8').split('\n')[0]?.trim());
  } catch {
    return null;
  }
}

const stackProcesses = (): Record<string, { pid: number; scope: Scope } | null> =>
  Object.fromEntries(['zeebe', 'postgres', 'mailpit'].map((name) => [name, stackPid(name) ? { pid: stackPid(name)!, scope: name === 'postgres' ? ('children' as const) : ('group' as const) } : null]));

class RssPeaks {
  readonly peaks = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;

  start(processes: () => Record<string, { pid: number; scope: Scope } | null>): void {
    const sample = (): void => {
      for (const [name, target] of Object.entries(processes())) {
        if (!target) continue;
        const mb = name === 'bench' ? process.memoryUsage().rss / 1048576 : rssMb(target.pid, target.scope);
        if (mb > (this.peaks.get(name) ?? 0)) this.peaks.set(name, mb);
      }
    };
    sample();
    this.timer = setInterval(sample, 1000);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

// --- the product, as separate processes --------------------------------------------------

interface AppProcesses {
  children: Partial<Record<'api' | 'workers' | 'simulators', ChildProcess>>;
  config: Config;
  stop(): Promise<void>;
}

async function startApp(databaseUrlOfRun: string, roles: readonly ('api' | 'workers' | 'simulators')[] = ['simulators', 'api', 'workers']): Promise<AppProcesses> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrlOfRun,
    HTTP_PORT: String(API_PORT),
    PUBLIC_BASE_URL: `http://127.0.0.1:${API_PORT}`,
    LOG_LEVEL: process.env.BENCH_FLOW_LOG_LEVEL ?? 'warn',
    NODE_ENV: 'development',
    DEMO_PASSWORD: PASSWORD,
    DEMO_PARTNER_KEY: PARTNER_KEY,
    ...simulatorUrls(SIM_BASE_PORT),
  };
  const config = loadConfig(env);
  mkdirSync(LOGS, { recursive: true });
  const launch = (name: string, script: string, ...args: string[]): ChildProcess => {
    const log = path.join(LOGS, `bench-flow-${name}.log`);
    const fd = openSync(log, 'w');
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: repo, env, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    child.on('exit', (code, signal) => {
      if (code !== 0 && signal !== 'SIGTERM') progress(`${name} exited (${code ?? signal}); see ${log}`);
    });
    return child;
  };
  const children: AppProcesses['children'] = {};
  for (const role of roles) children[role] = role === 'simulators' ? launch('simulators', 'tools/simulators/main.ts') : launch(role, 'server/main.ts', role);
  // If the bench dies, its app processes die with it (they would hold the ports).
  const killAll = (): void => {
    for (const child of Object.values(children)) if (child?.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killAll);
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killAll);
    await Promise.all(
      Object.values(children).map(
        (child) =>
          new Promise<void>((resolve) => {
            if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 15000).unref();
          }),
      ),
    );
  };
  for (let i = 0; i < 120; i++) {
    const ready = await fetch(`${config.PUBLIC_BASE_URL}/readyz`).then((r) => r.ok, () => false);
    if (ready) return { children, config, stop };
    await sleep(500);
  }
  await stop();
  throw new Error('the API did not become ready within 60 s');
}

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

async function call(base: string, method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const response = await fetch(`${base}${route}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const DECISIONS: Record<string, Record<string, unknown>> = {
  'lltp.form.check-dossier': { intakeDecision: 'accept' },
  'lltp.form.search-records': { searchOutcome: 'noRecord' },
  'lltp.form.review-draft': { reviewDecision: 'approve' },
};

/** The scripted user: each demo officer works their inbox until `done()` says stop. */
/** Latency of the scripted users' calls, per kind (list, claim, complete), in ms. */
const userCallMs: Record<string, number[]> = { list: [], claim: [], complete: [] };

async function timed<T>(kind: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    userCallMs[kind]?.push(performance.now() - started);
  }
}

async function scriptedUsers(base: string, done: () => boolean): Promise<{ completed: number }> {
  const stats = { completed: 0 };
  const sessions = await Promise.all(
    USERS.map(async (username) => {
      const login = await call(base, 'POST', '/api/auth/login', { username, password: PASSWORD });
      if (login.status !== 200) throw new Error(`login ${username}: ${login.status} ${JSON.stringify(login.body)}`);
      return { username, headers: { authorization: `Bearer ${String(login.body.token)}` } };
    }),
  );
  await Promise.all(
    sessions.map(async ({ username, headers }) => {
      while (!done()) {
        const list = await timed('list', () => call(base, 'GET', '/api/tasks', undefined, headers));
        const tasks = (list.body.tasks ?? []) as { id: string; formKey: string; status: string }[];
        if (tasks.length === 0) {
          await sleep(50);
          continue;
        }
        await pool(tasks.length, CONCURRENCY, async (i) => {
          const task = tasks[i]!;
          if (task.status === 'open') {
            const claim = await timed('claim', () => call(base, 'POST', `/api/tasks/${task.id}/claim`, {}, headers));
            if (claim.status !== 200) return;
          }
          const completed = await timed('complete', () => call(base, 'POST', `/api/tasks/${task.id}/complete`, { data: DECISIONS[task.formKey] ?? {} }, headers));
          if (completed.status === 200) stats.completed += 1;
          else if (completed.status !== 409) throw new Error(`${username} ${task.formKey}: ${completed.status} ${JSON.stringify(completed.body)}`);
        });
      }
    }),
  );
  return stats;
}

async function measureFlow(run: number, rss: RssPeaks): Promise<number> {
  const testDb = await createTestDatabase(`bench_flow_${run}`);
  const db = testDb.database.db;
  const app = await startApp(testDb.url);
  const base = app.config.PUBLIC_BASE_URL;
  const random = seededRandom(run + 1);
  const partner = { 'x-partner-id': 'mot-cua-tinh', 'x-api-key': PARTNER_KEY };
  let stopUsers = false;
  try {
    rss.start(() => ({
      api: { pid: app.children.api!.pid!, scope: 'process' },
      workers: { pid: app.children.workers!.pid!, scope: 'process' },
      simulators: { pid: app.children.simulators!.pid!, scope: 'process' },
      bench: { pid: process.pid, scope: 'process' },
      ...stackProcesses(),
    }));
    let usersFailed: Error | null = null;
    const users = scriptedUsers(base, () => stopUsers || usersFailed !== null).catch((error: unknown) => {
      usersFailed = error as Error;
      return { completed: 0 };
    });
    const issued = async (): Promise<number> =>
      Number((await sql<{ n: number }>`SELECT count(*) AS n FROM dossiers WHERE status = 'closed' AND outcome = 'issued'`.execute(db)).rows[0]?.n ?? 0);
    const intake = async (from: number, count: number): Promise<void> => {
      await pool(count, CONCURRENCY, async (i) => {
        const request = sampleVneidRequest({ receiptNumber: `BENCH-${run}-${String(from + i).padStart(6, '0')}`, receivedAt: formatInstant(Date.now()), random, paperCopyByPost: false });
        const answer = await call(base, 'POST', '/api/intake/vneid', request, partner);
        if (answer.status !== 201 && answer.status !== 200) throw new Error(`intake: ${answer.status} ${JSON.stringify(answer.body)}`);
      });
    };
    const waitIssued = async (count: number, label: string): Promise<void> => {
      const deadline = Date.now() + RUN_TIMEOUT_MS;
      let last = -1;
      for (;;) {
        const n = await issued();
        if (n >= count) return;
        if (usersFailed) throw usersFailed;
        if (Date.now() > deadline) throw new Error(`${label}: only ${n} of ${count} dossiers returned after ${RUN_TIMEOUT_MS / 60000} min`);
        if (n !== last && n % 50 < (last % 50) + 1) progress(`  ${label}: ${n}/${count} returned`);
        last = n;
        await sleep(100);
      }
    };
    await intake(0, WARMUP);
    await waitIssued(WARMUP, 'warm-up');
    const started = performance.now();
    await intake(WARMUP, DOSSIERS);
    await waitIssued(WARMUP + DOSSIERS, 'flow');
    const seconds = (performance.now() - started) / 1000;
    stopUsers = true;
    const { completed } = await users;
    progress(`  flow run ${run}: ${DOSSIERS} dossiers in ${seconds.toFixed(1)} s (${completed} inbox tasks completed in all)`);
    for (const [kind, values] of Object.entries(userCallMs)) {
      const sorted = [...values].sort((x, y) => x - y);
      progress(`    inbox ${kind}: ${values.length} calls, median ${median(values).toFixed(1)} ms, p95 ${(sorted[Math.floor(sorted.length * 0.95)] ?? 0).toFixed(1)} ms`);
      values.length = 0;
    }
    return DOSSIERS / seconds;
  } finally {
    stopUsers = true;
    rss.stop();
    await app.stop();
    if (process.env.BENCH_FLOW_KEEP_DATABASE === "1") progress(`kept ${testDb.url} for inspection`);
    else await testDb.drop();
  }
}

// --- intake as data grows --------------------------------------------------------------------

/**
 * The history database: HISTORY dossiers as intake and the workers leave them (receipt,
 * declaration, audit entry, steps), written once and kept; each run measures on a copy.
 */
async function historyTemplate(): Promise<string> {
  const { database, fresh, url } = await benchDatabase(`flow_history_${HISTORY}`, { max: 4 });
  const name = new URL(url).pathname.slice(1);
  try {
    if (fresh) {
      const { db } = database;
      const now = (): Date => new Date();
      await seedCalendar(db, loadSeed(), { actor: 'bench', now });
      await seedDemoAccounts(db, { nodeEnv: 'development', password: PASSWORD, partnerKey: PARTNER_KEY, now });
      progress(`writing ${HISTORY} dossiers of history (once; kept in ${name})`);
      const started = performance.now();
      const calendars = createCalendarProvider({ db, now, refreshMs: 3_600_000 });
      await seedOpenWork(db, await calendars.current(), { dossiers: HISTORY, finishedStepsPerDossier: 7, receivedWithinMinutes: 200 * 480, anchor: new Date(), openStepAge: 1, seed: 11 });
      await writeIntakeRecords(db);
      progress(`  written in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    }
  } finally {
    await database.close();
  }
  return name;
}

/** Median latency (ms) of INTAKE_CALLS intakes, one after the other, through the API alone on `url`. */
async function intakeLatency(url: string, label: string, config: Config): Promise<number> {
  const app = await startApp(url, ['api']);
  const base = app.config.PUBLIC_BASE_URL;
  const partner = { 'x-partner-id': 'mot-cua-tinh', 'x-api-key': PARTNER_KEY };
  const random = seededRandom(randomInt(1e6));
  const prefix = `BENCH-INTAKE-${randomInt(1e9)}`;
  const latencies: number[] = [];
  try {
    for (let i = 0; i < INTAKE_CALLS; i++) {
      const request = sampleVneidRequest({ receiptNumber: `${prefix}-${i}`, receivedAt: formatInstant(Date.now()), random, paperCopyByPost: false });
      const started = performance.now();
      const answer = await call(base, 'POST', '/api/intake/vneid', request, partner);
      latencies.push(performance.now() - started);
      if (answer.status !== 201) throw new Error(`intake (${label}): ${answer.status} ${JSON.stringify(answer.body)}`);
    }
  } finally {
    await app.stop();
  }
  // the instances wait at their first step for workers that are not running: cancel them
  const database = await connectDatabase({ DATABASE_URL: url }, { max: 2 });
  const { camunda, zeebe } = createZeebeClient(config);
  try {
    const keys = await database.db.selectFrom('intakeReceipts').select('processInstanceKey').where('receiptNumber', 'like', `${prefix}-%`).execute();
    for (const { processInstanceKey } of keys) if (processInstanceKey) await zeebe.cancelProcessInstance(processInstanceKey).catch(() => undefined);
  } finally {
    await camunda.closeAllClients();
    await database.close();
  }
  const p50 = median(latencies);
  progress(`  intake ${label}: median ${p50.toFixed(1)} ms over ${INTAKE_CALLS} calls (min ${Math.min(...latencies).toFixed(1)}, max ${Math.max(...latencies).toFixed(1)})`);
  return p50;
}

async function measureIntakeGrowth(run: number, history: string, config: Config): Promise<{ empty: number; full: number }> {
  const empty = await createTestDatabase(`bench_intake_empty_${run}`);
  await empty.database.close();
  const copy = `lltp_test_bench_intake_${HISTORY}_${run}_${randomInt(1e6)}`;
  const admin = await connectDatabase({ DATABASE_URL: databaseUrl('postgres') }, { max: 1 });
  try {
    await sql`CREATE DATABASE ${sql.id(copy)} TEMPLATE ${sql.id(history)}`.execute(admin.db);
  } finally {
    await admin.close();
  }
  try {
    return { empty: await intakeLatency(empty.url, 'on an empty database', config), full: await intakeLatency(databaseUrl(copy), `with ${HISTORY} dossiers stored`, config) };
  } finally {
    await dropDatabase(empty.name);
    await dropDatabase(copy);
  }
}

// --- the broker's ceiling: no-op workers -----------------------------------------------------

const INSTANT = (): string => formatInstant(Date.now());
const FAR = (): string => formatInstant(Date.now() + 60 * 86_400_000);

/** Variables each job type completes with: what its contract's output schema accepts. */
function noopOutputs(type: JobType, internalProcessId: string): Record<string, unknown> {
  const deadlines = { statutoryDueAt: FAR(), targetDueAt: FAR(), apologyByAt: FAR() };
  const outputs: Record<JobType, () => Record<string, unknown>> = {
    'lltp.intake.register': () => ({ internalProcessId, clockStartedAt: INSTANT(), ...deadlines, apologyIssued: false }),
    'lltp.notify.citizen': () => ({}),
    'lltp.dossier.issue-refusal': () => ({ refusedAt: INSTANT() }),
    'lltp.dossier.request-supplement': () => ({ clockStoppedAt: INSTANT(), supplementDueAt: FAR() }),
    'lltp.dossier.restart-clock': () => ({ clockStartedAt: INSTANT(), ...deadlines }),
    'lltp.dossier.close-unsupplemented': () => ({ closedAt: INSTANT() }),
    'lltp.lltp-software.push': () => ({ lltpSoftwareId: 'NOOP' }),
    'lltp.deadline.plan': () => ({ caseVariant: 'ordinary', ...deadlines }),
    'lltp.police.request-verification': () => ({ verificationRequestedAt: INSTANT(), policeReminderAt: FAR(), policeEscalationAt: FAR() }),
    'lltp.police.remind': () => ({}),
    'lltp.sla.escalate': () => ({}),
    'lltp.apology.issue': () => ({ apologyIssued: true, returnDueAt: FAR(), apologyByAt: FAR() }),
    'lltp.sign.certificate': () => ({ certificateNumber: 'NOOP-1', signedAt: INSTANT() }),
    'lltp.return.result': () => ({ returnedAt: INSTANT() }),
    'lltp.post.send-copy': () => ({ postTrackingNumber: 'NOOP' }),
    'lltp.dossier.close-withdrawn': () => ({ closedAt: INSTANT() }),
  };
  const variables = outputs[type]();
  jobTypes[type].outputs.strict().parse(variables);
  return variables;
}

async function measureNoop(run: number, config: Config, processIds: { national: string; internal: string }): Promise<number> {
  const { camunda, zeebe } = createZeebeClient(config);
  let returned = 0;
  let onReturned: (() => void) | null = null;
  const target = WARMUP + DOSSIERS;
  const workers = [
    ...(Object.keys(jobTypes) as JobType[]).map((type) =>
      zeebe.createWorker({
        taskType: type,
        maxJobsToActivate: config.WORKER_MAX_JOBS,
        timeout: config.WORKER_JOB_TIMEOUT_MS,
        pollInterval: 100,
        taskHandler: async (job) => {
          const result = await job.complete(noopOutputs(type, processIds.internal) as never);
          if (type === 'lltp.return.result') {
            returned += 1;
            onReturned?.();
          }
          return result;
        },
      }),
    ),
    zeebe.createWorker({
      taskType: USER_TASK,
      maxJobsToActivate: config.WORKER_MAX_JOBS,
      timeout: config.WORKER_JOB_TIMEOUT_MS,
      pollInterval: 100,
      taskHandler: (job) => job.complete((DECISIONS[String(job.customHeaders['io.camunda.zeebe:formKey'])] ?? {}) as never),
    }),
  ];
  const prefix = String(randomInt(100000, 999999));
  const start = async (from: number, count: number): Promise<void> => {
    await pool(count, CONCURRENCY, async (i) => {
      const dossierCode = `NOOP.B${run}-${prefix}-${String((from + i) % 10000).padStart(4, '0')}`;
      await zeebe.createProcessInstance({ bpmnProcessId: processIds.national, variables: { dossierCode, agencyCode: config.AGENCY_CODE, receivedAt: INSTANT(), paperCopy: 'none' } });
    });
  };
  const waitReturned = (count: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no-op: only ${returned} of ${count} returned`)), RUN_TIMEOUT_MS);
      const check = (): void => {
        if (returned >= count) {
          clearTimeout(timer);
          onReturned = null;
          resolve();
        }
      };
      onReturned = check;
      check();
    });
  try {
    await start(0, WARMUP);
    await waitReturned(WARMUP);
    const started = performance.now();
    await start(WARMUP, DOSSIERS);
    await waitReturned(target);
    const seconds = (performance.now() - started) / 1000;
    progress(`  no-op run ${run}: ${DOSSIERS} instances in ${seconds.toFixed(1)} s`);
    return DOSSIERS / seconds;
  } finally {
    await Promise.all(workers.map((w) => w.close()));
    await camunda.closeAllClients();
  }
}

// --- main ----------------------------------------------------------------------------------

async function main(): Promise<void> {
  await withStack('bench:flow', async (config) => {
    const logger = createLogger({ level: 'warn' });
    const { camunda, zeebe } = createZeebeClient(config);
    await deployProcesses(zeebe, logger);
    await camunda.closeAllClients();
    const catalog = await loadProcessCatalog();
    const ids = catalog.processesFor(config.AGENCY_CODE, new Date());
    const processIds = { national: ids.nationalProcessId, internal: ids.internalProcessId };
    const history = await historyTemplate();
    progress(`${RUNS} runs of ${DOSSIERS} dossiers (after ${WARMUP} for warm-up), ${processIds.national} → ${processIds.internal}`);
    const rss = new RssPeaks();
    const flow: number[] = [];
    const noop: number[] = [];
    const ratios: number[] = [];
    const intakeEmpty: number[] = [];
    const intakeFull: number[] = [];
    for (let run = 1; run <= RUNS; run++) {
      const ceiling = await measureNoop(run, config, processIds);
      const product = await measureFlow(run, rss);
      noop.push(ceiling);
      flow.push(product);
      ratios.push(product / ceiling);
      progress(`run ${run}: flow ${product.toFixed(2)}/s, no-op ${ceiling.toFixed(2)}/s, ratio ${(product / ceiling).toFixed(3)}`);
      const growth = await measureIntakeGrowth(run, history, config);
      intakeEmpty.push(growth.empty);
      intakeFull.push(growth.full);
    }
    emit('flow.dossiers_per_s', median(flow), 'dossiers/s');
    emit('flow.dossiers_per_s_min', Math.min(...flow), 'dossiers/s');
    emit('flow.dossiers_per_s_max', Math.max(...flow), 'dossiers/s');
    emit('flow.noop_ceiling_per_s', median(noop), 'dossiers/s');
    emit('flow.ratio_to_ceiling', median(ratios), 'ratio');
    emit('flow.intake_p50_ms_empty', median(intakeEmpty), 'ms');
    emit('flow.intake_p50_ms_100k', median(intakeFull), 'ms');
    emit('flow.intake_growth', median(intakeFull) / median(intakeEmpty), 'ratio');
    for (const [name, mb] of [...rss.peaks].sort()) emit(`flow.rss_mb.${name}`, mb, 'MB');
  });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`[bench:flow] failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
