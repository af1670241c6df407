/**
 * History partitioned by month (issue 28, item 2): `audit` (by `at`), `steps` (by `started_at`)
 * and `alerts` (by `detected_at`) become PostgreSQL range-partitioned tables, one partition per
 * month in Việt Nam time (server/retention/partitions.ts) plus a default partition, so that an old
 * month can be detached, dumped and dropped in seconds (`npm run archive:month`) and the daily run
 * creates the coming months ahead.
 *
 * Each table is rebuilt keeping every row: a partitioned copy with the same columns, defaults,
 * checks and identity (`LIKE … INCLUDING …`), partitions for every month that holds rows and the
 * coming ones, the rows moved, the old table dropped, the copy renamed, then its primary key (the
 * id with the partition key, as PostgreSQL requires), indexes and foreign keys as they were.
 *
 * A partitioned table cannot keep an id unique on its own, yet step and alert ids are the keys
 * that make a redelivered job or a repeated detection change nothing. So each id is claimed in a
 * small unpartitioned table (`step_ids`, `alert_ids`: the id and its partition key, kept when a
 * month is archived) by a trigger before the row goes in; a row whose id is already claimed is
 * skipped, as `ON CONFLICT (id) DO NOTHING` did. The foreign keys that pointed at the ids
 * (`deadline_moves.step_id`, `alert_sends.alert_id`) now point at these tables. The partition
 * keys are never updated (a row never moves between months).
 */
import { sql, type Kysely } from 'kysely';

interface History {
  table: 'audit' | 'steps' | 'alerts';
  key: string;
  /** The unpartitioned table that keeps the ids unique, if the ids are not generated. */
  ids: 'step_ids' | 'alert_ids' | null;
}

const HISTORY: readonly History[] = [
  { table: 'audit', key: 'at', ids: null },
  { table: 'steps', key: 'started_at', ids: 'step_ids' },
  { table: 'alerts', key: 'detected_at', ids: 'alert_ids' },
];

/** Months are cut at midnight in Việt Nam (UTC+7, no daylight saving). */
const ZONE = 'Asia/Ho_Chi_Minh';
/** Partitions the migration creates after the current month (the daily run keeps them ahead). */
const MONTHS_AHEAD = 3;

const ident = (name: string) => sql.id(name);

/** The first instant of a month (`month0` counted from 0, may be 12) in Việt Nam, as an ISO string. */
const vietnamMidnight = (year: number, month0: number): string => new Date(Date.UTC(year, month0, 1) - 7 * 3600_000).toISOString();

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const history of HISTORY) await partition(db, history);
}

