/**
 * The monthly Đề án 06 report (issue 25, item 4), on PostgreSQL and Mailpit, tested like the
 * weekly one: November 2026 (REPORT_MONTH_CUTOFF `1 00:00`: from 01/11 00:00 to 01/12 00:00) is
 * built just after its cut-off, the dossiers move on, the heads of division change, and the
 * report rebuilt a month later is the archived one; two replicas mail it once.
 *
 * The fixture, and the figures worked out by hand from the written rules (README "Monthly
 * Đề án 06 report"; on time = finished by the statutory date the dossier had before any apology):
 * - M1: VNeID, received Mon 02/11 08:00, due 16/11 08:00, issued 04/11 10:00: on time.
 * - M2: VNeID, received 02/11 09:00, due 16/11 09:00, issued 18/11 10:00: late; its check
 *   (Bộ phận Một cửa, 4 h from 02/11 09:00, due that day) done by `motcua` on 04/11: a late task.
 * - M3: in person, received Tue 03/11 08:00, due 17/11 08:00, apology letter 16/11, issued 19/11:
 *   late with apology; its "accept in LLTP" (Phòng HCTP, 2 h, due 03/11) done by `chuyenvien` on 05/11.
 * - M4: VNeID, received Mon 09/11 08:00, due 23/11 08:00, open and overdue at the cut-off; its
 *   check (due 09/11) still running then: a late task with no officer yet. After the cut-off: an
 *   apology (01/12), the check done by `motcua` with a reason and the dossier issued (02/12).
 * - M5: in person, received Mon 23/11 08:00, due 07/12 08:00: open, not yet due at the cut-off;
 *   a supplement request after it (02/12) stops its clock.
 * - M6: VNeID, received Thu 29/10 (October), due 12/11 08:00, issued Mon 02/11 10:00: on time.
 *
 * Received in November: M1–M5 = 5, through VNeID M1, M2, M4 = 3: 60%. Resolved: M1, M2, M3, M6
 * = 4, through VNeID M1, M2, M6 = 3 ÷ 5 received: 60%. Issued 4: on time 2 (M1, M6), late 1 (M2),
 * late with apology 1 (M3). Open and overdue at the cut-off: 1 (M4).
 * The 766 progress group (20 points × on-time ratio): counted = received in the month or open at
 * its start = M1–M6 = 6; on time by the month's end = M1, M5 (open, not yet due), M6 = 3;
 * 20 × 3 ÷ 6 = 10,00 points.
 * Late tasks: M2's check (head A of Bộ phận Một cửa, in post until 09/11), M3's acceptance (head of
 * Phòng HCTP), M4's check (head B of Bộ phận Một cửa, from 09/11).
 *
 * @fixed-instants the product's clock is set at the instants above, whatever LLTP_TEST_NOW says.
 */
import ExcelJS from 'exceljs';
import { loadSeed } from '../../../server/calendar/seed';
import { loadCalendarData, seedCalendar } from '../../../server/calendar/store';
import { WorkingCalendars } from '../../../server/calendar/working-calendar';
import { loadConfig } from '../../../server/config';
import type { Db } from '../../../server/db';
import { headOfStep, stepRows } from '../../../server/inspection/documents';
import { writeExport } from '../../../server/inspection/export';
import { exportLimitsOf } from '../../../server/inspection/limits';
import { reportMonth } from '../../../server/inspection/month';
import { monthlyReport, type MonthlyReportDeps } from '../../../server/inspection/monthly';
import { sendMonthlyReport, type MonthlyMailDeps } from '../../../server/inspection/monthly-mail';
import { lateOfPeriod, type Actor, type InspectionServiceDeps } from '../../../server/inspection/service';
import { UnitHeads, type UnitHead } from '../../../server/inspection/unit-heads';
import { createLogger } from '../../../server/logger';
import { createMailer } from '../../../server/mail';
import { createMonitor, createMonitorDeps } from '../../../server/monitor';
import { finishSteps, stepStarted, type TimelineDeps } from '../../../server/readmodel/timeline';
import { loadRegimes } from '../../../server/scores/regime';
import { loadProcessCatalog, type ProcessCatalog } from '../../../server/sla';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { insertLiteralDossier } from '../../support/literal-dossier';
import { MailpitClient } from '../../support/mailpit';

