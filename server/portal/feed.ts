/**
 * The status feed to the national portal (Cổng DVC quốc gia), 766 indicator "hồ sơ đồng bộ lên
 * Cổng DVC quốc gia": the outbox `portal_feed` is written by triggers in the same transaction as
 * each status change (migration 0018); this pushes it, in the `workers` role.
 *
 * A pass claims the first unacknowledged status of each dossier whose attempt is due
 * (`FOR UPDATE SKIP LOCKED` and a claim time: two replicas never send the same status, and a
 * dossier's next status waits for the previous one's acknowledgement, so the portal receives
 * them in order), sends them one by one with their event id `<dossier>:<id>` (the portal
 * acknowledges a repeat without recording it twice), and records the batch's acknowledgements
 * in one statement once the batch is sent, each with its delay (acknowledgement on the product's
 * clock − change, whole minutes) on the status and on the dossier (`portal_synced_at` the last,
 * `portal_sync_delay_minutes` the worst). A status the portal does not acknowledge (down, 5xx,
 * timeout, refused) is sent again after an exponential back-off (PORTAL_FEED_RETRY_MS doubled,
 * up to PORTAL_FEED_RETRY_MAX_MS), never dropped; the first failure ends the pass (the portal is
 * likely down: the other dossiers wait for the next pass instead of each failing in turn).
 */
import { sql } from 'kysely';
import type { Config } from '../config';
import type { Db } from '../db';
import type { Logger } from '../logger';
import { formatInstant } from '../calendar/civil-time';
import type { PortalAdapter, PortalStatus } from '../../workers/adapters/portal';

export interface PortalFeedSettings {
  retryMs: number;
  retryMaxMs: number;
}

export interface PortalFeedDeps {
  db: Db;
  portal: PortalAdapter;
  logger: Logger;
  now: () => Date;
  settings: PortalFeedSettings;
}

export interface FeedPass {
  sent: number;
  failed: number;
}

/** Statuses claimed at once, how long a claim holds, and the most sent in one pass. */
const CLAIM_BATCH = 100;
const CLAIM_MS = 2 * 60_000;
const MAX_PER_PASS = 2000;

export function portalFeedSettings(config: Pick<Config, 'PORTAL_FEED_RETRY_MS' | 'PORTAL_FEED_RETRY_MAX_MS'>): PortalFeedSettings {
  return { retryMs: config.PORTAL_FEED_RETRY_MS, retryMaxMs: config.PORTAL_FEED_RETRY_MAX_MS };
}

export function feedRetryDelayMs(attempt: number, settings: PortalFeedSettings): number {
  return Math.min(settings.retryMaxMs, settings.retryMs * 2 ** Math.max(0, attempt - 1));
}

interface Claimed {
  id: number;
  dossierCode: string;
  status: PortalStatus['status'];
  outcome: string | null;
  changedAt: Date;
  attempts: number;
}

/** The first unacknowledged status of each dossier whose attempt is due, oldest first. */
async function claim(db: Db, now: Date): Promise<Claimed[]> {
  const until = new Date(now.getTime() + CLAIM_MS);
  const { rows } = await sql<Claimed>`
    UPDATE portal_feed SET claimed_until = ${until}
     WHERE id IN (
       SELECT f.id FROM portal_feed f
        WHERE f.acknowledged_at IS NULL AND (f.next_attempt_at IS NULL OR f.next_attempt_at <= ${now})
          AND (f.claimed_until IS NULL OR f.claimed_until < ${now})
          AND NOT EXISTS (SELECT 1 FROM portal_feed e WHERE e.dossier_code = f.dossier_code AND e.acknowledged_at IS NULL AND e.id < f.id)
        ORDER BY f.id
        LIMIT ${CLAIM_BATCH}
        FOR UPDATE SKIP LOCKED)
    RETURNING id, dossier_code, status, outcome, changed_at, attempts`.execute(db);
  return [...rows].sort((a, b) => a.id - b.id);
}

/** A status the portal acknowledged, and when (the product's clock). */
interface Acknowledged {
  id: number;
  at: Date;
}

/**
 * The portal acknowledged these statuses: recorded on each (once: a status acknowledged already
 * is left as it is) and on their dossiers, in one statement (all or nothing, no transaction to
 * open). A crash before it leaves them claimed: the next pass after the claim sends them again,
 * and the portal acknowledges the repeated event id without recording it twice.
 */
