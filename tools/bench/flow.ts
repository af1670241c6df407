/**
 * `npm run bench:flow`: how many dossiers per second the product carries from intake to the
 * returned certificate, against what the broker alone carries through the same models; one JSON
 * line per figure on stdout (`{"bench": name, "value": number, "unit": unit}`), progress on
 * stderr. Everything runs on a broker of the bench's own (./broker.ts: the stack's Zeebe and
 * settings, nothing else running on it) and the stack's PostgreSQL.
 *
 * Each run measures, in an order that alternates from one run to the next:
 * - **flow** (the product, ./product.ts): the API, the job workers and the simulators as
 *   processes of their own on a fresh database; the bench posts DOSSIERS VNeID requests (no
 *   paper copy) to `POST /api/intake/vneid` as the one-stop partner, and scripted officers (the
 *   demo accounts) work their inboxes through the public API (claim, complete: accept, no
 *   record, the police's answer recorded (every VNeID dossier goes to PV06; the simulated police
 *   answer at once), approve). The time runs from the first intake to the moment the last dossier is
 *   closed as issued in the read model, after WARMUP dossiers that went the whole way first;
 * - **ceiling** (the broker alone, ./ceiling.ts): copies of the same models under process ids,
 *   job types and messages of the bench run's own, instances created directly, every job
 *   completed at once by no-op workers in the bench process; the time runs from the first start
 *   to the last of its own `lltp.return.result` jobs completed.
 * flow.ratio_to_ceiling is the ratio of the two in the same run. Memory, during the flow
 * measurement, the peak of each process: flow.rss_mb.<api|workers|simulators|bench|zeebe>
 * (resident set size; bench: the driver and its scripted officers; zeebe: the bench's broker)
 * and flow.pss_mb.postgres (proportional set size of the postmaster and all its backends,
 * shared buffers counted once; other clients of the server included).
 * Work per dossier, over the measured dossiers (warm-up left out): flow.sql_statements_per_dossier
 * (every statement the product sent to its database, BEGIN and COMMIT included, counted by
 * PostgreSQL's pg_stat_statements on the run's database; the bench's own polling left out) and
 * flow.cpu_ms_per_dossier.<api|workers|simulators|bench|zeebe|postgres> (user + system CPU time
 * from /proc; postgres: the postmaster and every backend, other clients of the server included),
 * and flow.cpu_ms_per_dossier.zeebe_jit, the part of zeebe's spent by the broker JVM's JIT compiler
 * threads (C1, C2): a young JVM compiles its hot code during the first minutes, a cost of its start,
 * not of the dossiers.
 *
 * Intake as data grows: the API alone takes INTAKE_CALLS VNeID requests one after the other, on
 * an empty database and on a copy of one that holds HISTORY dossiers (each with its receipt,
 * declaration, audit entries, 8 steps and tasks; written once into
 * `lltp_benchdata_flow_history_<n>_<schema>`), the empty one first in odd runs and last in even
 * ones: flow.intake_p50_ms_empty, flow.intake_p50_ms_100k (the median call of each run) and
 * flow.intake_growth (their ratio in each run). The instances these intakes start are cancelled.
 *
 * An intake answered 503 (the broker did not take the start within the API's deadline) is sent
 * again, as the one-stop system does; the latency counts the whole exchange.
 * Every figure is printed as the median over RUNS runs with its _min and _max. Instants come
 * from the broker's clock (receipt times), durations from `performance.now()`.
 * Settings (full / small mode): BENCH_FLOW_DOSSIERS (300 / 60), BENCH_FLOW_RUNS (5 / 1),
 * BENCH_FLOW_WARMUP (20 / 5), BENCH_FLOW_CONCURRENCY (8: intake calls at once, and task
 * completions per officer), BENCH_FLOW_HISTORY (100,000 / 300), BENCH_FLOW_INTAKE_CALLS (200 / 30).
 * BENCH_FLOW_TOP_STATEMENTS (0): also print, on stderr, the statements called most and their calls per dossier.
 * BENCH_FLOW_BROKERS (1): 3 runs everything (flow, ceiling, intakes) on a Zeebe cluster of the
 * bench's own instead (./broker.ts: three brokers, 3 partitions, replication factor 3, a standalone
 * gateway, as `LLTP_ZEEBE_BROKERS=3 npm run stack:up` runs them), the same figures printed: the
 * peak rate on the cluster; flow.rss_mb.zeebe and flow.cpu_ms_per_dossier.zeebe are then the sums
 * over the brokers and the gateway. On one machine the three brokers share its cores with
 * everything else: the figure is that machine's, not a cluster of three machines'.
 */
