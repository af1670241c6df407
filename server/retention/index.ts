/**
 * Retention (issue 28): what the read model keeps, how long, and the daily job that deletes or
 * anonymises what has expired. The periods are settings (RETENTION_*, server/config.ts, each
 * with its legal basis); the SLA monitor's daily run calls `runRetention` under its lease, so one
 * replica at a time does it.
 *
 * | what | kept | then |
 * | --- | --- | --- |
 * | a closed dossier's declaration (personal data) | RETENTION_DECLARATION_DAYS after it closed | emptied (`request = {}`, `anonymised_at`) |
 * | a closed dossier's letters (they name the citizen) | RETENTION_LETTER_DAYS after it closed | deleted |
 * | an alert's mail body (render data, or HTML and text) | RETENTION_MAIL_DAYS after it was raised, never while pending | cleared |
 * | an expired log-in session | RETENTION_SESSION_DAYS after it expired | deleted |
 * | an audit row | RETENTION_AUDIT_DAYS | deleted, never one of an open dossier |
 *
 * An open dossier is never touched, nor anything of it. What inspection and the reports read
 * stays: dossiers (codes, times, units, outcome, apology reason and dates), steps with their
 * late reasons, tasks (no personal data), alerts (keys, times, delivery), deadline moves.
 *
 * Every statement handles at most RETENTION_BATCH_SIZE rows and is its own short transaction (on
 * the month-partitioned audit and alerts: a pick and a change, together)
 * (rows other writers hold are skipped, and taken at the next run), paging in key order so a run
 * reads each candidate once. A second run at the same instant finds nothing: every condition
 * excludes what was done. Each run writes one audit row (`retention.run`) with its counts.
 */
import { sql } from 'kysely';
import { audit } from '../audit';
import type { Config } from '../config';
import type { Db } from '../db';

const DAY_MS = 24 * 3600_000;

export interface RetentionPolicy {
  declarationDays: number;
  letterDays: number;
  mailDays: number;
  sessionDays: number;
  auditDays: number;
  batchSize: number;
}

export interface RetentionCounts {
  declarationsAnonymised: number;
  lettersDeleted: number;
  mailsCleared: number;
  sessionsDeleted: number;
  auditDeleted: number;
}

export const RETENTION_ACTOR = 'system:retention';
export const RETENTION_ACTION = 'retention.run';

export function retentionPolicy(config: Pick<Config, 'RETENTION_DECLARATION_DAYS' | 'RETENTION_LETTER_DAYS' | 'RETENTION_MAIL_DAYS' | 'RETENTION_SESSION_DAYS' | 'RETENTION_AUDIT_DAYS' | 'RETENTION_BATCH_SIZE'>): RetentionPolicy {
  return {
    declarationDays: config.RETENTION_DECLARATION_DAYS,
    letterDays: config.RETENTION_LETTER_DAYS,
    mailDays: config.RETENTION_MAIL_DAYS,
    sessionDays: config.RETENTION_SESSION_DAYS,
    auditDays: config.RETENTION_AUDIT_DAYS,
    batchSize: config.RETENTION_BATCH_SIZE,
  };
}

const before = (now: Date, days: number): Date => new Date(now.getTime() - days * DAY_MS);

/**
 * Runs `statement(after)` (it handles at most `batch` rows, with a key above `after` when it pages
 * by key, and returns their keys) until a batch comes back short; returns how many rows were handled.
 */
async function inBatches(batch: number, statement: (after: string) => Promise<string[]>): Promise<number> {
  let total = 0;
  for (let after = ''; ; ) {
    const keys = await statement(after);
    total += keys.length;
    if (keys.length < batch) return total;
    after = keys.reduce((a, b) => (b > a ? b : a));
  }
}

const keysOf = (result: { rows: { key: string }[] }): string[] => result.rows.map((r) => r.key);

interface PickedRow {
  key: string;
  /** The row's partition key. */
  at: Date;
}

/**
 * One batch of a partitioned table (audit, alerts: server/retention/partitions.ts), in a short
 * transaction: `pick` locks the rows and returns their keys and partition-key instants, then
 * `change` changes exactly those rows, bounded by the instants' range so that PostgreSQL reads
 * only the partitions of those months, by index (a join on the picked rows would read every
 * month). The bounds are whole milliseconds around the microsecond instants.
 */
async function inPartitions(
  db: Db,
  pick: (trx: Db) => Promise<{ rows: PickedRow[] }>,
  change: (trx: Db, keys: string[], from: Date, to: Date) => Promise<unknown>,
): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    const { rows } = await pick(trx);
    if (rows.length === 0) return [];
    const instants = rows.map((r) => r.at.getTime());
    await change(trx, rows.map((r) => r.key), new Date(Math.min(...instants)), new Date(Math.max(...instants) + 1));
    return rows.map((r) => r.key);
  });
}

