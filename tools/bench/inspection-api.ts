/**
 * bench:inspection's exports through the real API (issue 29, item 4): the API app with the
 * inspection routes on a loopback port over the bench's province-year, an inspector logged in,
 * and a child process polling `GET /healthz` every 50 ms while an export runs. The poller is a
 * process of its own on purpose: a client in the API's process would be blocked with it and see
 * short answers sent late.
 */
import { spawn } from 'node:child_process';
import type { Server } from 'node:http';
import { sql } from 'kysely';
import { createApp } from '../../server/api/app';
import { seedDemoAccounts } from '../../server/auth/seed';
import type { Config } from '../../server/config';
import type { Db } from '../../server/db';
import { filterVocabulary } from '../../server/inspection';
import { exportLimitsOf, ExportSlots } from '../../server/inspection/limits';
import { inspectionRoutes } from '../../server/inspection/routes';
import type { InspectionServiceDeps } from '../../server/inspection/service';
import { benchLogger } from './support';

const PASSWORD = 'bench-inspection';

export interface BenchApi {
  /** GETs `path` as the inspector; the seconds it took and the latency of /healthz meanwhile. */
  timedExport(path: string): Promise<{ seconds: number; bytes: number; healthzMaxMs: number; healthzP95Ms: number; polls: number }>;
  stop(): Promise<void>;
}

const POLLER = `
const url = process.env.HEALTHZ_URL;
const latencies = [];
let stopping = false;
process.stdin.on('data', () => { stopping = true; });
(async () => {
  while (!stopping) {
    const sent = performance.now();
    await (await fetch(url)).arrayBuffer();
    const took = performance.now() - sent;
    latencies.push(took);
    if (took < 50) await new Promise((resolve) => setTimeout(resolve, 50 - took));
  }
  latencies.sort((a, b) => a - b);
  process.stdout.write(JSON.stringify({ max: latencies.at(-1) ?? 0, p95: latencies[Math.floor(latencies.length * 0.95)] ?? 0, polls: latencies.length }));
})();
`;

/** Polls /healthz from another process until `stop()`; gives the latencies' max and 95th percentile. */
function healthzPoller(url: string): { started: Promise<void>; stop(): Promise<{ max: number; p95: number; polls: number }> } {
  const child = spawn(process.execPath, ['-e', POLLER], { env: { ...process.env, HEALTHZ_URL: `${url}/healthz` }, stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve, reject) => child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the /healthz poller exited with ${code}`)))));
  return {
    started: new Promise((resolve) => setTimeout(resolve, 300)),
    async stop() {
      child.stdin.end('stop\n');
      await exited;
      return JSON.parse(out) as { max: number; p95: number; polls: number };
    },
  };
}

export async function startBenchApi(db: Db, config: Config, service: InspectionServiceDeps): Promise<BenchApi> {
  const now = (): Date => new Date();
  await seedDemoAccounts(db, { nodeEnv: 'test', password: PASSWORD, partnerKey: 'bench-partner', now });
  const auth = { db, now, sessionHours: 1, secureCookies: false };
  const router = inspectionRoutes({ service, vocabulary: () => Promise.resolve(filterVocabulary(service.catalog)), cutoff: config.REPORT_WEEK_CUTOFF, auth, slots: new ExportSlots(exportLimitsOf(config)) });
  // the poller asks /healthz 20 times a second to time the event loop: above the per-address limit a deployment has
  const app = createApp({ checkStack: () => Promise.resolve([]), trustProxy: false, healthCallsPerMinute: 100_000, logger: benchLogger('silent'), auth, routers: [{ path: '/api', router }] });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const login = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'thanhtra', password: PASSWORD }) });
  if (!login.ok) throw new Error(`bench log-in answered ${login.status}`);
  const { token } = (await login.json()) as { token: string };
  return {
    async timedExport(path) {
      const poller = healthzPoller(url);
      await poller.started;
      const started = performance.now();
      const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
      const bytes = (await response.arrayBuffer()).byteLength;
      const seconds = (performance.now() - started) / 1000;
      const healthz = await poller.stop();
      if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
      return { seconds, bytes, healthzMaxMs: healthz.max, healthzP95Ms: healthz.p95, polls: healthz.polls };
    },
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The longest period from 1 January 2026 (whole days) whose dossiers the cap allows: `to` as
 * `YYYY-MM-DD`, and how many dossiers it holds.
 */
export async function periodWithin(db: Db, cap: number): Promise<{ to: string; dossiers: number }> {
  const days = (await sql<{ day: string; n: number }>`
    SELECT to_char(received_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD') AS day, count(*)::int AS n
    FROM dossiers WHERE received_at >= '2026-01-01T00:00:00+07:00' AND received_at < '2027-01-01T00:00:00+07:00'
    GROUP BY 1 ORDER BY 1`.execute(db)).rows;
  let total = 0;
  let to = '2026-01-01';
  for (const { day, n } of days) {
    if (total + n > cap) break;
    total += n;
    to = day;
  }
  return { to, dossiers: total };
}
