/**
 * The apology in time (issue 23): each dossier keeps its prompt lead, the working minutes before
 * `apologyByAt` at which the leader is asked for the apology (`lltp:deadline.apologyPrompt` of its
 * national procedure version), beside the apology lead it already keeps. Dossiers received before
 * this migration keep 0: asked at `apologyByAt`, as they were.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE dossiers ADD COLUMN apology_prompt_minutes integer NOT NULL DEFAULT 0 CHECK (apology_prompt_minutes >= 0)`.execute(db);
}