const at = (text: string): Date => new Date(`${text}+07:00`);
const NATIONAL = 'quy-trinh-570-v20241001';
const INTERNAL = 'khanh-hoa-2799-v20241001';
const MONTH = reportMonth('2026-11', { day: 1, minutes: 0 });
const AFTER_CUTOFF = at('2026-12-01T00:15:00');
const ACTOR: Actor = { username: 'system:monitor', displayName: 'Bộ giám sát thời hạn' };
const REASON = 'Chuyên viên đi công tác, chưa có người thay';
const LEADER_EMAIL = 'lanhdao.thang@stp.example.vn';
const C06 = 'c06.thang@congan.example.vn';

const HEADS: UnitHead[] = [
  { unit: 'stp-mot-cua', title: 'Chánh Văn phòng Sở', name: 'Người A', from: '2024-10-01', to: '2026-11-09' },
  { unit: 'stp-mot-cua', title: 'Chánh Văn phòng Sở', name: 'Người B', from: '2026-11-09', to: null },
  { unit: 'stp-hctp', title: 'Trưởng phòng Hành chính tư pháp', name: 'Người C', from: '2024-10-01', to: null },
];

let testDb: TestDatabase;
let db: Db;
let catalog: ProcessCatalog;
let calendars: WorkingCalendars;
let productNow = AFTER_CUTOFF;
let heads = new UnitHeads(HEADS);
let elementKey = 5000;

beforeAll(async () => {
  testDb = await createTestDatabase('monthly_report');
  db = testDb.database.db;
  await seedCalendar(db, loadSeed(), { actor: 'test', now: () => at('2026-10-01T08:00:00') });
  calendars = new WorkingCalendars(await loadCalendarData(db));
  catalog = await loadProcessCatalog();
  await db
    .insertInto('users')
    .values({ username: 'lanhdao', displayName: 'Lãnh đạo Sở', email: LEADER_EMAIL, roles: ['leader'], unitId: 'stp-lanh-dao', passwordHash: 'x', active: true, createdAt: at('2026-10-01T08:00:00') })
    .execute();
  await writeHistoryToCutoff();
}, 60000);

afterAll(async () => testDb?.drop());

const service = (): InspectionServiceDeps => ({ db, catalog, calendars: () => Promise.resolve(calendars), now: () => productNow, writeExport, agencyName: () => 'Sở Tư pháp tỉnh Khánh Hòa', maxRows: exportLimitsOf(loadConfig()).maxRows });
const reportDeps = (): MonthlyReportDeps => ({ service: service(), agencyCode: 'STP.KHA', regimes: loadRegimes(), heads });
const timeline = (): TimelineDeps => ({ db, calendars: () => calendars, stepSla: (p, e, i) => catalog.stepSla(p, e, i) });

async function dossier(code: string, receivedAt: Date, statutoryDueAt: Date, source: 'vneid' | 'inPerson' = 'vneid'): Promise<void> {
  expect(await insertLiteralDossier(db, { code, receiptNumber: `MONTH-${code}`, receivedAt, statutoryDueAt, targetDueAt: statutoryDueAt, calendarVersion: calendars.version, processId: NATIONAL, internalProcessId: INTERNAL })).toBe(true);
  if (source !== 'vneid') await db.updateTable('dossiers').set({ source, channel: 'paper' }).where('code', '=', code).execute();
}

async function step(code: string, elementId: string, startedAt: Date): Promise<string> {
  elementKey += 1;
  return (await stepStarted(timeline(), { dossierCode: code, processId: NATIONAL, processInstanceKey: `pi-${code}`, elementId, elementInstanceKey: String(elementKey), startedAt, internalProcessId: INTERNAL })).id;
}

const finish = (id: string, finishedAt: Date, actor: string, lateReason?: string) =>
  finishSteps(db, { id }, { finishedAt, actor, ...(lateReason ? { lateReason: { text: lateReason, source: 'officer' as const } } : {}) });