async function partition(db: Kysely<unknown>, { table, key, ids }: History): Promise<void> {
  const building = `${table}_partitioned`;
  const indexes = await sql<{ name: string; definition: string }>`
    SELECT indexname AS name, indexdef AS definition FROM pg_indexes
    WHERE schemaname = current_schema() AND tablename = ${table} AND indexname <> ${`${table}_pkey`}`.execute(db);
  const unique = indexes.rows.find((i) => /^CREATE UNIQUE/.test(i.definition));
  if (unique) throw new Error(`${table}: unique index ${unique.name} would need the partition key`);
  const foreignKeys = await sql<{ name: string; definition: string }>`
    SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
    WHERE conrelid = ${table}::regclass AND contype = 'f'`.execute(db);
  const referencing = await sql<{ name: string; owner: string; columns: string }>`
    SELECT c.conname AS name, c.conrelid::regclass::text AS owner,
           (SELECT string_agg(quote_ident(a.attname), ', ') FROM unnest(c.conkey) k JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k) AS columns
    FROM pg_constraint c WHERE c.confrelid = ${table}::regclass AND c.contype = 'f'`.execute(db);
  if (referencing.rows.length && !ids) throw new Error(`${table}: referenced by ${referencing.rows.map((r) => r.owner).join(', ')}`);

  await sql`
    CREATE TABLE ${ident(building)} (LIKE ${ident(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY INCLUDING STORAGE)
    PARTITION BY RANGE (${ident(key)})`.execute(db);
  await sql`CREATE TABLE ${ident(`${table}_default`)} PARTITION OF ${ident(building)} DEFAULT`.execute(db);
  const months = await sql<{ month: string }>`
    SELECT to_char(m, 'YYYY_MM') AS month FROM (
      SELECT DISTINCT date_trunc('month', ${ident(key)} AT TIME ZONE ${ZONE}) AS m FROM ${ident(table)}
      UNION SELECT date_trunc('month', now() AT TIME ZONE ${ZONE}) + make_interval(months => n) FROM generate_series(0, ${sql.lit(MONTHS_AHEAD)}) n) months
    ORDER BY 1`.execute(db);
  for (const { month } of months.rows) {
    const [year, mm] = month.split('_').map(Number) as [number, number];
    await sql`
      CREATE TABLE ${ident(`${table}_${month}`)} PARTITION OF ${ident(building)}
      FOR VALUES FROM (${sql.lit(vietnamMidnight(year, mm - 1))}) TO (${sql.lit(vietnamMidnight(year, mm))})`.execute(db);
  }
  await sql`INSERT INTO ${ident(building)} OVERRIDING SYSTEM VALUE SELECT * FROM ${ident(table)}`.execute(db);

  if (ids) {
    await sql`CREATE TABLE ${ident(ids)} (id text PRIMARY KEY, ${ident(key)} timestamptz NOT NULL)`.execute(db);
    await sql`INSERT INTO ${ident(ids)} (id, ${ident(key)}) SELECT id, ${ident(key)} FROM ${ident(table)}`.execute(db);
    for (const fk of referencing.rows) {
      await sql`ALTER TABLE ${sql.raw(fk.owner)} DROP CONSTRAINT ${ident(fk.name)},
        ADD CONSTRAINT ${ident(fk.name)} FOREIGN KEY (${sql.raw(fk.columns)}) REFERENCES ${ident(ids)} (id)`.execute(db);
    }
  }
  await sql`DROP TABLE ${ident(table)}`.execute(db);
  await sql`ALTER TABLE ${ident(building)} RENAME TO ${ident(table)}`.execute(db);
  const sequence = await sql<{ name: string | null }>`SELECT pg_get_serial_sequence(${table}, 'id') AS name`.execute(db);
  const sequenceName = sequence.rows[0]?.name;
  if (sequenceName) {
    await sql`SELECT setval(${sequenceName}, coalesce((SELECT max(id) FROM ${ident(table)}), 0) + 1, false)`.execute(db);
    await sql`ALTER SEQUENCE ${sql.raw(sequenceName)} RENAME TO ${ident(`${table}_id_seq`)}`.execute(db);
  }
  await sql`ALTER TABLE ${ident(table)} ADD CONSTRAINT ${ident(`${table}_pkey`)} PRIMARY KEY (id, ${ident(key)})`.execute(db);
  for (const index of indexes.rows) await sql.raw(index.definition).execute(db);
  for (const fk of foreignKeys.rows) await sql`ALTER TABLE ${ident(table)} ADD CONSTRAINT ${ident(fk.name)} ${sql.raw(fk.definition)}`.execute(db);
  if (ids) await claimIds(db, table, key, ids);
}

/** The trigger that claims a new row's id in `ids`, or skips the row when the id is taken. */
async function claimIds(db: Kysely<unknown>, table: string, key: string, ids: string): Promise<void> {
  const fn = `${table}_claim_id`;
  await sql`
    CREATE FUNCTION ${ident(fn)}() RETURNS trigger LANGUAGE plpgsql AS ${sql.lit(`
    BEGIN
      INSERT INTO ${ids} (id, ${key}) VALUES (NEW.id, NEW.${key}) ON CONFLICT (id) DO NOTHING;
      IF NOT FOUND THEN RETURN NULL; END IF;
      RETURN NEW;
    END`)}`.execute(db);
  await sql`CREATE TRIGGER ${ident(fn)} BEFORE INSERT ON ${ident(table)} FOR EACH ROW EXECUTE FUNCTION ${ident(fn)}()`.execute(db);
}
