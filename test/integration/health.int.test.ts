/**
 * /healthz and /readyz of the real API (startApi): they ask through the process's own clients
 * (no new database session per call), tell an anonymous caller only up or down per component
 * (the errors and addresses go to administrators, /readyz/details), and are rate-limited.
 */
import { createServer } from 'node:net';
import { sql } from 'kysely';
import { startApiUnderTest, type ApiUnderTest } from '../support/api';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Sessions ever opened to this database (PostgreSQL's cumulative counter) and those alive now that began after `since`. */
async function sessions(s: ApiUnderTest, since: Date): Promise<{ opened: number; startedSince: number }> {
  await sql`SELECT pg_stat_clear_snapshot()`.execute(s.db);
  const opened = await sql<{ n: string }>`SELECT sessions AS n FROM pg_stat_database WHERE datname = current_database()`.execute(s.db);
  const alive = await sql<{ n: string }>`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND backend_start > ${since} AND pid <> pg_backend_pid()`.execute(s.db);
  return { opened: Number(opened.rows[0]?.n ?? 0), startedSince: Number(alive.rows[0]?.n ?? 0) };
}

describe('the API with every component up', () => {
  let s: ApiUnderTest;
  beforeAll(async () => {
    s = await startApiUnderTest('health');
  }, 60000);
  afterAll(async () => s?.stop(), 30000);

  test('50 calls of /readyz open no database session: the pool is reused', async () => {
    expect((await s.get('/readyz')).status).toBe(200);
    // let the observer's own connection and any start-up work settle into the counter
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // the database's own clock: backend_start is on it
    const since = (await sql<{ t: Date }>`SELECT clock_timestamp() AS t`.execute(s.db)).rows[0]!.t;
    const before = await sessions(s, since);
    for (let i = 0; i < 50; i++) {
      const answer = await s.get('/readyz');
      expect(answer.status).toBe(200);
      // spread over about 3 s: several rounds of checks, not one answer reused
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    // a session that ended reports itself when it exits; one still open is in pg_stat_activity
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const after = await sessions(s, since);
    expect({ opened: after.opened - before.opened, startedSince: after.startedSince }).toEqual({ opened: 0, startedSince: 0 });
  }, 60000);

  test('/readyz is rate-limited per client address: past 120 calls a minute, 429 with Retry-After', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 130; i++) {
      const response = await fetch(`${s.api.url}/readyz`);
      statuses.push(response.status);
      if (response.status === 429) retryAfter ??= response.headers.get('retry-after');
      await response.arrayBuffer();
    }
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(10);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  }, 60000);
});

describe('the API with its SMTP server down', () => {
  let s: ApiUnderTest;
  let port: number;
  beforeAll(async () => {
    port = await closedPort();
    s = await startApiUnderTest('health_down', { SMTP_URL: `smtp://relayuser:relaypass@127.0.0.1:${port}` });
  }, 60000);
  afterAll(async () => s?.stop(), 30000);

  test('an anonymous caller learns only which component is down; an administrator gets the error', async () => {
    const response = await fetch(`${s.api.url}/readyz`);
    expect(response.status).toBe(503);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      status: 'not ready',
      components: [
        { component: 'Zeebe broker', ok: true },
        { component: 'PostgreSQL', ok: true },
        { component: 'SMTP server', ok: false },
      ],
    });
    const database = new URL(s.config.DATABASE_URL);
    const secrets = ['127.0.0.1', String(port), 'relayuser', 'relaypass', database.username, database.hostname, database.port || '5432', database.pathname.slice(1), 'ECONNREFUSED'];
    for (const secret of secrets) expect([secret, text.includes(secret)]).toEqual([secret, false]);

    expect((await fetch(`${s.api.url}/readyz/details`)).status).toBe(401);
    expect((await fetch(`${s.api.url}/readyz/details`, { headers: await s.login('motcua') })).status).toBe(403);
    const details = await s.get('/readyz/details', await s.login('quantri'));
    expect(details.status).toBe(503);
    const smtp = (details.body.components as { component: string; ok: boolean; address: string; detail?: string }[]).find((c) => c.component === 'SMTP server');
    expect(smtp).toMatchObject({ ok: false, address: `smtp://relayuser:***@127.0.0.1:${port}` });
    expect(smtp?.detail).toContain(String(port));
  }, 60000);
});