import path from 'node:path';
import { sql } from 'kysely';
import { deployProcesses } from '../../processes/deploy';
import { seedDemoAccounts } from '../../server/auth/seed';
import { dayNumberOf, formatInstant, localDateOf } from '../../server/calendar/civil-time';
import { createCalendarProvider } from '../../server/calendar/provider';
import { loadSeed } from '../../server/calendar/seed';
import { seedCalendar } from '../../server/calendar/store';
import { loadConfig, type Config } from '../../server/config';
import { connectDatabase, type Db } from '../../server/db';
import { loadProcessCatalog } from '../../server/sla';
import { BrokerClock, createZeebeClient } from '../../server/zeebe';
import { sampleVneidRequest, seededRandom } from '../simulators/sample-requests';
import { withOwnBroker, type OwnBroker } from './broker';
import { DECISIONS, deployCeilingModels, measureCeiling, type CeilingModels } from './ceiling';
import { CpuUse } from './cpu';
import { MemoryPeaks, postmasterPid, type Watched } from './memory';
import { call, PARTNER_KEY, PASSWORD, startProduct, type Reply } from './product';
import {
  benchDatabase,
  figureOutput,
  median,
  OPEN_WORK_ANCHOR,
  progressOf,
  RUN_DIR,
  runBench,
  runDatabase,
  runId,
  secondsSince,
  seedOpenWork,
  series,
  setting,
  SMALL,
  withStack,
  writeIntakeRecords,
  benchLogger,
} from './support';

export const FIGURES = [
  ...series('flow.dossiers_per_s'),
  ...series('flow.noop_ceiling_per_s'),
  ...series('flow.ratio_to_ceiling'),
  ...series('flow.intake_p50_ms_empty'),
  ...series('flow.intake_p50_ms_100k'),
  ...series('flow.intake_growth'),
  ...series('flow.rss_mb.api'),
  ...series('flow.rss_mb.workers'),
  ...series('flow.rss_mb.simulators'),
  ...series('flow.rss_mb.bench'),
  ...series('flow.rss_mb.zeebe'),
  ...series('flow.pss_mb.postgres'),
  ...series('flow.sql_statements_per_dossier'),
  ...series('flow.cpu_ms_per_dossier.api'),
  ...series('flow.cpu_ms_per_dossier.workers'),
  ...series('flow.cpu_ms_per_dossier.simulators'),
  ...series('flow.cpu_ms_per_dossier.bench'),
  ...series('flow.cpu_ms_per_dossier.zeebe'),
  ...series('flow.cpu_ms_per_dossier.postgres'),
  ...series('flow.cpu_ms_per_dossier.zeebe_jit'),
] as const;

const DOSSIERS = setting('BENCH_FLOW_DOSSIERS', 300, 60);
const RUNS = setting('BENCH_FLOW_RUNS', 5, 1);
const WARMUP = setting('BENCH_FLOW_WARMUP', 20, 5);
const CONCURRENCY = setting('BENCH_FLOW_CONCURRENCY', 8, 8);
const HISTORY = setting('BENCH_FLOW_HISTORY', 100_000, 300);
const INTAKE_CALLS = setting('BENCH_FLOW_INTAKE_CALLS', 200, 30);
const BROKERS = setting('BENCH_FLOW_BROKERS', 1, 1);
const TOP_STATEMENTS = Number(process.env.BENCH_FLOW_TOP_STATEMENTS ?? 0);
const RUN_TIMEOUT_MS = (SMALL ? 3 : 15) * 60_000;
const USERS = ['motcua', 'chuyenvien', 'truongphong', 'lanhdao'] as const;
const MEMORY = ['api', 'workers', 'simulators', 'bench', 'zeebe', 'postgres'] as const;
/** The broker JVM's JIT compiler threads: their share of zeebe's CPU is the price of a young JVM, not of a dossier. */
const JIT_THREADS = /^C[12] CompilerThre/;
const PARTNER = { 'x-partner-id': 'mot-cua-tinh', 'x-api-key': PARTNER_KEY };

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

/** What one bench run needs: the broker and its clock, the stack's settings. */
export interface Bench {
  broker: OwnBroker;
  config: Config;
  /** The broker's current instant, as the one-stop system stamps a receipt. */
  receivedAt(): string;
}

