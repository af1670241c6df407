/**
 * Every test database starts its daily dossier counters at a random offset, so dossier codes
 * (the correlation key of every message) do not repeat across test runs on the shared broker,
 * where process instances of earlier runs (and of the test files before this one) may still wait
 * for a message or hold a job. A job of another file's instance whose dossier code repeated would
 * be taken by this file's workers for this file's dossier, bind that instance to it and cancel
 * the dossier's own as a duplicate.
 *
 * The counters of every agency in processes/agencies.json are seeded, not only the configured
 * one: a dossier is numbered by the agency of the configured lineage in force on its receipt
 * date (STP.KHA's lineage numbers a dossier received after 1/3/2025 as CA.KHA).
 *
 * The days seeded lie around the instant the test runs at (the suite's clock, not the real
 * date): from `pastDays` before it to `futureDays` after it, since tests receive dossiers on
 * earlier days and move the product's clock ahead.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { randomInt } from 'node:crypto';
import { dayNumberOf, localDateOf } from '../../server/calendar/civil-time';
import type { Db } from '../../server/db';
import { AGENCIES_FILE, agenciesFileSchema, PROCESSES_DIR } from '../../server/sla/catalog';

const DAY_MS = 86_400_000;
/** The lowest offset: a seeded day's first dossier is never number 0001. */
export const MIN_COUNTER_OFFSET = 1;

/** The agency codes of the repository's agencies.json. */
function agencyCodes(): string[] {
  const file = agenciesFileSchema.parse(JSON.parse(readFileSync(path.join(PROCESSES_DIR, AGENCIES_FILE), 'utf8')));
  return file.agencies.map((agency) => agency.code);
}

export async function seedCounters(db: Db, agencyCode: string, around: Date, options: { pastDays?: number; futureDays?: number } = {}): Promise<void> {
  const { pastDays = 60, futureDays = 60 } = options;
  const offset = randomInt(MIN_COUNTER_OFFSET, 9000);
  const days = [...new Set(Array.from({ length: pastDays + futureDays + 1 }, (_, i) => localDateOf(dayNumberOf(around.getTime() + (i - pastDays) * DAY_MS))))];
  const rows = [...new Set([agencyCode, ...agencyCodes()])].flatMap((code) => days.map((day) => ({ agencyCode: code, day, seq: offset })));
  await db.insertInto('dossierCounters').values(rows).onConflict((oc) => oc.columns(['agencyCode', 'day']).doNothing()).execute();
}