const issue = (code: string, finishedAt: Date) => db.updateTable('dossiers').set({ status: 'closed', finishedAt, outcome: 'issued', currentElementId: null }).where('code', '=', code).execute();

const apology = (code: string, issuedAt: Date, newReturnDate: string) =>
  db.updateTable('dossiers').set({ apologyIssuedAt: issuedAt, apologyIssuedBy: 'lanhdao', apologyReason: REASON, apologyNewReturnDate: newReturnDate, appointmentAt: at(`${newReturnDate}T17:00:00`) }).where('code', '=', code).execute();

let m4Check = '';

async function writeHistoryToCutoff(): Promise<void> {
  await dossier('STP.KHA-261029-0001', at('2026-10-29T08:00:00'), at('2026-11-12T08:00:00')); // M6
  await issue('STP.KHA-261029-0001', at('2026-11-02T10:00:00'));
  await dossier('STP.KHA-261102-0001', at('2026-11-02T08:00:00'), at('2026-11-16T08:00:00')); // M1
  await issue('STP.KHA-261102-0001', at('2026-11-04T10:00:00'));
  await dossier('STP.KHA-261102-0002', at('2026-11-02T09:00:00'), at('2026-11-16T09:00:00')); // M2
  await finish(await step('STP.KHA-261102-0002', 'checkDossier', at('2026-11-02T09:00:00')), at('2026-11-04T09:00:00'), 'motcua', REASON);
  await issue('STP.KHA-261102-0002', at('2026-11-18T10:00:00'));
  await dossier('STP.KHA-261103-0001', at('2026-11-03T08:00:00'), at('2026-11-17T08:00:00'), 'inPerson'); // M3
  await finish(await step('STP.KHA-261103-0001', 'checkDossier', at('2026-11-03T08:00:00')), at('2026-11-03T09:00:00'), 'motcua');
  await finish(await step('STP.KHA-261103-0001', 'acceptInLltpSoftware', at('2026-11-03T09:00:00')), at('2026-11-05T10:00:00'), 'chuyenvien', REASON);
  await apology('STP.KHA-261103-0001', at('2026-11-16T10:00:00'), '2026-11-20');
  await issue('STP.KHA-261103-0001', at('2026-11-19T10:00:00'));
  await dossier('STP.KHA-261109-0001', at('2026-11-09T08:00:00'), at('2026-11-23T08:00:00')); // M4
  m4Check = await step('STP.KHA-261109-0001', 'checkDossier', at('2026-11-09T08:00:00'));
  await dossier('STP.KHA-261123-0001', at('2026-11-23T08:00:00'), at('2026-12-07T08:00:00'), 'inPerson'); // M5
}

/** What happens after the cut-off: none of it may change November's report. */
async function moveOn(): Promise<void> {
  productNow = at('2026-12-01T08:00:00');
  await apology('STP.KHA-261109-0001', productNow, '2026-12-04');
  productNow = at('2026-12-02T09:00:00');
  await finish(m4Check, productNow, 'motcua', REASON);
  await issue('STP.KHA-261109-0001', at('2026-12-02T15:00:00'));
  await db.insertInto('clockStops').values({ dossierCode: 'STP.KHA-261123-0001', startedAt: productNow, endedAt: null, reason: 'supplement' }).execute();
  await db.updateTable('dossiers').set({ statutoryDueAt: null, targetDueAt: null, apologyByAt: null }).where('code', '=', 'STP.KHA-261123-0001').execute();
  // a new head of the one-stop desk from December: November's tasks keep November's heads
  heads = new UnitHeads([...HEADS.filter((h) => h.to !== null || h.unit !== 'stp-mot-cua'), { ...HEADS[1]!, to: '2026-12-01' }, { unit: 'stp-mot-cua', title: 'Chánh Văn phòng Sở', name: 'Người D', from: '2026-12-01', to: null }]);
}

