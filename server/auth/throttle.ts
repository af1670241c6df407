/**
 * Login throttling: every failed log-in is recorded by account and by client address; within
 * the lockout window, each failure delays the next answer a little more (250 ms doubling, at
 * most 4 s), and after `maxFailures` for an account (or `maxFailuresPerAddress` from one
 * address) log-in is refused with 429 and `Retry-After` until the window has passed, even with
 * the right password. A successful log-in or an administrator's unlock clears the account.
 */
import type { Db } from '../db';

export interface LoginPolicy {
  maxFailures: number;
  maxFailuresPerAddress: number;
  lockoutMinutes: number;
}

export const DEFAULT_LOGIN_POLICY: LoginPolicy = { maxFailures: 5, maxFailuresPerAddress: 30, lockoutMinutes: 15 };

const userKey = (username: string): string => `user:${username.toLowerCase().slice(0, 100)}`;
const addressKey = (address: string): string => `address:${address.slice(0, 100)}`;

export interface LoginState {
  /** Until when log-in is refused (null: it is not). */
  lockedUntil: Date | null;
  /** Why: the account or the address. */
  lockedBy: 'account' | 'address' | null;
  /** How long to wait before answering this attempt, in milliseconds. */
  delayMs: number;
}

/** The state of an attempt to log in to `username` from `address` at `now`. */
export async function loginState(db: Db, policy: LoginPolicy, username: string, address: string, now: Date): Promise<LoginState> {
  const since = new Date(now.getTime() - policy.lockoutMinutes * 60_000);
  const rows = await db
    .selectFrom('loginFailures')
    .select(['key', (eb) => eb.fn.countAll<string>().as('n'), (eb) => eb.fn.max('failedAt').as('last')])
    .where('key', 'in', [userKey(username), addressKey(address)])
    .where('failedAt', '>', since)
    .groupBy('key')
    .execute();
  const of = (key: string) => rows.find((r) => r.key === key);
  const account = of(userKey(username));
  const fromAddress = of(addressKey(address));
  const lockUntil = (row: { last: Date } | undefined): Date | null => (row ? new Date(new Date(row.last).getTime() + policy.lockoutMinutes * 60_000) : null);
  if (account && Number(account.n) >= policy.maxFailures) return { lockedUntil: lockUntil(account), lockedBy: 'account', delayMs: 0 };
  if (fromAddress && Number(fromAddress.n) >= policy.maxFailuresPerAddress) return { lockedUntil: lockUntil(fromAddress), lockedBy: 'address', delayMs: 0 };
  const failures = Number(account?.n ?? 0);
  return { lockedUntil: null, lockedBy: null, delayMs: failures === 0 ? 0 : Math.min(4000, 250 * 2 ** (failures - 1)) };
}

export async function recordFailure(db: Db, username: string, address: string, now: Date): Promise<void> {
  await db
    .insertInto('loginFailures')
    .values([
      { key: userKey(username), failedAt: now },
      { key: addressKey(address), failedAt: now },
    ])
    .execute();
}

/** A successful log-in or an administrator's unlock: the account's failures are forgotten. */
export async function clearAccount(db: Db, username: string): Promise<number> {
  const result = await db.deleteFrom('loginFailures').where('key', '=', userKey(username)).executeTakeFirst();
  return Number(result.numDeletedRows);
}
