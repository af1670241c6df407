/**
 * Production by default, and no demo secret in production (issue 29, item 8):
 * - NODE_ENV defaults to production, and an API started without `npm run demo` seeds no demo
 *   account and no demo partner (in production or in development);
 * - `npm run demo`'s seeding step (tools/demo/seed.ts) writes them, and refuses in production;
 * - an API process started with NODE_ENV=production refuses to start, naming the problem, while
 *   a demo account has the demo password, a partner has the demo key, or METRICS_TOKEN is short.
 * Real API process (`server/main.ts api`), real database and broker.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startApi } from '../../server/api/compose';
import { DemoSecretError } from '../../server/auth/demo-secrets';
import { DEMO_USERS, seedDemoAccounts } from '../../server/auth/seed';
import { loadConfig, settings, type Config } from '../../server/config';
import { createLogger } from '../../server/logger';
import { testClock } from '../support/clock';
import { createTestDatabase, type TestDatabase } from '../support/database';

const REPO = path.resolve(__dirname, '../..');
const logger = createLogger({ level: 'silent' });
const databases: TestDatabase[] = [];

afterAll(async () => {
  for (const database of databases) await database.drop();
});

/** The environment of a process of this suite, without NODE_ENV (the product's default applies). */
function baseEnv(url: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { NODE_ENV: _mode, DEMO_PASSWORD: _password, DEMO_PARTNER_KEY: _key, METRICS_TOKEN: _token, ...env } = process.env;
  return { ...env, DATABASE_URL: url, HTTP_PORT: '0', LOG_LEVEL: 'silent', ...extra };
}

async function database(name: string): Promise<TestDatabase> {
  const created = await createTestDatabase(name);
  databases.push(created);
  return created;
}

/** Runs a script of the repository as its own process; its exit code and output. */
function run(script: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...script], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const accounts = async (db: TestDatabase): Promise<{ users: number; partners: number }> => ({
  users: (await db.database.db.selectFrom('users').select('username').execute()).length,
  partners: (await db.database.db.selectFrom('partners').select('partnerId').execute()).length,
});

test('NODE_ENV defaults to production', () => {
  expect(settings.NODE_ENV.default).toBe('production');
  expect(loadConfig(baseEnv('postgresql://lltp@127.0.0.1:5432/lltp')).NODE_ENV).toBe('production');
});

test.each(['production', 'development'])('an API started without the demo command (NODE_ENV=%s) seeds no demo account or partner', async (mode) => {
  const db = await database(`no_demo_${mode}`);
  const config: Config = loadConfig(baseEnv(db.url, { NODE_ENV: mode }));
  const api = await startApi(config, logger, { now: testClock() });
  try {
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    expect(await accounts(db)).toEqual({ users: 0, partners: 0 });
    const login = await fetch(`${api.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'quantri', password: settings.DEMO_PASSWORD.default }) });
    expect(login.status).toBe(401);
  } finally {
    await api.stop();
  }
}, 60_000);

test('the demo command seeds the demo accounts, and refuses to in production', async () => {
  const db = await database('demo_seed');
  const refused = await run(['tools/demo/seed.ts'], baseEnv(db.url));
  expect(refused.code).toBe(2);
  expect(refused.output).toContain('NODE_ENV=production');
  expect(await accounts(db)).toEqual({ users: 0, partners: 0 });
  const seeded = await run(['tools/demo/seed.ts'], baseEnv(db.url, { NODE_ENV: 'development' }));
  expect(seeded.code).toBe(0);
  expect((await accounts(db)).users).toBe(DEMO_USERS.length);
}, 120_000);

test('the API process in production refuses to start while a demo account has the demo password, naming it', async () => {
  const db = await database('prod_demo_password');
  // as if `npm run demo` had been run against the production database (the shipped demo password and key)
  await seedDemoAccounts(db.database.db, { nodeEnv: 'development', password: settings.DEMO_PASSWORD.default!, partnerKey: settings.DEMO_PARTNER_KEY.default!, now: testClock() });
  const started = await run(['server/main.ts', 'api'], baseEnv(db.url));
  expect(started.code).toBe(2);
  expect(started.output).toContain('NODE_ENV=production');
  expect(started.output).toMatch(/tài khoản demo .*quantri.* dùng mật khẩu demo \(DEMO_PASSWORD\)/);
  expect(started.output).toMatch(/đối tác .*mot-cua-tinh.* dùng khóa demo \(DEMO_PARTNER_KEY\)/);
  expect(started.output).not.toContain('API listening');
}, 120_000);

test('in production a configured demo password or key, a demo account with it, or a short METRICS_TOKEN keep the API from starting', async () => {
  const db = await database('prod_configured_demo');
  await seedDemoAccounts(db.database.db, { nodeEnv: 'development', password: 'a-configured-demo-password', partnerKey: 'a-configured-demo-key', now: testClock() });
  const production = (extra: Record<string, string>): Config => loadConfig(baseEnv(db.url, { NODE_ENV: 'production', ...extra }));
  const refusal = (config: Config): Promise<unknown> => startApi(config, logger, { now: testClock() }).then(
    async (api) => {
      await api.stop();
      return null;
    },
    (error: unknown) => error,
  );
  const withDemo = await refusal(production({ DEMO_PASSWORD: 'a-configured-demo-password', DEMO_PARTNER_KEY: 'a-configured-demo-key' }));
  expect(withDemo).toBeInstanceOf(DemoSecretError);
  expect((withDemo as DemoSecretError).problems).toHaveLength(2);
  // the accounts' own passwords changed and the partners given new keys: it starts
  await db.database.db.updateTable('users').set({ active: false }).execute();
  await db.database.db.updateTable('partners').set({ active: false }).execute();
  expect(await refusal(production({ DEMO_PASSWORD: 'a-configured-demo-password', DEMO_PARTNER_KEY: 'a-configured-demo-key' }))).toBeNull();
  const shortToken = await refusal(production({ METRICS_TOKEN: 'short' }));
  expect(shortToken).toBeInstanceOf(DemoSecretError);
  expect((shortToken as DemoSecretError).message).toContain('METRICS_TOKEN');
  expect(await refusal(production({ METRICS_TOKEN: 'x'.repeat(32) }))).toBeNull();
}, 120_000);
