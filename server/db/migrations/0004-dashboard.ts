/**
 * The supervisors' dashboard (issue 13): the heat map groups the open steps of one process
 * version by element; this partial index serves it without reading the finished steps.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX steps_open_by_element ON steps (process_id, element_id) WHERE finished_at IS NULL`.execute(db);
}
