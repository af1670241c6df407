/**
 * Outage safety of the inbox (issue 14): a task's completion is recorded before the job is
 * completed in Zeebe (`completion`: the form's variables, the late reason, when and by whom), so
 * that a completion whose read-model write failed after Zeebe took it is finished by the same
 * request sent again, with what Zeebe was given.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE tasks ADD COLUMN completion jsonb`.execute(db);
}
