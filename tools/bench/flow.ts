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
 * process: api, workers, simulators, bench (driver and no-op workers), zeebe, ferretdb, mailpit.
 *
 * Settings: BENCH_FLOW_DOSSIERS (60), BENCH_FLOW_RUNS (3), BENCH_FLOW_WARMUP (10),
 * BENCH_FLOW_CONCURRENCY (4 concurrent intake calls, and task completions per user).
 * If the stack is not running it is started, and stopped at the end.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { formatInstant } from '../../server/calendar/civil-time';
import { loadConfig, type Config } from '../../server/config';
import { connectDatabase } from '../../server/db';
import { checkStack } from '../../server/health';
import { createLogger } from '../../server/logger';
import { dossierModel } from '../../server/readmodel/dossier';
import { loadProcessCatalog } from '../../server/sla';
import { createZeebeClient } from '../../server/zeebe';
import { deployProcesses } from '../../processes/deploy';
import { jobTypes, type JobType } from '../../processes/contracts';
import { simulatorUrls } from '../simulators/main';
import { sampleVneidRequest, seededRandom } from '../simulators/sample-requests';

const repo = path.resolve(__dirname, '../..');
const DOSSIERS = Number(process.env.BENCH_FLOW_DOSSIERS ?? 60);
const RUNS = Number(process.env.BENCH_FLOW_RUNS ?? 3);
const WARMUP = Number(process.env.BENCH_FLOW_WARMUP ?? 10);
const CONCURRENCY = Number(process.env.BENCH_FLOW_CONCURRENCY ?? 4);
const RUN_TIMEOUT_MS = 15 * 60_000;
const API_PORT = 3950;
const SIM_BASE_PORT = 4950;
const PASSWORD = 'bench-password';
const PARTNER_KEY = 'bench-partner-key';
const USERS = ['motcua', 'chuyenvien', 'truongphong', 'lanhdao'] as const;
const USER_TASK = 'io.camunda.zeebe:userTask';
const LOGS = path.join(repo, '.cache/run/logs');

function emit(bench: string, value: number, unit: string): void {
  process.stdout.write(`${JSON.stringify({ bench, value: Number(value.toPrecision(4)), unit })}\n`);
}

function progress(message: string): void {
  process.stderr.write(`[bench:flow] ${message}\n`);
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

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

/** Resident memory in MB of a process, or of its whole process group. */
function rssMb(pid: number, group: boolean): number {
  const ps = spawnSync('ps', ['-o', 'rss=', group ? '-g' : '-p', String(pid)], { encoding: 'utf8' });
  return ps.stdout
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((kb) => Number.isFinite(kb) && kb > 0)
    .reduce((sum, kb) => sum + kb / 1024, 0);
}

function stackPid(name: string): number | null {
  try {
    return Number(readFileSync(path.join(repo, '.cache/run', `${name}.pid`), 'utf8').trim());
  } catch {
    return null;
  }
}

class RssPeaks {
  readonly peaks = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;

  start(processes: () => Record<string, { pid: number; group: boolean } | null>): void {
    const sample = (): void => {
      for (const [name, target] of Object.entries(processes())) {
        if (!target) continue;
        const mb = name === 'bench' ? process.memoryUsage().rss / 1048576 : rssMb(target.pid, target.group);
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
  children: Record<'api' | 'workers' | 'simulators', ChildProcess>;
  config: Config;
  stop(): Promise<void>;
}

async function startApp(run: number): Promise<AppProcesses> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MONGODB_URI: `mongodb://127.0.0.1:27017/lltp_bench_flow_${run}_${randomInt(1e6)}`,
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
  const children = {
    simulators: launch('simulators', 'tools/simulators/main.ts'),
    api: launch('api', 'server/main.ts', 'api'),
    workers: launch('workers', 'server/main.ts', 'workers'),
  };
  // If the bench dies, its app processes die with it (they would hold the ports).
  const killAll = (): void => {
    for (const child of Object.values(children)) if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killAll);
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killAll);
    await Promise.all(
      Object.values(children).map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
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
        const list = await call(base, 'GET', '/api/tasks', undefined, headers);
        const tasks = (list.body.tasks ?? []) as { id: string; formKey: string; status: string }[];
        if (tasks.length === 0) {
          await sleep(50);
          continue;
        }
        await pool(tasks.length, CONCURRENCY, async (i) => {
          const task = tasks[i]!;
          if (task.status === 'open') {
            const claim = await call(base, 'POST', `/api/tasks/${task.id}/claim`, {}, headers);
            if (claim.status !== 200) return;
          }
          const completed = await call(base, 'POST', `/api/tasks/${task.id}/complete`, { data: DECISIONS[task.formKey] ?? {} }, headers);
          if (completed.status === 200) stats.completed += 1;
          else if (completed.status !== 409) throw new Error(`${username} ${task.formKey}: ${completed.status} ${JSON.stringify(completed.body)}`);
        });
      }
    }),
  );
  return stats;
}