/** The late tasks as the report writes them: code, unit, officer, head. */
async function lateTasks(): Promise<string[][]> {
  const rows: string[][] = [];
  for await (const d of lateOfPeriod(service(), MONTH, 'STP.KHA')) {
    for (const r of stepRows(d, heads)) rows.push([String(r.code), String(r.unit), String(r.completedBy ?? r.heldBy ?? '—'), String(r.head)]);
  }
  return rows;
}

const EXPECTED_TASKS = [
  ['STP.KHA-261102-0002', 'Bộ phận Một cửa Sở Tư pháp', 'motcua', 'Chánh Văn phòng Sở: Người A'],
  ['STP.KHA-261103-0001', 'Phòng Hành chính tư pháp, Sở Tư pháp', 'chuyenvien', 'Trưởng phòng Hành chính tư pháp: Người C'],
  ['STP.KHA-261109-0001', 'Bộ phận Một cửa Sở Tư pháp', '—', 'Chánh Văn phòng Sở: Người B'],
];

test('the monthly report gives the figures worked out by hand, the 766 progress score and each late task with its head', async () => {
  productNow = AFTER_CUTOFF;
  const report = await monthlyReport(reportDeps(), ACTOR, MONTH);
  expect({ month: report.month, agency: report.agencyCode, revision: report.revision, from: report.periodFrom, to: report.periodTo }).toEqual({
    month: '2026-11',
    agency: 'STP.KHA',
    revision: 1,
    from: at('2026-11-01T00:00:00'),
    to: at('2026-12-01T00:00:00'),
  });
  expect(report.summary).toMatchObject({ received: 5, vneidShareReceived: 0.6, resolved: 4, vneidShareResolved: 0.6, issued: 4, onTime: 2, late: 1, lateWithApology: 1, openOverdue: 1 });
  expect(report.summary.progress766).toEqual({ regime: 'qd-766-2022', counted: 6, onTime: 3, ratio: 0.5, points: 10, max: 20 });
  expect(await lateTasks()).toEqual(EXPECTED_TASKS);
  expect(headOfStep(new UnitHeads([]), { unitId: 'ca-pv06', dueAt: MONTH.from } as Parameters<typeof headOfStep>[1])).toBe('chưa khai báo người chịu trách nhiệm của đơn vị ca-pv06');
  // the files carry the late tasks with their heads, and the archive records both files
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(report.xlsx as unknown as ArrayBuffer);
  const sheet = book.getWorksheet('Bước trễ')!;
  const header = (sheet.getRow(1).values as unknown[]).map(String);
  const [codeColumn, headColumn] = ['Mã hồ sơ', 'Người chịu trách nhiệm (từ trưởng phòng trở lên)'].map((h) => header.indexOf(h));
  const filed: string[][] = [];
  sheet.eachRow((row) => {
    if (/^STP\.KHA-/.test(row.getCell(codeColumn!).text)) filed.push([row.getCell(codeColumn!).text, row.getCell(headColumn!).text]);
  });
  expect(filed).toEqual(EXPECTED_TASKS.map(([code, , , head]) => [code, head]));
  expect(report.pdf.subarray(0, 5).toString()).toBe('%PDF-');
  const files = await db.selectFrom('inspectionExports').select(['format', 'fileName', 'rowsSha256']).where('kind', '=', 'monthly').orderBy('format').execute();
  expect(files).toEqual([
    { format: 'pdf', fileName: 'bao-cao-thang-2026-11.pdf', rowsSha256: report.rowsSha256 },
    { format: 'xlsx', fileName: 'bao-cao-thang-2026-11.xlsx', rowsSha256: report.rowsSha256 },
  ]);
}, 60000);

