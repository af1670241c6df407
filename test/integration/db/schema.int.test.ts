/**
 * The schema comes only from the migrations: applied from an empty database, each migration
 * applied to the schema before it, idempotent, and the tables TypeScript sees
 * (server/db/tables.ts) are the tables the migrations made, column by column.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { connectDatabase, type Database } from '../../../server/db';
import { migrateTo, migrateToLatest, migrationNames, MIGRATION_TABLE } from '../../../server/db/migrate';
import { createTestDatabase, databaseUrl, dropDatabase } from '../../support/database';
import { uniqueId } from '../../support/unique';

/** An empty database (no template), dropped afterwards. */
async function emptyDatabase(label: string): Promise<{ database: Database; drop: () => Promise<void> }> {
  const name = `lltp_test_empty_${label}_${uniqueId()}`;
  const admin = await connectDatabase({ DATABASE_URL: databaseUrl('postgres') }, { max: 1 });
  try {
    await sql`CREATE DATABASE ${sql.id(name)}`.execute(admin.db);
  } finally {
    await admin.close();
  }
  const database = await connectDatabase({ DATABASE_URL: databaseUrl(name) }, { max: 2 });
  return {
    database,
    drop: async () => {
      await database.close();
      await dropDatabase(name);
    },
  };
}

const tablesOf = async (database: Database): Promise<string[]> =>
  (await sql<{ tableName: string }>`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name NOT LIKE ${`${MIGRATION_TABLE}%`} ORDER BY 1`.execute(database.db)).rows.map((r) => r.tableName);

test('from an empty database every migration applies in order, and a second run applies nothing', async () => {
  const { database, drop } = await emptyDatabase('latest');
  try {
    expect(await tablesOf(database)).toEqual([]);
    expect(await migrateToLatest(database.db)).toEqual(migrationNames());
    expect(await migrateToLatest(database.db)).toEqual([]);
    expect(await tablesOf(database)).toContain('dossiers');
  } finally {
    await drop();
  }
});

test.each(migrationNames().map((name, i) => [name, migrationNames()[i - 1] ?? null] as const))('%s applies to the schema before it (%s)', async (name, before) => {
  const { database, drop } = await emptyDatabase(name.slice(0, 4));
  try {
    if (before) await migrateTo(database.db, before);
    await migrateTo(database.db, name);
    const applied = await sql<{ name: string }>`SELECT name FROM ${sql.table(MIGRATION_TABLE)} ORDER BY name`.execute(database.db);
    expect(applied.rows.map((r) => r.name)).toEqual(migrationNames().slice(0, migrationNames().indexOf(name) + 1));
  } finally {
    await drop();
  }
});

/** `interface XTable { a: …; b: … | null; }` blocks of tables.ts, and the table name each is registered under. */
function declaredTables(): Map<string, Map<string, boolean>> {
  const source = readFileSync(path.resolve(__dirname, '../../../server/db/tables.ts'), 'utf8');
  const interfaces = new Map<string, Map<string, boolean>>();
  for (const match of source.matchAll(/export interface (\w+Table) \{\n([\s\S]*?)\n\}/g)) {
    const columns = new Map<string, boolean>();
    for (const line of (match[2] ?? '').split('\n')) {
      const column = /^\s+(\w+): (.+);$/.exec(line);
      if (column) columns.set(column[1] as string, /\| null\b|Json<unknown> \| null/.test(column[2] as string));
    }
    interfaces.set(match[1] as string, columns);
  }
  const registry = /export interface Tables \{([^}]*)\}/.exec(source)?.[1] ?? '';
  const tables = new Map<string, Map<string, boolean>>();
  for (const entry of registry.matchAll(/(\w+): (\w+Table);/g)) tables.set(entry[1] as string, interfaces.get(entry[2] as string) ?? new Map<string, boolean>());
  return tables;
}

const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

test('server/db/tables.ts declares every table and column the migrations made, with the same nullability', async () => {
  const testDb = await createTestDatabase('schema');
  try {
    // (result columns come back camelCased, like every query's)
    const rows = await sql<{ tableName: string; columnName: string; isNullable: 'YES' | 'NO' }>`
      SELECT table_name, column_name, is_nullable FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name NOT LIKE ${`${MIGRATION_TABLE}%`}
        AND table_name NOT IN (SELECT relname FROM pg_class WHERE relispartition)`.execute(testDb.database.db); // a month's partition is its table's
    const actual = new Map<string, Map<string, boolean>>();
    for (const r of rows.rows) {
      const columns = actual.get(r.tableName) ?? new Map<string, boolean>();
      columns.set(r.columnName, r.isNullable === 'YES');
      actual.set(r.tableName, columns);
    }
    const declared = declaredTables();
    expect([...declared.keys()].map(snake).sort()).toEqual([...actual.keys()].sort());
    for (const [table, columns] of declared) {
      const inDb = actual.get(snake(table));
      expect([table, [...columns.keys()].map(snake).sort()]).toEqual([table, [...(inDb?.keys() ?? [])].sort()]);
      for (const [column, nullable] of columns) expect([table, column, nullable]).toEqual([table, column, inDb?.get(snake(column))]);
    }
  } finally {
    await testDb.drop();
  }
});

test('a test database is a copy of the migrated template: every migration recorded, no data', async () => {
  const testDb = await createTestDatabase('copy');
  try {
    const applied = await sql<{ name: string }>`SELECT name FROM ${sql.table(MIGRATION_TABLE)} ORDER BY name`.execute(testDb.database.db);
    expect(applied.rows.map((r) => r.name)).toEqual(migrationNames());
    expect(await testDb.database.db.selectFrom('dossiers').select('code').execute()).toEqual([]);
  } finally {
    await testDb.drop();
  }
});
