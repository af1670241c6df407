/**
 * A process-local map whose entries serve for a fixed time to live on a monotonic clock (so a
 * moved product clock cannot stretch them), bounded in size: past `maxEntries` the oldest entry
 * is dropped (a map keeps insertion order). A time to live of 0 keeps nothing. The session and
 * the partner caches are built on it; each says what its staleness costs.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; freshUntil: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly monotonicMs: () => number,
  ) {}

  /** The value kept under `key`, if set within the time to live. */
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.freshUntil <= this.monotonicMs()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, freshUntil: this.monotonicMs() + this.ttlMs });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
