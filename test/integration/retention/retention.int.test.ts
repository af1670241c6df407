/**
 * Retention (issue 28): the SLA monitor's daily run deletes or anonymises what has expired, in
 * batches (RETENTION_BATCH_SIZE 2 here, so every kind takes several statements), audited once per
 * run, never touching an open dossier, and keeping what inspection reads. A second run at the
 * same instant changes nothing.
 *
 * @fixed-instants the run happens at a fixed Sunday 10:00 (outside working time: no mail leaves),
 * with periods of days so the dossiers lie in the seeded calendar years.
 */
import { sql } from 'kysely';
import { seedDemoAccounts } from '../../../server/auth/seed';
import { seedCalendar } from '../../../server/calendar/store';
import { loadSeed } from '../../../server/calendar/seed';
import { createCalendarProvider } from '../../../server/calendar/provider';
import { loadConfig } from '../../../server/config';
import type { Db } from '../../../server/db';
import { toJson } from '../../../server/db/tables';
import { inspectionService } from '../../../server/inspection';
import { listPage } from '../../../server/inspection/service';
import type { InspectionFilters } from '../../../server/inspection/filters';
import { createLogger } from '../../../server/logger';
import { createMailer } from '../../../server/mail';
import { createMonitor, createMonitorDeps } from '../../../server/monitor';
import { renderMail } from '../../../server/monitor/templates';
import { insertAlerts, type MonitorDeps } from '../../../server/monitor/tick';
import { readDeclaration } from '../../../server/readmodel/declaration';
import { RETENTION_ACTION, type RetentionPolicy } from '../../../server/retention';
import { loadProcessCatalog } from '../../../server/sla';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { insertLiteralDossier } from '../../support/literal-dossier';

const at = (text: string): Date => new Date(`${text}+07:00`);
const NOW = at('2026-12-06T10:00:00'); // a Sunday
const DAY = 24 * 3600_000;
const ago = (days: number): Date => new Date(NOW.getTime() - days * DAY);
const POLICY: RetentionPolicy = { declarationDays: 30, letterDays: 30, mailDays: 20, sessionDays: 1, auditDays: 45, batchSize: 2 };

const EXPIRED = ['STP.KHA-261001-0001', 'STP.KHA-261001-0002', 'STP.KHA-261001-0003'];
const RECENT = 'STP.KHA-261101-0001'; // closed 10 days ago: within the period
const OPEN = 'STP.KHA-261001-0009'; // received with the expired ones, still open
const ALL = [...EXPIRED, RECENT, OPEN];
const PERSON = { fullName: 'Nguyễn Văn Thử', birthDate: '1990-01-01', residence: 'Nha Trang' };

let testDb: TestDatabase;
let db: Db;
let deps: MonitorDeps;

async function seedDossier(code: string, receivedAt: Date, finishedAt: Date | null, calendarVersion: number): Promise<void> {
  await insertLiteralDossier(db, {
    code,
    receiptNumber: `RET-${code}`,
    receivedAt,
    statutoryDueAt: new Date(receivedAt.getTime() + 14 * DAY),
    targetDueAt: new Date(receivedAt.getTime() + 3 * DAY),
    calendarVersion,
    processId: 'quy-trinh-570-v20241001',
    internalProcessId: 'khanh-hoa-2799-v20241029',
  });
  if (finishedAt) await db.updateTable('dossiers').set({ status: 'closed', outcome: 'issued', finishedAt, apologyReason: 'Chờ kết quả xác minh', nextCheckAt: null }).where('code', '=', code).execute();
  await db.insertInto('declarations').values({ dossierCode: code, request: toJson(PERSON), createdAt: receivedAt }).execute();
  await db
    .insertInto('steps')
    .values({
      id: `step:${code}:1`,
      dossierCode: code,
      elementId: 'buoc-4',
      elementName: 'Xử lý hồ sơ',
      unitId: 'stp-hcqp',
      unitName: 'Phòng Hành chính tư pháp',
      role: 'lltpOfficer',
      startedAt: receivedAt,
      allotmentMinutes: 480,
      dueAt: new Date(receivedAt.getTime() + DAY),
      finishedAt: finishedAt ?? new Date(receivedAt.getTime() + 2 * DAY),
      actor: 'chuyenvien',
      outcome: 'done',
      lateReason: 'Chờ Công an tỉnh trả lời',
      lateReasonSource: 'officer',
      nextCheckAt: null,
    })
    .execute();
  await db.insertInto('letters').values({ id: `apology:${code}`, dossierCode: code, kind: 'apology', fields: toJson({ citizenName: PERSON.fullName }), html: `<p>${PERSON.fullName}</p>`, pdf: Buffer.from('%PDF-1.4'), createdAt: receivedAt }).execute();
  await db
    .insertInto('audit')
    .values([
      { at: ago(60), actor: 'chuyenvien', action: 'dossier.read-details', dossierCode: code, detail: 'xem chi tiết hồ sơ' },
      { at: ago(5), actor: 'chuyenvien', action: 'dossier.read', dossierCode: code, detail: null },
    ])
    .execute();
}

