/**
 * Starts the real API on an ephemeral loopback port against its own database on the local
 * stack, with the demo accounts seeded; `stop()` drops that database.
 */
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Router } from 'express';
import { createApp } from '../../server/api/app';
import { authModels, type AuthModels } from '../../server/auth/models';
import { seedDemoAccounts } from '../../server/auth/seed';
import { loadConfig, type Config } from '../../server/config';
import { connectDatabase, type Connection } from '../../server/db';
import { checkStack } from '../../server/health';
import { createLogger } from '../../server/logger';

export const DEMO_PASSWORD = 'test-password';
export const PARTNER_KEY = 'test-partner-key';

export interface TestApp {
  url: string;
  db: Connection;
  config: Config;
  models: AuthModels;
  login(username: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startTestApp(name: string, routers: (db: Connection, config: Config) => { path: string; router: Router }[] = () => []): Promise<TestApp> {
  const config = loadConfig({ ...process.env, MONGODB_URI: `mongodb://127.0.0.1:27017/lltp_test_${name}_${randomUUID().slice(0, 8)}`, LOG_LEVEL: 'silent' });
  const db = await connectDatabase(config);
  const models = authModels(db);
  const now = (): Date => new Date();
  await seedDemoAccounts(models, { nodeEnv: 'test', password: DEMO_PASSWORD, partnerKey: PARTNER_KEY, now });
  const app = createApp({
    checkStack: () => checkStack(config),
    trustProxy: false,
    logger: createLogger({ level: 'silent' }),
    auth: { models, now, sessionHours: 1, secureCookies: false },
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
    models,
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
      await db.dropDatabase();
      await db.close();
    },
  };
}
