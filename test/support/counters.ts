/**
 * Every test database numbers its dossiers from a random offset, so dossier codes (the
 * correlation key of every message) do not repeat across test files and runs on the shared
 * broker, where process instances of earlier files may still wait for a message or hold a job.
 * A job of another file's instance whose dossier code repeated would be taken by this file's
 * workers for this file's dossier, bind that instance to it and cancel the dossier's own as a
 * duplicate (CI of aede100: apology.int at 2026-12-05T22:00+07:00).
 *
 * The offset is added by a trigger of the test database when a day's counter row is first
 * written, for every agency and every day: the product numbers a dossier by the agency of the
 * configured lineage in force on its receipt date (CA.KHA after 1/3/2025 for STP.KHA's), and
 * tests receive dossiers on any day, years before the suite's instant as well as after it.
 */
import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../server/db';

/** The lowest offset: a test database's first dossier of a day is never number 0001. */
export const MIN_COUNTER_OFFSET = 1;
/** The highest: 999 numbers a day are left to the tests before the daily limit (9,999). */
const MAX_COUNTER_OFFSET = 9000;

export async function offsetDossierCounters(db: Db): Promise<void> {
  const offset = randomInt(MIN_COUNTER_OFFSET, MAX_COUNTER_OFFSET);
  await sql`
    CREATE OR REPLACE FUNCTION test_dossier_counter_offset() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.seq := NEW.seq + ${sql.lit(offset)};
      RETURN NEW;
    END $$`.execute(db);
  await sql`
    CREATE OR REPLACE TRIGGER test_dossier_counter_offset BEFORE INSERT ON dossier_counters
    FOR EACH ROW EXECUTE FUNCTION test_dossier_counter_offset()`.execute(db);
}
