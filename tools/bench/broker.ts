/**
 * A Zeebe broker of the benchmark's own, for the benches that run the product's job workers
 * (bench:flow, bench:alerts, bench:db, bench:dashboard's API): the local stack's Zeebe
 * distribution with the stack's settings (tools/stack/stack.sh, start_zeebe: one partition, 2 CPU
 * and 2 I/O threads, heap capped at 768 MB, controlled clock), on free ports, with an empty data
 * folder that is deleted when the broker stops.
 *
 * Or, for bench:flow with BENCH_FLOW_BROKERS=3 (`withOwnBroker(tag, work, 3)`), a cluster of its
 * own as `LLTP_ZEEBE_BROKERS=3 npm run stack:up` runs it: three brokers with stack.sh's settings
 * each, cluster size 3, 3 partitions, replication factor 3, a standalone gateway (heap 256 MB) and
 * tools/stack/zeebe-mgmt.cjs as its management address, every port free, every data folder
 * deleted afterwards; the bench then counts CPU and memory over the brokers and the gateway.
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
  /** The broker's JVM (its own process group); in a cluster, broker 0's. */
  pid: number;
  /** Every JVM: the broker, or a cluster's brokers and its gateway (CPU and memory are counted over them). */
  pids: readonly number[];
  /** 1, or the cluster's size. */
  brokers: number;
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
  command: number;
  internal: number;
  management: number;
  rest: number;
}

