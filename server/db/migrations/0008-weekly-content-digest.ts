/**
 * Reports as of their cut-off (issue 23, item 6): `weekly_reports.content_sha256`, the SHA-256
 * of a weekly report's canonical content, its rows digest and every figure of its summary
 * (server/inspection/service.ts), so that a report rebuilt later can be compared with the
 * archived one figure for figure. Empty for the reports archived before it.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE weekly_reports ADD COLUMN content_sha256 text CHECK (content_sha256 ~ '^[0-9a-f]{64}$')`.execute(db);
}
