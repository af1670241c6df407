/**
 * `npm run bench:dashboard`: the supervisors' dashboard over the open-work database (bench:monitor
 * and bench:db's: 120,000 open dossiers, 960,000 steps, one open per dossier, about 5% of the
 * dossiers and 9% of the open steps late), on the local PostgreSQL.
 *
 * - dashboard.heatmap_120k_s: `GET /api/dashboard/heatmap`'s figures computed in process (open
 *   steps by element and status, late-origin counts over 30 days), RUNS runs;
 * - dashboard.kpis_120k_s: `GET /api/dashboard/kpis`'s figures computed (today, this week, the
 *   period, 12 weekly series), RUNS runs;
 * - the same through the HTTP API (the product's API on that database, a supervisor's session):
 *   the first request after the API started (`…_http_cold_s`), then RUNS warm requests
 *   (`…_http_s`);
 * - dashboard.page_load_s: from navigation to the diagram drawn with its numbers on the steps
 *   (the page's first meaningful paint) of /giam-sat in Debian's headless Chromium, RUNS runs.
 * Each series: median, _min and _max. Targets: ≤ 1 s, ≤ 1 s, ≤ 2 s.
 * The API's inbox worker polls a broker of the bench's own (./broker.ts), not the stack's: it
 * would take the user tasks of whatever runs there.
 * Small mode (LLTP_BENCH_SMALL=1): 300 dossiers, 5 runs (the warm requests need five).
 * BENCH_DASHBOARD_DOSSIERS (120,000), BENCH_DASHBOARD_RUNS (5).
 */
import { chromium, type Browser } from 'playwright-core';
import { startApi, type RunningApi } from '../../server/api/compose';
import { createCalendarProvider } from '../../server/calendar/provider';
import { loadConfig, type Config } from '../../server/config';
import { heatmap } from '../../server/dashboard/heatmap';
import { kpis } from '../../server/dashboard/kpis';
import type { Db } from '../../server/db';
import { loadProcessCatalog } from '../../server/sla';
import { withOwnBroker, type OwnBroker } from './broker';
import { benchLogger, figureOutput, OPEN_WORK_ANCHOR, openWorkDatabase, progressOf, runBench, series, setting, withStack } from './support';

export const FIGURES = [
  ...series('dashboard.heatmap_120k_s'),
  ...series('dashboard.kpis_120k_s'),
  'dashboard.heatmap_120k_http_cold_s',
  ...series('dashboard.heatmap_120k_http_s'),
  'dashboard.kpis_120k_http_cold_s',
  ...series('dashboard.kpis_120k_http_s'),
  ...series('dashboard.page_load_s'),
] as const;

const DOSSIERS = setting('BENCH_DASHBOARD_DOSSIERS', 120_000, 300);
const RUNS = Math.max(5, setting('BENCH_DASHBOARD_RUNS', 5, 5));
const NOW = new Date(OPEN_WORK_ANCHOR.getTime() + 3600_000);
const out = figureOutput(FIGURES);
const progress = progressOf('bench:dashboard');

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

/** The heat map and the KPIs computed in process, RUNS times each. */
async function computed(db: Db, config: Config): Promise<void> {
  const catalog = await loadProcessCatalog();
  const calendars = await createCalendarProvider({ db, now: () => NOW, refreshMs: 3_600_000 }).current();
  const deps = { db, catalog, calendars: () => Promise.resolve(calendars), now: () => NOW };
  const period = { from: new Date(NOW.getTime() - 30 * 86_400_000), to: NOW };
  const heat: number[] = [];
  const kpi: number[] = [];
  let cells = 0;
  for (let run = 0; run < RUNS; run++) {
    heat.push(
      await timed(async () => {
        const map = await heatmap(deps, catalog.processesFor(config.AGENCY_CODE, NOW).nationalProcessId, period);
        cells = map.cells.reduce((sum, c) => sum + c.open.onTrack + c.open.dueSoon + c.open.overdue + c.open.stopped, 0);
      }),
    );
    kpi.push(await timed(() => kpis(deps, config.REPORT_WEEK_CUTOFF, { vneidTargetPercent: 80 })));
  }
  progress(`heat map: ${cells} open steps counted`);
  out.series('dashboard.heatmap_120k_s', heat, 's');
  out.series('dashboard.kpis_120k_s', kpi, 's');
}

/** The two API routes through HTTP: the first request after the API started, then RUNS warm ones. */
async function throughHttp(api: RunningApi, token: string): Promise<void> {
  const get = (path: string): Promise<number> => timed(async () => void (await (await fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${token}` } })).json()));
  const cold = { heat: await get('/api/dashboard/heatmap'), kpis: await get('/api/dashboard/kpis') };
  const warm = { heat: [] as number[], kpis: [] as number[] };
  for (let run = 0; run < RUNS; run++) {
    warm.heat.push(await get('/api/dashboard/heatmap'));
    warm.kpis.push(await get('/api/dashboard/kpis'));
  }
  out.emit('dashboard.heatmap_120k_http_cold_s', cold.heat, 's');
  out.series('dashboard.heatmap_120k_http_s', warm.heat, 's');
  out.emit('dashboard.kpis_120k_http_cold_s', cold.kpis, 's');
  out.series('dashboard.kpis_120k_http_s', warm.kpis, 's');
}

/** /giam-sat in headless Chromium, RUNS loads, with the supervisor's cookie. */
async function pageLoads(browser: Browser, api: RunningApi, sessionCookie: string): Promise<void> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const [name, ...value] = sessionCookie.split('=');
  await context.addCookies([{ name: name as string, value: value.join('='), url: api.url }]);
  const loads: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const page = await context.newPage();
    loads.push(
      await timed(async () => {
        await page.goto(`${api.url}/giam-sat`);
        await page.locator('.heat[data-element]').first().waitFor({ timeout: 30_000 });
      }),
    );
    await page.close();
  }
  out.series('dashboard.page_load_s', loads, 's');
}

async function main(): Promise<void> {
  await withStack('bench:dashboard', ['postgres'], async (config) => {
    const openWork = await openWorkDatabase(DOSSIERS, 'bench:dashboard');
    const database = await openWork.connect();
    const { url } = openWork;
    try {
      await computed(database.db, config);
      await withOwnBroker('dashboard', (broker) => throughTheApi(broker, url));
    } finally {
      await database.close();
    }
  });
}

/** The product's API on the database (its inbox worker on a broker of the bench's own): HTTP and the page. */
async function throughTheApi(broker: OwnBroker, url: string): Promise<void> {
  const apiConfig = loadConfig({ ...process.env, ...broker.env, DATABASE_URL: url, HTTP_PORT: '0', LOG_LEVEL: 'warn', NODE_ENV: 'development', DEMO_PASSWORD: 'bench', DEMO_PARTNER_KEY: 'bench' });
  const api = await startApi(apiConfig, benchLogger(), { now: () => NOW });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const login = await fetch(`${api.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'giamsat', password: 'bench' }) });
    if (!login.ok) throw new Error(`log-in as giamsat: ${login.status} ${await login.text()}`);
    const token = ((await login.json()) as { token: string }).token;
    await throughHttp(api, token);
    await pageLoads(browser, api, login.headers.get('set-cookie')?.split(';')[0] ?? '');
  } finally {
    await browser.close();
    await api.stop();
  }
}

runBench('bench:dashboard', module, main);
