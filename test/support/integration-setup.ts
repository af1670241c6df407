/**
 * Jest global setup of the integration project: drops the test databases an earlier run left
 * behind (a crashed run cannot drop its own) and migrates the template the test databases are
 * copied from. When PostgreSQL is down it only says so: each test file then fails naming it.
 */
import { dropLeftovers, ensureTemplate } from './database';

export default async function setup(): Promise<void> {
  try {
    const dropped = await dropLeftovers();
    if (dropped > 0) console.log(`integration setup: dropped ${dropped} database(s) left by an earlier run`);
    await ensureTemplate();
  } catch (error) {
    console.log(`integration setup: PostgreSQL not ready (${(error as Error).message}); the tests will say which component is down`);
  }
}