/** Settings every broker shares, the one broker's or a cluster's: stack.sh's (launch_broker), its data in `data`. */
function sharedBrokerEnvironment(ports: Ports, data: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    JAVA_HOME: findJava21(),
    JAVA_OPTS: '-Xms128m -Xmx768m -XX:+UseSerialGC -XX:MaxDirectMemorySize=256m',
    ZEEBE_BROKER_NETWORK_HOST: '127.0.0.1',
    ZEEBE_BROKER_NETWORK_COMMANDAPI_PORT: String(ports.command),
    ZEEBE_BROKER_NETWORK_INTERNALAPI_PORT: String(ports.internal),
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

/** The one broker (stack.sh's start_zeebe): one partition, replication factor 1, its gateway embedded on `gateway`. */
function singleBrokerEnvironment(ports: Ports, gateway: number, data: string): NodeJS.ProcessEnv {
  return {
    ...sharedBrokerEnvironment(ports, data),
    ZEEBE_BROKER_GATEWAY_ENABLE: 'true',
    ZEEBE_BROKER_GATEWAY_NETWORK_HOST: '127.0.0.1',
    ZEEBE_BROKER_GATEWAY_NETWORK_PORT: String(gateway),
    ZEEBE_BROKER_CLUSTER_PARTITIONSCOUNT: '1',
    ZEEBE_BROKER_CLUSTER_REPLICATIONFACTOR: '1',
    ZEEBE_BROKER_CLUSTER_CLUSTERSIZE: '1',
  };
}

/** The cluster's settings, shared by its brokers and its gateway. */
interface ClusterShape {
  name: string;
  size: number;
  /** Every broker's internal (cluster) address. */
  contacts: string;
}

/**
 * Broker `node` of a cluster (stack.sh's start_broker): as many partitions as brokers, replication
 * factor up to 3, no gateway of its own.
 */
function clusterBrokerEnvironment(ports: Ports, cluster: ClusterShape, node: number, data: string): NodeJS.ProcessEnv {
  return {
    ...sharedBrokerEnvironment(ports, data),
    ZEEBE_BROKER_GATEWAY_ENABLE: 'false',
    ZEEBE_BROKER_CLUSTER_CLUSTERNAME: cluster.name,
    ZEEBE_BROKER_CLUSTER_NODEID: String(node),
    ZEEBE_BROKER_CLUSTER_INITIALCONTACTPOINTS: cluster.contacts,
    ZEEBE_BROKER_CLUSTER_PARTITIONSCOUNT: String(cluster.size),
    ZEEBE_BROKER_CLUSTER_REPLICATIONFACTOR: String(Math.min(cluster.size, 3)),
    ZEEBE_BROKER_CLUSTER_CLUSTERSIZE: String(cluster.size),
  };
}

/** The cluster's standalone gateway (stack.sh's start_gateway): heap 256 MB, gRPC on `grpc`. */
function gatewayEnvironment(cluster: ClusterShape, grpc: number, ports: Omit<Ports, 'command'>): NodeJS.ProcessEnv {
  return {
    ...process.env,
    JAVA_HOME: findJava21(),
    JAVA_OPTS: '-Xms64m -Xmx256m -XX:+UseSerialGC -XX:MaxDirectMemorySize=128m',
    ZEEBE_GATEWAY_NETWORK_HOST: '127.0.0.1',
    ZEEBE_GATEWAY_NETWORK_PORT: String(grpc),
    ZEEBE_GATEWAY_CLUSTER_CLUSTERNAME: cluster.name,
    ZEEBE_GATEWAY_CLUSTER_MEMBERID: 'gateway',
    ZEEBE_GATEWAY_CLUSTER_HOST: '127.0.0.1',
    ZEEBE_GATEWAY_CLUSTER_PORT: String(ports.internal),
    ZEEBE_GATEWAY_CLUSTER_INITIALCONTACTPOINTS: cluster.contacts,
    ZEEBE_GATEWAY_THREADS_MANAGEMENTTHREADS: '1',
    SERVER_ADDRESS: '127.0.0.1',
    SERVER_PORT: String(ports.rest),
    MANAGEMENT_SERVER_ADDRESS: '127.0.0.1',
    MANAGEMENT_SERVER_PORT: String(ports.management),
  };
}

async function brokerPorts(): Promise<Ports> {
  const [command, internal] = [await freePort(), await freePort()];
  const [management, rest] = [await freePort(), await freePort()];
  return { command, internal, management, rest };
}

/** A process of the broker (or cluster): its own process group, its output in `log`. */
interface Launched {
  child: ChildProcess;
  pid: number;
  log: string;
}

function launch(tag: string, name: string, command: string, args: string[], env: NodeJS.ProcessEnv): Launched {
  mkdirSync(path.join(RUN_DIR, 'logs'), { recursive: true });
  const log = path.join(RUN_DIR, 'logs', `bench-${name}-${tag}.log`);
  const fd = openSync(log, 'w');
  const child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd], env });
  closeSync(fd);
  return { child, pid: child.pid as number, log };
}

const exited = (p: Launched): boolean => p.child.exitCode !== null || p.child.signalCode !== null;

