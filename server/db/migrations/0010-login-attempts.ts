/**
 * Login throttling that holds under parallel attempts (issue 29, item 1): one row per attempt,
 * written before the password is checked (`pending`), under a transaction-level advisory lock on
 * the client address, so that the count an attempt is judged on includes every attempt before it.
 * The attempt becomes `failed` when the password is wrong and is deleted when it is right. Rows
 * carry the account and the address together: the limit is per (account, address) and per
 * address; the account as a whole only slows down (server/auth/throttle.ts). `login_failures`
 * (issue 14) is replaced: its rows are not carried over (a lockout window is minutes long).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE login_failures`.execute(db);
  await sql`
    CREATE TABLE login_attempts (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      account text NOT NULL CHECK (length(account) BETWEEN 1 AND 100),
      address text NOT NULL CHECK (length(address) BETWEEN 1 AND 100),
      attempted_at timestamptz NOT NULL,
      outcome text NOT NULL CHECK (outcome IN ('pending', 'failed'))
    )`.execute(db);
  await sql`CREATE INDEX login_attempts_account ON login_attempts (account, attempted_at)`.execute(db);
  await sql`CREATE INDEX login_attempts_address ON login_attempts (address, attempted_at)`.execute(db);
}