test('two replicas mail the month once, to the leaders and the configured addresses, files attached; a later run mails nothing', async () => {
  const config = loadConfig();
  const mailpit = new MailpitClient();
  const fresh = await mailpit.receivedFromNow();
  const replica = (): MonthlyMailDeps => ({ report: reportDeps(), mailer: createMailer(config), logger: createLogger({ level: 'silent' }), cutoff: { day: 1, minutes: 0 }, recipients: [C06] });
  const [a, b] = [replica(), replica()];
  const sent = await Promise.all([sendMonthlyReport(a, AFTER_CUTOFF), sendMonthlyReport(b, AFTER_CUTOFF)]);
  expect(sent.filter(Boolean)).toHaveLength(1);

  // the monitor's monthly run on two replicas, after the mail left: nothing more
  const monitorDeps = createMonitorDeps({
    db,
    config,
    catalog,
    calendars: { current: () => Promise.resolve(calendars) },
    mailer: a.mailer,
    logger: createLogger({ level: 'silent' }),
    settings: { sendOutsideWorkingTime: true },
    now: () => AFTER_CUTOFF,
  });
  const withReport = { ...monitorDeps, monthlyReport: a };
  const runs = await Promise.all(['monthly-1', 'monthly-2'].map((holder) => createMonitor(withReport, { holder, now: () => AFTER_CUTOFF }).runOnce('monthly')));
  expect(runs.filter((r) => r.ran).map((r) => r.run?.error)).toEqual([null]);
  a.mailer.close();
  b.mailer.close();

  const mails = (await mailpit.search('subject:"Báo cáo tháng Đề án 06"')).filter((m) => fresh(m) && m.Subject.includes('tháng 11/2026'));
  expect(mails).toHaveLength(1);
  expect(mails[0]!.To.map((t) => t.Address).sort()).toEqual([C06, LEADER_EMAIL].sort());
  const message = await mailpit.message(mails[0]!.ID);
  expect(message.Attachments.map((x) => x.FileName).sort()).toEqual(['bao-cao-thang-2026-11.pdf', 'bao-cao-thang-2026-11.xlsx']);
  const archived = await db.selectFrom('monthlyReports').selectAll().where('month', '=', '2026-11').execute();
  expect(archived.map((r) => [r.revision, r.sentAt, [...r.recipients].sort()])).toEqual([[1, AFTER_CUTOFF, [C06, LEADER_EMAIL].sort()]]);
  const xlsxPart = message.Attachments.find((x) => x.FileName.endsWith('.xlsx'))!;
  expect((await mailpit.attachment(message.ID, xlsxPart.PartID)).equals(archived[0]!.xlsx)).toBe(true);
  expect(message.Text).toContain('Chỉ số 766, nhóm Tiến độ, kết quả giải quyết: 10,00 / 20 điểm (3/6 hồ sơ trước hạn, đúng hạn: 50,0%)');
  expect(message.Text).toContain('Đúng hạn: 2; trễ hạn: 1; trễ hạn có văn bản xin lỗi: 1');
  expect(message.Text).not.toMatch(/Người [ABC]|motcua|chuyenvien/);
}, 120000);

test('rebuilt a month later, after its dossiers closed, a clock stopped and a head changed, the report is the archived one', async () => {
  const archived = await monthlyReport(reportDeps(), ACTOR, MONTH);
  await moveOn();
  productNow = at('2027-01-05T10:00:00');
  const rebuilt = await monthlyReport(reportDeps(), ACTOR, MONTH, { regenerate: true });
  expect(rebuilt.revision).toBe(archived.revision + 1);
  expect(rebuilt.summary).toEqual(archived.summary);
  expect(rebuilt.rowsSha256).toBe(archived.rowsSha256);
  expect(rebuilt.contentSha256).toMatch(/^[0-9a-f]{64}$/);
  expect(rebuilt.contentSha256).toBe(archived.contentSha256);
  expect(await lateTasks()).toEqual(EXPECTED_TASKS);
  // asked again, the month is the latest revision as archived; regenerating was audited
  expect((await monthlyReport(reportDeps(), ACTOR, MONTH)).revision).toBe(rebuilt.revision);
  const audited = await db.selectFrom('audit').select('detail').where('action', '=', 'inspection.monthly.regenerate').execute();
  expect(audited.map((r) => r.detail)).toEqual([`tháng 2026-11 (STP.KHA): lần lập 2 (thay lần 1), SHA-256 nội dung ${archived.contentSha256}`]);
}, 60000);