async function waitHealthy(managementUrl: string, launched: Launched): Promise<void> {
  const started = performance.now();
  for (;;) {
    if (exited(launched)) throw new Error(`the benchmark's broker exited during start-up (see ${launched.log})`);
    const health = fetch(`${managementUrl}/actuator/health`, { signal: AbortSignal.timeout(2000) });
    if (await health.then((r) => r.ok, () => false)) return;
    if (performance.now() - started > START_TIMEOUT_MS) {
      throw new Error(`the benchmark's broker is not healthy after ${START_TIMEOUT_MS / 1000} s (see ${launched.log})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Partitions that have a leader, read from every broker's `/actuator/partitions`. */
async function partitionsLed(managementPorts: readonly number[]): Promise<number> {
  const led = new Set<string>();
  for (const port of managementPorts) {
    type Roles = Record<string, { role?: string }>;
    const url = `http://127.0.0.1:${port}/actuator/partitions`;
    const reply: Roles = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      (r) => (r.ok ? (r.json() as Promise<Roles>) : {}),
      () => ({}),
    );
    for (const [partition, state] of Object.entries(reply)) {
      if (String(state.role).toLowerCase() === 'leader') led.add(partition);
    }
  }
  return led.size;
}

/** Waits until every partition of the cluster has a leader (stack.sh's cluster_healthy). */
async function waitLeaders(
  managementPorts: readonly number[],
  partitions: number,
  launched: readonly Launched[],
): Promise<void> {
  const started = performance.now();
  while ((await partitionsLed(managementPorts)) < partitions) {
    const dead = launched.find(exited);
    if (dead) throw new Error(`a process of the benchmark's cluster exited during start-up (see ${dead.log})`);
    if (performance.now() - started > START_TIMEOUT_MS) {
      throw new Error(`the benchmark's cluster has no leader for every partition after ${START_TIMEOUT_MS / 1000} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/**
 * Waits until the broker processes commands at speed (five message publications in a row, each
 * within a second): a broker just started takes its first commands slowly, and the product's
 * first intakes would be answered 503. In a cluster the correlation keys differ, so the
 * publications go to every partition.
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

/**
 * Stops every launched process (SIGTERM, SIGKILL after 15 s) and deletes the data folders; if the
 * bench dies first, they are killed and deleted when it exits.
 */
function stopperOf(launched: readonly Launched[], data: readonly string[]): { stop: () => Promise<void> } {
  const signal = (p: Launched, name: NodeJS.Signals): void => {
    try {
      process.kill(-p.pid, name);
    } catch {
      // already gone
    }
  };
  const removeData = (): void => data.forEach((d) => rmSync(d, { recursive: true, force: true }));
  const kill = (): void => {
    launched.forEach((p) => signal(p, 'SIGKILL'));
    removeData();
  };
  process.once('exit', kill);
  const stop = async (): Promise<void> => {
    process.removeListener('exit', kill);
    await Promise.all(
      launched.filter((p) => !exited(p)).map(async (p) => {
        const gone = new Promise<void>((resolve) => p.child.once('exit', () => resolve()));
        signal(p, 'SIGTERM');
        const timer = setTimeout(() => signal(p, 'SIGKILL'), 15_000);
        await gone;
        clearTimeout(timer);
      }),
    );
    removeData();
  };
  return { stop };
}

function zeebeHome(): string {
  const home = path.join(process.env.LLTP_CACHE_DIR ?? path.join(repo, '.cache'), 'zeebe', `camunda-zeebe-${ZEEBE_VERSION}`);
  if (!existsSync(path.join(home, 'bin/broker'))) {
    throw new Error(`${home}/bin/broker is missing: run \`bash tools/stack/stack.sh install\` (with the same LLTP_CACHE_DIR)`);
  }
  return home;
}

function dataFolder(name: string): string {
  const data = path.join(RUN_DIR, `bench-${name}-${runId()}`);
  mkdirSync(data, { recursive: true });
  return data;
}

/** The one broker, its gateway embedded; resolves when it processes commands (10–20 s on 2 cores). */
async function startSingleBroker(tag: string): Promise<OwnBroker> {
  const home = zeebeHome();
  const [ports, gateway] = [await brokerPorts(), await freePort()];
  const data = dataFolder('zeebe');
  const broker = launch(tag, 'zeebe', path.join(home, 'bin/broker'), [], singleBrokerEnvironment(ports, gateway, data));
  const { stop } = stopperOf([broker], [data]);
  const env = {
    ZEEBE_GRPC_ADDRESS: `grpc://127.0.0.1:${gateway}`,
    ZEEBE_MANAGEMENT_URL: `http://127.0.0.1:${ports.management}`,
  };
  try {
    await waitHealthy(env.ZEEBE_MANAGEMENT_URL, broker);
    await waitProcessing(env.ZEEBE_GRPC_ADDRESS);
  } catch (error) {
    await stop();
    throw error;
  }
  return { env, pid: broker.pid, pids: [broker.pid], brokers: 1, stop };
}

/**
 * A cluster of `size` brokers as `LLTP_ZEEBE_BROKERS=<size> stack:up` runs it (tools/stack/stack.sh):
 * as many partitions as brokers, replication factor up to 3, a standalone gateway, and
 * tools/stack/zeebe-mgmt.cjs as the one management address (the clock read from broker 0, moved on
 * every broker; health from the gateway). Resolves when every partition has a leader and commands
 * are processed at speed (60–80 s on 2 cores).
 */
async function startCluster(tag: string, size: number): Promise<OwnBroker> {
  const home = zeebeHome();
  const ports: Ports[] = [];
  for (let i = 0; i < size; i++) ports.push(await brokerPorts());
  const [grpc, gatewayPorts, mgmtPort] = [await freePort(), await brokerPorts(), await freePort()];
  const contacts = ports.map((p) => `127.0.0.1:${p.internal}`).join(',');
  const cluster: ClusterShape = { name: `lltp-bench-${runId()}`, size, contacts };
  const data = ports.map((_, i) => dataFolder(`zeebe-${i}`));
  const brokers = ports.map((p, i) =>
    launch(tag, `zeebe-${i}`, path.join(home, 'bin/broker'), [], clusterBrokerEnvironment(p, cluster, i, data[i]!)),
  );
  const gatewayEnv = gatewayEnvironment(cluster, grpc, gatewayPorts);
  const gateway = launch(tag, 'zeebe-gateway', path.join(home, 'bin/gateway'), [], gatewayEnv);
  const mgmtPorts = [mgmtPort, gatewayPorts.management, ...ports.map((p) => p.management)].map(String);
  const mgmtScript = path.join(repo, 'tools/stack/zeebe-mgmt.cjs');
  const mgmt = launch(tag, 'zeebe-mgmt', process.execPath, [mgmtScript, ...mgmtPorts], process.env);
  const { stop } = stopperOf([...brokers, gateway, mgmt], data);
  const env = { ZEEBE_GRPC_ADDRESS: `grpc://127.0.0.1:${grpc}`, ZEEBE_MANAGEMENT_URL: `http://127.0.0.1:${mgmtPort}` };
  try {
    for (const [i, broker] of brokers.entries()) await waitHealthy(`http://127.0.0.1:${ports[i]!.management}`, broker);
    await waitHealthy(`http://127.0.0.1:${gatewayPorts.management}`, gateway);
    await waitLeaders(ports.map((p) => p.management), size, [...brokers, gateway]);
    await waitProcessing(env.ZEEBE_GRPC_ADDRESS);
  } catch (error) {
    await stop();
    throw error;
  }
  const pids = [...brokers, gateway].map((p) => p.pid);
  return { env, pid: brokers[0]!.pid, pids, brokers: size, stop };
}

/** Starts a broker of the benchmark's own, or a cluster of `brokers` brokers. */
export async function startOwnBroker(tag: string, brokers = 1): Promise<OwnBroker> {
  if (!Number.isInteger(brokers) || brokers < 1 || brokers > 9) {
    throw new Error(`BENCH_FLOW_BROKERS must be a number of brokers from 1 to 9, not ${brokers}`);
  }
  return brokers === 1 ? startSingleBroker(tag) : startCluster(tag, brokers);
}

/** Runs `work` with a broker of the benchmark's own, stopped (and its data deleted) afterwards. */
export async function withOwnBroker<T>(tag: string, work: (broker: OwnBroker) => Promise<T>, brokers = 1): Promise<T> {
  const started = performance.now();
  const broker = await startOwnBroker(tag, brokers);
  const replication = Math.min(brokers, 3);
  const shape = `${brokers} brokers, ${brokers} partitions, replication factor ${replication}, a standalone gateway`;
  const what = brokers === 1 ? 'a broker of its own' : `a cluster of its own (${shape})`;
  const ready = `ready in ${secondsSince(started).toFixed(1)} s`;
  progressOf(`bench:${tag}`)(`${what} at ${broker.env.ZEEBE_GRPC_ADDRESS} (${ready})`);
  try {
    return await work(broker);
  } finally {
    await broker.stop();
  }
}
