/**
 * `npm run bench:dashboard`: the supervisors' dashboard over 120,000 open dossiers (the
 * open-work data of bench:monitor and bench:db: 960,000 steps, one open per dossier, about 5% of
 * the dossiers and 9% of the open steps late), on the local PostgreSQL.
 *
 * - dashboard.heatmap_120k_s: `GET /api/dashboard/heatmap` computed (open steps by element and
 *   status, late-origin counts over 30 days), median of RUNS;
 * - dashboard.kpis_120k_s: `GET /api/dashboard/kpis` computed (today, this week, the period, 12
 *   weekly series), median of RUNS;
 * - dashboard.page_load_s: from navigation to the diagram drawn with its numbers on the steps
 *   (the page's first meaningful paint) of /giam-sat in Debian's headless Chromium, the API
 *   running on that database, median of RUNS.
 * Targets: ≤ 1 s, ≤ 1 s, ≤ 2 s. Each API figure also runs through the HTTP API once, printed as
 * `…_http_s`.
 */
import { chromium } from 'playwright-core';
import { startApi } from '../../server/api/compose';
import { createCalendarProvider } from '../../server/calendar/provider';
import { loadConfig } from '../../server/config';
import { heatmap } from '../../server/dashboard/heatmap';
import { kpis } from '../../server/dashboard/kpis';
import { createLogger } from '../../server/logger';
import { loadProcessCatalog } from '../../server/sla';
import { emitSeries, OPEN_WORK_ANCHOR, openWorkDatabase, progressOf, withStack, emit } from './support';

const DOSSIERS = Number(process.env.BENCH_DASHBOARD_DOSSIERS ?? 120_000);
const RUNS = Number(process.env.BENCH_DASHBOARD_RUNS ?? 5);
const NOW = new Date(OPEN_WORK_ANCHOR.getTime() + 3600_000);
const progress = progressOf('bench:dashboard');

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  await withStack('bench:dashboard', async (config) => {
    const { database, url } = await openWorkDatabase(DOSSIERS, 'bench:dashboard');
    const { db } = database;
    try {
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
            const map = await heatmap(deps, 'quy-trinh-570-v20241001', period);
            cells = map.cells.reduce((sum, c) => sum + c.open.onTrack + c.open.dueSoon + c.open.overdue + c.open.stopped, 0);
          }),
        );
        kpi.push(await timed(() => kpis(deps, config.REPORT_WEEK_CUTOFF, { vneidTargetPercent: 80 })));
      }
      progress(`heat map: ${cells} open steps counted`);
      emitSeries('dashboard.heatmap_120k_s', heat, 's');
      emitSeries('dashboard.kpis_120k_s', kpi, 's');

      // the page, with the API on this database
      const apiConfig = loadConfig({ ...process.env, DATABASE_URL: url, HTTP_PORT: '0', LOG_LEVEL: 'warn', NODE_ENV: 'development', DEMO_PASSWORD: 'bench', DEMO_PARTNER_KEY: 'bench' });
      const api = await startApi(apiConfig, createLogger({ level: 'warn' }), { now: () => NOW });
      const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
      try {
        const login = await fetch(`${api.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'giamsat', password: 'bench' }) });
        const token = ((await login.json()) as { token: string }).token;
        const http = { heat: [] as number[], kpis: [] as number[] };
        for (const [name, path] of [['heat', '/api/dashboard/heatmap'], ['kpis', '/api/dashboard/kpis']] as const) {
          http[name].push(await timed(async () => void (await (await fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${token}` } })).json())));
        }
        emit('dashboard.heatmap_120k_http_s', http.heat[0] as number, 's');
        emit('dashboard.kpis_120k_http_s', http.kpis[0] as number, 's');
        const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
        const cookie = login.headers.get('set-cookie')?.split(';')[0]?.split('=') ?? [];
        await context.addCookies([{ name: cookie[0] as string, value: cookie.slice(1).join('='), url: api.url }]);
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
        emitSeries('dashboard.page_load_s', loads, 's');
      } finally {
        await browser.close();
        await api.stop();
      }
    } finally {
      await database.close();
    }
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:dashboard failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
