/**
 * History by month (issue 28, item 2): migration 0014 turns audit, steps and alerts into
 * partitioned tables keeping every row, the daily run creates the coming months' partitions, and
 * `archive:month` detaches, dumps and drops exactly one month, refusing a month too recent, one
 * holding an open dossier's rows, and one that is not a month.
 *
 * @fixed-instants every instant is a literal (months of 2025, a "now" of 2031 or 2036).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { connectDatabase, type Db } from '../../../server/db';
import { migrateTo, migrateToLatest } from '../../../server/db/migrate';
import { ARCHIVE_ACTION, archiveMonth, ArchiveRefusedError, type ArchiveSettings } from '../../../server/retention/archive';
import { createPartition, createPartitionsAhead, HISTORY_TABLES } from '../../../server/retention/partitions';
import { createTestDatabase, databaseUrl, dropDatabase, type TestDatabase } from '../../support/database';
import { insertLiteralDossier } from '../../support/literal-dossier';
import { uniqueId } from '../../support/unique';

const at = (text: string): Date => new Date(`${text}+07:00`);
const CLOSED = 'STP.KHA-250110-0001';
const OPEN = 'STP.KHA-250210-0001';

async function seedDossier(db: Db, code: string, receivedAt: Date, open: boolean): Promise<void> {
  await insertLiteralDossier(db, {
    code,
    receiptNumber: `PART-${code}`,
    receivedAt,
    statutoryDueAt: new Date(receivedAt.getTime() + 14 * 86400_000),
    targetDueAt: new Date(receivedAt.getTime() + 3 * 86400_000),
    calendarVersion: 0,
    processId: 'quy-trinh-570-v20241001',
    internalProcessId: 'khanh-hoa-2799-v20241029',
  });
  if (!open) await sql`UPDATE dossiers SET status = 'closed', outcome = 'issued', finished_at = ${new Date(receivedAt.getTime() + 5 * 86400_000)}, next_check_at = NULL WHERE code = ${code}`.execute(db);
}

/** A step, an audit row and an alert of the dossier, all at `instant`. */
async function seedHistory(db: Db, code: string, stepId: string, instant: Date): Promise<void> {
  await sql`INSERT INTO steps (id, dossier_code, element_id, unit_id, started_at, allotment_minutes, due_at)
            VALUES (${stepId}, ${code}, 'tiep-nhan', 'stp-mot-cua', ${instant}, 480, ${new Date(instant.getTime() + 86400_000)})`.execute(db);
  await sql`INSERT INTO audit (at, actor, action, dossier_code) VALUES (${instant}, 'can-bo', 'dossier.read-details', ${code})`.execute(db);
  await sql`INSERT INTO alerts (id, kind, subject, dossier_code, step_id, detected_at, run_id, delivery_status, message_id)
            VALUES (${`step:${stepId}:overdue`}, 'overdue', 'step', ${code}, ${stepId}, ${instant}, 'run', 'sent', ${`<${stepId}@lltp>`})`.execute(db);
}

const count = async (db: Db, table: string): Promise<number> =>
  (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(db)).rows[0]?.n ?? -1;
const partitionOf = async (db: Db, table: string, id: string): Promise<string | undefined> =>
  (await sql<{ p: string }>`SELECT tableoid::regclass::text AS p FROM ${sql.table(table)} WHERE id::text = ${id}`.execute(db)).rows[0]?.p;
const exists = async (db: Db, relation: string): Promise<boolean> =>
  (await sql<{ present: boolean }>`SELECT to_regclass(${relation}) IS NOT NULL AS present`.execute(db)).rows[0]?.present ?? false;

