/**
 * `npm run demo` seeds the demo's accounts with this, before the app starts: one staff user per
 * role (password DEMO_PASSWORD) and the partners the simulators play (key DEMO_PARTNER_KEY),
 * on the database of DATABASE_URL brought to the latest migration. Idempotent. Refused when
 * NODE_ENV=production: no app process seeds accounts, and a production API refuses to start
 * while a demo secret works (server/auth/demo-secrets.ts).
 */
import { seedDemoAccounts } from '../../server/auth/seed';
import { loadConfigOrExit, type Config } from '../../server/config';
import { connectDatabase } from '../../server/db';
import { migrateToLatest } from '../../server/db/migrate';

/** Brings the database of `config` to the latest migration and writes the demo accounts (refused in production). */
export async function seedDemoDatabase(config: Config, now: () => Date = () => new Date()): Promise<void> {
  const database = await connectDatabase(config);
  try {
    await migrateToLatest(database.db);
    await seedDemoAccounts(database.db, { nodeEnv: config.NODE_ENV, password: config.DEMO_PASSWORD, partnerKey: config.DEMO_PARTNER_KEY, agencyCode: config.AGENCY_CODE, now });
  } finally {
    await database.close();
  }
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (config.NODE_ENV === 'production') {
    console.error('Không tạo tài khoản demo khi NODE_ENV=production (npm run demo chạy ở chế độ development).');
    process.exit(2);
  }
  await seedDemoDatabase(config);
  console.log('demo accounts seeded');
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
