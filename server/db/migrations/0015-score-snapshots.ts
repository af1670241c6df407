/**
 * The 766 index's daily snapshots (issue 25, item 3). Each day the monitor's daily run stores,
 * for the civil day just ended (Việt Nam time), the score of every period kind holding it (the
 * day, and the week, month, quarter and year to that day), per agency and per unit (`unit_id`
 * `''`: the agency as a whole), one row per indicator: its status, numerator and denominator,
 * ratio, points, maximum and threshold, and the regime that scored it. The primary key is the
 * snapshot's identity, so two replicas (or a run repeated) computing the same day write its rows
 * once (`INSERT … ON CONFLICT DO NOTHING`); `score_snapshot_days` marks each day stored. The 12-month trend of /chi-so reads each month's
 * last `month` snapshot.
 *
 * The inspection exports' register (`inspection_exports`) also records the index's exports
 * (kind `scores`), so that `lltp inspection verify` finds them by their digests.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE score_snapshots (
      day date NOT NULL,
      period_kind text NOT NULL CHECK (period_kind IN ('day', 'week', 'month', 'quarter', 'year')),
      agency_code text NOT NULL,
      unit_id text NOT NULL,
      indicator_id text NOT NULL,
      regime_id text NOT NULL,
      period_first date NOT NULL,
      status text NOT NULL CHECK (status IN ('scored', 'noData', 'noDossiers')),
      numerator integer CHECK (numerator >= 0),
      denominator integer CHECK (denominator >= 0),
      ratio double precision CHECK (ratio >= 0),
      points double precision CHECK (points >= 0),
      max_points double precision NOT NULL CHECK (max_points > 0),
      threshold double precision NOT NULL CHECK (threshold > 0 AND threshold <= 1),
      computed_at timestamptz NOT NULL,
      computed_by text NOT NULL,
      PRIMARY KEY (agency_code, unit_id, period_kind, day, indicator_id),
      CHECK ((status = 'scored') = (ratio IS NOT NULL AND points IS NOT NULL))
    )`.execute(db);
  // a day is stored once: its mark is written in the same transaction as its rows (a day
  // without any dossier has a mark and no rows); the catch-up asks which recent days have one
  await sql`
    CREATE TABLE score_snapshot_days (
      day date PRIMARY KEY,
      computed_at timestamptz NOT NULL,
      computed_by text NOT NULL,
      row_count integer NOT NULL CHECK (row_count >= 0)
    )`.execute(db);
  await sql`ALTER TABLE inspection_exports DROP CONSTRAINT inspection_exports_kind_check`.execute(db);
  await sql`ALTER TABLE inspection_exports ADD CONSTRAINT inspection_exports_kind_check CHECK (kind IN ('dossiers', 'summary', 'weekly', 'scores'))`.execute(db);
}