describe('migration 0014 on a filled database', () => {
  test('keeps every row, each in its month, with the ids still unique and the foreign keys kept', async () => {
    const name = `lltp_test_partitions_${uniqueId()}`;
    const admin = await connectDatabase({ DATABASE_URL: databaseUrl('postgres') }, { max: 1 });
    await sql`CREATE DATABASE ${sql.id(name)}`.execute(admin.db);
    await admin.close();
    const database = await connectDatabase({ DATABASE_URL: databaseUrl(name) }, { max: 2 });
    try {
      const db = database.db;
      await migrateTo(db, '0012-retention-and-mail-templates');
      await seedDossier(db, CLOSED, at('2025-01-10T08:00:00'), false);
      await seedHistory(db, CLOSED, 'step:1', at('2025-01-10T08:00:00'));
      await seedHistory(db, CLOSED, 'step:2', at('2025-03-01T00:30:00')); // 2025-02-28 17:30 UTC: March in Việt Nam
      await sql`INSERT INTO deadline_moves (change_id, at, dossier_code, step_id, due_from, due_to)
                VALUES ('c1', ${at('2025-01-11T08:00:00')}, ${CLOSED}, 'step:1', ${at('2025-01-11T08:00:00')}, ${at('2025-01-12T08:00:00')})`.execute(db);
      await sql`INSERT INTO alert_sends (alert_id, attempt, holder, at, outcome) VALUES ('step:step:1:overdue', 1, 'm', ${at('2025-01-10T09:00:00')}, 'sent')`.execute(db);
      const before = { audit: await count(db, 'audit'), steps: await count(db, 'steps'), alerts: await count(db, 'alerts') };
      const maxAuditId = (await sql<{ id: string }>`SELECT max(id)::text AS id FROM audit`.execute(db)).rows[0]?.id;

      await migrateToLatest(db);

      expect({ audit: await count(db, 'audit'), steps: await count(db, 'steps'), alerts: await count(db, 'alerts') }).toEqual(before);
      expect(before).toEqual({ audit: 2, steps: 2, alerts: 2 });
      expect(await partitionOf(db, 'steps', 'step:1')).toBe('steps_2025_01');
      expect(await partitionOf(db, 'steps', 'step:2')).toBe('steps_2025_03');
      expect(await partitionOf(db, 'alerts', 'step:step:2:overdue')).toBe('alerts_2025_03');
      expect(await partitionOf(db, 'audit', maxAuditId ?? '')).toBe('audit_2025_03');
      // the same step again (a redelivered job) is skipped, as ON CONFLICT (id) DO NOTHING did
      const again = await sql`INSERT INTO steps (id, dossier_code, element_id, unit_id, started_at, allotment_minutes, due_at)
        VALUES ('step:1', ${CLOSED}, 'tiep-nhan', 'stp-mot-cua', ${at('2025-02-02T08:00:00')}, 480, ${at('2025-02-03T08:00:00')}) RETURNING id`.execute(db);
      expect(again.rows).toEqual([]);
      expect(await count(db, 'steps')).toBe(2);
      // the deadline move still needs a recorded step
      await expect(sql`INSERT INTO deadline_moves (change_id, at, dossier_code, step_id, due_from, due_to)
        VALUES ('c2', ${at('2025-01-11T08:00:00')}, ${CLOSED}, 'step:none', ${at('2025-01-11T08:00:00')}, ${at('2025-01-12T08:00:00')})`.execute(db)).rejects.toThrow(/foreign key/);
      // identities go on after the rows kept
      const next = await sql<{ id: string }>`INSERT INTO audit (at, actor, action) VALUES (${at('2025-03-02T08:00:00')}, 'x', 'y') RETURNING id::text AS id`.execute(db);
      expect(Number(next.rows[0]?.id)).toBe(Number(maxAuditId) + 1);
    } finally {
      await database.close();
      await dropDatabase(name);
    }
  });
});

