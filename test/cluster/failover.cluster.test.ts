/**
 * The cluster fault suite (`npm run test:cluster`, tools/cluster-test.sh): on a stack of its own
 * (LLTP_PORT_OFFSET, its own run folder) with three Zeebe brokers (3 partitions, replication
 * factor 3) and PostgreSQL as a Patroni pair behind HAProxy (LLTP_PG_HA=1), two API replicas and
 * two worker processes, under a bounded load of intakes and inbox work, each fault in turn is a
 * kill -9: the PostgreSQL primary (Patroni promotes the synchronous standby), the leader of a
 * Zeebe partition, then a follower, one API replica, one worker process. Nobody restarts the
 * killed part before the system works again: the fault is survived, not repaired. Then the part
 * comes back (the old primary as a standby) before the next fault.
 *
 * Printed per fault, one JSON line each: `cluster.<fault>.lost`, `.duplicates`, `.non_503_errors`
 * (HTTP answers other than 2xx and 503), `.recovery_s` (kill to a new intake accepted and at its
 * first human step), `.longest_503_s` (first to last 503 of the phase), `.max_503_ms` (slowest
 * 503 answer), `.no_answer` (calls a killed replica left without answer, sent again to the other).
 * Targets: 0 lost, 0 duplicates, only 2xx/503, recovery ≤ 30 s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { deployProcesses } from '../../processes/deploy';
import { seedDemoAccounts } from '../../server/auth/seed';
import { formatInstant } from '../../server/calendar/civil-time';
import { loadConfig, type Config } from '../../server/config';
import { requireStack } from '../../server/health';
import { createLogger } from '../../server/logger';
import { processesDirOf } from '../../server/sla';
import { createZeebeClient } from '../../server/zeebe';
import { sampleVneidRequest, seededRandom } from '../../tools/simulators/sample-requests';
import { simulatorUrls, startSimulators, type RunningSimulators } from '../../tools/simulators/main';
import { suiteBrokerEnv, suiteClockEnv } from '../support/broker-clock';
import { monotonicMs, testClock, testNowMs } from '../support/clock';
import { offsetDossierCounters } from '../support/counters';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { audit, call, emitter, Load, PARTNER, PASSWORD, until } from '../support/fault-load';
import { uniqueId } from '../support/unique';

jest.setTimeout(20 * 60_000);

const REPO = path.resolve(__dirname, '../..');
const STACK = path.join(REPO, 'tools/stack/stack.sh');
const ARTIFACTS = path.join(REPO, '.cache/test-artifacts');
const PORT_OFFSET = Number(process.env.LLTP_PORT_OFFSET ?? 0);
const SIMULATOR_PORT = 47700;
const API_PORTS = [47761, 47762];
const emit = emitter(REPO, 'cluster.jsonl');
const log = (entry: object): void => appendFileSync(path.join(ARTIFACTS, 'cluster-answers.jsonl'), `${JSON.stringify(entry)}\n`);

let testDb: TestDatabase;
let config: Config;
let sims: RunningSimulators;
const apis: (ChildProcess | undefined)[] = [];
const workers: (ChildProcess | undefined)[] = [];
let monitor: ChildProcess | undefined;

/** Runs stack.sh without blocking the load; a broker it starts runs on the suite's clock. */
function stack(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [STACK, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...suiteBrokerEnv() } });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`stack.sh ${args.join(' ')} failed (${String(code)}): ${output}`))));
  });
}

/** The line each role logs once it works (server/main.ts). */
const READY: Record<'api' | 'workers' | 'monitor', string> = { api: '"API listening"', workers: '"workers polling"', monitor: '"SLA monitor scheduled"' };

/**
 * An app role as its own process, on the suite's clock, logging to the artifacts folder; ready
 * once it logged that it works (a role that cannot reach a component at start stops, as it should).
 */
