/**
 * `npm run bench:monitor`: the SLA monitor over the open-work database (120,000 open dossiers,
 * 960,000 steps, one open per dossier) on the local PostgreSQL; one JSON line per figure on
 * stdout, progress on stderr. Run as the `monitor` service runs: `node --max-old-space-size=256`.
 *
 * Data: `openWorkDatabase` (./support.ts, shared with bench:db and bench:dashboard, written
 * once): dossiers received over the 11 working days before the bench's instant (a Tuesday 10:00
 * in Việt Nam), with their real deadlines (about 5% late, 20% due soon), each with 7 finished
 * steps and one open step of 2, 4 or 8 working hours started up to 1.1 allotments ago (about 9%
 * late). monitor.dossiers, monitor.steps and monitor.open_steps are counted in it.
 *
 * 1. warm-up, the heaviest phase (not a target): the first reconciliation judges everything and
 *    raises every alert (monitor.first_reconcile_s, monitor.first_reconcile_alerts); its
 *    e-mails are then taken as delivered;
 * 2. monitor.tick_120k_s: a tick every 5 minutes of monitor time (RUNS of them): each reads only
 *    what crossed a threshold in those 5 minutes (monitor.tick_judged rows), raises and mails
 *    what is new;
 * 3. monitor.full_reconcile_120k_s: the daily run (every open step and dossier judged again,
 *    streamed; the digests), RUNS times (monitor.reconcile_judged rows each);
 * 4. monitor.peak_rss_mb: the process's peak resident set size from before the warm-up to the
 *    end (sampled every 20 ms and after each pass).
 * monitor.mails_sent: the e-mails the passes handed to the mailer, which counts them (the
 * thousands of the warm-up are not sent to the shared Mailpit).
 * Small mode (LLTP_BENCH_SMALL=1): 300 dossiers, 1 run. BENCH_MONITOR_DOSSIERS (120,000),
 * BENCH_MONITOR_RUNS (5).
 */
import { sql } from 'kysely';
import { createCalendarProvider } from '../../server/calendar/provider';
import type { Db } from '../../server/db';
import type { Mailer } from '../../server/mail';
import { createMonitor, createMonitorDeps } from '../../server/monitor';
import type { Monitor } from '../../server/monitor/monitor';
import { loadProcessCatalog } from '../../server/sla';
import { benchLogger, figureOutput, OPEN_WORK_ANCHOR, openWorkDatabase, progressOf, runBench, series, setting, withStack } from './support';

export const FIGURES = [
  'monitor.dossiers',
  'monitor.steps',
  'monitor.open_steps',
  'monitor.first_reconcile_s',
  'monitor.first_reconcile_alerts',
  ...series('monitor.tick_120k_s'),
  ...series('monitor.tick_judged'),
  ...series('monitor.full_reconcile_120k_s'),
  ...series('monitor.reconcile_judged'),
  'monitor.peak_rss_mb',
  'monitor.mails_sent',
] as const;

const DOSSIERS = setting('BENCH_MONITOR_DOSSIERS', 120_000, 300);
const RUNS = setting('BENCH_MONITOR_RUNS', 5, 1);
const START = OPEN_WORK_ANCHOR;
const TICK_MS = 5 * 60_000;
const progress = progressOf('bench:monitor');

/** The process's peak resident set size, sampled every 20 ms and whenever `sample()` is called. */
function peakRss(): { sample(): void; stop(): number } {
  let peak = process.memoryUsage().rss;
  const sample = (): void => void (peak = Math.max(peak, process.memoryUsage().rss));
  const timer = setInterval(sample, 20);
  return {
    sample,
    stop() {
      clearInterval(timer);
      sample();
      return peak / 1048576;
    },
  };
}

interface Pass {
  seconds: number;
  judged: number;
  raised: number;
}

async function pass(monitor: Monitor, kind: 'tick' | 'daily', label: string): Promise<Pass> {
  const outcome = await monitor.runOnce(kind);
  if (!outcome.ran || outcome.run?.error) throw new Error(`${label}: ${outcome.skipped ?? outcome.run?.error}`);
  const counts = outcome.run!.counts;
  const judged = [...Object.values(counts.steps), ...Object.values(counts.dossiers)].reduce((a, b) => a + b, 0);
  const seconds = (outcome.run!.durationMs ?? 0) / 1000;
  progress(`${label}: ${seconds.toFixed(2)} s, judged ${judged} (steps ${JSON.stringify(counts.steps)}, dossiers ${JSON.stringify(counts.dossiers)}), alerts raised ${counts.alertsRaised}, mails ${counts.mailsSent}`);
  return { seconds, judged, raised: counts.alertsRaised };
}