// --- the product: scripted officers, the flow ----------------------------------------------

/** Latency of the scripted officers' calls, per kind (list, claim, complete), in ms. */
const userCallMs: Record<string, number[]> = { list: [], claim: [], complete: [] };

/** Calls left without an answer (the connection closed: `fetch failed`) and sent again, per run. */
let callsUnanswered = 0;

/**
 * A call to the API, sent again (after 500 ms, for up to 60 s) when it is left without an answer,
 * as the one-stop system and a browser do: on the 2-core machine under load (three brokers
 * beside everything else) a connection was seen closed without an answer. Every call sent again
 * is safe: the intake is keyed by its receipt number, a completed task answers 409 the second time.
 */
async function answered<T>(work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof TypeError) || performance.now() - started > 60_000) throw error;
      callsUnanswered += 1;
      await sleep(500);
    }
  }
}

async function timed<T>(kind: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await answered(work);
  } finally {
    userCallMs[kind]?.push(performance.now() - started);
  }
}

/** Each demo officer works their inbox (claim, complete as DECISIONS says) until `done()`. */
async function scriptedUsers(base: string, done: () => boolean): Promise<{ completed: number }> {
  const stats = { completed: 0 };
  const sessions = await Promise.all(
    USERS.map(async (username) => {
      const login = await call(base, 'POST', '/api/auth/login', { username, password: PASSWORD });
      if (login.status !== 200) throw new Error(`login ${username}: ${login.status} ${JSON.stringify(login.body)}`);
      return { username, headers: { authorization: `Bearer ${String(login.body.token)}` } };
    }),
  );
  const work = async (username: string, headers: Record<string, string>, task: { id: string; formKey: string; status: string }): Promise<void> => {
    if (task.status === 'open') {
      const claim = await timed('claim', () => call(base, 'POST', `/api/tasks/${task.id}/claim`, {}, headers));
      if (claim.status !== 200) return;
    }
    const completed = await timed('complete', () => call(base, 'POST', `/api/tasks/${task.id}/complete`, { data: DECISIONS[task.formKey] ?? {} }, headers));
    if (completed.status === 200) stats.completed += 1;
    else if (completed.status !== 409) throw new Error(`${username} ${task.formKey}: ${completed.status} ${JSON.stringify(completed.body)}`);
  };
  await Promise.all(
    sessions.map(async ({ username, headers }) => {
      while (!done()) {
        const list = await timed('list', () => call(base, 'GET', '/api/tasks', undefined, headers));
        const tasks = (list.body.tasks ?? []) as { id: string; formKey: string; status: string }[];
        if (tasks.length === 0) await sleep(50);
        else await pool(tasks.length, CONCURRENCY, (i) => work(username, headers, tasks[i]!));
      }
    }),
  );
  return stats;
}

/** Intakes the product answered 503 (the broker busy: not started, to be sent again), per run. */
let intakesResent = 0;

/**
 * One VNeID request as the one-stop partner sends it: a 503 (the broker did not take the start in
 * time) is sent again, the same request, as the product asks; the same dossier is completed.
 */
async function intake(base: string, request: unknown): Promise<Reply> {
  const started = performance.now();
  for (;;) {
    const answer = await answered(() => call(base, 'POST', '/api/intake/vneid', request, PARTNER));
    if (answer.status !== 503 || performance.now() - started > 60_000) return answer;
    intakesResent += 1;
    await sleep(500);
  }
}

/** Posts `count` VNeID requests as the one-stop partner, CONCURRENCY at a time. */
async function postIntakes(bench: Bench, base: string, prefix: string, from: number, count: number): Promise<void> {
  const random = seededRandom(from + 1);
  await pool(count, CONCURRENCY, async (i) => {
    const request = sampleVneidRequest({ receiptNumber: `${prefix}-${String(from + i).padStart(6, '0')}`, receivedAt: bench.receivedAt(), random, paperCopyByPost: false });
    const answer = await intake(base, request);
    if (answer.status !== 201 && answer.status !== 200) throw new Error(`intake: ${answer.status} ${JSON.stringify(answer.body)}`);
  });
}

/** Marks the bench's own queries, left out of the statements counted. */
const BENCH_QUERY = '/* bench:flow */';

