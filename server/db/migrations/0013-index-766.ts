/**
 * The 766 index (issue 25, items 1 and 2): what each dossier feeds it that the read model did not
 * hold yet.
 * - `fee_category`, `fee_paid_online`: the fee the citizen owes (`exempt`: no financial
 *   obligation) and whether it was paid online; VNeID requests carry both (the fee receipt is paid
 *   on VNeID before the request is sent), back-filled here from the declarations they came with;
 * - `citizen_rating`, `citizen_rated_at`: the citizen's rating of the dossier's handling, to be
 *   collected through the VNeID notice that carries the result (not fed yet: the index reports
 *   "không có dữ liệu" while no dossier of a scope has one);
 * - `portal_synced_at`, `portal_sync_delay_minutes`: the dossier's status feed to the national
 *   portal, and its worst delay (not fed yet, likewise);
 * - the supplement requests' index, read per dossier when the index counts the second one.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE dossiers ADD COLUMN fee_category text CHECK (fee_category IN ('full', 'reduced', 'exempt'))`.execute(db);
  await sql`ALTER TABLE dossiers ADD COLUMN fee_paid_online boolean`.execute(db);
  await sql`ALTER TABLE dossiers ADD COLUMN citizen_rating text CHECK (citizen_rating IN ('satisfied', 'neutral', 'dissatisfied'))`.execute(db);
  await sql`ALTER TABLE dossiers ADD COLUMN citizen_rated_at timestamptz`.execute(db);
  await sql`ALTER TABLE dossiers ADD CONSTRAINT dossiers_rating_dated CHECK ((citizen_rating IS NULL) = (citizen_rated_at IS NULL))`.execute(db);
  await sql`ALTER TABLE dossiers ADD COLUMN portal_synced_at timestamptz`.execute(db);
  await sql`ALTER TABLE dossiers ADD COLUMN portal_sync_delay_minutes integer CHECK (portal_sync_delay_minutes >= 0)`.execute(db);
  await sql`
    UPDATE dossiers d
       SET fee_category = x.request ->> 'feeCategory',
           fee_paid_online = (x.request ->> 'feeCategory') <> 'exempt'
      FROM declarations x
     WHERE x.dossier_code = d.code AND d.source = 'vneid' AND x.request ->> 'feeCategory' IN ('full', 'reduced', 'exempt')`.execute(db);
  // a period's dossiers: received in it, or still open at its start (finished in it or later)
  await sql`CREATE INDEX dossiers_finished_any ON dossiers (finished_at)`.execute(db);
  await sql`CREATE INDEX clock_stops_supplement ON clock_stops (dossier_code, started_at) INCLUDE (ended_at) WHERE reason = 'supplement'`.execute(db);
}
