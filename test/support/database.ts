/**
 * A clean database for each integration test file (and each benchmark), quickly: a template
 * database is migrated once per migration set (`lltp_template_<hash of the migration names>`),
 * and every test database is a copy of it (`CREATE DATABASE … TEMPLATE`, a file copy, about a
 * tenth of a second), dropped when the test is done. The server is the one `DATABASE_URL` points
 * at (the local stack by default).
 */
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { connectDatabase, type Database } from '../../server/db';
import { migrateToLatest, migrationNames } from '../../server/db/migrate';
import { migrations } from '../../server/db/migrations';

const BASE_URL = process.env.DATABASE_URL ?? 'postgresql://lltp@127.0.0.1:5432/lltp';
export const TEST_DATABASE_PREFIX = 'lltp_test_';

/** The URL of another database on the same server. */
export function databaseUrl(name: string, base: string = BASE_URL): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Named after the migrations (names and code), so that a changed migration gets a new template. */
const templateName = (): string => {
  const hash = createHash('sha256');
  for (const name of migrationNames()) hash.update(`${name}\n${Object.values(migrations[name] ?? {}).map(String).join('\n')}\n`);
  return `lltp_template_${hash.digest('hex').slice(0, 12)}`;
};

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl('postgres'), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** Creates (once per migration set) the migrated template; concurrent callers wait for each other. */
export async function ensureTemplate(): Promise<string> {
  const template = templateName();
  await withAdmin(async (client) => {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', ['lltp-test-template']);
    try {
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
      if (exists.rowCount) return;
      const building = `${template}_building`;
      await client.query(`DROP DATABASE IF EXISTS ${quote(building)}`);
      await client.query(`CREATE DATABASE ${quote(building)}`);
      const database = await connectDatabase({ DATABASE_URL: databaseUrl(building) }, { max: 2 });
      try {
        await migrateToLatest(database.db);
      } finally {
        await database.close();
      }
      await client.query(`ALTER DATABASE ${quote(building)} RENAME TO ${quote(template)}`);
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', ['lltp-test-template']);
    }
  });
  return template;
}

export interface TestDatabase {
  name: string;
  url: string;
  database: Database;
  /** Closes the connections and drops the database. */
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own: `lltp_test_<name>_<random>`. */
export async function createTestDatabase(name: string): Promise<TestDatabase> {
  const template = await ensureTemplate();
  const dbName = `${TEST_DATABASE_PREFIX}${name.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  await withAdmin((client) => client.query(`CREATE DATABASE ${quote(dbName)} TEMPLATE ${quote(template)}`));
  const url = databaseUrl(dbName);
  const database = await connectDatabase({ DATABASE_URL: url });
  let dropped = false;
  return {
    name: dbName,
    url,
    database,
    async drop() {
      if (dropped) return;
      dropped = true;
      await database.close();
      await dropDatabase(dbName);
    },
  };
}

/** Drops a database, ending any connection still open to it. */
export async function dropDatabase(name: string): Promise<void> {
  await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${quote(name)} WITH (FORCE)`));
}

/**
 * Drops the test databases of earlier runs (a run that crashed leaves some behind), and the
 * templates and benchmark databases of other schemas (`…_<schema hash>`).
 */
export async function dropLeftovers(): Promise<number> {
  const current = templateName();
  return withAdmin(async (client) => {
    const rows = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database
       WHERE datname LIKE 'lltp\\_test\\_%' OR (datname LIKE 'lltp\\_template\\_%' AND datname <> $1)
          OR (datname LIKE 'lltp\\_bench\\_%' AND right(datname, 12) <> right($1, 12))`,
      [current],
    );
    for (const { datname } of rows.rows) await client.query(`DROP DATABASE IF EXISTS ${quote(datname)} WITH (FORCE)`);
    return rows.rowCount ?? 0;
  });
}

/** Rows of a table (optionally: of one dossier). */
export async function countRows(db: import('../../server/db').Db, table: keyof import('../../server/db').Tables, dossierCode?: string): Promise<number> {
  let query = db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n'));
  if (dossierCode !== undefined) query = query.where('dossierCode' as never, '=', dossierCode as never);
  return Number((await query.executeTakeFirstOrThrow()).n);
}
