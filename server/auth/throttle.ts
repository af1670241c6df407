/**
 * Login throttling (issue 29, item 1). Every attempt is counted and recorded together, before
 * its password is checked: one transaction holds an advisory lock on the client address, counts
 * that address's attempts within the window, and inserts this one as `pending` (or refuses it).
 * Parallel attempts from one address therefore queue on the lock and each sees the ones before
 * it: at most `maxFailures` wrong passwords per (account, address) and `maxFailuresPerAddress`
 * per address reach the password check in a window, however many are sent at once.
 *
 * What is limited, and why not the account alone: a hard per-account lock also refuses the
 * right password, so anyone could keep a leader or the administrator out with five wrong
 * passwords every window. Here
 * - an (account, address) pair past `maxFailures` is refused (429) until the window has passed:
 *   the address that guessed cannot go on guessing that account, the owner elsewhere still logs in;
 * - an address past `maxFailuresPerAddress` (any accounts) is refused likewise;
 * - the account as a whole is only slowed: each attempt at it within the window (from anywhere)
 *   delays the next answer (250 ms doubling, at most `maxDelayMs`), the right password included,
 *   but it is never refused. An attacker spread over many addresses gets `maxFailures` guesses per
 *   address and window, each slower; the owner waits at most `maxDelayMs`.
 * A wrong password turns the attempt `failed`; a right one deletes it and the pair's failures. An
 * administrator's unlock deletes all of an account's attempts; the monitor's daily run deletes
 * attempts older than `LOGIN_ATTEMPTS_KEPT_MS`.
 */
import { sql } from 'kysely';
import type { Db } from '../db';

export interface LoginPolicy {
  /** Failed attempts at one account from one address, within the window, after which that pair is refused. */
  maxFailures: number;
  /** Failed attempts from one address (any accounts), within the window, after which that address is refused. */
  maxFailuresPerAddress: number;
  /** The window over which attempts are counted, and how long a refusal lasts at most. */
  lockoutMinutes: number;
  /** The longest delay an account's failures put before an answer. */
  maxDelayMs: number;
}

export const DEFAULT_LOGIN_POLICY: LoginPolicy = { maxFailures: 5, maxFailuresPerAddress: 30, lockoutMinutes: 15, maxDelayMs: 4000 };

/** Attempts are kept this long (the longest window LOGIN_LOCKOUT_MINUTES allows), then purged. */
export const LOGIN_ATTEMPTS_KEPT_MS = 24 * 3600_000;

const accountOf = (username: string): string => username.toLowerCase().slice(0, 100) || '-';
const addressOf = (address: string): string => address.slice(0, 100) || 'unknown';

export type Admission =
  | { admitted: true; attemptId: number; delayMs: number }
  | { admitted: false; lockedBy: 'pair' | 'address'; lockedUntil: Date };

/** The delay before answering an attempt at an account that has had `attempts` others within the window. */
export function delayFor(policy: LoginPolicy, attempts: number): number {
  return attempts === 0 ? 0 : Math.min(policy.maxDelayMs, 250 * 2 ** Math.min(attempts - 1, 20));
}

/**
 * Counts and records an attempt to log in to `username` from `address` at `now`, atomically: the
 * attempt is refused, or recorded as `pending` with the delay to wait before checking its password.
 */
export async function admitAttempt(db: Db, policy: LoginPolicy, username: string, address: string, now: Date): Promise<Admission> {
  const account = accountOf(username);
  const from = addressOf(address);
  const since = new Date(now.getTime() - policy.lockoutMinutes * 60_000);
  const windowMs = policy.lockoutMinutes * 60_000;
  return db.transaction().execute(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`lltp.login:${from}`}, 0))`.execute(tx);
    const counts = await tx
      .selectFrom('loginAttempts')
      .select([
        (eb) => eb.fn.countAll<string>().filterWhere(eb.and([eb('account', '=', account), eb('address', '=', from)])).as('pair'),
        (eb) => eb.fn.countAll<string>().filterWhere('address', '=', from).as('fromAddress'),
        (eb) => eb.fn.countAll<string>().filterWhere('account', '=', account).as('account'),
      ])
      .where('attemptedAt', '>', since)
      .where((eb) => eb.or([eb('account', '=', account), eb('address', '=', from)]))
      .executeTakeFirstOrThrow();
    // refused until enough of the attempts counted have left the window
    const until = async (limit: number, pair: boolean): Promise<Date> => {
      let query = tx.selectFrom('loginAttempts').select('attemptedAt').where('address', '=', from).where('attemptedAt', '>', since);
      if (pair) query = query.where('account', '=', account);
      const row = await query.orderBy('attemptedAt', 'desc').offset(limit - 1).limit(1).executeTakeFirst();
      return new Date((row ? new Date(row.attemptedAt).getTime() : now.getTime()) + windowMs);
    };
    if (Number(counts.pair) >= policy.maxFailures) return { admitted: false, lockedBy: 'pair', lockedUntil: await until(policy.maxFailures, true) };
    if (Number(counts.fromAddress) >= policy.maxFailuresPerAddress) return { admitted: false, lockedBy: 'address', lockedUntil: await until(policy.maxFailuresPerAddress, false) };
    const inserted = await tx.insertInto('loginAttempts').values({ account, address: from, attemptedAt: now, outcome: 'pending' }).returning('id').executeTakeFirstOrThrow();
    return { admitted: true, attemptId: Number(inserted.id), delayMs: delayFor(policy, Number(counts.account)) };
  });
}

/** The password was wrong: the attempt stays counted. */
export async function attemptFailed(db: Db, attemptId: number): Promise<void> {
  await db.updateTable('loginAttempts').set({ outcome: 'failed' }).where('id', '=', attemptId).execute();
}

/** The password was right: the attempt and the failures of this account from this address are forgotten. */
export async function attemptSucceeded(db: Db, attemptId: number, username: string, address: string): Promise<void> {
  await db
    .deleteFrom('loginAttempts')
    .where((eb) => eb.or([eb('id', '=', attemptId), eb.and([eb('account', '=', accountOf(username)), eb('address', '=', addressOf(address))])]))
    .execute();
}

/** An administrator's unlock: every attempt at the account, from every address, is forgotten. */
export async function clearAccount(db: Db, username: string): Promise<number> {
  const result = await db.deleteFrom('loginAttempts').where('account', '=', accountOf(username)).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Housekeeping (the monitor's daily run): attempts older than LOGIN_ATTEMPTS_KEPT_MS before `now`. */
export async function purgeLoginAttempts(db: Db, now: Date): Promise<number> {
  const result = await db.deleteFrom('loginAttempts').where('attemptedAt', '<', new Date(now.getTime() - LOGIN_ATTEMPTS_KEPT_MS)).executeTakeFirst();
  return Number(result.numDeletedRows);
}
