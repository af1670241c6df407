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

export interface StaffSession {
  username: string;
  displayName: string;
  roles: Role[];
  unitId: string;
  /** The session's own expiry (sessions.expires_at). */
  expiresAt: Date;
}

interface Entry {
  session: StaffSession;
  /** performance.now() after which the entry is read again from the database. */
  freshUntil: number;
}

/** Most entries held; past it the oldest is dropped (a map keeps insertion order). */
const MAX_ENTRIES = 10_000;

export class SessionCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly monotonicMs: () => number = () => performance.now(),
  ) {}

  /** The session of `tokenDigest` if seen within the time to live and not expired at `now`. */
  get(tokenDigest: string, now: Date): StaffSession | undefined {
    const entry = this.entries.get(tokenDigest);
    if (!entry) return undefined;
    if (entry.freshUntil <= this.monotonicMs() || entry.session.expiresAt <= now) {
      this.entries.delete(tokenDigest);
      return undefined;
    }
    return entry.session;
  }

  remember(tokenDigest: string, session: StaffSession): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(tokenDigest);
    if (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(tokenDigest, { session, freshUntil: this.monotonicMs() + this.ttlMs });
  }

  /** A logout (or any end of the session) in this process: the next call reads the database. */
  forget(tokenDigest: string): void {
    this.entries.delete(tokenDigest);
  }
}