/** Every run starts from the same state: no alerts, every open row waiting for its first judgement. */
async function resetMonitorState(db: Db): Promise<{ dossiers: number; steps: number; openSteps: number }> {
  await sql`TRUNCATE alerts, alert_ids, alert_sends, monitor_runs, leases, monitor_requests`.execute(db);
  await sql`UPDATE steps SET next_check_at = 'epoch' WHERE finished_at IS NULL`.execute(db);
  await sql`UPDATE dossiers SET next_check_at = 'epoch' WHERE status = 'open'`.execute(db);
  await sql`VACUUM ANALYZE steps, dossiers, alerts`.execute(db);
  const counted = await sql<{ dossiers: number; steps: number; openSteps: number }>`
    SELECT (SELECT count(*) FROM dossiers WHERE status = 'open')::int AS dossiers, (SELECT count(*) FROM steps)::int AS steps,
           (SELECT count(*) FROM steps WHERE finished_at IS NULL)::int AS open_steps`.execute(db);
  return counted.rows[0]!;
}

async function main(): Promise<void> {
  const out = figureOutput(FIGURES);
  await withStack('bench:monitor', ['postgres'], async (config) => {
    const database = await (await openWorkDatabase(DOSSIERS, 'bench:monitor')).connect();
    const { db } = database;
    try {
      let clock = START;
      const now = (): Date => clock;
      const calendars = createCalendarProvider({ db, now, refreshMs: 3_600_000 });
      const counted = await resetMonitorState(db);
      out.emit('monitor.dossiers', counted.dossiers, 'dossiers');
      out.emit('monitor.steps', counted.steps, 'steps');
      out.emit('monitor.open_steps', counted.openSteps, 'steps');

      let mailed = 0;
      const mailer: Mailer = { send: () => Promise.resolve({ messageId: `bench-${++mailed}` }), verify: () => Promise.resolve(), close: () => undefined };
      const deps = createMonitorDeps({ db, config, catalog: await loadProcessCatalog(), calendars, mailer, logger: benchLogger(), settings: { leaseMs: 3_600_000 } });
      const monitor = createMonitor(deps, { holder: 'bench', now });
      const mb = (): string => `rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB, heap ${(process.memoryUsage().heapUsed / 1048576).toFixed(0)} MB`;

      const memory = peakRss();
      progress(`before the warm-up: ${mb()}`);
      const warm = await pass(monitor, 'daily', 'warm-up: first reconciliation');
      memory.sample();
      progress(`after the warm-up: ${mb()}`);
      out.emit('monitor.first_reconcile_s', warm.seconds, 's');
      out.emit('monitor.first_reconcile_alerts', warm.raised, 'alerts');
      await sql`UPDATE alerts SET delivery_status = 'sent', sent_at = ${clock}, next_attempt_at = NULL WHERE delivery_status = 'pending'`.execute(db);

      const ticks: Pass[] = [];
      for (let i = 1; i <= RUNS; i++) {
        clock = new Date(START.getTime() + i * TICK_MS);
        ticks.push(await pass(monitor, 'tick', `tick ${i} (+${i * 5} min)`));
        memory.sample();
      }
      const reconciles: Pass[] = [];
      for (let i = 1; i <= RUNS; i++) {
        reconciles.push(await pass(monitor, 'daily', `reconciliation ${i}`));
        memory.sample();
      }
      const peak = memory.stop();
      progress(`at the end: ${mb()}`);

      out.series('monitor.tick_120k_s', ticks.map((t) => t.seconds), 's');
      out.series('monitor.tick_judged', ticks.map((t) => t.judged), 'rows');
      out.series('monitor.full_reconcile_120k_s', reconciles.map((r) => r.seconds), 's');
      out.series('monitor.reconcile_judged', reconciles.map((r) => r.judged), 'rows');
      out.emit('monitor.peak_rss_mb', peak, 'MB');
      out.emit('monitor.mails_sent', mailed, 'mails');
    } finally {
      await database.close();
    }
  });
}

runBench('bench:monitor', module, main);
