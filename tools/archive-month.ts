/**
 * `npm run archive:month -- YYYY-MM`: detaches the month's partitions of audit, steps and alerts,
 * dumps each to ARCHIVE_DIR with pg_dump and drops it (server/retention/archive.ts; README
 * "Vận hành › Lưu trữ theo tháng"). Exit 1 with the reason when the month is refused.
 */
import { loadConfigOrExit } from '../server/config';
import { connectDatabase } from '../server/db';
import { archiveMonth, ArchiveRefusedError } from '../server/retention/archive';

async function main(): Promise<void> {
  const month = process.argv[2];
  if (!month) throw new ArchiveRefusedError('Thiếu tháng cần lưu trữ: npm run archive:month -- YYYY-MM');
  const config = loadConfigOrExit();
  const database = await connectDatabase(config, { max: 2 });
  try {
    const settings = { databaseUrl: config.DATABASE_URL, archiveDir: config.ARCHIVE_DIR, minAgeDays: config.ARCHIVE_MIN_AGE_DAYS };
    const outcome = await archiveMonth(database.db, settings, month, new Date());
    if (!outcome.archivedNow) console.log(`Tháng ${outcome.month} đã được lưu trữ trước đó; không thay đổi gì.`);
    for (const t of outcome.tables) console.log(`${t.partition}: ${t.rows} dòng → ${t.file} (${t.bytes} byte)`);
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(`archive:month: ${(error as Error).message}`);
  process.exit(1);
});
