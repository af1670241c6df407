/**
 * One replica at a time: the monitor lease is a sequence of terms, one document per term
 * (`<name>:<term, 10 digits>`, holder, until). The holder of the latest term renews it by
 * moving its `until` (only the holder writes its own term). Another replica takes over once
 * the latest term expired, by inserting the next term: the unique `_id` lets exactly one
 * replica have it. This relies only on unique inserts, because read-modify-write updates
 * (findAndModify with a condition) are not atomic on FerretDB 1.24. A holder that stalled past
 * its expiry notices on its next renewal that a newer term exists and stops; the work done
 * under the lease is idempotent anyway (alert keys, one claim per delivery attempt).
 */
import { isDuplicateKey } from '../db';
import type { Model } from 'mongoose';
import type { LeaseDoc } from './model';

const termId = (name: string, term: number): string => `${name}:${String(term).padStart(10, '0')}`;

export interface LeaseState {
  holder: string | null;
  until: Date | null;
  term: number;
}

export async function currentLease(leases: Model<LeaseDoc>, name: string): Promise<LeaseState> {
  const latest = await leases
    .find({ _id: { $gte: termId(name, 0), $lte: termId(name, 9_999_999_999) } })
    .sort({ _id: -1 })
    .limit(1)
    .lean();
  const doc = latest[0];
  if (!doc) return { holder: null, until: null, term: 0 };
  return { holder: doc.holder, until: doc.until, term: Number(doc._id.slice(name.length + 1)) };
}

/** Takes or renews the lease; true when `holder` holds it until now + ttl. */
export async function acquireLease(leases: Model<LeaseDoc>, name: string, holder: string, now: Date, ttlMs: number): Promise<boolean> {
  const until = new Date(now.getTime() + ttlMs);
  const lease = await currentLease(leases, name);
  if (lease.holder === holder && lease.term > 0) {
    await leases.updateOne({ _id: termId(name, lease.term), holder }, { $set: { until } });
    return true;
  }
  if (lease.until && lease.until.getTime() >= now.getTime()) return false;
  try {
    await leases.create({ _id: termId(name, lease.term + 1), holder, until, acquiredAt: now });
    // Terms older than the previous one are history; keep the collection small.
    if (lease.term > 1) await leases.deleteMany({ _id: { $gte: termId(name, 0), $lt: termId(name, lease.term) } });
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}

/** Gives the lease up (ends the term now) if `holder` holds it. */
export async function releaseLease(leases: Model<LeaseDoc>, name: string, holder: string, now: Date): Promise<void> {
  const lease = await currentLease(leases, name);
  if (lease.holder === holder && lease.term > 0) await leases.updateOne({ _id: termId(name, lease.term), holder }, { $set: { until: new Date(now.getTime() - 1) } });
}
