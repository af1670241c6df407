/**
 * Builds the API process: database, calendar, process catalog, Zeebe client, the feature
 * routers and the inbox's user-task worker. `main.ts` calls `startApi`; tests call it too, on
 * their own database and port.
 */
import { Router } from 'express';
import type { Server } from 'node:http';
import { refuseDemoSecrets } from '../auth/demo-secrets';
import { PartnerCache } from '../auth/partner-cache';
import { SessionCache } from '../auth/session-cache';
import { oneStopEventRoutes } from '../callbacks/one-stop';
import { policeCallbackRoutes } from '../callbacks/police';
import { vneidCallbackRoutes } from '../callbacks/vneid';
import { createCalendarAdmin } from '../calendar/admin';
import { calendarPolicyFromConfig } from '../calendar/policy';
import { calendarRoutes } from '../calendar/routes';
import { createCalendarProvider } from '../calendar/provider';
import type { CalendarSeed } from '../calendar/model';
import { loadSeed } from '../calendar/seed';
import { seedCalendar } from '../calendar/store';
import type { Config } from '../config';
import { connectDatabase, redactUrl } from '../db';
import { migrateToLatest } from '../db/migrate';
import { createMailer } from '../mail';
import { dossierRoutes } from '../dossiers/routes';
import { processReadiness } from '../health';
import { startInboxWorker, type InboxDeps } from '../inbox/inbox';
import { inboxRoutes } from '../inbox/routes';
import { assetRoutes } from '../dashboard/assets';
import { dashboardRoutes } from '../dashboard/routes';
import { designerRoutes } from '../designer/routes';
import { filterVocabulary, inspectionService } from '../inspection';
import { exportLimitsOf, ExportSlots } from '../inspection/limits';
import { inspectionRoutes } from '../inspection/routes';
import { monthlyReportRoutes } from '../inspection/monthly-routes';
import { loadUnitHeads } from '../inspection/unit-heads';
import { loadRegimes } from '../scores/regime';
import { scoreRoutes } from '../scores/routes';
import { whatIfDepsFromConfig } from '../designer/whatif-service';
import { whatIfRoutes } from '../designer/whatif-routes';
import type { IntakeDeps } from '../intake/intake';
import { intakeRoutes } from '../intake/routes';
import type { Logger } from '../logger';
import { pageRoutes } from '../pages/routes';
import { metricsRoute, monitorRoutes } from '../monitor/routes';
import { processesDirOf } from '../sla';
import { watchDeployedVersions } from '../process-submissions/refresh';
import { deployedCount, loadLiveCatalog } from '../process-submissions/submissions';
import { processSubmissionRoutes } from '../process-submissions/routes';
import { OutageLog } from '../outage';
import { boundedZeebe, createZeebeClient } from '../zeebe';
import { definitionKeys } from '../handover/definitions';
import { handoverRoutes } from '../handover/routes';
import { createApp } from './app';

/** The receiving unit of VNeID dossiers: the STP one-stop desk (SLA unit id in the models). */
export const RECEIVING_UNIT_ID = 'stp-mot-cua';

export interface RunningApi {
  url: string;
  stop: () => Promise<void>;
}

/**
 * Seeds no account: the demo's accounts come from `npm run demo` (tools/demo/seed.ts), a test's
 * from its helper. In production the API refuses to start while a demo secret works there
 * (server/auth/demo-secrets.ts).
 * `now`: the product's clock (tests give the suite's). `calendarSeed`: the days off written into
 * an empty calendar (the repository's seed by default; a test that needs a year estimated, or
 * a year of its own, gives its own).
 */
