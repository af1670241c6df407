/**
 * Every test database starts its daily dossier counters at a random offset, so dossier codes
 * (the correlation key of every message) do not repeat across test runs on the shared broker,
 * where process instances of earlier runs may still wait for a message.
 */
import { randomInt } from 'node:crypto';
import type { Config } from '../../server/config';
import { connectDatabase } from '../../server/db';
import { counterModel, yymmdd } from '../../server/intake/dossier-code';

export async function seedCounters(config: Config, days = 40): Promise<void> {
  const db = await connectDatabase(config);
  try {
    const counters = counterModel(db);
    const offset = randomInt(0, 9000);
    const now = Date.now();
    const docs = Array.from({ length: days }, (_, i) => ({ _id: `dossier:${config.AGENCY_CODE}:${yymmdd(new Date(now - i * 86_400_000))}`, seq: offset }));
    await counters.insertMany(docs, { ordered: false }).catch(() => undefined);
  } finally {
    await db.close();
  }
}
