/**
 * `npm run archive:month -- YYYY-MM` (issue 28, item 2): takes one old month out of the database.
 * For each of `audit`, `steps` and `alerts` the month's partition is detached, dumped with
 * pg_dump (custom format, checked by pg_restore --list) to ARCHIVE_DIR, then dropped; one audit
 * row (`archive.month`) records the rows and files.
 *
 * Refused, before anything changes: a month that has not ended ARCHIVE_MIN_AGE_DAYS ago, a month
 * whose partitions hold a row of a still open dossier, a month without partitions (its rows, if
 * any, are in the default partition). Idempotent: a run stopped half-way is finished by the next
 * one (a detached partition is dumped and dropped, a pending detach finalised); a month already
 * archived (no partition left, every file there) is reported as such and changes nothing.
 *
 * The detach is `DETACH PARTITION … CONCURRENTLY` when the table has no default partition; with
 * one (the case of these tables, migration 0014) PostgreSQL refuses CONCURRENTLY, so it is the
 * plain detach: a catalog change under a short exclusive lock, bounded by `lock_timeout`.
 * The step and alert ids stay claimed (`step_ids`, `alert_ids`).
 */
import { execFile } from 'node:child_process';
import { mkdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { audit } from '../audit';
import type { Db } from '../db';
import { HISTORY_TABLES, monthBounds, monthLabel, partitionName, type HistoryTable, type Month } from './partitions';

const run = promisify(execFile);
const DAY_MS = 24 * 3600_000;

export const ARCHIVE_ACTOR = 'system:archive';
export const ARCHIVE_ACTION = 'archive.month';

/** A month that may not be archived (the message says why, in Vietnamese). */
export class ArchiveRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArchiveRefusedError';
  }
}

export interface ArchiveSettings {
  /** DATABASE_URL: pg_dump reads the partition from it (its password passed in the environment). */
  databaseUrl: string;
  archiveDir: string;
  minAgeDays: number;
}

export interface ArchivedTable {
  table: HistoryTable['table'];
  partition: string;
  rows: number;
  file: string;
  bytes: number;
}

export interface ArchiveOutcome {
  month: string;
  /** false: the month was archived by an earlier run; nothing changed. */
  archivedNow: boolean;
  tables: ArchivedTable[];
}

/** `2025-01` → the month; anything else is refused. */
export function parseMonth(text: string): Month {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(text.trim());
  if (!match) throw new ArchiveRefusedError(`Tháng không hợp lệ: "${text}" (cần dạng YYYY-MM, ví dụ 2025-01).`);
  return { year: Number(match[1]), month: Number(match[2]) };
}

type State = 'attached' | 'detachPending' | 'detached' | 'absent';

async function stateOf(db: Db, table: string, partition: string): Promise<State> {
  const result = await sql<{ parent: string | null; pending: boolean | null; present: boolean }>`
    SELECT to_regclass(${partition}) IS NOT NULL AS present,
           (SELECT i.inhparent::regclass::text FROM pg_inherits i WHERE i.inhrelid = to_regclass(${partition})) AS parent,
           (SELECT i.inhdetachpending FROM pg_inherits i WHERE i.inhrelid = to_regclass(${partition})) AS pending`.execute(db);
  const row = result.rows[0];
  if (!row?.present) return 'absent';
  if (row.parent !== table) return 'detached';
  return row.pending ? 'detachPending' : 'attached';
}

const fileOf = (settings: ArchiveSettings, month: Month, table: string): string => path.resolve(settings.archiveDir, `lltp-${monthLabel(month)}-${table}.dump`);

async function sizeOf(file: string): Promise<number | null> {
  return stat(file).then((s) => s.size, () => null);
}