async function startRole(role: 'api' | 'workers' | 'monitor', name: string, extraEnv: Record<string, string>): Promise<ChildProcess> {
  const out = createWriteStream(path.join(ARTIFACTS, `cluster-${name}.log`), { flags: 'a' });
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', role], {
    cwd: REPO,
    env: {
      ...process.env,
      ...simulatorUrls(SIMULATOR_PORT),
      DATABASE_URL: testDb.url,
      DATABASE_POOL_MAX: '10',
      LOG_LEVEL: 'info',
      NODE_ENV: 'test',
      PUBLIC_BASE_URL: apiUrl(0),
      DEMO_PASSWORD: PASSWORD,
      DEMO_PARTNER_KEY: PARTNER['x-api-key'],
      ...suiteClockEnv(),
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer): void => {
      seen = (seen + chunk.toString()).slice(-4096);
      if (!seen.includes(READY[role])) return;
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      resolve();
    };
    const onExit = (code: number | null): void => reject(new Error(`${name} stopped while starting (${String(code)}): see ${ARTIFACTS}/cluster-${name}.log`));
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
  return child;
}

const apiUrl = (i: number): string => `http://127.0.0.1:${API_PORTS[i]!}`;

async function startApi(i: number): Promise<void> {
  // a replica left by a killed run would take this one's requests
  const held = await fetch(`${apiUrl(i)}/healthz`).then(() => true, () => false);
  if (held) throw new Error(`port ${API_PORTS[i]!} is held by another process (an API left by an earlier run?): ss -ltnp | grep ${API_PORTS[i]!}`);
  apis[i] = await startRole('api', `api-${i}`, { HTTP_PORT: String(API_PORTS[i]) });
}

async function startWorker(i: number): Promise<void> {
  workers[i] = await startRole('workers', `workers-${i}`, { WORKER_JOB_TIMEOUT_MS: '8000', WORKER_LONG_POLL_MS: '5000', WORKER_RETRY_BACKOFF_MS: '500' });
}

/** Each broker's partitions and its role in each (the brokers' management ports, stack.sh). */
async function brokerRoles(): Promise<{ broker: number; partition: string; role: string }[]> {
  const roles: { broker: number; partition: string; role: string }[] = [];
  for (const broker of [0, 1, 2]) {
    const response = await fetch(`http://127.0.0.1:${9610 + PORT_OFFSET + broker}/actuator/partitions`, { signal: AbortSignal.timeout(2000) }).catch(() => null);
    if (!response?.ok) continue;
    const partitions = (await response.json()) as Record<string, { role?: string }>;
    for (const [partition, state] of Object.entries(partitions)) roles.push({ broker, partition, role: String(state.role).toLowerCase() });
  }
  return roles;
}

/** The broker leading partition 1, or a broker following it and leading none (the other fault). */
async function pickBroker(role: 'leader' | 'follower'): Promise<number> {
  const roles = await brokerRoles();
  const leaders = new Set(roles.filter((r) => r.role === 'leader').map((r) => r.broker));
  const ofPartition1 = roles.filter((r) => r.partition === '1' && r.role === role).map((r) => r.broker);
  const pick = role === 'follower' ? (ofPartition1.find((b) => !leaders.has(b)) ?? ofPartition1[0]) : ofPartition1[0];
  if (pick === undefined) throw new Error(`no ${role} of partition 1 in ${JSON.stringify(roles)}`);
  return pick;
}

async function primaryNode(): Promise<string> {
  for (const node of [0, 1]) {
    const response = await fetch(`http://127.0.0.1:${8008 + PORT_OFFSET + node}/primary`, { signal: AbortSignal.timeout(2000) }).catch(() => null);
    if (response?.status === 200) return `pg-${node}`;
  }
  throw new Error('no PostgreSQL node is primary');
}

