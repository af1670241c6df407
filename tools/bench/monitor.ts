/**
 * `npm run bench:monitor`: the SLA monitor over 120,000 open dossiers (960,000 steps, one open
 * per dossier) on the local PostgreSQL; one JSON line per figure on stdout, progress on stderr.
 *
 * Data: `openWorkDatabase` (tools/bench/support.ts, shared with bench:db, written once): dossiers
 * received over the 11 working days before the bench's instant (a Tuesday 10:00 in Việt Nam),
 * with their real deadlines (about 5% late, 20% due soon), each with 7 finished steps and one
 * open step of 2, 4 or 8 working hours started up to 1.1 allotments ago (about 9% late).
 *
 * 1. warm-up (not a target): the first reconciliation judges everything and raises every
 *    alert; its e-mails are taken as delivered;
 * 2. monitor.tick_120k_s: a tick every 5 minutes of monitor time (RUNS of them, median): each
 *    reads only what crossed a threshold in those 5 minutes (`monitor.tick_judged`), raises
 *    and mails (a mailer that accepts everything) what is new;
 * 3. monitor.full_reconcile_120k_s: the daily run (every open step and dossier judged again,
 *    streamed; the digests), RUNS times, median;
 * 4. monitor.peak_rss_mb: the process's peak resident memory over 2 and 3.
 * If the database does not answer, the local stack is started, and stopped at the end.
 */
import { sql } from 'kysely';
import { createCalendarProvider } from '../../server/calendar/provider';
import { createLogger } from '../../server/logger';
import type { Mailer } from '../../server/mail';
import { createMonitor, createMonitorDeps } from '../../server/monitor';
import { loadProcessCatalog } from '../../server/sla';
import { emit, emitSeries, OPEN_WORK_ANCHOR, openWorkDatabase, progressOf, rssSampler, withStack } from './support';

const DOSSIERS = Number(process.env.BENCH_MONITOR_DOSSIERS ?? 120_000);
const RUNS = Number(process.env.BENCH_MONITOR_RUNS ?? 5);
const START = OPEN_WORK_ANCHOR;
const TICK_MS = 5 * 60_000;
const progress = progressOf('bench:monitor');

async function main(): Promise<void> {
  await withStack('bench:monitor', async (config) => {
    const { database } = await openWorkDatabase(DOSSIERS, 'bench:monitor');
    const { db } = database;
    try {
      let clock = START;
      const now = (): Date => clock;
      const calendars = createCalendarProvider({ db, now, refreshMs: 3_600_000 });
      // every run starts from the same state: no alerts, every open row waiting for its first judgement
      await sql`TRUNCATE alerts, alert_sends, monitor_runs, leases, monitor_requests`.execute(db);
      await sql`UPDATE steps SET next_check_at = 'epoch' WHERE finished_at IS NULL`.execute(db);
      await sql`UPDATE dossiers SET next_check_at = 'epoch' WHERE status = 'open'`.execute(db);
      await sql`VACUUM ANALYZE steps, dossiers, alerts`.execute(db);

      let mailed = 0;
      const mailer: Mailer = {
        send: () => {
          mailed += 1;
          return Promise.resolve({ messageId: 'bench' } as never);
        },
        verify: () => Promise.resolve(),
        close: () => undefined,
      };
      const deps = createMonitorDeps({ db, config, catalog: await loadProcessCatalog(), calendars, mailer, logger: createLogger({ level: 'warn' }), settings: { leaseMs: 3_600_000 } });
      const monitor = createMonitor(deps, { holder: 'bench', now });
      const run = async (kind: 'tick' | 'daily', label: string): Promise<{ seconds: number; judged: number; raised: number }> => {
        const outcome = await monitor.runOnce(kind);
        if (!outcome.ran || outcome.run?.error) throw new Error(`${label}: ${outcome.skipped ?? outcome.run?.error}`);
        const counts = outcome.run!.counts;
        const judged = [...Object.values(counts.steps), ...Object.values(counts.dossiers)].reduce((a, b) => a + b, 0);
        const seconds = (outcome.run!.durationMs ?? 0) / 1000;
        progress(`${label}: ${seconds.toFixed(2)} s, judged ${judged} (steps ${JSON.stringify(counts.steps)}, dossiers ${JSON.stringify(counts.dossiers)}), alerts raised ${counts.alertsRaised}, mails ${counts.mailsSent}`);
        return { seconds, judged, raised: counts.alertsRaised };
      };

      const mb = (): string => `rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB, heap ${(process.memoryUsage().heapUsed / 1048576).toFixed(0)} MB`;
      progress(`before the warm-up: ${mb()}`);
      const warm = await run('daily', 'warm-up: first reconciliation');
      progress(`after the warm-up: ${mb()}`);
      emit('monitor.first_reconcile_s', warm.seconds, 's');
      emit('monitor.first_reconcile_alerts', warm.raised, 'alerts');
      await sql`UPDATE alerts SET delivery_status = 'sent', sent_at = ${clock}, next_attempt_at = NULL WHERE delivery_status = 'pending'`.execute(db);

      const memory = rssSampler();
      const ticks: number[] = [];
      const judged: number[] = [];
      for (let i = 1; i <= RUNS; i++) {
        clock = new Date(START.getTime() + i * TICK_MS);
        const tick = await run('tick', `tick ${i} (+${i * 5} min)`);
        ticks.push(tick.seconds);
        judged.push(tick.judged);
      }
      const reconciles: number[] = [];
      for (let i = 1; i <= RUNS; i++) reconciles.push((await run('daily', `reconciliation ${i}`)).seconds);
      const peak = memory.stop();
      progress(`at the end: ${mb()}`);

      emitSeries('monitor.tick_120k_s', ticks, 's');
      emitSeries('monitor.tick_judged', judged, 'rows');
      emitSeries('monitor.full_reconcile_120k_s', reconciles, 's');
      emit('monitor.peak_rss_mb', peak, 'MB');
      emit('monitor.mails_sent', mailed, 'mails');
      emit('monitor.dossiers', DOSSIERS, 'dossiers');
      emit('monitor.steps', DOSSIERS * 8, 'steps');
    } finally {
      await database.close();
    }
  });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`[bench:monitor] failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