/** An alert as the monitor stores it (template version and data), or as stored before migration 0012 (`legacy`: rendered text and HTML). */
async function seedAlert(id: string, dossierCode: string | null, detectedAt: Date, status: 'sent' | 'pending', legacy: boolean): Promise<void> {
  const mail = renderMail('alert', { title: `Quá hạn: hồ sơ ${dossierCode ?? '-'}`, agencyName: 'Sở Tư pháp', lead: 'x', dossierCode, stepName: 'Xử lý hồ sơ', unitName: 'Phòng', dueAt: '08:00', lateness: 'đã trễ', link: 'http://x' });
  const recipients = [{ username: 'lanhdao', email: 'lanhdao@stp.example.vn', displayName: 'Lãnh đạo' }];
  const alert = { id, kind: 'overdue' as const, subject: 'dossier' as const, level: 0, dossierCode, stepId: null, elementId: null, stepName: null, unitId: null, unitName: null, role: 'leader', dueAt: null, remainingMinutes: -60, detectedAt, runId: 'seed' };
  expect(await insertAlerts(db, [{ ...alert, recipients, mail }], detectedAt)).toBe(1);
  await db
    .updateTable('alerts')
    .set({
      ...(legacy ? { mailText: mail.text, mailHtml: mail.html, mailTemplate: null, mailData: null } : {}),
      deliveryStatus: status,
      nextAttemptAt: status === 'pending' ? new Date(NOW.getTime() + 365 * DAY) : null,
      sentAt: status === 'sent' ? detectedAt : null,
    })
    .where('id', '=', id)
    .execute();
}

const filters: InspectionFilters = { from: at('2026-09-01T00:00:00'), to: at('2026-12-01T00:00:00'), fromText: '2026-09-01', toText: '2026-11-30', basis: 'received', agency: null, unit: null, procedure: null, version: null, channel: null, status: 'all' };