export async function startApi(config: Config, logger: Logger, options: { now?: () => Date; calendarSeed?: CalendarSeed } = {}): Promise<RunningApi> {
  const now = options.now ?? ((): Date => new Date());
  const database = await connectDatabase(config);
  const { db } = database;
  const applied = await migrateToLatest(db);
  if (applied.length) logger.info({ migrations: applied }, 'database migrated');
  try {
    await refuseDemoSecrets(db, config);
  } catch (error) {
    await database.close();
    throw error;
  }
  await seedCalendar(db, options.calendarSeed ?? loadSeed(), { actor: 'system:seed', now });
  const policy = calendarPolicyFromConfig(config);
  const provider = createCalendarProvider({ db, now, refreshMs: policy.refreshMs });
  // the files of PROCESSES_DIR and the versions deployed with a leader's approval; an approval
  // here makes this catalog adopt the new version at once (server/process-submissions)
  const catalog = await loadLiveCatalog(db, processesDirOf(config));
  // another replica's approval reaches this one at its next check, as it reaches the workers
  const stopWatching = watchDeployedVersions({ db, catalog, dir: processesDirOf(config), logger }, config.PROCESS_CATALOG_REFRESH_MS, await deployedCount(db));
  // Every call a request waits on has a deadline, and a call the gateway refuses is not tried
  // again behind the caller's back: an outage answers 503 at once, never a hang.
  const { camunda, zeebe: rawZeebe } = createZeebeClient(config, { retries: 0 });
  const zeebe = boundedZeebe(rawZeebe, config.ZEEBE_REQUEST_TIMEOUT_MS);

  const authDeps = { db, now, sessions: new SessionCache(config.SESSION_CACHE_MS), partners: new PartnerCache(config.PARTNER_CACHE_MS) };
  const intake: IntakeDeps = {
    db,
    calendars: () => provider.current(),
    catalog,
    zeebe,
    policy,
    agencyCode: config.AGENCY_CODE,
    unitId: RECEIVING_UNIT_ID,
    now,
  };
  // One outage log for the process: the error handler, the intake's 503 and the inbox worker
  // count the same outage once.
  const outages = new OutageLog(logger);
  const inbox: InboxDeps = {
    db,
    stepSla: (processId, elementId, internalProcessId) => catalog.stepSla(processId, elementId, internalProcessId),
    fourEyesAfter: (processId, elementId) => catalog.fourEyesAfter(processId, elementId),
    // read from the catalog at each claim: a version deployed with approval brings its own
    get fourEyesRules() {
      return catalog.fourEyesRules();
    },
    calendars: () => provider.current(),
    dueSoon: policy.dueSoon,
    zeebe: { ...zeebe, createWorker: rawZeebe.createWorker.bind(rawZeebe), updateJobTimeout: rawZeebe.updateJobTimeout.bind(rawZeebe) },
    logger,
    outages,
    now,
  };
  // /readyz asks through these clients (the pool, the Zeebe client, one mailer), never new ones
  const healthMailer = createMailer(config, { timeoutMs: 2000 });
  const readiness = processReadiness({
    zeebe: rawZeebe,
    db,
    mailer: healthMailer,
    addresses: { zeebe: config.ZEEBE_GRPC_ADDRESS, database: database.address, smtp: redactUrl(config.SMTP_URL) },
    logger,
  });
  const inspection = inspectionService({ db, config, catalog, calendars: () => provider.current(), now });
  // the filters' vocabulary follows the catalog (a version deployed with approval is a regime)
  let vocabulary = { plans: catalog.plans, value: filterVocabulary(catalog) };
  const currentVocabulary = () => {
    if (vocabulary.plans !== catalog.plans) vocabulary = { plans: catalog.plans, value: filterVocabulary(catalog) };
    return Promise.resolve(vocabulary.value);
  };
  // exports and weekly or monthly report builds share one set of slots
  const exportSlots = new ExportSlots(exportLimitsOf(config));
  const app = createApp({
    outages,
    checkStack: readiness,
    trustProxy: config.TRUST_PROXY,
    logger,
    auth: {
      ...authDeps,
      sessionHours: config.SESSION_HOURS,
      secureCookies: config.PUBLIC_BASE_URL.startsWith('https:'),
      loginPolicy: { maxFailures: config.LOGIN_MAX_FAILURES, maxFailuresPerAddress: config.LOGIN_MAX_FAILURES_PER_ADDRESS, lockoutMinutes: config.LOGIN_LOCKOUT_MINUTES, maxDelayMs: config.LOGIN_MAX_DELAY_MS },
    },
    routers: [
      { path: '/api/intake', router: intakeRoutes({ intake, auth: authDeps, outages }) },
      { path: '/api/callbacks', router: policeCallbackRoutes({ zeebe, db, auth: authDeps, now }) },
      { path: '/api/callbacks', router: oneStopEventRoutes({ zeebe, db, auth: authDeps, catalog, now }) },
      { path: '/api/callbacks', router: vneidCallbackRoutes({ db, auth: authDeps, partnerId: config.VNEID_PARTNER_ID, now }) },
      { path: '/api/tasks', router: inboxRoutes({ inbox, auth: authDeps }) },
      { path: '/api/calendar', router: calendarRoutes({ admin: createCalendarAdmin({ db, now, policy }), auth: authDeps }) },
      { path: '/api/monitor', router: monitorRoutes({ db, auth: authDeps, metricsToken: config.METRICS_TOKEN }) },
      { path: '/metrics', router: Router().get('/', metricsRoute({ db, auth: authDeps, metricsToken: config.METRICS_TOKEN })) },
      { path: '/api', router: inspectionRoutes({ service: inspection, vocabulary: currentVocabulary, cutoff: config.REPORT_WEEK_CUTOFF, auth: authDeps, slots: exportSlots }) },
      {
        path: '/api',
        router: monthlyReportRoutes({
          report: { service: inspection, agencyCode: config.AGENCY_CODE, lineage: catalog.lineage(config.AGENCY_CODE), regimes: loadRegimes(), heads: loadUnitHeads(processesDirOf(config)) },
          cutoff: config.REPORT_MONTH_CUTOFF,
          auth: authDeps,
          slots: exportSlots,
        }),
      },
      {
        path: '/api/dashboard',
        router: dashboardRoutes({ inspection, agencyCode: config.AGENCY_CODE, cutoff: config.REPORT_WEEK_CUTOFF, vneidTargetPercent: config.VNEID_SHARE_TARGET_PERCENT, auth: authDeps }),
      },
      { path: '/api/scores', router: scoreRoutes({ db, regimes: loadRegimes(), calendars: () => provider.current(), now, auth: authDeps, agencyName: inspection.agencyName(now()) }) },
      {
        path: '/api/process-versions',
        router: whatIfRoutes({
          ...whatIfDepsFromConfig(config, db, () => provider.current(), processesDirOf(config), loadRegimes()),
          catalog: () => catalog,
          auth: authDeps,
          now,
          agencyName: inspection.agencyName(now()),
        }),
      },
      { path: '/api/process-versions', router: designerRoutes({ db, catalog, auth: authDeps, now }) },
      {
        path: '/api/process-submissions',
        router: processSubmissionRoutes({ submissions: { db, catalog, dir: processesDirOf(config), zeebe: rawZeebe, now, logger }, auth: authDeps }),
      },
      { path: '/assets', router: assetRoutes() },
      { path: '/', router: pageRoutes() },
      {
        path: '/api/handovers',
        router: handoverRoutes({ handover: { db, catalog, zeebe: rawZeebe, processDefinitionKey: definitionKeys(rawZeebe, catalog), now }, auth: authDeps }),
      },
      {
        path: '/api/dossiers',
        router: dossierRoutes({ db, agencyCode: config.AGENCY_CODE, catalog, calendars: () => provider.current(), dueSoon: policy.dueSoon, auth: authDeps, now }),
      },
    ],
  });
  const inboxWorker = startInboxWorker(inbox, { activationTimeoutMs: config.USER_TASK_ACTIVATION_TIMEOUT_MS });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.HTTP_PORT, config.HTTP_HOST, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.HTTP_PORT;
  return {
    url: `http://${config.HTTP_HOST}:${port}`,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await inboxWorker.close();
      await stopWatching();
      await camunda.closeAllClients();
      healthMailer.close();
      await database.close();
    },
  };
}
