/**
 * The intake stores the receipt, its dossier, declaration and audit entry in one statement
 * (server/intake/intake.ts), so the receipt's reference to its dossier no longer needs to wait
 * for the commit: it is checked at the end of that statement, like every other reference to a
 * dossier (0001 made it DEFERRABLE INITIALLY DEFERRED when the receipt was written before its
 * dossier in a transaction). The check is the same; it leaves the transaction's deferred queue.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE intake_receipts ALTER CONSTRAINT intake_receipts_dossier_code_fkey NOT DEFERRABLE`.execute(db);
}
