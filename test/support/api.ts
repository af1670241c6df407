/**
 * The real API process (startApi) on its own database and a free loopback port, with the
 * models deployed to the local broker, on the suite's clock. `stop()` drops the database.
 */
import { deployProcesses } from '../../processes/deploy';
import { startApi, type RunningApi } from '../../server/api/compose';
import { seedDemoAccounts } from '../../server/auth/seed';
import { loadConfig, type Config } from '../../server/config';
import type { Db } from '../../server/db';
import { testClock } from './clock';
import { offsetDossierCounters } from './counters';
import { createTestDatabase } from './database';
import { requireStack } from '../../server/health';
import { createLogger } from '../../server/logger';
import { createZeebeClient } from '../../server/zeebe';
import { processesDirOf } from '../../server/sla/catalog';
import { signIfPartner } from '../../server/auth/partner-signature';

/** The one-stop partner's id and secret: the helpers sign each call with them (server/auth/partner-signature.ts). */
export const PARTNER_HEADERS = { 'x-partner-id': 'mot-cua-tinh', 'x-api-key': 'flow-partner-key' } as const;
export const STAFF_PASSWORD = 'flow-password';

export interface ApiUnderTest {
  api: RunningApi;
  config: Config;
  db: Db;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }>;
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }>;
  login(username: string): Promise<Record<string, string>>;
  /** Stops the API, deploys the models of its PROCESSES_DIR again and starts it on the same database (the models were changed). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** `options.now`: the product's clock (default: the suite's, testClock); the helpers sign partner calls with it too. */
export async function startApiUnderTest(name: string, env: Record<string, string> = {}, options: { now?: () => Date } = {}): Promise<ApiUnderTest> {
  await requireStack(loadConfig(process.env));
  const testDb = await createTestDatabase(name);
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: testDb.url,
    HTTP_PORT: '0',
    LOG_LEVEL: 'silent',
    NODE_ENV: 'test',
    DEMO_PASSWORD: STAFF_PASSWORD,
    DEMO_PARTNER_KEY: PARTNER_HEADERS['x-api-key'],
    ...env,
  });
  const logger = createLogger({ level: 'silent' });
  const { camunda, zeebe } = createZeebeClient(config);
  await deployProcesses(zeebe, logger, { dir: processesDirOf(config) });
  await camunda.closeAllClients();
  const db = testDb.database.db;
  const now = options.now ?? testClock();
  await offsetDossierCounters(db);
  // the API seeds no account: the test's demo accounts, as `npm run demo` writes them
  await seedDemoAccounts(db, { nodeEnv: config.NODE_ENV, password: STAFF_PASSWORD, partnerKey: PARTNER_HEADERS['x-api-key'], agencyCode: config.AGENCY_CODE, now });
  let api = await startApi(config, logger, { now });
  const call = async (method: string, path: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> => {
    const sent = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const response = await fetch(`${api.url}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...signIfPartner(headers, method, path, sent, () => now().getTime()) },
      body: sent,
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  return {
    get api() {
      return api;
    },
    config,
    db,
    post: (path, body, headers = {}) => call('POST', path, body, headers),
    get: (path, headers = {}) => call('GET', path, undefined, headers),
    async login(username) {
      const answer = await call('POST', '/api/auth/login', { username, password: STAFF_PASSWORD }, {});
      if (answer.status !== 200) throw new Error(`login ${username}: ${answer.status} ${JSON.stringify(answer.body)}`);
      return { authorization: `Bearer ${String(answer.body.token)}` };
    },
    async restart() {
      await api.stop();
      const { camunda: again, zeebe: broker } = createZeebeClient(config);
      await deployProcesses(broker, logger, { dir: processesDirOf(config) });
      await again.closeAllClients();
      api = await startApi(config, logger, { now });
    },
    async stop() {
      await api.stop();
      await testDb.drop();
    },
  };
}
