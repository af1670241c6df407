/**
 * Applies the migrations (`server/db/migrations`) with Kysely's migrator: in order, each once,
 * in a transaction, under the migrator's lock so that replicas starting together do not race.
 * Called by `npm run db:migrate` and by every app process at start-up.
 */
import { Migrator, NO_MIGRATIONS, type MigrationResultSet } from 'kysely/migration';
import type { Db } from './index';
import { migrations } from './migrations';

export const MIGRATION_TABLE = 'db_migrations';

function migrator(db: Db): Migrator {
  return new Migrator({
    // the migrations write plain SQL: no camelCase translation underneath them
    db: db.withoutPlugins(),
    provider: { getMigrations: () => Promise.resolve({ ...migrations }) },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: `${MIGRATION_TABLE}_lock`,
  });
}

export class MigrationError extends Error {
  constructor(result: MigrationResultSet) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? '(before any migration)';
    super(`Database migration ${failed} failed: ${(result.error as Error | undefined)?.message ?? String(result.error)}`);
    this.name = 'MigrationError';
  }
}

/** Brings the schema to the latest migration; returns the names applied now (empty: already there). */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const result = await migrator(db).migrateToLatest();
  if (result.error) throw new MigrationError(result);
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Brings the schema to the given migration (tests: the schema before a later migration). */
export async function migrateTo(db: Db, name: string): Promise<void> {
  const result = await migrator(db).migrateTo(name === 'none' ? NO_MIGRATIONS : name);
  if (result.error) throw new MigrationError(result);
}

/** Names of the migrations, in order. */
export const migrationNames = (): string[] => Object.keys(migrations).sort();
