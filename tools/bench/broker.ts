/**
 * A Zeebe broker of the benchmark's own, for the benches that run the product's job workers
 * (bench:flow, bench:alerts, bench:db, bench:dashboard's API): the local stack's Zeebe
 * distribution with the stack's settings (tools/stack/stack.sh, start_zeebe: one partition, 2 CPU
 * and 2 I/O threads, heap capped at 768 MB, controlled clock), on free ports, with an empty data
 * folder that is deleted when the broker stops.
 *
 * Why not the stack's broker: the product's job workers take every job of their types from the
 * broker they poll, so on a shared broker they would take the jobs of whatever else runs there
 * (tests, another bench) and lose theirs to it; bench:alerts moves the broker's controlled clock,
 * which would move everyone's. A broker of its own also guarantees that nothing else runs on it
 * while bench:flow measures the broker's ceiling.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { loadConfig } from '../../server/config';
import { createZeebeClient } from '../../server/zeebe';
import { progressOf, RUN_DIR, runId, secondsSince } from './support';

const repo = path.resolve(__dirname, '../..');
const ZEEBE_VERSION = process.env.LLTP_ZEEBE_VERSION ?? '8.5.8';
const START_TIMEOUT_MS = 180_000;

export interface OwnBroker {
  /** For the product's configuration: ZEEBE_GRPC_ADDRESS and ZEEBE_MANAGEMENT_URL. */
  env: { ZEEBE_GRPC_ADDRESS: string; ZEEBE_MANAGEMENT_URL: string };
  /** The broker's JVM (its own process group). */
  pid: number;
  stop(): Promise<void>;
}

