/**
 * A connection the database drops while it is checked out (a transaction between two
 * statements, here) must not crash the process: pg-pool listens for errors on idle connections
 * only, so the fault suite's kill -9 of PostgreSQL once took the workers down with an unhandled
 * 'error' event. The holder's next statement fails as an outage and the pool serves the next
 * caller with a new connection.
 */
import { sql } from 'kysely';
import pg from 'pg';
import { isDatabaseUnavailable } from '../../../server/db';
import { createTestDatabase, type TestDatabase } from '../../support/database';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase('dropped');
});
afterAll(() => testDb?.drop());

test('a checked-out connection terminated by the server: the next statement fails as an outage, nothing crashes, the pool goes on', async () => {
  const { db } = testDb.database;
  const failure = await db
    .transaction()
    .execute(async (tx) => {
      const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(tx);
      const admin = new pg.Client({ connectionString: testDb.url });
      await admin.connect();
      try {
        await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      } finally {
        await admin.end();
      }
      // the server's goodbye reaches the idle, checked-out connection
      await new Promise((resolve) => setTimeout(resolve, 300));
      await sql`SELECT 1`.execute(tx);
    })
    .then(() => undefined, (error: unknown) => error);
  expect(failure).toBeInstanceOf(Error);
  expect(isDatabaseUnavailable(failure)).toBe(true);
  const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(db);
  expect(rows).toEqual([{ one: 1 }]);
});
