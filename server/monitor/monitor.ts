/**
 * The SLA monitor process: node-cron schedules (MONITOR_CRON every 5 minutes by default: a tick
 * over what changed; the daily reconciliation of all open work with the digest, then the
 * retention job (server/retention) and the 766 index's snapshots (server/scores/snapshots); the Friday
 * summary and weekly report; the monthly Đề án 06 report (MONITOR_MONTHLY_CRON, after
 * REPORT_MONTH_CUTOFF); Việt Nam time) and administrators' "run now" requests.
 * Each run first takes the lease, so one replica at a time works; a replica without the lease
 * skips the run. Runs never overlap within a process. Every run is recorded in `monitor_runs`.
 *
 *   const monitor = createMonitor(deps, { holder: 'monitor-1', now: () => clock });
 *   await monitor.runOnce('tick');          // tests and "run now"
 *   const stop = monitor.start(schedules);  // the `monitor` role
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import cron, { type ScheduledTask } from 'node-cron';
import { purgeLoginAttempts } from '../auth/throttle';
import { toJson } from '../db/tables';
import { retryUnsentWeeklyReport, sendWeeklyReport } from '../inspection/weekly-mail';
import { retryUnsentMonthlyReport, sendMonthlyReport } from '../inspection/monthly-mail';
import { DigestCollector, raiseDailyDigests, raiseWeeklySummaries } from './digest';
import { Directory } from './directory';
import { deliverPending } from './deliver';
import { runRetention } from '../retention';
import { createPartitionsAhead } from '../retention/partitions';
import { takeDailySnapshots } from '../scores/snapshots';
import { acquireLease } from './lease';
import type { MonitorRun } from './model';
import { openLateCounts, reconcile, tick, type MonitorDeps, type PassResult } from './tick';

export const LEASE_NAME = 'sla-monitor';
export type RunKind = MonitorRun['kind'];

export interface RunOutcome {
  ran: boolean;
  /** Why it did not run: another replica holds the lease, or a run is in progress here. */
  skipped?: 'lease-held-elsewhere' | 'already-running';
  run?: MonitorRun;
}

export interface Monitor {
  holder: string;
  runOnce(kind: RunKind): Promise<RunOutcome>;
  /** Serves pending "run now" requests (called on a timer by `start`). */
  takeRequests(): Promise<number>;
  start(schedules: { tick: string; daily: string; weekly: string; monthly: string; requestPollMs: number }): () => Promise<void>;
}

