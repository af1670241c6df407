/**
 * Login throttling (issue 14): one row per failed log-in, by account (`user:<name>`) and by
 * client address (`address:<ip>`); the failures within the lockout window decide the delay and
 * the lockout; a successful log-in or an administrator's unlock clears an account's rows.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE login_failures (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      key text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
      failed_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX login_failures_key ON login_failures (key, failed_at)`.execute(db);
}
