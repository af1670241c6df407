/**
 * The versions page (issue 27, item 1) counts the dossiers each model version governs, open and
 * closed, in one grouped query per kind: national versions by `process_id`, internal ones by
 * `internal_process_id`. These indexes hold the version and the status, so each count is an
 * index-only scan instead of a read of every dossier row.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX dossiers_by_process ON dossiers (process_id, status) WHERE process_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX dossiers_by_internal_process ON dossiers (internal_process_id, status) WHERE internal_process_id IS NOT NULL`.execute(db);
}