export function createMonitor(deps: MonitorDeps, options: { holder?: string; now?: () => Date } = {}): Monitor {
  const holder = options.holder ?? `monitor-${randomUUID().slice(0, 8)}`;
  const now = options.now ?? (() => new Date());
  let running: Promise<RunOutcome> | null = null;
  /** A failure: an outage (database, SMTP) goes to the quiet outage log, anything else is logged as it is. */
  const report = (level: 'warn' | 'error', error: unknown, fields: Record<string, unknown>, message: string): void => {
    if (!deps.outages?.record(error)) deps.logger[level]({ ...fields, err: error }, message);
  };

  async function execute(kind: RunKind): Promise<RunOutcome> {
    const at = now();
    if (!(await acquireLease(deps.db, LEASE_NAME, holder, at, deps.settings.leaseMs))) return { ran: false, skipped: 'lease-held-elsewhere' };
    const renew = setInterval(() => {
      acquireLease(deps.db, LEASE_NAME, holder, now(), deps.settings.leaseMs).catch((error: unknown) => report('warn', error, {}, 'monitor lease not renewed'));
    }, Math.max(1000, Math.floor(deps.settings.leaseMs / 3)));
    const runId = `${kind}:${at.toISOString()}:${holder}:${randomUUID().slice(0, 8)}`;
    const startedAt = now();
    const startedMs = performance.now();
    const run: MonitorRun = {
      id: runId,
      kind,
      holder,
      at,
      startedAt,
      finishedAt: null,
      durationMs: null,
      counts: { steps: {}, dossiers: {}, openOverdueSteps: 0, openLateDossiers: 0, alertsRaised: 0, mailsSent: 0, mailsFailed: 0, mailsSuperseded: 0, mailsWaiting: 0, sessionsRemoved: 0 },
      outsideWorkingTime: false,
      error: null,
    };
    try {
      await deps.db.insertInto('monitorRuns').values({ ...run, counts: toJson(run.counts) }).execute();
      const calendars = await deps.calendars.current();
      const record = (pass: PassResult): void => {
        run.counts.steps = pass.counts.steps;
        run.counts.dossiers = pass.counts.dossiers;
        run.counts.alertsRaised += pass.alertsRaised;
      };
      if (kind === 'tick') {
        record(await tick(deps, calendars, at, runId));
        if (deps.weeklyReport) {
          await retryUnsentWeeklyReport(deps.weeklyReport, at).catch((error: unknown) => report('warn', error, {}, 'weekly report not mailed; tried again at the next tick'));
        }
        if (deps.monthlyReport) {
          await retryUnsentMonthlyReport(deps.monthlyReport, at).catch((error: unknown) => report('warn', error, {}, 'monthly report not mailed; tried again at the next tick'));
        }
      } else if (kind === 'daily') {
        const digest = new DigestCollector(await Directory.load(deps.db));
        record(await reconcile(deps, calendars, at, runId, digest.add));
        run.counts.alertsRaised += await raiseDailyDigests(deps, digest, at, runId);
        // retention: what has expired is deleted or anonymised (server/retention), under this lease
        const retention = await runRetention(deps.db, deps.settings.retention, at);
        run.counts.retention = retention;
        run.counts.sessionsRemoved = retention.sessionsDeleted;
        // the history's coming months get their partitions before their first row (server/retention/partitions)
        run.counts.partitionsCreated = await createPartitionsAhead(deps.db, at, deps.settings.partitionMonthsAhead);
        // and log-in attempts past the longest throttling window (spoofed or not, every address's)
        run.counts.loginAttemptsRemoved = await purgeLoginAttempts(deps.db, at);
        // the 766 index of yesterday and the days missed, stored once whichever replica runs (server/scores/snapshots)
        run.counts.scoreSnapshots = await takeDailySnapshots({ db: deps.db }, at, { catchUpDays: deps.settings.scoreSnapshotCatchUpDays });
      } else if (kind === 'monthly') {
        // the month that ended at REPORT_MONTH_CUTOFF: archived once, mailed once (server/inspection/monthly-mail.ts)
        if (deps.monthlyReport) await sendMonthlyReport(deps.monthlyReport, at);
      } else {
        run.counts.alertsRaised = await raiseWeeklySummaries(deps, calendars, at, runId);
        if (deps.weeklyReport) await sendWeeklyReport(deps.weeklyReport, at);
      }
      Object.assign(run.counts, await openLateCounts(deps.db, at));
      const delivery = await deliverPending(deps, calendars, at, holder);
      run.counts.mailsSent = delivery.sent;
      run.counts.mailsFailed = delivery.failed;
      run.counts.mailsSuperseded = delivery.superseded;
      run.counts.mailsWaiting = delivery.waiting;
      run.outsideWorkingTime = delivery.outsideWorkingTime;
    } catch (error) {
      run.error = (error as Error).message;
      report('error', error, { runId }, 'monitor run failed');
    } finally {
      clearInterval(renew);
      run.finishedAt = now();
      run.durationMs = Math.round(performance.now() - startedMs);
      await deps.db
        .updateTable('monitorRuns')
        .set({ counts: toJson(run.counts), finishedAt: run.finishedAt, durationMs: run.durationMs, outsideWorkingTime: run.outsideWorkingTime, error: run.error })
        .where('id', '=', runId)
        .execute()
        .catch((error: unknown) => report('error', error, { runId }, 'monitor run not recorded'));
    }
    if (!run.error) deps.outages?.success('postgres');
    deps.logger.info({ runId, durationMs: run.durationMs, counts: run.counts, error: run.error }, 'monitor run finished');
    return { ran: true, run };
  }

  const monitor: Monitor = {
    holder,
    async runOnce(kind) {
      if (running) return { ran: false, skipped: 'already-running' };
      running = execute(kind);
      try {
        return await running;
      } finally {
        running = null;
      }
    },
    async takeRequests() {
      const open = await deps.db.selectFrom('monitorRequests').select(['id', 'kind']).where('takenBy', 'is', null).orderBy('requestedAt').limit(10).execute();
      let served = 0;
      for (const request of open) {
        const outcome = await monitor.runOnce(request.kind);
        if (!outcome.ran) break;
        await deps.db
          .updateTable('monitorRequests')
          .set({ takenBy: holder, runId: outcome.run?.id ?? null })
          .where('id', '=', request.id)
          .where('takenBy', 'is', null)
          .execute();
        served += 1;
      }
      return served;
    },
    start(schedules) {
      const options = { timezone: 'Asia/Ho_Chi_Minh', noOverlap: true };
      const fire = (kind: RunKind) => async (): Promise<void> => {
        await monitor.runOnce(kind).catch((error: unknown) => report('error', error, { kind }, 'monitor run failed'));
      };
      const tasks: ScheduledTask[] = [cron.schedule(schedules.tick, fire('tick'), options), cron.schedule(schedules.daily, fire('daily'), options), cron.schedule(schedules.weekly, fire('weekly'), options), cron.schedule(schedules.monthly, fire('monthly'), options)];
      const poll = setInterval(() => {
        monitor.takeRequests().catch((error: unknown) => report('warn', error, {}, 'monitor requests not read'));
      }, schedules.requestPollMs);
      void fire('tick')();
      return async () => {
        clearInterval(poll);
        for (const task of tasks) await task.stop();
        if (running) await running.catch(() => undefined);
      };
    },
  };
  return monitor;
}