/** Statements the product sent to the run's database since the last reset (pg_stat_statements). */
async function statementsSent(reader: Db, reset: boolean): Promise<number> {
  await sql.raw(`${BENCH_QUERY} CREATE EXTENSION IF NOT EXISTS pg_stat_statements`).execute(reader);
  const database = sql.raw(`(SELECT oid FROM pg_database WHERE datname = current_database())`);
  if (reset) {
    await sql`${sql.raw(BENCH_QUERY)} SELECT pg_stat_statements_reset(0, ${database}, 0)`.execute(reader);
    return 0;
  }
  const { rows } = await sql<{ n: string | null }>`${sql.raw(BENCH_QUERY)} SELECT sum(calls) AS n FROM pg_stat_statements WHERE dbid = ${database} AND query NOT LIKE ${`%${BENCH_QUERY}%`}`.execute(reader);
  if (TOP_STATEMENTS > 0) await printTopStatements(reader, database);
  return Number(rows[0]?.n ?? 0);
}

/** BENCH_FLOW_TOP_STATEMENTS=n: the n statements called most, with their calls per dossier, on stderr. */
async function printTopStatements(reader: Db, database: ReturnType<typeof sql.raw>): Promise<void> {
  const { rows } = await sql<{ calls: string; query: string }>`${sql.raw(BENCH_QUERY)} SELECT calls, query FROM pg_stat_statements WHERE dbid = ${database} AND query NOT LIKE ${`%${BENCH_QUERY}%`} ORDER BY calls DESC LIMIT ${TOP_STATEMENTS}`.execute(reader);
  for (const { calls, query } of rows) progress(`    ${(Number(calls) / DOSSIERS).toFixed(2)}/dossier  ${query.replace(/\s+/g, ' ').slice(0, 220)}`);
}

/**
 * Run `run` numbers its dossiers from (run - 1) × 1000 on: the police's answer is a message whose
 * id is derived from the dossier code, and the broker (the same for every run) refuses a second
 * message of that id within its time to live, so a later run's dossier 0001, on its fresh
 * database, would wait for its answer for ever.
 */
async function numberDossiersFrom(db: Db, bench: Bench, run: number): Promise<void> {
  if (run <= 1) return;
  const at = new Date(bench.receivedAt());
  const agencyCode = (await loadProcessCatalog()).agencyInForce(bench.config.AGENCY_CODE, at).code;
  const day = localDateOf(dayNumberOf(at.getTime()));
  await db.insertInto('dossierCounters').values({ agencyCode, day, seq: (run - 1) * 1000 }).execute();
}

/** What one flow measurement found. */
export interface FlowFigures {
  perSecond: number;
  memory: Map<string, number>;
  /** Per measured dossier. */
  statements: number;
  /** CPU ms per measured dossier, by process. */
  cpu: Map<string, number>;
}

/**
 * How many dossiers a flow measurement runs, and what another bench (bench:capacity) reads of
 * the run's database and broker: `before` once the product is started (its seeds written), before
 * the first intake; `after` once every dossier is returned, before the database is dropped.
 */
export interface FlowOptions {
  dossiers: number;
  warmup: number;
  probe?: { before(reader: Db): Promise<void>; after(reader: Db): Promise<void> };
}