async function syncStandbyStreaming(): Promise<boolean> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_replication WHERE sync_state = 'sync' AND state = 'streaming'`.execute(testDb.database.db);
  return rows[0]?.n === 1;
}

async function cleanlyRunning(): Promise<boolean> {
  const roles = await brokerRoles();
  return roles.filter((r) => r.role === 'leader').length === 3 && (await syncStandbyStreaming()) && apis.every((a) => a?.exitCode === null) && workers.every((w) => w?.exitCode === null);
}

interface Fault {
  /** kill -9 the part; answers what to bring back afterwards. */
  kill(): Promise<() => Promise<void>>;
}

const faults: Record<string, Fault> = {
  postgres_primary: {
    async kill() {
      const node = await primaryNode();
      await stack('kill', node);
      return async () => {
        await stack('start', node);
        await until('the old primary back as the synchronous standby', syncStandbyStreaming, 180_000);
      };
    },
  },
  zeebe_leader: {
    async kill() {
      const broker = await pickBroker('leader');
      await stack('kill', `zeebe-${broker}`);
      return () => stack('start', `zeebe-${broker}`).then(() => undefined);
    },
  },
  zeebe_follower: {
    async kill() {
      const broker = await pickBroker('follower');
      await stack('kill', `zeebe-${broker}`);
      return () => stack('start', `zeebe-${broker}`).then(() => undefined);
    },
  },
  api_replica: {
    kill() {
      apis[1]?.kill('SIGKILL');
      return Promise.resolve(() => startApi(1));
    },
  },
  worker_process: {
    kill() {
      workers[1]?.kill('SIGKILL');
      return Promise.resolve(() => startWorker(1));
    },
  },
};

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  await requireStack(loadConfig(process.env));
  testDb = await createTestDatabase('cluster');
  config = loadConfig({ ...process.env, DATABASE_URL: testDb.url, NODE_ENV: 'test', SIM_POLICE_MS_PER_WORKING_HOUR: '100', PUBLIC_BASE_URL: apiUrl(0), ...simulatorUrls(SIMULATOR_PORT) });
  const logger = createLogger({ level: 'silent' });
  const { camunda, zeebe } = createZeebeClient(config);
  await deployProcesses(zeebe, logger, { dir: processesDirOf(config) });
  await camunda.closeAllClients();
  await offsetDossierCounters(testDb.database.db);
  await seedDemoAccounts(testDb.database.db, { nodeEnv: config.NODE_ENV, password: PASSWORD, partnerKey: PARTNER['x-api-key'], now: testClock() });
  sims = await startSimulators(config, { now: testClock() });
  await Promise.all([startApi(0), startApi(1), startWorker(0), startWorker(1)]);
  monitor = await startRole('monitor', 'monitor', { MONITOR_CRON: '*/5 * * * * *' });
  await until('the stack cleanly running', cleanlyRunning, 180_000);
}, 400_000);

afterAll(async () => {
  for (const child of [...apis, ...workers, monitor]) child?.kill('SIGKILL');
  await sims?.close().catch(() => undefined);
  await testDb?.drop().catch(() => undefined);
});

/** Whether the database is up by an API replica's /readyz, once a second, until stopped. */
function sampleReadiness(i: number): { samples: { at: number; databaseUp: boolean }[]; stop(): void } {
  const samples: { at: number; databaseUp: boolean }[] = [];
  const timer = setInterval(() => {
    void fetch(`${apiUrl(i)}/readyz`, { signal: AbortSignal.timeout(3000) })
      .then(async (response) => (await response.json()) as { components: { component: string; ok: boolean }[] })
      .then((body) => samples.push({ at: monotonicMs(), databaseUp: body.components.some((c) => c.component === 'PostgreSQL' && c.ok) }))
      .catch(() => undefined);
  }, 1000);
  return { samples, stop: () => clearInterval(timer) };
}

/** The system works: a new intake is accepted through the replicas and reaches its first human step. */
async function working(name: string): Promise<void> {
  const body = sampleVneidRequest({ receiptNumber: `BN-CLP-${name.slice(0, 8)}-${uniqueId()}`, receivedAt: formatInstant(testNowMs()), random: seededRandom(1) });
  let code = '';
  await until('a probe intake accepted', async () => {
    for (const i of [0, 1]) {
      const answer = await call(apiUrl(i), 'POST', '/api/intake/vneid', body, PARTNER);
      code = typeof answer.body.dossierCode === 'string' ? answer.body.dossierCode : '';
      if (answer.status === 200 || answer.status === 201) return true;
    }
    return false;
  }, 120_000);
  await until('the probe dossier at its first human step', async () => Boolean(await testDb.database.db.selectFrom('tasks').select('id').where('dossierCode', '=', code).executeTakeFirst()), 120_000);
}

test.each(Object.keys(faults).map((name) => [name]))('kill -9 %s under load: nothing lost, nothing doubled, only 2xx/503, working again within 30 s', async (name) => {
  await until('the stack cleanly running before the fault', cleanlyRunning, 180_000);
  const load = new Load(name, () => API_PORTS.map((_, i) => apiUrl(i)));
  const progress = setInterval(() => log({ fault: name, at: Math.round(monotonicMs()), accepted: load.accepted.size, answers: Object.fromEntries(load.tally) }), 5000);
  const readiness = sampleReadiness(0);
  await load.start();
  let killedAt = 0;
  let recoverySeconds = Infinity;
  let bringBack: (() => Promise<void>) | undefined;
  try {
    await new Promise((resolve) => setTimeout(resolve, 4000));
    killedAt = monotonicMs();
    bringBack = await faults[name]!.kill();
    await working(name);
    recoverySeconds = (monotonicMs() - killedAt) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 3000));
  } finally {
    readiness.stop();
    clearInterval(progress);
    await load.stop();
    await bringBack?.();
  }
  const after = load.answers.filter((a) => a.at >= killedAt);
  const refused = after.filter((a) => a.status === 503);
  const non503 = after.filter((a) => a.status !== 0 && a.status !== 503 && !(a.status >= 200 && a.status < 300));
  const { lost, duplicates } = await audit(testDb.database.db, load, (entry) => log({ fault: name, ...entry }));
  log({ fault: name, non503, slowest503: [...refused].sort((a, b) => b.ms - a.ms).slice(0, 5) });
  const longest503 = refused.length === 0 ? 0 : (refused.at(-1)!.at - refused[0]!.at) / 1000;
  emit(`cluster.${name}.lost`, lost);
  emit(`cluster.${name}.duplicates`, duplicates);
  emit(`cluster.${name}.non_503_errors`, non503.length);
  emit(`cluster.${name}.recovery_s`, Math.round(recoverySeconds * 10) / 10);
  emit(`cluster.${name}.longest_503_s`, Math.round(longest503 * 10) / 10);
  emit(`cluster.${name}.max_503_ms`, Math.round(Math.max(0, ...refused.map((a) => a.ms))));
  emit(`cluster.${name}.no_answer`, after.filter((a) => a.status === 0).length);
  emit(`cluster.${name}.requests`, load.answers.length);
  expect({ lost, duplicates, non503: non503.map((a) => `${a.path} ${a.status}`) }).toEqual({ lost: 0, duplicates: 0, non503: [] });
  expect(recoverySeconds).toBeLessThanOrEqual(30);
  if (name === 'postgres_primary') {
    // /readyz said the database was down while no node was primary, and up again once one was
    const afterKill = readiness.samples.filter((s) => s.at >= killedAt);
    emit(`cluster.${name}.readyz_database_down_samples`, afterKill.filter((s) => !s.databaseUp).length);
    expect({ sawDown: afterKill.some((s) => !s.databaseUp), upAtEnd: afterKill.at(-1)?.databaseUp }).toEqual({ sawDown: true, upAtEnd: true });
  }
});
