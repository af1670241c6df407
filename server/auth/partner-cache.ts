/**
 * Active partners seen lately, kept in the API process for a few seconds (PARTNER_CACHE_MS) so
 * that a partner's stream of signed calls (intakes, police answers, ratings) reads its row once,
 * not per call. The replay check (`partner_signatures`) is never cached: it is what makes a
 * signature good for one call across every replica.
 *
 * Keyed by partner id; only active partners are kept (an unknown id is read every time, and
 * cannot fill the cache). An entry serves until its time to live (monotonic time, so a moved
 * product clock cannot stretch it). A signature that does not match the cached secret is checked
 * once more against the row read again, so a new secret works at once. What it costs: a partner
 * deactivated, or its old secret replaced, is still honoured by this replica for at most
 * PARTNER_CACHE_MS; 0 turns the cache off.
 */
import { TtlCache } from './ttl-cache';

export interface ActivePartner {
  partnerId: string;
  signingSecret: string;
  scopes: string[];
  agencyCode: string | null;
}

/** Most entries held; past it the oldest is dropped. */
const MAX_ENTRIES = 1000;

export class PartnerCache {
  private readonly entries: TtlCache<ActivePartner>;

  constructor(ttlMs: number, monotonicMs: () => number = () => performance.now()) {
    this.entries = new TtlCache(ttlMs, MAX_ENTRIES, monotonicMs);
  }

  /** The active partner `partnerId` if read within the time to live. */
  get(partnerId: string): ActivePartner | undefined {
    return this.entries.get(partnerId);
  }

  remember(partner: ActivePartner): void {
    this.entries.set(partner.partnerId, partner);
  }

  /** The cached row is stale (its secret did not verify a signature): the next call reads the database. */
  forget(partnerId: string): void {
    this.entries.delete(partnerId);
  }
}