/** Dossiers per second from intake to the returned certificate, the peak memory of each process meanwhile, the work per dossier. */
export async function measureFlow(bench: Bench, run: number, options: FlowOptions = { dossiers: DOSSIERS, warmup: WARMUP }): Promise<FlowFigures> {
  const { dossiers, warmup, probe } = options;
  const database = await runDatabase('flow');
  const product = await startProduct(database.url, bench.broker.env);
  const reader = await connectDatabase({ DATABASE_URL: database.url }, { max: 1 });
  await numberDossiersFrom(reader.db, bench, run);
  const base = product.config.PUBLIC_BASE_URL;
  const memory = new MemoryPeaks();
  const cpu = new CpuUse();
  let stopUsers = false;
  try {
    const child = (role: 'api' | 'workers' | 'simulators'): Watched => ({ pid: product.children[role]!.pid!, measure: 'rss' });
    const postmaster = postmasterPid(path.join(RUN_DIR, 'postgres-data'));
    memory.start({
      api: child('api'),
      workers: child('workers'),
      simulators: child('simulators'),
      bench: { pid: process.pid, measure: 'rss' },
      zeebe: { pid: bench.broker.pid, measure: 'rss', also: bench.broker.pids.filter((pid) => pid !== bench.broker.pid) },
      postgres: postmaster ? { pid: postmaster, measure: 'pss' } : null,
    });
    let usersFailed: Error | null = null;
    const users = scriptedUsers(base, () => stopUsers || usersFailed !== null).catch((error: unknown) => {
      usersFailed = error as Error;
      return { completed: 0 };
    });
    const waitIssued = async (count: number, label: string): Promise<void> => {
      const started = performance.now();
      for (let last = -1; ; await sleep(100)) {
        const n = Number((await sql<{ n: number }>`${sql.raw(BENCH_QUERY)} SELECT count(*) AS n FROM dossiers WHERE status = 'closed' AND outcome = 'issued'`.execute(reader.db)).rows[0]?.n ?? 0);
        if (n >= count) return;
        if (usersFailed) throw usersFailed;
        if (performance.now() - started > RUN_TIMEOUT_MS) throw new Error(`${label}: only ${n} of ${count} dossiers returned after ${RUN_TIMEOUT_MS / 60000} min`);
        if (Math.floor(n / 50) > Math.floor(last / 50)) progress(`  ${label}: ${n}/${count} returned`);
        last = n;
      }
    };
    const prefix = `BENCH-${runId()}`;
    await probe?.before(reader.db);
    await postIntakes(bench, base, prefix, 0, warmup);
    await waitIssued(warmup, 'warm-up');
    await statementsSent(reader.db, true);
    cpu.start({
      api: { pid: product.children.api!.pid!, withChildren: false },
      workers: { pid: product.children.workers!.pid!, withChildren: false },
      simulators: { pid: product.children.simulators!.pid!, withChildren: false },
      bench: { pid: process.pid, withChildren: false },
      zeebe: { pid: bench.broker.pid, withChildren: false, also: bench.broker.pids.filter((pid) => pid !== bench.broker.pid) },
      // On a cluster, the first broker's JIT only.
      zeebe_jit: { pid: bench.broker.pid, withChildren: false, threads: JIT_THREADS },
      postgres: postmaster ? { pid: postmaster, withChildren: true } : null,
    });
    const started = performance.now();
    await postIntakes(bench, base, prefix, warmup, dossiers);
    await waitIssued(warmup + dossiers, 'flow');
    const seconds = secondsSince(started);
    const cpuUsed = cpu.stop();
    const statements = (await statementsSent(reader.db, false)) / dossiers;
    stopUsers = true;
    const { completed } = await users;
    await probe?.after(reader.db);
    const resent = `${intakesResent} intakes answered 503 and sent again; ${callsUnanswered} calls left without an answer and sent again`;
    progress(`  flow run ${run}: ${dossiers} dossiers in ${seconds.toFixed(1)} s (${completed} inbox tasks completed; ${resent})`);
    intakesResent = 0;
    callsUnanswered = 0;
    for (const [kind, values] of Object.entries(userCallMs)) {
      const sorted = [...values].sort((x, y) => x - y);
      progress(`    inbox ${kind}: ${values.length} calls, median ${median(values).toFixed(1)} ms, p95 ${(sorted[Math.floor(sorted.length * 0.95)] ?? 0).toFixed(1)} ms`);
      values.length = 0;
    }
    const cpuPerDossier = new Map([...cpuUsed].map(([name, ms]) => [name, ms / dossiers]));
    progress(`    per dossier: ${statements.toFixed(1)} SQL statements; CPU ms ${[...cpuPerDossier].map(([name, ms]) => `${name} ${ms.toFixed(1)}`).join(', ')}`);
    return { perSecond: dossiers / seconds, memory: memory.stop(), statements, cpu: cpuPerDossier };
  } finally {
    stopUsers = true;
    memory.stop();
    await reader.close();
    await product.stop();
    if (process.env.BENCH_FLOW_KEEP_DATABASE === '1') progress(`kept ${database.name} for inspection`);
    else await database.drop();
  }
}

// --- intake as data grows --------------------------------------------------------------------

