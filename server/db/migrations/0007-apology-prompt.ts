/**
 * The apology in time (issue 23): each dossier keeps its prompt lead, the working minutes before
 * `apologyByAt` at which the leader is asked for the apology (`lltp:deadline.apologyPrompt` of its
 * national procedure version), beside the apology lead it already keeps. Dossiers received before
 * this migration keep 0: asked at `apologyByAt`, as they were.
 *
 * The one-stop desk is told in writing when the apology went out (Decree 61/2018, Art. 19): a new
 * alert kind, `apologyIssued`, mailed to the one-stop officers through the alert outbox. So is a
 * due date moved to the extended statutory time (15 working days): `extended_at` records when,
 * and the alert kind `appointmentExtended` tells the desk.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE dossiers ADD COLUMN apology_prompt_minutes integer NOT NULL DEFAULT 0 CHECK (apology_prompt_minutes >= 0)`.execute(db);
  await sql`ALTER TABLE dossiers ADD COLUMN extended_at timestamptz`.execute(db);
  await sql`ALTER TABLE alerts DROP CONSTRAINT alerts_kind_check`.execute(db);
  await sql`ALTER TABLE alerts ADD CONSTRAINT alerts_kind_check
    CHECK (kind IN ('dueSoon', 'overdue', 'escalation', 'apologyDue', 'apologyIssued', 'appointmentExtended', 'doneLate', 'digest', 'weekly'))`.execute(db);
}
