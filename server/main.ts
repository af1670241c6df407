/**
 * Entry point of every app process: `tsx server/main.ts <role>` (or `node dist/server/main.js`).
 * Roles: `api` (HTTP API), `workers` (Zeebe job workers, one per job type, and the status feed to the national portal), `monitor` (the cron-driven SLA
 * monitor: alerts, digests, weekly summary; run as many replicas as you like, one works at a time). Each role validates the configuration first and stops gracefully on
 * SIGTERM/SIGINT.
 */
import { startApi } from './api/compose';
import { DemoSecretError } from './auth/demo-secrets';
import { loadConfigOrExit, type Config } from './config';
import { connectDatabase, type Database } from './db';
import { migrateToLatest } from './db/migrate';
import { checkStack } from './health';
import { createLogger, type Logger } from './logger';
import { calendarPolicyFromConfig } from './calendar/policy';
import { createCalendarProvider, waitForCalendar } from './calendar/provider';
import { createMailer } from './mail';
import { createMonitor, createMonitorDeps } from './monitor';
import { processesDirOf, type ProcessCatalog } from './sla/catalog';
import { deployedCount, loadLiveCatalog } from './process-submissions/submissions';
import { watchDeployedVersions } from './process-submissions/refresh';
import { portalFeedSettings, startPortalFeed } from './portal/feed';
import { createZeebeClient } from './zeebe';
import { createHttpAdapters } from '../workers/adapters';
import { createWorkerDeps } from '../workers/framework';
import { registerWorkers } from '../workers/registry';

const ROLES = ['api', 'workers', 'monitor'] as const;
type Role = (typeof ROLES)[number];

/** Opens the database and brings its schema to the latest migration (replicas wait for each other). */
async function openDatabase(config: Config, logger: Logger): Promise<Database> {
  const database = await connectDatabase(config);
  const applied = await migrateToLatest(database.db);
  if (applied.length) logger.info({ migrations: applied }, 'database migrated');
  return database;
}

/**
 * The catalog of PROCESSES_DIR with the versions deployed with a leader's approval, read again
 * when another one is deployed (checked every PROCESS_CATALOG_REFRESH_MS).
 */
async function liveCatalog(config: Config, db: Database['db'], logger: Logger): Promise<{ catalog: ProcessCatalog; stopWatching: () => Promise<void> }> {
  const dir = processesDirOf(config);
  const seen = await deployedCount(db);
  const catalog = await loadLiveCatalog(db, dir);
  return { catalog, stopWatching: watchDeployedVersions({ db, catalog, dir, logger }, config.PROCESS_CATALOG_REFRESH_MS, seen) };
}

/** The API: intake, callbacks, inbox (with its user-task worker), dossier views, pages. */
async function startApiRole(config: Config, logger: Logger): Promise<() => Promise<void>> {
  const api = await startApi(config, logger);
  for (const check of await checkStack(config)) {
    if (check.ok) logger.info({ dependency: check.component, endpoint: check.address }, 'connected');
    else logger.warn({ dependency: check.component, endpoint: check.address, detail: check.detail }, 'not reachable');
  }
  logger.info({ url: config.PUBLIC_BASE_URL, listening: api.url }, 'API listening');
  return api.stop;
}

/**
 * The job workers: the process catalog (SLA plans), the live calendar, the database, the
 * mailer and the external adapters, then one Zeebe worker per job type. Stopping drains
 * in-flight jobs (WORKER_DRAIN_TIMEOUT_MS) before closing the connections.
 */
async function startWorkers(config: Config, logger: Logger): Promise<() => Promise<void>> {
  const database = await openDatabase(config, logger);
  const { db } = database;
  const { catalog, stopWatching } = await liveCatalog(config, db, logger);
  const now = (): Date => new Date();
  const policy = calendarPolicyFromConfig(config);
  const calendars = createCalendarProvider({ db, now, refreshMs: policy.refreshMs });
  // The API seeds the calendar when it starts; the two roles may start in any order.
  await waitForCalendar(calendars, { timeoutMs: 120_000, onWaiting: () => logger.warn('waiting for the calendar to be seeded (the API seeds it at start)') });
  const mailer = createMailer(config);
  const { zeebe } = createZeebeClient(config);
  const deps = createWorkerDeps({ db, catalog, calendars, policy, adapters: createHttpAdapters(config), mailer, logger, config, clock: { now } });
  const running = registerWorkers(zeebe, deps, { maxJobs: config.WORKER_MAX_JOBS, jobTimeoutMs: config.WORKER_JOB_TIMEOUT_MS, drainTimeoutMs: config.WORKER_DRAIN_TIMEOUT_MS, longPollMs: config.WORKER_LONG_POLL_MS });
  logger.info({ jobTypes: running.map((w) => w.type), maxJobs: config.WORKER_MAX_JOBS, jobTimeoutMs: config.WORKER_JOB_TIMEOUT_MS }, 'workers polling');
  // the dossiers' status feed to the national portal (server/portal/feed.ts), from its outbox
  const stopFeed = startPortalFeed({ db, portal: deps.adapters.portal, logger, now, settings: portalFeedSettings(config) }, config.PORTAL_FEED_INTERVAL_MS);
  return async () => {
    await stopWatching();
    await stopFeed();
    await Promise.all(running.map((w) => w.close()));
    await zeebe.close(config.WORKER_DRAIN_TIMEOUT_MS).catch(() => undefined);
    mailer.close();
    await database.close();
  };
}

/** The SLA monitor: node-cron schedules and "run now" requests, under the monitor lease. */
async function startMonitorRole(config: Config, logger: Logger): Promise<() => Promise<void>> {
  const database = await openDatabase(config, logger);
  const { db } = database;
  const { catalog, stopWatching } = await liveCatalog(config, db, logger);
  const policy = calendarPolicyFromConfig(config);
  const calendars = createCalendarProvider({ db, now: () => new Date(), refreshMs: policy.refreshMs });
  await waitForCalendar(calendars, { timeoutMs: 120_000, onWaiting: () => logger.warn('waiting for the calendar to be seeded (the API seeds it at start)') });
  const mailer = createMailer(config);
  const monitor = createMonitor(createMonitorDeps({ db, config, catalog, calendars, mailer, logger }));
  const stop = monitor.start({ tick: config.MONITOR_CRON, daily: config.MONITOR_DAILY_CRON, weekly: config.MONITOR_WEEKLY_CRON, monthly: config.MONITOR_MONTHLY_CRON, requestPollMs: config.MONITOR_REQUEST_POLL_MS });
  logger.info({ holder: monitor.holder, tick: config.MONITOR_CRON, daily: config.MONITOR_DAILY_CRON, weekly: config.MONITOR_WEEKLY_CRON, monthly: config.MONITOR_MONTHLY_CRON }, 'SLA monitor scheduled');
  return async () => {
    await stop();
    await stopWatching();
    mailer.close();
    await database.close();
  };
}

async function main(): Promise<void> {
  const role = (process.argv[2] ?? 'api') as Role;
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.LOG_LEVEL, component: role });
  if (!ROLES.includes(role)) {
    logger.fatal({ role, roles: ROLES }, 'unknown role');
    process.exit(2);
  }
  const stop = role === 'workers' ? await startWorkers(config, logger) : role === 'monitor' ? await startMonitorRole(config, logger) : await startApiRole(config, logger);
  const shutdown = (signal: string): void => {
    logger.info({ signal }, 'shutting down');
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof DemoSecretError) {
    console.error(error.message);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