/** The history database: HISTORY dossiers as intake and the workers leave them, written once and kept. */
async function historyDatabase(): Promise<string> {
  const history = await benchDatabase(`flow_history_${HISTORY}`, async (db) => {
    const now = (): Date => OPEN_WORK_ANCHOR;
    await seedCalendar(db, loadSeed(), { actor: 'bench', now });
    await seedDemoAccounts(db, { nodeEnv: 'development', password: PASSWORD, partnerKey: PARTNER_KEY, now });
    progress(`writing ${HISTORY} dossiers of history (once; kept)`);
    const started = performance.now();
    const calendars = await createCalendarProvider({ db, now, refreshMs: 3_600_000 }).current();
    await seedOpenWork(db, calendars, { dossiers: HISTORY, finishedStepsPerDossier: 7, receivedWithinMinutes: 200 * 480, anchor: OPEN_WORK_ANCHOR, openStepAge: 1, seed: 11 });
    await writeIntakeRecords(db);
    progress(`  written in ${secondsSince(started).toFixed(0)} s`);
  });
  return history.name;
}

/** Median latency (ms) of INTAKE_CALLS intakes, one after the other, through the API alone on `url`. */
async function intakeLatency(bench: Bench, url: string, label: string): Promise<number> {
  const product = await startProduct(url, bench.broker.env, ['api']);
  const base = product.config.PUBLIC_BASE_URL;
  const random = seededRandom(INTAKE_CALLS);
  const prefix = `BENCH-INTAKE-${runId()}`;
  const latencies: number[] = [];
  try {
    for (let i = 0; i < INTAKE_CALLS; i++) {
      const request = sampleVneidRequest({ receiptNumber: `${prefix}-${i}`, receivedAt: bench.receivedAt(), random, paperCopyByPost: false });
      const started = performance.now();
      const answer = await intake(base, request);
      latencies.push(performance.now() - started);
      if (answer.status !== 201) throw new Error(`intake (${label}): ${answer.status} ${JSON.stringify(answer.body)}`);
    }
  } finally {
    await product.stop();
  }
  // the instances wait at their first step for workers that are not running: cancel them, so
  // that the next flow measurement's workers do not find them
  const database = await connectDatabase({ DATABASE_URL: url }, { max: 2 });
  const { camunda, zeebe } = createZeebeClient(bench.config);
  try {
    const keys = await database.db.selectFrom('intakeReceipts').select('processInstanceKey').where('receiptNumber', 'like', `${prefix}-%`).execute();
    for (const { processInstanceKey } of keys) if (processInstanceKey) await zeebe.cancelProcessInstance(processInstanceKey).catch(() => undefined);
  } finally {
    await camunda.closeAllClients();
    await database.close();
  }
  const p50 = median(latencies);
  const range = `min ${Math.min(...latencies).toFixed(1)}, max ${Math.max(...latencies).toFixed(1)}`;
  progress(`  intake ${label}: median ${p50.toFixed(1)} ms over ${INTAKE_CALLS} calls (${range}; ${intakesResent} answered 503 and sent again)`);
  intakesResent = 0;
  return p50;
}

/** The intake median on an empty database and on the history's copy; the empty one first in odd runs. */
async function measureIntakeGrowth(bench: Bench, run: number, history: string): Promise<{ empty: number; full: number }> {
  const empty = await runDatabase('intake_empty');
  const full = await runDatabase('intake_full', history);
  try {
    const measureEmpty = (): Promise<number> => intakeLatency(bench, empty.url, 'on an empty database');
    const measureFull = (): Promise<number> => intakeLatency(bench, full.url, `with ${HISTORY} dossiers stored`);
    if (run % 2 === 1) {
      const e = await measureEmpty();
      return { empty: e, full: await measureFull() };
    }
    const f = await measureFull();
    return { empty: await measureEmpty(), full: f };
  } finally {
    await empty.drop();
    await full.drop();
  }
}

// --- main ----------------------------------------------------------------------------------

interface Results {
  flow: number[];
  ceiling: number[];
  ratio: number[];
  intakeEmpty: number[];
  intakeFull: number[];
  growth: number[];
  memory: Map<string, number[]>;
  statements: number[];
  cpu: Map<string, number[]>;
}

