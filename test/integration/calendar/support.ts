/** A database of its own for each calendar integration test file, dropped afterwards. */
import type { Db } from '../../../server/db';
import { createTestDatabase } from '../../support/database';

export async function openTestDatabase(prefix: string): Promise<{ db: Db; url: string; drop: () => Promise<void> }> {
  const testDb = await createTestDatabase(`calendar_${prefix}`);
  return { db: testDb.database.db, url: testDb.url, drop: () => testDb.drop() };
}

/** A controllable clock for the admin service. */
export function fixedClock(iso: string): { now: () => Date; set: (iso: string) => void } {
  let current = new Date(iso);
  return { now: () => new Date(current.getTime()), set: (next) => (current = new Date(next)) };
}
