/**
 * Every test database starts its daily dossier counters at a random offset, so dossier codes
 * (the correlation key of every message) do not repeat across test runs on the shared broker,
 * where process instances of earlier runs may still wait for a message.
 */
import { randomInt } from 'node:crypto';
import { dayNumberOf, localDateOf } from '../../server/calendar/civil-time';
import type { Db } from '../../server/db';

export async function seedCounters(db: Db, agencyCode: string, days = 40): Promise<void> {
  const offset = randomInt(0, 9000);
  const now = Date.now();
  const rows = Array.from({ length: days }, (_, i) => ({ agencyCode, day: localDateOf(dayNumberOf(now - i * 86_400_000)), seq: offset }));
  await db.insertInto('dossierCounters').values(rows).onConflict((oc) => oc.columns(['agencyCode', 'day']).doNothing()).execute();
}