/** One run: the ceiling and the flow (ceiling first in odd runs), then the intake medians. */
async function oneRun(bench: Bench, models: CeilingModels, history: string, run: number, results: Results): Promise<void> {
  const ceilingOptions = { warmup: WARMUP, dossiers: DOSSIERS, concurrency: CONCURRENCY, timeoutMs: RUN_TIMEOUT_MS, agencyCode: bench.config.AGENCY_CODE, receivedAt: () => bench.receivedAt() };
  let ceiling = run % 2 === 1 ? await measureCeiling(bench.config, models, ceilingOptions, run) : 0;
  const flow = await measureFlow(bench, run);
  if (run % 2 === 0) ceiling = await measureCeiling(bench.config, models, ceilingOptions, run);
  results.ceiling.push(ceiling);
  results.flow.push(flow.perSecond);
  results.ratio.push(flow.perSecond / ceiling);
  for (const [name, mb] of flow.memory) results.memory.set(name, [...(results.memory.get(name) ?? []), mb]);
  results.statements.push(flow.statements);
  for (const [name, ms] of flow.cpu) results.cpu.set(name, [...(results.cpu.get(name) ?? []), ms]);
  progress(`run ${run}: flow ${flow.perSecond.toFixed(2)}/s, ceiling ${ceiling.toFixed(2)}/s, ratio ${(flow.perSecond / ceiling).toFixed(3)} (${run % 2 === 1 ? 'ceiling' : 'flow'} first)`);
  const growth = await measureIntakeGrowth(bench, run, history);
  results.intakeEmpty.push(growth.empty);
  results.intakeFull.push(growth.full);
  results.growth.push(growth.full / growth.empty);
}

function emitResults(results: Results): void {
  const out = figureOutput(FIGURES);
  out.series('flow.dossiers_per_s', results.flow, 'dossiers/s');
  out.series('flow.noop_ceiling_per_s', results.ceiling, 'dossiers/s');
  out.series('flow.ratio_to_ceiling', results.ratio, 'ratio');
  out.series('flow.intake_p50_ms_empty', results.intakeEmpty, 'ms');
  out.series('flow.intake_p50_ms_100k', results.intakeFull, 'ms');
  out.series('flow.intake_growth', results.growth, 'ratio');
  for (const name of MEMORY) {
    const values = results.memory.get(name) ?? [];
    if (name === 'postgres') out.series('flow.pss_mb.postgres', values, 'MB');
    else out.series(`flow.rss_mb.${name}`, values, 'MB');
  }
  out.series('flow.sql_statements_per_dossier', results.statements, 'statements');
  for (const name of MEMORY) out.series(`flow.cpu_ms_per_dossier.${name}`, results.cpu.get(name) ?? [], 'ms');
  out.series('flow.cpu_ms_per_dossier.zeebe_jit', results.cpu.get('zeebe_jit') ?? [], 'ms');
}

/**
 * The bench's broker made ready for the product: its clock read (receipts are stamped on it), the
 * product's models deployed; returns the bench and the ids of the models in force.
 */
export async function prepareBench(broker: OwnBroker): Promise<{ bench: Bench; ids: { nationalProcessId: string; internalProcessId: string } }> {
  const config = loadConfig({ ...process.env, ...broker.env, LOG_LEVEL: 'warn' });
  const brokerAtMs = await new BrokerClock(broker.env.ZEEBE_MANAGEMENT_URL).nowMs();
  const readAt = performance.now();
  const bench: Bench = { broker, config, receivedAt: () => formatInstant(brokerAtMs + performance.now() - readAt) };
  const catalog = await loadProcessCatalog();
  const ids = catalog.processesFor(config.AGENCY_CODE, new Date(brokerAtMs));
  const { camunda, zeebe } = createZeebeClient(config);
  try {
    await deployProcesses(zeebe, benchLogger());
  } finally {
    await camunda.closeAllClients();
  }
  return { bench, ids };
}

async function main(): Promise<void> {
  await withStack('bench:flow', ['postgres'], () =>
    withOwnBroker('flow', async (broker) => {
      const { bench, ids } = await prepareBench(broker);
      const { camunda, zeebe } = createZeebeClient(bench.config);
      let models: CeilingModels;
      try {
        models = await deployCeilingModels(zeebe, { national: ids.nationalProcessId, internal: ids.internalProcessId }, runId());
      } finally {
        await camunda.closeAllClients();
      }
      const history = await historyDatabase();
      progress(`${RUNS} run(s) of ${DOSSIERS} dossiers (after ${WARMUP} for warm-up), ${ids.nationalProcessId} → ${ids.internalProcessId}; ceiling on ${models.national}`);
      const results: Results = { flow: [], ceiling: [], ratio: [], intakeEmpty: [], intakeFull: [], growth: [], memory: new Map(), statements: [], cpu: new Map() };
      for (let run = 1; run <= RUNS; run++) await oneRun(bench, models, history, run, results);
      emitResults(results);
    }, BROKERS),
  );
}

runBench('bench:flow', module, main);