beforeAll(async () => {
  testDb = await createTestDatabase('retention');
  db = testDb.database.db;
  const now = (): Date => NOW;
  await seedCalendar(db, loadSeed(), { actor: 'test', now });
  await seedDemoAccounts(db, { nodeEnv: 'test', password: 'x', partnerKey: 'x', now });
  const calendars = createCalendarProvider({ db, now, refreshMs: 0 });
  const version = (await calendars.current()).version;
  for (const code of EXPIRED) await seedDossier(code, at('2026-10-01T08:00:00'), ago(40), version);
  await seedDossier(RECENT, at('2026-11-02T08:00:00'), ago(10), version);
  await seedDossier(OPEN, at('2026-10-01T08:00:00'), null, version);
  const config = loadConfig({ ...process.env, DATABASE_URL: testDb.url });
  const catalog = await loadProcessCatalog();
  deps = createMonitorDeps({ db, config, catalog, calendars, mailer: createMailer(config), logger: createLogger({ level: 'silent' }), now, settings: { retention: POLICY } });
  // mails: old sent ones (legacy HTML, and template + data), an old pending one, a recent sent one, one about the open dossier
  await seedAlert('old-legacy', EXPIRED[0]!, ago(30), 'sent', true);
  await seedAlert('old-stored', null, ago(25), 'sent', false);
  await seedAlert('old-legacy-3', EXPIRED[1]!, ago(21), 'sent', true);
  await seedAlert('old-pending', EXPIRED[2]!, ago(30), 'pending', true);
  await seedAlert('recent', RECENT, ago(3), 'sent', true);
  await seedAlert('open-dossier', OPEN, ago(30), 'sent', true);
  await db
    .insertInto('sessions')
    .values([
      { tokenDigest: 'expired-long-ago', username: 'motcua', createdAt: ago(12), expiresAt: ago(11) },
      { tokenDigest: 'expired-long-ago-2', username: 'motcua', createdAt: ago(4), expiresAt: ago(3) },
      { tokenDigest: 'expired-long-ago-3', username: 'motcua', createdAt: ago(3), expiresAt: ago(2) },
      { tokenDigest: 'expired-lately', username: 'motcua', createdAt: ago(0.6), expiresAt: ago(0.5) },
      { tokenDigest: 'live', username: 'motcua', createdAt: NOW, expiresAt: new Date(NOW.getTime() + 3600_000) },
    ])
    .execute();
}, 60000);

afterAll(async () => {
  deps?.mailer.close();
  await testDb?.drop();
});

/** Everything retention may change, to compare before and after a run. */
async function snapshot(): Promise<unknown> {
  return {
    declarations: await db.selectFrom('declarations').select(['dossierCode', 'request', 'anonymisedAt']).orderBy('dossierCode').execute(),
    letters: await db.selectFrom('letters').select('id').orderBy('id').execute(),
    alerts: await db.selectFrom('alerts').select(['id', 'mailText', 'mailHtml', 'mailTemplate', 'mailData', 'deliveryStatus']).orderBy('id').execute(),
    sessions: await db.selectFrom('sessions').select('tokenDigest').orderBy('tokenDigest').execute(),
    audit: await db.selectFrom('audit').select(['id', 'action', 'dossierCode']).where('action', '<>', RETENTION_ACTION).where('action', 'not like', 'inspection.%').orderBy('id').execute(),
    steps: await db.selectFrom('steps').selectAll().orderBy('id').execute(),
    // the monitor's own bookkeeping (when it looks at an open dossier next) aside
    dossiers: (await db.selectFrom('dossiers').selectAll().orderBy('code').execute()).map(({ nextCheckAt: _next, ...d }) => d),
  };
}

const inspectionRows = async (): Promise<unknown> => {
  const service = inspectionService({ db, config: loadConfig({ ...process.env, DATABASE_URL: testDb.url }), catalog: deps.catalog, calendars: () => deps.calendars.current(), now: () => NOW });
  const page = await listPage(service, { username: 'thanhtra', displayName: 'Thanh tra' }, filters, { page: 1, pageSize: 50, sort: 'code', descending: false });
  return page.dossiers;
};