/** A JDK 21+, looked for where stack.sh looks: LLTP_JAVA_HOME, JAVA_HOME, the default java, /usr/lib/jvm/*. */
function findJava21(): string {
  const candidates = [process.env.LLTP_JAVA_HOME, process.env.JAVA_HOME];
  const onPath = spawnSync('bash', ['-c', 'readlink -f "$(command -v java)"'], { encoding: 'utf8' }).stdout.trim();
  if (onPath) candidates.push(path.dirname(path.dirname(onPath)));
  const jvms = '/usr/lib/jvm';
  if (existsSync(jvms)) candidates.push(...readdirSync(jvms).map((d) => path.join(jvms, d)));
  for (const home of candidates) {
    if (!home || !existsSync(path.join(home, 'bin/java'))) continue;
    const version = spawnSync(path.join(home, 'bin/java'), ['-version'], { encoding: 'utf8' }).stderr;
    if (Number(/version "(\d+)/.exec(version)?.[1] ?? 0) >= 21) return home;
  }
  throw new Error(`no JDK 21+ found for the benchmark's broker (Zeebe ${ZEEBE_VERSION} needs Java 21): set LLTP_JAVA_HOME`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Ports {
  gateway: number;
  command: number;
  internal: number;
  management: number;
  rest: number;
}

/** The broker's settings: stack.sh's, on `ports`, its data in `data`. */
function brokerEnvironment(ports: Ports, data: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    JAVA_HOME: findJava21(),
    JAVA_OPTS: '-Xms128m -Xmx768m -XX:+UseSerialGC -XX:MaxDirectMemorySize=256m',
    ZEEBE_BROKER_NETWORK_HOST: '127.0.0.1',
    ZEEBE_BROKER_NETWORK_COMMANDAPI_PORT: String(ports.command),
    ZEEBE_BROKER_NETWORK_INTERNALAPI_PORT: String(ports.internal),
    ZEEBE_BROKER_GATEWAY_ENABLE: 'true',
    ZEEBE_BROKER_GATEWAY_NETWORK_HOST: '127.0.0.1',
    ZEEBE_BROKER_GATEWAY_NETWORK_PORT: String(ports.gateway),
    ZEEBE_BROKER_CLUSTER_PARTITIONSCOUNT: '1',
    ZEEBE_BROKER_CLUSTER_REPLICATIONFACTOR: '1',
    ZEEBE_BROKER_CLUSTER_CLUSTERSIZE: '1',
    ZEEBE_BROKER_THREADS_CPUTHREADCOUNT: '2',
    ZEEBE_BROKER_THREADS_IOTHREADCOUNT: '2',
    ZEEBE_BROKER_DATA_DIRECTORY: data,
    ZEEBE_BROKER_DATA_DISK_FREESPACE_PROCESSING: '256MB',
    ZEEBE_BROKER_DATA_DISK_FREESPACE_REPLICATION: '128MB',
    ZEEBE_BROKER_DATA_SNAPSHOTPERIOD: '5m',
    ZEEBE_CLOCK_CONTROLLED: 'true',
    SERVER_ADDRESS: '127.0.0.1',
    SERVER_PORT: String(ports.rest),
    MANAGEMENT_SERVER_ADDRESS: '127.0.0.1',
    MANAGEMENT_SERVER_PORT: String(ports.management),
  };
}

async function waitHealthy(managementUrl: string, child: ChildProcess, log: string): Promise<void> {
  const started = performance.now();
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the benchmark's broker exited during start-up (see ${log})`);
    const health = fetch(`${managementUrl}/actuator/health`, { signal: AbortSignal.timeout(2000) });
    if (await health.then((r) => r.ok, () => false)) return;
    if (performance.now() - started > START_TIMEOUT_MS) {
      throw new Error(`the benchmark's broker is not healthy after ${START_TIMEOUT_MS / 1000} s (see ${log})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * Waits until the broker processes commands at speed (five message publications in a row, each
 * within a second): a broker just started takes its first commands slowly, and the product's
 * first intakes would be answered 503.
 */
async function waitProcessing(address: string): Promise<void> {
  const config = { ...loadConfig({ ...process.env, ZEEBE_GRPC_ADDRESS: address }), LOG_LEVEL: 'silent' as const };
  const { camunda, zeebe } = createZeebeClient(config, { retries: 0 });
  const started = performance.now();
  try {
    for (let streak = 0, n = 0; streak < 5; n++) {
      if (performance.now() - started > START_TIMEOUT_MS) throw new Error(`the benchmark's broker at ${address} does not process commands`);
      const sent = performance.now();
      const message = { name: 'lltp.bench.warm-up', correlationKey: `warm-up-${n}`, timeToLive: 0, variables: {} };
      const published = await zeebe.publishMessage(message).then(() => true, () => false);
      streak = published && performance.now() - sent < 1000 ? streak + 1 : 0;
    }
  } finally {
    await camunda.closeAllClients();
  }
}

/** Starts a broker of the benchmark's own; resolves when it processes commands (10–20 s on 2 cores). */
export async function startOwnBroker(tag: string): Promise<OwnBroker> {
  const home = path.join(process.env.LLTP_CACHE_DIR ?? path.join(repo, '.cache'), 'zeebe', `camunda-zeebe-${ZEEBE_VERSION}`);
  if (!existsSync(path.join(home, 'bin/broker'))) {
    throw new Error(`${home}/bin/broker is missing: run \`bash tools/stack/stack.sh install\` (with the same LLTP_CACHE_DIR)`);
  }
  const ports: Ports = { gateway: await freePort(), command: await freePort(), internal: await freePort(), management: await freePort(), rest: await freePort() };
  const data = path.join(RUN_DIR, `bench-zeebe-${runId()}`);
  mkdirSync(data, { recursive: true });
  mkdirSync(path.join(RUN_DIR, 'logs'), { recursive: true });
  const log = path.join(RUN_DIR, 'logs', `bench-zeebe-${tag}.log`);
  const fd = openSync(log, 'w');
  const child = spawn(path.join(home, 'bin/broker'), [], { detached: true, stdio: ['ignore', fd, fd], env: brokerEnvironment(ports, data) });
  closeSync(fd);
  const pid = child.pid as number;
  // if the bench dies, its broker dies with it (and its data go)
  const kill = (): void => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(data, { recursive: true, force: true });
  };
  process.once('exit', kill);
  const stop = async (): Promise<void> => {
    process.removeListener('exit', kill);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      process.kill(-pid, 'SIGTERM');
      const timer = setTimeout(() => process.kill(-pid, 'SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(data, { recursive: true, force: true });
  };
  const env = { ZEEBE_GRPC_ADDRESS: `grpc://127.0.0.1:${ports.gateway}`, ZEEBE_MANAGEMENT_URL: `http://127.0.0.1:${ports.management}` };
  try {
    await waitHealthy(env.ZEEBE_MANAGEMENT_URL, child, log);
    await waitProcessing(env.ZEEBE_GRPC_ADDRESS);
  } catch (error) {
    await stop();
    throw error;
  }
  return { env, pid, stop };
}

/** Runs `work` with a broker of the benchmark's own, stopped (and its data deleted) afterwards. */
export async function withOwnBroker<T>(tag: string, work: (broker: OwnBroker) => Promise<T>): Promise<T> {
  const started = performance.now();
  const broker = await startOwnBroker(tag);
  progressOf(`bench:${tag}`)(`a broker of its own at ${broker.env.ZEEBE_GRPC_ADDRESS} (ready in ${secondsSince(started).toFixed(1)} s)`);
  try {
    return await work(broker);
  } finally {
    await broker.stop();
  }
}
