/**
 * Starts the real API on an ephemeral loopback port against its own database on the local
 * stack, with the demo accounts seeded; `stop()` drops that database.
 */
import type { Server } from 'node:http';
import type { Router } from 'express';
import { createApp } from '../../server/api/app';
import { seedDemoAccounts } from '../../server/auth/seed';
import { loadConfig, type Config, type TrustProxy } from '../../server/config';
import type { Db } from '../../server/db';
import { createTestDatabase } from './database';
import { processReadiness } from '../../server/health';
import { createMailer } from '../../server/mail';
import { createZeebeClient } from '../../server/zeebe';
import { createLogger } from '../../server/logger';
import { testClock } from './clock';

export const DEMO_PASSWORD = 'test-password';
export const PARTNER_KEY = 'test-partner-key';

export interface TestApp {
  url: string;
  db: Db;
  config: Config;
  login(username: string): Promise<string>;
  stop(): Promise<void>;
}

/** `trustProxy`: as TRUST_PROXY (none by default; `1`: the test is the one proxy, its X-Forwarded-For names the client). */
export async function startTestApp(name: string, routers: (db: Db, config: Config) => { path: string; router: Router }[] = () => [], options: { trustProxy?: TrustProxy } = {}): Promise<TestApp> {
  const testDb = await createTestDatabase(name);
  const config = loadConfig({ ...process.env, DATABASE_URL: testDb.url, LOG_LEVEL: 'silent' });
  const db = testDb.database.db;
  const now = testClock();
  await seedDemoAccounts(db, { nodeEnv: 'test', password: DEMO_PASSWORD, partnerKey: PARTNER_KEY, now });
  const logger = createLogger({ level: 'silent' });
  const { camunda, zeebe } = createZeebeClient(config, { retries: 0 });
  const mailer = createMailer(config, { timeoutMs: 2000 });
  const app = createApp({
    checkStack: processReadiness({ zeebe, db, mailer, addresses: { zeebe: config.ZEEBE_GRPC_ADDRESS, database: testDb.url, smtp: config.SMTP_URL }, logger }),
    trustProxy: options.trustProxy ?? false,
    logger,
    auth: { db, now, sessionHours: 1, secureCookies: false },
    routers: routers(db, config),
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    db,
    config,
    async login(username) {
      const response = await fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: DEMO_PASSWORD }),
      });
      if (!response.ok) throw new Error(`login ${username} answered ${response.status}`);
      return ((await response.json()) as { token: string }).token;
    },
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await camunda.closeAllClients();
      mailer.close();
      await testDb.drop();
    },
  };
}