async function measureFlow(run: number, rss: RssPeaks): Promise<number> {
  const app = await startApp(run);
  const base = app.config.PUBLIC_BASE_URL;
  const db = await connectDatabase(app.config);
  const dossiers = dossierModel(db);
  const random = seededRandom(run + 1);
  const partner = { 'x-partner-id': 'mot-cua-tinh', 'x-api-key': PARTNER_KEY };
  let stopUsers = false;
  try {
    rss.start(() => ({
      api: { pid: app.children.api.pid!, group: false },
      workers: { pid: app.children.workers.pid!, group: false },
      simulators: { pid: app.children.simulators.pid!, group: false },
      bench: { pid: process.pid, group: false },
      ...Object.fromEntries(['zeebe', 'ferretdb', 'mailpit'].map((name) => [name, stackPid(name) ? { pid: stackPid(name)!, group: true } : null])),
    }));
    let usersFailed: Error | null = null;
    const users = scriptedUsers(base, () => stopUsers || usersFailed !== null).catch((error: unknown) => {
      usersFailed = error as Error;
      return { completed: 0 };
    });
    const issued = (): Promise<number> => dossiers.countDocuments({ status: 'closed', outcome: 'issued' });
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
    return DOSSIERS / seconds;
  } finally {
    stopUsers = true;
    rss.stop();
    await app.stop();
    await db.dropDatabase().catch(() => undefined);
    await db.close();
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
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
  let startedStack = false;
  if ((await checkStack(config)).some((c) => !c.ok)) {
    progress('starting the local stack (bash tools/stack/stack.sh up)');
    const up = spawnSync('bash', [path.join(repo, 'tools/stack/stack.sh'), 'up'], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (up.status !== 0) throw new Error('the local stack did not start');
    startedStack = true;
  }
  try {
    const logger = createLogger({ level: 'warn' });
    const { camunda, zeebe } = createZeebeClient(config);
    await deployProcesses(zeebe, logger);
    await camunda.closeAllClients();
    const catalog = await loadProcessCatalog();
    const ids = catalog.processesFor(config.AGENCY_CODE, new Date());
    const processIds = { national: ids.nationalProcessId, internal: ids.internalProcessId };
    progress(`${RUNS} runs of ${DOSSIERS} dossiers (after ${WARMUP} for warm-up), ${processIds.national} → ${processIds.internal}`);
    const rss = new RssPeaks();
    const flow: number[] = [];
    const noop: number[] = [];
    const ratios: number[] = [];
    for (let run = 1; run <= RUNS; run++) {
      const ceiling = await measureNoop(run, config, processIds);
      const product = await measureFlow(run, rss);
      noop.push(ceiling);
      flow.push(product);
      ratios.push(product / ceiling);
      progress(`run ${run}: flow ${product.toFixed(2)}/s, no-op ${ceiling.toFixed(2)}/s, ratio ${(product / ceiling).toFixed(3)}`);
    }
    emit('flow.dossiers_per_s', median(flow), 'dossiers/s');
    emit('flow.dossiers_per_s_min', Math.min(...flow), 'dossiers/s');
    emit('flow.dossiers_per_s_max', Math.max(...flow), 'dossiers/s');
    emit('flow.noop_ceiling_per_s', median(noop), 'dossiers/s');
    emit('flow.ratio_to_ceiling', median(ratios), 'ratio');
    for (const [name, mb] of [...rss.peaks].sort()) emit(`flow.rss_mb.${name}`, mb, 'MB');
  } finally {
    if (startedStack) spawnSync('bash', [path.join(repo, 'tools/stack/stack.sh'), 'down'], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`[bench:flow] failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
