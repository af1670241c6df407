/**
 * One replica at a time: a lease document `{_id: name, holder, until}`. Taking it succeeds when
 * nobody holds it, it expired, or the caller already holds it (renewal); two replicas racing
 * for a free lease both try to insert it and the unique `_id` lets one win. Work done under
 * the lease is idempotent anyway (alert keys, claimed deliveries), so a holder that stalls past
 * its expiry and a successor overlapping with it cannot send a mail twice.
 */
import type { Model } from 'mongoose';
import type { LeaseDoc } from './model';

const isDuplicateKey = (error: unknown): boolean => (error as { code?: number }).code === 11000;

export async function acquireLease(leases: Model<LeaseDoc>, name: string, holder: string, now: Date, ttlMs: number): Promise<boolean> {
  const until = new Date(now.getTime() + ttlMs);
  const taken = await leases
    .findOneAndUpdate({ _id: name, $or: [{ holder }, { until: { $lt: now } }] }, { $set: { holder, until } }, { returnDocument: 'after' })
    .lean();
  if (taken) {
    if (taken.holder !== holder) return false;
    return true;
  }
  try {
    await leases.create({ _id: name, holder, until, acquiredAt: now });
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}

export async function releaseLease(leases: Model<LeaseDoc>, name: string, holder: string): Promise<void> {
  await leases.deleteOne({ _id: name, holder });
}
