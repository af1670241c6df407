/**
 * `npm run db:migrate`: brings the database at DATABASE_URL to the latest migration
 * (server/db/migrations) and says what it applied. The app processes do the same at start-up.
 */
import { loadConfigOrExit } from '../server/config';
import { connectDatabase } from '../server/db';
import { migrateToLatest, migrationNames } from '../server/db/migrate';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const database = await connectDatabase(config, { max: 2 });
  try {
    const applied = await migrateToLatest(database.db);
    const all = migrationNames();
    console.log(applied.length ? `applied ${applied.join(', ')} to ${database.address}` : `${database.address} is up to date`);
    console.log(`schema at ${all[all.length - 1] ?? '(none)'} (${all.length} migrations)`);
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(`db:migrate: ${(error as Error).message}`);
  process.exit(1);
});