test('the daily run anonymises expired closed dossiers, deletes expired letters, mails, sessions and audit rows, and keeps what inspection needs', async () => {
  const before = (await snapshot()) as { steps: unknown; dossiers: unknown };
  const inspectedBefore = await inspectionRows();
  expect((inspectedBefore as unknown[]).length).toBe(ALL.length);

  const outcome = await createMonitor(deps, { holder: 'retention-1', now: () => NOW }).runOnce('daily');
  expect(outcome.run?.error).toBeNull();
  expect(outcome.run?.counts.retention).toEqual({ declarationsAnonymised: 3, lettersDeleted: 3, mailsCleared: 3, sessionsDeleted: 3, auditDeleted: 4 });
  expect(outcome.run?.counts.sessionsRemoved).toBe(3);
  // and the history's partitions up to 3 months ahead (PARTITION_MONTHS_AHEAD) exist
  expect(outcome.run?.counts.partitionsCreated).toEqual(expect.any(Number));
  const ahead = await sql<{ name: string }>`SELECT relname AS name FROM pg_class WHERE relname IN ('audit_2027_03', 'steps_2027_03', 'alerts_2027_03') ORDER BY 1`.execute(db);
  expect(ahead.rows.map((r) => r.name)).toEqual(['alerts_2027_03', 'audit_2027_03', 'steps_2027_03']);

  const after = (await snapshot()) as Record<string, { [k: string]: unknown }[]>;
  // declarations: the expired closed dossiers' emptied, the recent and the open one as they were
  for (const code of EXPIRED) {
    const row = after.declarations!.find((d) => d.dossierCode === code);
    expect(row?.request).toEqual({});
    expect(row?.anonymisedAt).toEqual(NOW);
    expect(await readDeclaration(db, code, { actor: 'test', purpose: 'kiểm thử', at: NOW })).toBeNull();
  }
  for (const code of [RECENT, OPEN]) expect(after.declarations!.find((d) => d.dossierCode === code)).toEqual({ dossierCode: code, request: PERSON, anonymisedAt: null });
  expect(after.letters!.map((l) => l.id)).toEqual([`apology:${OPEN}`, `apology:${RECENT}`]);
  // mails: the old sent ones cleared; the pending one, the recent one and the open dossier's kept
  const mailOf = (id: string): unknown => after.alerts!.find((a) => a.id === id);
  for (const id of ['old-legacy', 'old-stored', 'old-legacy-3']) expect(mailOf(id)).toMatchObject({ mailText: null, mailHtml: null, mailTemplate: null, mailData: null, deliveryStatus: 'sent' });
  for (const id of ['old-pending', 'recent', 'open-dossier']) expect(mailOf(id)).toMatchObject({ mailText: expect.stringContaining('Quá hạn') as unknown, mailHtml: expect.stringContaining('<html') as unknown });
  expect(after.sessions!.map((s) => s.tokenDigest)).toEqual(['expired-lately', 'live']);
  // audit: the 60-day-old rows of the closed dossiers (the recent one's too: the audit period is its own) deleted, the open dossier's and the 5-day-old ones kept
  const oldRows = after.audit!.filter((a) => a.action === 'dossier.read-details');
  expect(oldRows.map((a) => a.dossierCode)).toEqual([OPEN]);
  expect(after.audit!.filter((a) => a.action === 'dossier.read').length).toBeGreaterThanOrEqual(ALL.length);
  // what inspection and reports read is unchanged: steps with their late reasons, dossiers, the inspection rows
  expect(after.steps).toEqual(before.steps);
  expect(after.dossiers).toEqual(before.dossiers);
  expect(await inspectionRows()).toEqual(inspectedBefore);
  // one audit row for the run, with its counts
  const runs = await db.selectFrom('audit').selectAll().where('action', '=', RETENTION_ACTION).execute();
  expect(runs).toHaveLength(1);
  expect(runs[0]).toMatchObject({ actor: 'system:retention', at: NOW, dossierCode: null });
  expect(JSON.parse(runs[0]!.detail as string)).toMatchObject({ declarationsAnonymised: 3, lettersDeleted: 3, mailsCleared: 3, sessionsDeleted: 3, auditDeleted: 4 });
}, 60000);

test('a second run (another replica, the same instant) changes nothing, and is audited with zero counts', async () => {
  const before = await snapshot();
  const outcome = await createMonitor(deps, { holder: 'retention-2', now: () => new Date(NOW.getTime() + 1) }).runOnce('daily');
  // the first replica's lease still holds: this one does not run
  expect(outcome).toMatchObject({ ran: false, skipped: 'lease-held-elsewhere' });
  const again = await createMonitor(deps, { holder: 'retention-1', now: () => NOW }).runOnce('daily');
  expect(again.run?.error).toBeNull();
  expect(again.run?.counts.retention).toEqual({ declarationsAnonymised: 0, lettersDeleted: 0, mailsCleared: 0, sessionsDeleted: 0, auditDeleted: 0 });
  expect(again.run?.counts.partitionsCreated).toBe(0);
  expect(await snapshot()).toEqual(before);
  expect(await db.selectFrom('audit').select('id').where('action', '=', RETENTION_ACTION).execute()).toHaveLength(2);
}, 60000);