/** Deletes or anonymises what has expired at `now`; records one audit row with the counts. */
export async function runRetention(db: Db, policy: RetentionPolicy, now: Date): Promise<RetentionCounts> {
  const batch = policy.batchSize;
  const declarationCutoff = before(now, policy.declarationDays);
  const declarationsAnonymised = await inBatches(batch, async (after) =>
    keysOf(
      await sql<{ key: string }>`
        WITH picked AS (
          SELECT d.dossier_code FROM declarations d JOIN dossiers o ON o.code = d.dossier_code
          WHERE d.anonymised_at IS NULL AND d.dossier_code > ${after} AND o.status = 'closed' AND o.finished_at < ${declarationCutoff}
          ORDER BY d.dossier_code LIMIT ${batch}
          FOR UPDATE OF d SKIP LOCKED)
        UPDATE declarations d SET request = '{}'::jsonb, anonymised_at = ${now}
        FROM picked WHERE d.dossier_code = picked.dossier_code
        RETURNING d.dossier_code AS key`.execute(db),
    ),
  );
  const letterCutoff = before(now, policy.letterDays);
  const lettersDeleted = await inBatches(batch, async (after) =>
    keysOf(
      await sql<{ key: string }>`
        DELETE FROM letters WHERE id IN (
          SELECT l.id FROM letters l JOIN dossiers o ON o.code = l.dossier_code
          WHERE l.id > ${after} AND o.status = 'closed' AND o.finished_at < ${letterCutoff}
          ORDER BY l.id LIMIT ${batch}
          FOR UPDATE OF l SKIP LOCKED)
        RETURNING id AS key`.execute(db),
    ),
  );
  const mailCutoff = before(now, policy.mailDays);
  // the oldest first, by the alerts_mail_kept partial index (a cleared mail leaves it)
  const mailsCleared = await inBatches(batch, () =>
    inPartitions(
      db,
      (trx) => sql<PickedRow>`
        SELECT a.id AS key, a.detected_at AS at FROM alerts a
        WHERE (a.mail_html IS NOT NULL OR a.mail_text IS NOT NULL OR a.mail_data IS NOT NULL)
          AND a.detected_at < ${mailCutoff} AND a.delivery_status <> 'pending'
          AND NOT EXISTS (SELECT 1 FROM dossiers o WHERE o.code = a.dossier_code AND o.status = 'open')
        ORDER BY a.detected_at LIMIT ${batch}
        FOR UPDATE OF a SKIP LOCKED`.execute(trx),
      (trx, keys, from, to) => sql`
        UPDATE alerts SET mail_html = NULL, mail_text = NULL, mail_template = NULL, mail_data = NULL
        WHERE id = ANY(${keys}::text[]) AND detected_at >= ${from} AND detected_at < ${to}`.execute(trx),
    ),
  );
  const sessionCutoff = before(now, policy.sessionDays);
  const sessionsDeleted = await inBatches(batch, async (after) =>
    keysOf(
      await sql<{ key: string }>`
        DELETE FROM sessions WHERE token_digest IN (
          SELECT token_digest FROM sessions WHERE expires_at < ${sessionCutoff} AND token_digest > ${after}
          ORDER BY token_digest LIMIT ${batch} FOR UPDATE SKIP LOCKED)
        RETURNING token_digest AS key`.execute(db),
    ),
  );
  const auditCutoff = before(now, policy.auditDays);
  // the oldest first, by the audit_at index; rows of open dossiers are skipped (and looked at again by each batch: few)
  const auditDeleted = await inBatches(batch, () =>
    inPartitions(
      db,
      (trx) => sql<PickedRow>`
        SELECT a.id::text AS key, a.at FROM audit a
        WHERE a.at < ${auditCutoff}
          AND NOT EXISTS (SELECT 1 FROM dossiers o WHERE o.code = a.dossier_code AND o.status = 'open')
        ORDER BY a.at LIMIT ${batch}
        FOR UPDATE OF a SKIP LOCKED`.execute(trx),
      (trx, keys, from, to) => sql`DELETE FROM audit WHERE id = ANY(${keys}::bigint[]) AND at >= ${from} AND at < ${to}`.execute(trx),
    ),
  );
  const counts: RetentionCounts = { declarationsAnonymised, lettersDeleted, mailsCleared, sessionsDeleted, auditDeleted };
  await audit(db, {
    at: now,
    actor: RETENTION_ACTOR,
    action: RETENTION_ACTION,
    detail: JSON.stringify({ ...counts, kept: { declarationDays: policy.declarationDays, letterDays: policy.letterDays, mailDays: policy.mailDays, sessionDays: policy.sessionDays, auditDays: policy.auditDays } }),
  });
  return counts;
}
