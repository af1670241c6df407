/**
 * Builds the API process: database, calendar, process catalog, Zeebe client, the feature
 * routers and the inbox's user-task worker. `main.ts` calls `startApi`; tests call it too, on
 * their own database and port.
 */
import { Router } from 'express';
import type { Server } from 'node:http';
import { auditModel } from '../audit';
import { authModels } from '../auth/models';
import { seedDemoAccounts } from '../auth/seed';
import { oneStopEventRoutes } from '../callbacks/one-stop';
import { policeCallbackRoutes } from '../callbacks/police';
import { createCalendarAdmin } from '../calendar/admin';
import { calendarPolicyFromConfig } from '../calendar/policy';
import { calendarRoutes } from '../calendar/routes';
import { createCalendarProvider } from '../calendar/provider';
import { loadSeed } from '../calendar/seed';
import { seedCalendar } from '../calendar/store';
import type { Config } from '../config';
import { connectDatabase } from '../db';
import { dossierRoutes } from '../dossiers/routes';
import { checkStack } from '../health';
import { startInboxWorker, type InboxDeps } from '../inbox/inbox';
import { inboxRoutes } from '../inbox/routes';
import { taskModel } from '../inbox/task';
import { counterModel } from '../intake/dossier-code';
import { intakeReceiptModel, type IntakeDeps } from '../intake/intake';
import { intakeRoutes } from '../intake/routes';
import type { Logger } from '../logger';
import { declarationModel } from '../readmodel/declaration';
import { dossierModel } from '../readmodel/dossier';
import { stepModel } from '../readmodel/step';
import { pageRoutes } from '../pages/routes';
import { monitorModels } from '../monitor/model';
import { metricsRoute, monitorRoutes } from '../monitor/routes';
import { loadProcessCatalog } from '../sla';
import { createZeebeClient } from '../zeebe';
import { createApp } from './app';

/** The receiving unit of VNeID dossiers: the STP one-stop desk (SLA unit id in the models). */
export const RECEIVING_UNIT_ID = 'stp-mot-cua';

export interface RunningApi {
  url: string;
  stop: () => Promise<void>;
}

export async function startApi(config: Config, logger: Logger, options: { now?: () => Date; seedDemo?: boolean } = {}): Promise<RunningApi> {
  const now = options.now ?? ((): Date => new Date());
  const db = await connectDatabase(config);
  const auth = authModels(db);
  const seedDemo = options.seedDemo ?? config.NODE_ENV !== 'production';
  if (seedDemo) await seedDemoAccounts(auth, { nodeEnv: config.NODE_ENV, password: config.DEMO_PASSWORD, partnerKey: config.DEMO_PARTNER_KEY, now });
  await seedCalendar(db, loadSeed(), { actor: 'system:seed', now });
  const policy = calendarPolicyFromConfig(config);
  const provider = createCalendarProvider({ connection: db, now, refreshMs: policy.refreshMs });
  const catalog = await loadProcessCatalog();
  const { camunda, zeebe } = createZeebeClient(config);

  const models = {
    dossiers: dossierModel(db),
    steps: stepModel(db),
    declarations: declarationModel(db),
    audit: auditModel(db),
    tasks: taskModel(db),
  };
  await Promise.all(Object.values(models).map((m) => m.init()));
  const authDeps = { models: auth, now };
  const intake: IntakeDeps = {
    dossiers: models.dossiers,
    declarations: models.declarations,
    receipts: intakeReceiptModel(db),
    counters: counterModel(db),
    audit: models.audit,
    calendars: () => provider.current(),
    catalog,
    zeebe,
    policy,
    agencyCode: config.AGENCY_CODE,
    unitId: RECEIVING_UNIT_ID,
    now,
  };
  const inbox: InboxDeps = {
    tasks: models.tasks,
    audit: models.audit,
    timeline: { steps: models.steps, dossiers: models.dossiers, plan: (id) => catalog.plan(id) },
    calendars: () => provider.current(),
    dueSoon: policy.dueSoon,
    zeebe,
    logger,
    now,
  };
  const monitoring = monitorModels(db);
  const app = createApp({
    checkStack: () => checkStack(config),
    trustProxy: config.TRUST_PROXY,
    logger,
    auth: { ...authDeps, sessionHours: config.SESSION_HOURS, secureCookies: config.PUBLIC_BASE_URL.startsWith('https:') },
    routers: [
      { path: '/api/intake', router: intakeRoutes({ intake, auth: authDeps }) },
      { path: '/api/callbacks', router: policeCallbackRoutes({ zeebe, dossiers: models.dossiers, steps: models.steps, audit: models.audit, auth: authDeps, now }) },
      { path: '/api/callbacks', router: oneStopEventRoutes({ zeebe, dossiers: models.dossiers, audit: models.audit, auth: authDeps, now }) },
      { path: '/api/tasks', router: inboxRoutes({ inbox, auth: authDeps }) },
      { path: '/api/calendar', router: calendarRoutes({ admin: createCalendarAdmin({ connection: db, now, policy }), auth: authDeps }) },
      { path: '/api/monitor', router: monitorRoutes({ models: monitoring, auth: authDeps, metricsToken: config.METRICS_TOKEN }) },
      { path: '/metrics', router: Router().get('/', metricsRoute({ models: monitoring, auth: authDeps, metricsToken: config.METRICS_TOKEN })) },
      { path: '/', router: pageRoutes() },
      {
        path: '/api/dossiers',
        router: dossierRoutes({ ...models, calendars: () => provider.current(), dueSoon: policy.dueSoon, auth: authDeps, now }),
      },
    ],
  });
  const inboxWorker = startInboxWorker(inbox);
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
      await camunda.closeAllClients();
      await db.close();
    },
  };
}