async function acknowledge(db: Db, acknowledged: readonly Acknowledged[]): Promise<void> {
  if (acknowledged.length === 0) return;
  const ids = acknowledged.map((a) => a.id);
  const ats = acknowledged.map((a) => a.at.toISOString());
  await sql`
    WITH done AS (
      UPDATE portal_feed f
         SET acknowledged_at = a.at, attempts = f.attempts + 1, claimed_until = NULL, last_error = NULL,
             delay_minutes = greatest(0, floor(extract(epoch FROM (a.at - f.changed_at)) / 60))::int
        FROM unnest(${ids}::bigint[], ${ats}::timestamptz[]) AS a(id, at)
       WHERE f.id = a.id AND f.acknowledged_at IS NULL
      RETURNING f.dossier_code, a.at, f.delay_minutes),
    per_dossier AS (SELECT dossier_code, max(at) AS at, max(delay_minutes) AS delay FROM done GROUP BY dossier_code)
    UPDATE dossiers d
       SET portal_synced_at = greatest(d.portal_synced_at, p.at),
           portal_sync_delay_minutes = greatest(d.portal_sync_delay_minutes, p.delay)
      FROM per_dossier p
     WHERE d.code = p.dossier_code`.execute(db);
}

async function postpone(deps: PortalFeedDeps, status: Claimed, now: Date, error: string): Promise<void> {
  const attempt = status.attempts + 1;
  await deps.db
    .updateTable('portalFeed')
    .set({ attempts: attempt, claimedUntil: null, lastError: error.slice(0, 500), nextAttemptAt: new Date(now.getTime() + feedRetryDelayMs(attempt, deps.settings)) })
    .where('id', '=', status.id)
    .where('acknowledgedAt', 'is', null)
    .execute();
}

/** Claimed but not tried in this pass: free for the next one, no attempt counted. */
async function release(db: Db, statuses: readonly Claimed[]): Promise<void> {
  if (statuses.length === 0) return;
  await db.updateTable('portalFeed').set({ claimedUntil: null }).where('id', 'in', statuses.map((s) => s.id)).execute();
}

/**
 * One pass: sends what is due until nothing is, the portal fails once, or MAX_PER_PASS. The
 * acknowledgements of a batch are recorded together once it is sent (or at its first failure).
 */
export async function pushPortalFeed(deps: PortalFeedDeps): Promise<FeedPass> {
  const pass: FeedPass = { sent: 0, failed: 0 };
  while (pass.sent < MAX_PER_PASS) {
    const batch = await claim(deps.db, deps.now());
    if (batch.length === 0) break;
    const acknowledged: Acknowledged[] = [];
    for (const [i, status] of batch.entries()) {
      try {
        await deps.portal.sendStatus({
          eventId: `${status.dossierCode}:${status.id}`,
          dossierCode: status.dossierCode,
          status: status.status,
          outcome: status.outcome,
          changedAt: formatInstant(status.changedAt.getTime()),
        });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        await acknowledge(deps.db, acknowledged);
        await postpone(deps, status, deps.now(), message);
        await release(deps.db, batch.slice(i + 1));
        deps.logger.warn({ dossierCode: status.dossierCode, portalStatus: status.status, attempt: status.attempts + 1, err: message }, 'national portal did not acknowledge a status; sent again later');
        pass.failed += 1;
        return pass;
      }
      acknowledged.push({ id: status.id, at: deps.now() });
      pass.sent += 1;
    }
    await acknowledge(deps.db, acknowledged);
  }
  return pass;
}

/**
 * Runs a pass every `intervalMs` (the next one starts when the previous has ended). Stopping waits
 * for the pass in flight. A failing pass (database down) is logged and tried again.
 */
export function startPortalFeed(deps: PortalFeedDeps, intervalMs: number): () => Promise<void> {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const run = (): void => {
    inFlight = pushPortalFeed(deps).then(
      (pass) => {
        if (pass.sent || pass.failed) deps.logger.info({ ...pass }, 'portal feed pass');
      },
      (error: unknown) => deps.logger.warn({ err: error }, 'portal feed pass failed; tried again'),
    ).finally(() => {
      if (!stopped) timer = setTimeout(run, intervalMs);
    });
  };
  timer = setTimeout(run, 0);
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await inFlight;
  };
}
