/**
 * History by month (issue 28, item 2): `audit`, `steps` and `alerts` are partitioned by month
 * (migration 0014), a month being cut at midnight in Việt Nam (UTC+7, no daylight saving). The
 * SLA monitor's daily run calls `createPartitionsAhead` under its lease, so the coming months'
 * partitions exist before their first row; a row that still finds no partition of its own lands
 * in the table's default partition and is moved into its month's partition when that is created.
 */
import { sql } from 'kysely';
import type { Db } from '../db';

export interface HistoryTable {
  table: 'audit' | 'steps' | 'alerts';
  /** The partition key column. */
  key: 'at' | 'started_at' | 'detected_at';
}

export const HISTORY_TABLES: readonly HistoryTable[] = [
  { table: 'audit', key: 'at' },
  { table: 'steps', key: 'started_at' },
  { table: 'alerts', key: 'detected_at' },
];

const VIETNAM_OFFSET_MS = 7 * 3600_000;

/** A calendar month: `month` from 1 to 12. */
export interface Month {
  year: number;
  month: number;
}

/** The month an instant falls in, in Việt Nam. */
export function monthOf(instant: Date): Month {
  const local = new Date(instant.getTime() + VIETNAM_OFFSET_MS);
  return { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1 };
}

export function addMonths({ year, month }: Month, count: number): Month {
  const index = year * 12 + (month - 1) + count;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

/** `2025-01`. */
export const monthLabel = ({ year, month }: Month): string => `${year}-${String(month).padStart(2, '0')}`;

/** The partition of `table` for the month: `audit_2025_01`. */
export const partitionName = (table: string, month: Month): string => `${table}_${monthLabel(month).replace('-', '_')}`;

/** The month's first instant and the next month's (the partition's bounds). */
export function monthBounds(month: Month): { from: Date; to: Date } {
  const start = (m: Month): Date => new Date(Date.UTC(m.year, m.month - 1, 1) - VIETNAM_OFFSET_MS);
  return { from: start(month), to: start(addMonths(month, 1)) };
}

/**
 * Creates the partition of `table` for `month` unless it exists, moving into it the rows of that
 * month the default partition holds; returns whether it created it. One short transaction: the
 * partition is built apart, then attached (a lock that lets reads and writes go on).
 */
export async function createPartition(db: Db, { table, key }: HistoryTable, month: Month): Promise<boolean> {
  const name = partitionName(table, month);
  const { from, to } = monthBounds(month);
  return db.transaction().execute(async (trx) => {
    await sql`SET LOCAL lock_timeout = '5s'`.execute(trx);
    const found = await sql<{ present: boolean }>`SELECT to_regclass(${name}) IS NOT NULL AS present`.execute(trx);
    if (found.rows[0]?.present) return false;
    await sql`CREATE TABLE ${sql.id(name)} (LIKE ${sql.id(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`.execute(trx);
    await sql`
      WITH moved AS (DELETE FROM ${sql.id(`${table}_default`)} WHERE ${sql.id(key)} >= ${from} AND ${sql.id(key)} < ${to} RETURNING *)
      INSERT INTO ${sql.id(name)} SELECT * FROM moved`.execute(trx);
    await sql`ALTER TABLE ${sql.id(table)} ATTACH PARTITION ${sql.id(name)} FOR VALUES FROM (${sql.lit(from.toISOString())}) TO (${sql.lit(to.toISOString())})`.execute(trx);
    return true;
  });
}

/** Creates the partitions of the current month and the `monthsAhead` next ones that are missing; returns how many. */
export async function createPartitionsAhead(db: Db, now: Date, monthsAhead: number): Promise<number> {
  let created = 0;
  const current = monthOf(now);
  for (let ahead = 0; ahead <= monthsAhead; ahead++) {
    for (const history of HISTORY_TABLES) if (await createPartition(db, history, addMonths(current, ahead))) created++;
  }
  return created;
}
