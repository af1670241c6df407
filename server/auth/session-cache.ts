/**
 * Sessions seen lately, kept in the API process for a few seconds (SESSION_CACHE_MS) so that an
 * officer's burst of inbox calls (list, claim, complete) reads the session once, not per call.
 *
 * Keyed by the token's digest (never the token). An entry serves only until the earlier of its
 * time to live (monotonic time, so a moved product clock cannot stretch it) and the session's own
 * expiry (checked against the product's clock on every hit). A logout in this process forgets
 * the entry at once. What it costs: a session ended, or an account deactivated, *elsewhere* (a
 * logout answered by another API replica, an account switched off by the CLI) is still honoured
 * by this replica for at most SESSION_CACHE_MS; 0 turns the cache off.
 */
import type { Role } from './roles';
import { TtlCache } from './ttl-cache';

export interface StaffSession {
  username: string;
  displayName: string;
  roles: Role[];
  unitId: string;
  /** The session's own expiry (sessions.expires_at). */
  expiresAt: Date;
}

/** Most entries held; past it the oldest is dropped. */
const MAX_ENTRIES = 10_000;

export class SessionCache {
  private readonly entries: TtlCache<StaffSession>;

  constructor(ttlMs: number, monotonicMs: () => number = () => performance.now()) {
    this.entries = new TtlCache(ttlMs, MAX_ENTRIES, monotonicMs);
  }

  /** The session of `tokenDigest` if seen within the time to live and not expired at `now`. */
  get(tokenDigest: string, now: Date): StaffSession | undefined {
    const session = this.entries.get(tokenDigest);
    if (session && session.expiresAt <= now) {
      this.entries.delete(tokenDigest);
      return undefined;
    }
    return session;
  }

  remember(tokenDigest: string, session: StaffSession): void {
    this.entries.set(tokenDigest, session);
  }

  /** A logout (or any end of the session) in this process: the next call reads the database. */
  forget(tokenDigest: string): void {
    this.entries.delete(tokenDigest);
  }
}
