/**
 * The product as bench:flow runs it: the API, the job workers and the simulators as processes of
 * their own (`node --import tsx server/main.ts api|workers`, `tools/simulators/main.ts`, the
 * simulators at zero latency), on a database and a broker the bench gives them; their output
 * goes to `.cache/run/logs/bench-flow-<role>.log`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { signIfPartner } from '../../server/auth/partner-signature';
import { loadConfig, type Config } from '../../server/config';
import { seedDemoDatabase } from '../demo/seed';
import { simulatorUrls } from '../simulators/main';
import { progressOf, RUN_DIR, secondsSince } from './support';

const repo = path.resolve(__dirname, '../..');
const API_PORT = 3950;
const SIM_BASE_PORT = 4950;
/** The demo accounts' password and the partners' key in the product the bench starts. */
export const PASSWORD = 'bench-password';
export const PARTNER_KEY = 'bench-partner-key';
const progress = progressOf('bench:flow');

export type Role = 'api' | 'workers' | 'simulators';

export interface RunningProduct {
  children: Partial<Record<Role, ChildProcess>>;
  config: Config;
  stop(): Promise<void>;
}

/** Where the product listens and logs: bench:flow's ports by default; the restore drill has its own. */
export interface ProductPlace {
  apiPort: number;
  /** The simulators listen on the six ports after this one. */
  simulatorBasePort: number;
  /** Logs go to `<run>/logs/<logTag>-<role>.log`. */
  logTag: string;
}

const BENCH_FLOW_PLACE: ProductPlace = { apiPort: API_PORT, simulatorBasePort: SIM_BASE_PORT, logTag: 'bench-flow' };

/**
 * Starts the product's `roles` on `databaseUrl` and the broker of `brokerEnv` (more settings may
 * come with it: SMTP_URL); resolves when the API is ready.
 */
export async function startProduct(
  databaseUrl: string,
  brokerEnv: Record<string, string>,
  roles: readonly Role[] = ['simulators', 'api', 'workers'],
  place: ProductPlace = BENCH_FLOW_PLACE,
): Promise<RunningProduct> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...brokerEnv,
    DATABASE_URL: databaseUrl,
    HTTP_PORT: String(place.apiPort),
    PUBLIC_BASE_URL: `http://127.0.0.1:${place.apiPort}`,
    LOG_LEVEL: process.env.BENCH_FLOW_LOG_LEVEL ?? 'warn',
    NODE_ENV: 'development',
    DEMO_PASSWORD: PASSWORD,
    DEMO_PARTNER_KEY: PARTNER_KEY,
    ...simulatorUrls(place.simulatorBasePort),
    // Every VNeID dossier goes to the police at step 7: the police simulator answers at once
    // (as the ceiling's does), so that the figure is the product's, not the simulated police's delay.
    SIM_POLICE_MS_PER_WORKING_HOUR: process.env.SIM_POLICE_MS_PER_WORKING_HOUR ?? '0',
  };
  const config = loadConfig(env);
  // no app process seeds accounts: the demo's, as `npm run demo` writes them
  await seedDemoDatabase(config);
  const logs = path.join(RUN_DIR, 'logs');
  mkdirSync(logs, { recursive: true });
  const launch = (role: Role): ChildProcess => {
    const log = path.join(logs, `${place.logTag}-${role}.log`);
    const fd = openSync(log, 'a');
    const script = role === 'simulators' ? ['tools/simulators/main.ts'] : ['server/main.ts', role];
    const child = spawn(process.execPath, ['--import', 'tsx', ...script], { cwd: repo, env, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    child.on('exit', (code, signal) => {
      if (code !== 0 && signal !== 'SIGTERM') progress(`${role} exited (${code ?? signal}); see ${log}`);
    });
    return child;
  };
  const children: RunningProduct['children'] = {};
  for (const role of roles) children[role] = launch(role);
  // if the bench dies, the product dies with it (it would hold the ports)
  const killAll = (): void => {
    for (const child of Object.values(children)) if (child?.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killAll);
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killAll);
    await Promise.all(Object.values(children).map((child) => stopChild(child)));
  };
  const started = performance.now();
  while (secondsSince(started) < 120) {
    const ready = await fetch(`${config.PUBLIC_BASE_URL}/readyz`).then((r) => r.ok, () => false);
    if (ready) return { children, config, stop };
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await stop();
  throw new Error(`the API did not become ready within 120 s (see ${logs}/${place.logTag}-api.log)`);
}

function stopChild(child: ChildProcess | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 15000).unref();
  });
}

export interface Reply {
  status: number;
  body: Record<string, unknown>;
}

/** One HTTP call to the product's API, its JSON answer parsed. */
export async function call(base: string, method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const sent = body === undefined ? undefined : JSON.stringify(body);
  const response = await fetch(`${base}${route}`, {
    method,
    // the product runs on the real clock; partner credentials become this call's signature
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...signIfPartner(headers, method, route, sent, () => Date.now()) },
    body: sent,
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
