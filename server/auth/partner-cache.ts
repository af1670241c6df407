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

export interface ActivePartner {
  partnerId: string;
  signingSecret: string;
  scopes: string[];
  agencyCode: string | null;
}

interface Entry {
  partner: ActivePartner;
  /** performance.now() after which the entry is read again from the database. */
  freshUntil: number;
}

/** Most entries held; past it the oldest is dropped (a map keeps insertion order). */
const MAX_ENTRIES = 1000;

export class PartnerCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly monotonicMs: () => number = () => performance.now(),
  ) {}

  /** The active partner `partnerId` if read within the time to live. */
  get(partnerId: string): ActivePartner | undefined {
    const entry = this.entries.get(partnerId);
    if (!entry) return undefined;
    if (entry.freshUntil <= this.monotonicMs()) {
      this.entries.delete(partnerId);
      return undefined;
    }
    return entry.partner;
  }

  remember(partner: ActivePartner): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(partner.partnerId);
    if (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(partner.partnerId, { partner, freshUntil: this.monotonicMs() + this.ttlMs });
  }

  /** The cached row is stale (its secret did not verify a signature): the next call reads the database. */
  forget(partnerId: string): void {
    this.entries.delete(partnerId);
  }
}
