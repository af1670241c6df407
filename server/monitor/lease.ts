/**
 * One replica at a time: the monitor lease is one row per lease name (holder, term, until). A
 * single `INSERT … ON CONFLICT DO UPDATE … WHERE` takes it when it is free or expired (a new
 * term) and renews it for its holder while it runs (the same term); the row lock makes it atomic under any number of
 * replicas. A holder that stalled past its expiry finds on its next renewal that another holds
 * the lease and stops; the work done under the lease is idempotent anyway (alert keys, one
 * claim per delivery attempt).
 */
import { sql } from 'kysely';
import type { Db } from '../db';

export interface LeaseState {
  holder: string | null;
  until: Date | null;
  term: number;
}

export async function currentLease(db: Db, name: string): Promise<LeaseState> {
  const row = await db.selectFrom('leases').select(['holder', 'until', 'term']).where('name', '=', name).executeTakeFirst();
  return row ?? { holder: null, until: null, term: 0 };
}

/** Takes or renews the lease; true when `holder` holds it until now + ttl. */
export async function acquireLease(db: Db, name: string, holder: string, now: Date, ttlMs: number): Promise<boolean> {
  const until = new Date(now.getTime() + ttlMs);
  const row = await db
    .insertInto('leases')
    .values({ name, holder, term: 1, until, acquiredAt: now })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet({
          holder: (eb) => eb.ref('excluded.holder'),
          until: (eb) => eb.ref('excluded.until'),
          // a renewal keeps the term; taking the lease (free, or lapsed even for its last holder) starts a new one
          term: sql<number>`CASE WHEN leases.holder = excluded.holder AND leases.until >= ${now} THEN leases.term ELSE leases.term + 1 END`,
          acquiredAt: sql<Date>`CASE WHEN leases.holder = excluded.holder AND leases.until >= ${now} THEN leases.acquired_at ELSE excluded.acquired_at END`,
        })
        .where((eb) => eb.or([eb('leases.holder', '=', holder), eb('leases.until', '<', now)])),
    )
    .returning('term')
    .executeTakeFirst();
  return row !== undefined;
}

/** Gives the lease up (ends the term now) if `holder` holds it. */
export async function releaseLease(db: Db, name: string, holder: string, now: Date): Promise<void> {
  await db.updateTable('leases').set({ until: new Date(now.getTime() - 1) }).where('name', '=', name).where('holder', '=', holder).execute();
}