/** Why the month may not be archived yet, or null. */
async function refusal(db: Db, settings: ArchiveSettings, month: Month, present: readonly { table: string; partition: string }[], now: Date): Promise<string | null> {
  const { to } = monthBounds(month);
  const oldestEnd = new Date(now.getTime() - settings.minAgeDays * DAY_MS);
  if (to > oldestEnd) {
    return `Tháng ${monthLabel(month)} chưa quá thời hạn lưu giữ: chỉ lưu trữ được tháng kết thúc trước ${oldestEnd.toISOString().slice(0, 10)} (ARCHIVE_MIN_AGE_DAYS = ${settings.minAgeDays} ngày).`;
  }
  for (const { table, partition } of present) {
    const open = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM ${sql.id(partition)} x JOIN dossiers d ON d.code = x.dossier_code WHERE d.status = 'open'`.execute(db);
    const n = open.rows[0]?.n ?? 0;
    if (n > 0) return `Tháng ${monthLabel(month)} còn ${n} dòng ${table} của hồ sơ chưa kết thúc: chưa lưu trữ được.`;
  }
  return null;
}

async function detach(db: Db, table: string, partition: string, state: State): Promise<void> {
  if (state === 'detachPending') {
    await sql`ALTER TABLE ${sql.id(table)} DETACH PARTITION ${sql.id(partition)} FINALIZE`.execute(db);
    return;
  }
  const hasDefault = await sql<{ present: boolean }>`SELECT to_regclass(${`${table}_default`}) IS NOT NULL AS present`.execute(db);
  if (!hasDefault.rows[0]?.present) {
    await sql`ALTER TABLE ${sql.id(table)} DETACH PARTITION ${sql.id(partition)} CONCURRENTLY`.execute(db);
    return;
  }
  await db.connection().execute(async (connection) => {
    await sql`SET lock_timeout = '5s'`.execute(connection);
    try {
      await sql`ALTER TABLE ${sql.id(table)} DETACH PARTITION ${sql.id(partition)}`.execute(connection);
    } finally {
      await sql`RESET lock_timeout`.execute(connection);
    }
  });
}

/** pg_dump of one table to `file` (written aside, checked with pg_restore --list, then renamed); returns its size. */
async function dump(settings: ArchiveSettings, partition: string, file: string): Promise<number> {
  const url = new URL(settings.databaseUrl);
  const env = { ...process.env, PGPASSWORD: decodeURIComponent(url.password) || process.env.PGPASSWORD || '' };
  url.password = '';
  const partial = `${file}.partial`;
  await run('pg_dump', ['--format=custom', '--no-owner', `--table=public.${partition}`, `--file=${partial}`, `--dbname=${url.toString()}`], { env });
  const { stdout } = await run('pg_restore', ['--list', partial]);
  if (!stdout.includes(`TABLE DATA public ${partition} `)) throw new Error(`pg_dump file ${partial} holds no data of ${partition}`);
  await rename(partial, file);
  return (await sizeOf(file)) ?? 0;
}

/** Detaches, dumps and drops the month's partitions of audit, steps and alerts (see the file's comment). */
export async function archiveMonth(db: Db, settings: ArchiveSettings, monthText: string, now: Date): Promise<ArchiveOutcome> {
  const month = parseMonth(monthText);
  const label = monthLabel(month);
  const partitions = await Promise.all(
    HISTORY_TABLES.map(async ({ table }) => {
      const partition = partitionName(table, month);
      return { table, partition, state: await stateOf(db, table, partition), file: fileOf(settings, month, table) };
    }),
  );
  const present = partitions.filter((p) => p.state !== 'absent');
  if (present.length === 0) {
    const sizes = await Promise.all(partitions.map((p) => sizeOf(p.file)));
    if (sizes.every((s) => s !== null)) {
      return { month: label, archivedNow: false, tables: partitions.map((p, i) => ({ table: p.table, partition: p.partition, rows: 0, file: p.file, bytes: sizes[i] ?? 0 })) };
    }
    throw new ArchiveRefusedError(`Tháng ${label} không có phân vùng nào để lưu trữ (chưa từng tạo, hoặc dữ liệu nằm trong phân vùng mặc định).`);
  }
  const refused = await refusal(db, settings, month, present, now);
  if (refused) throw new ArchiveRefusedError(refused);

  await mkdir(settings.archiveDir, { recursive: true });
  const tables: ArchivedTable[] = [];
  for (const p of present) {
    const counted = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.id(p.partition)}`.execute(db);
    if (p.state !== 'detached') await detach(db, p.table, p.partition, p.state);
    const bytes = await dump(settings, p.partition, p.file);
    await sql`DROP TABLE ${sql.id(p.partition)}`.execute(db);
    tables.push({ table: p.table, partition: p.partition, rows: counted.rows[0]?.n ?? 0, file: p.file, bytes });
  }
  await audit(db, {
    at: now,
    actor: ARCHIVE_ACTOR,
    action: ARCHIVE_ACTION,
    detail: JSON.stringify({ month: label, tables: tables.map(({ table, rows, file, bytes }) => ({ table, rows, file: path.basename(file), bytes })) }),
  });
  return { month: label, archivedNow: true, tables };
}
