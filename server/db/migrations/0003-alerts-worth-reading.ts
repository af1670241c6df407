/**
 * Alerts worth reading (issue 15):
 * - `alerts.delivery_status` gains `superseded` (the condition no longer held when the mail was
 *   due to leave: the step or dossier finished or moved on; never sent) and `inDigest` (every
 *   recipient takes due-soon notices in the daily digest: nothing to send now);
 *   `alerts.superseded_reason` says why;
 * - `users.due_soon_delivery`: how a person takes due-soon notices, `immediate` or `digest`;
 *   null means the default of their roles (digest for heads of division and supervisors).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE alerts
      DROP CONSTRAINT alerts_delivery_status_check,
      ADD CONSTRAINT alerts_delivery_status_check CHECK (delivery_status IN ('pending', 'sent', 'failed', 'noRecipient', 'superseded', 'inDigest')),
      ADD COLUMN superseded_reason text`.execute(db);
  await sql`ALTER TABLE users ADD COLUMN due_soon_delivery text CHECK (due_soon_delivery IN ('immediate', 'digest'))`.execute(db);
}