describe('partitions and archiving', () => {
  let testDb: TestDatabase;
  let db: Db;
  let archiveDir: string;
  let settings: ArchiveSettings;

  beforeEach(async () => {
    testDb = await createTestDatabase('partitions');
    db = testDb.database.db;
    archiveDir = mkdtempSync(path.join(tmpdir(), 'lltp-archive-'));
    settings = { databaseUrl: testDb.url, archiveDir, minAgeDays: 365 };
  });
  afterEach(async () => {
    await testDb.drop();
    rmSync(archiveDir, { recursive: true, force: true });
  });

  test('the daily run creates the current and coming months ahead, moving rows out of the default partition', async () => {
    await sql`INSERT INTO audit (at, actor, action) VALUES (${at('2031-06-15T08:00:00')}, 'x', 'early')`.execute(db);
    expect((await sql<{ p: string }>`SELECT tableoid::regclass::text AS p FROM audit WHERE action = 'early'`.execute(db)).rows[0]?.p).toBe('audit_default');

    expect(await createPartitionsAhead(db, at('2031-05-31T23:00:00'), 3)).toBe(12); // May to August, 3 tables
    for (const month of ['2031_05', '2031_06', '2031_07', '2031_08']) {
      for (const { table } of HISTORY_TABLES) expect([table, month, await exists(db, `${table}_${month}`)]).toEqual([table, month, true]);
    }
    expect(await exists(db, 'audit_2031_09')).toBe(false);
    expect((await sql<{ p: string }>`SELECT tableoid::regclass::text AS p FROM audit WHERE action = 'early'`.execute(db)).rows[0]?.p).toBe('audit_2031_06');
    expect(await count(db, 'audit_default')).toBe(0);
    expect(await createPartitionsAhead(db, at('2031-05-31T23:00:00'), 3)).toBe(0);
    // a partition made by the daily run keeps the step ids unique like the others (the trigger follows it)
    await seedDossier(db, CLOSED, at('2031-06-10T08:00:00'), false);
    await seedHistory(db, CLOSED, 'step:june', at('2031-06-10T08:00:00'));
    const again = await sql`INSERT INTO steps (id, dossier_code, element_id, unit_id, started_at, allotment_minutes, due_at)
      VALUES ('step:june', ${CLOSED}, 'tiep-nhan', 'stp-mot-cua', ${at('2031-07-10T08:00:00')}, 480, ${at('2031-07-11T08:00:00')}) RETURNING id`.execute(db);
    expect(again.rows).toEqual([]);
    expect((await sql<{ p: string }>`SELECT tableoid::regclass::text AS p FROM steps WHERE id = 'step:june'`.execute(db)).rows).toEqual([{ p: 'steps_2031_06' }]);
  });

  test('archive:month detaches, dumps and drops exactly one month, once', async () => {
    for (const month of [{ year: 2025, month: 1 }, { year: 2025, month: 2 }]) for (const h of HISTORY_TABLES) await createPartition(db, h, month);
    await seedDossier(db, CLOSED, at('2025-01-10T08:00:00'), false);
    await seedHistory(db, CLOSED, 'step:1', at('2025-01-10T08:00:00'));
    await seedHistory(db, CLOSED, 'step:2', at('2025-01-31T23:30:00')); // still January in Việt Nam
    await seedHistory(db, CLOSED, 'step:3', at('2025-02-01T00:30:00'));
    const now = at('2026-03-01T09:00:00');

    const outcome = await archiveMonth(db, settings, '2025-01', now);

    expect(outcome.archivedNow).toBe(true);
    expect(outcome.tables.map((t) => [t.partition, t.rows])).toEqual([['audit_2025_01', 2], ['steps_2025_01', 2], ['alerts_2025_01', 2]]);
    for (const t of outcome.tables) {
      expect(await exists(db, t.partition)).toBe(false);
      expect(statSync(t.file).size).toBe(t.bytes);
      expect(execFileSync('pg_restore', ['--data-only', '--file=-', t.file]).toString()).toContain(CLOSED);
    }
    expect(await count(db, 'steps')).toBe(1);
    expect(await count(db, 'alerts')).toBe(1);
    expect((await sql<{ id: string }>`SELECT id FROM steps`.execute(db)).rows).toEqual([{ id: 'step:3' }]);
    const audited = await sql<{ detail: string }>`SELECT detail FROM audit WHERE action = ${ARCHIVE_ACTION}`.execute(db);
    expect(audited.rows).toHaveLength(1);
    expect(JSON.parse(audited.rows[0]?.detail ?? '{}')).toMatchObject({ month: '2025-01', tables: [{ table: 'audit', rows: 2 }, { table: 'steps', rows: 2 }, { table: 'alerts', rows: 2 }] });

    const again = await archiveMonth(db, settings, '2025-01', now);
    expect(again.archivedNow).toBe(false);
    expect(await count(db, 'steps')).toBe(1);
    expect((await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit WHERE action = ${ARCHIVE_ACTION}`.execute(db)).rows[0]?.n).toBe(1);
  });

  test('a run stopped after the detach is finished by the next one', async () => {
    for (const h of HISTORY_TABLES) await createPartition(db, h, { year: 2025, month: 1 });
    await seedDossier(db, CLOSED, at('2025-01-10T08:00:00'), false);
    await seedHistory(db, CLOSED, 'step:1', at('2025-01-10T08:00:00'));
    await sql`ALTER TABLE steps DETACH PARTITION steps_2025_01`.execute(db);

    const outcome = await archiveMonth(db, settings, '2025-01', at('2026-03-01T09:00:00'));

    expect(outcome.tables.map((t) => [t.partition, t.rows])).toEqual([['audit_2025_01', 1], ['steps_2025_01', 1], ['alerts_2025_01', 1]]);
    expect(await exists(db, 'steps_2025_01')).toBe(false);
  });

  test.each([
    ['not a month', '2025-13', /Tháng không hợp lệ: "2025-13"/],
    ['too recent for ARCHIVE_MIN_AGE_DAYS', '2025-12', /Tháng 2025-12 chưa quá thời hạn lưu giữ: chỉ lưu trữ được tháng kết thúc trước 2025-03-01 \(ARCHIVE_MIN_AGE_DAYS = 365 ngày\)/],
    ['holding an open dossier\'s rows', '2025-02', /Tháng 2025-02 còn 1 dòng audit của hồ sơ chưa kết thúc/],
    ['without partitions', '2024-06', /Tháng 2024-06 không có phân vùng nào để lưu trữ/],
  ])('refuses a month %s, changing nothing', async (_case, month, message) => {
    for (const m of [{ year: 2025, month: 2 }, { year: 2025, month: 12 }]) for (const h of HISTORY_TABLES) await createPartition(db, h, m);
    await seedDossier(db, OPEN, at('2025-02-10T08:00:00'), true);
    await seedHistory(db, OPEN, 'step:open', at('2025-02-10T08:00:00'));

    const refused = archiveMonth(db, settings, month, at('2026-03-01T09:00:00'));

    await expect(refused).rejects.toThrow(ArchiveRefusedError);
    await expect(refused).rejects.toThrow(message);
    for (const { table } of HISTORY_TABLES) expect(await exists(db, `${table}_2025_02`)).toBe(true);
    expect(await count(db, 'steps')).toBe(1);
  });
});
