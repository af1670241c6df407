/**
 * Every test database starts its daily dossier counters at a random offset, so dossier codes
 * (the correlation key of every message) do not repeat across test runs on the shared broker,
 * where process instances of earlier runs may still wait for a message.
 *
 * The days seeded lie around the instant the test runs at (the suite's clock, not the real
 * date): from `pastDays` before it to `futureDays` after it, since tests receive dossiers on
 * earlier days and move the product's clock ahead.
 */
import { randomInt } from 'node:crypto';
import { dayNumberOf, localDateOf } from '../../server/calendar/civil-time';
import type { Db } from '../../server/db';

const DAY_MS = 86_400_000;

export async function seedCounters(db: Db, agencyCode: string, around: Date, options: { pastDays?: number; futureDays?: number } = {}): Promise<void> {
  const { pastDays = 60, futureDays = 60 } = options;
  const offset = randomInt(0, 9000);
  const days = Array.from({ length: pastDays + futureDays + 1 }, (_, i) => localDateOf(dayNumberOf(around.getTime() + (i - pastDays) * DAY_MS)));
  const rows = [...new Set(days)].map((day) => ({ agencyCode, day, seq: offset }));
  await db.insertInto('dossierCounters').values(rows).onConflict((oc) => oc.columns(['agencyCode', 'day']).doNothing()).execute();
}
