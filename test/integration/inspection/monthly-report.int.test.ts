/**
 * The monthly Đề án 06 report (issue 25, item 4), on PostgreSQL and Mailpit, tested like the
 * weekly one: November 2026 (REPORT_MONTH_CUTOFF `1 00:00`: from 01/11 00:00 to 01/12 00:00) is
 * built just after its cut-off, the dossiers move on, the heads of division change, and the
 * report rebuilt a month later is the archived one; two replicas mail it once.
 *
 * The fixture and the figures worked out by hand: test/support/monthly-report-fixture.ts. After
 * the cut-off here: an apology for M4 (01/12), its check done by `motcua` with a reason and M4
 * issued (02/12); a supplement request for M5 (02/12) stops its clock. Heads: M2's check falls
 * to head A of Bộ phận Một cửa (in post until 09/11), M3's acceptance to the head of Phòng HCTP,
 * M4's check to head B of Bộ phận Một cửa (from 09/11).
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
import { monthlyLateTasks } from '../../../server/inspection/monthly-tasks';
import { lateOfPeriod, type Actor, type InspectionServiceDeps } from '../../../server/inspection/service';
import { UnitHeads, type UnitHead } from '../../../server/inspection/unit-heads';
import { createLogger } from '../../../server/logger';
import { createMailer } from '../../../server/mail';
import { createMonitor, createMonitorDeps } from '../../../server/monitor';
import { loadRegimes } from '../../../server/scores/regime';
import { loadProcessCatalog, type ProcessCatalog } from '../../../server/sla';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { MailpitClient } from '../../support/mailpit';
import { insertLiteralDossier } from '../../support/literal-dossier';
import { AFTER_CUTOFF, at, INTERNAL, LATE_TASKS, MONTH, monthlyReportFixture, NATIONAL, REASON } from '../../support/monthly-report-fixture';

const ACTOR: Actor = { username: 'system:monitor', displayName: 'Bộ giám sát thời hạn' };
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
let fixture: ReturnType<typeof monthlyReportFixture>;
let m4Check = '';

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
  fixture = monthlyReportFixture({ db, calendars, catalog });
  m4Check = await fixture.writeHistoryToCutoff();
}, 60000);

afterAll(async () => testDb?.drop());

const service = (): InspectionServiceDeps => ({ db, catalog, calendars: () => Promise.resolve(calendars), now: () => productNow, writeExport, agencyName: () => 'Sở Tư pháp tỉnh Khánh Hòa', maxRows: exportLimitsOf(loadConfig()).maxRows });
const reportDeps = (): MonthlyReportDeps => ({ service: service(), agencyCode: 'STP.KHA', lineage: catalog.lineage('STP.KHA'), regimes: loadRegimes(), heads });
/** What happens after the cut-off: none of it may change November's report. */
async function moveOn(): Promise<void> {
  productNow = at('2026-12-01T08:00:00');
  await fixture.apology('STP.KHA-261109-0001', productNow, '2026-12-04');
  productNow = at('2026-12-02T09:00:00');
  await fixture.finish(m4Check, productNow, 'motcua', REASON);
  await fixture.issue('STP.KHA-261109-0001', at('2026-12-02T15:00:00'));
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

const HEAD_OF_TASK = ['Chánh Văn phòng Sở: Người A', 'Trưởng phòng Hành chính tư pháp: Người C', 'Chánh Văn phòng Sở: Người B'];
const EXPECTED_TASKS = LATE_TASKS.map((task, i) => [...task, HEAD_OF_TASK[i]!]);

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
  // what the page and the CLI show: the same tasks, which hash to the archived rows; a head's
  // name edited in November's past is no longer the archived file, and says so
  const read = await monthlyLateTasks(reportDeps(), archived);
  expect({ asArchived: read.asArchived, tasks: read.tasks.map((t) => [t.code, t.unit, t.officer ?? '—', t.head]) }).toEqual({ asArchived: true, tasks: EXPECTED_TASKS });
  const edited = new UnitHeads(HEADS.map((h) => (h.name === 'Người A' ? { ...h, name: 'Người A (sửa)' } : h)));
  expect((await monthlyLateTasks({ ...reportDeps(), heads: edited }, archived)).asArchived).toBe(false);
  // asked again, the month is the latest revision as archived; regenerating was audited
  expect((await monthlyReport(reportDeps(), ACTOR, MONTH)).revision).toBe(rebuilt.revision);
  const audited = await db.selectFrom('audit').select('detail').where('action', '=', 'inspection.monthly.regenerate').execute();
  expect(audited.map((r) => r.detail)).toEqual([`tháng 2026-11 (STP.KHA): lần lập 2 (thay lần 1), SHA-256 nội dung ${archived.contentSha256}`]);
}, 60000);

test("a month counts the dossiers of AGENCY_CODE's whole lineage: the police's (CA.KHA) beside the Sở's", async () => {
  // October 2026, worked out by hand: the police's dossier received 20/10 08:00, due 27/10, issued
  // 21/10 (on time); the fixture's M6 (STP.KHA) received 29/10, open at the cut-off (1/11 00:00)
  // and not yet due (12/11): counted on time by the 766 progress rule.
  const police = 'CA.KHA-261020-0001';
  await insertLiteralDossier(db, { code: police, receiptNumber: `MONTH-${police}`, receivedAt: at('2026-10-20T08:00:00'), statutoryDueAt: at('2026-10-27T08:00:00'), targetDueAt: at('2026-10-27T08:00:00'), calendarVersion: calendars.version, processId: NATIONAL, internalProcessId: INTERNAL });
  await db.updateTable('dossiers').set({ agencyCode: 'CA.KHA', status: 'closed', outcome: 'issued', finishedAt: at('2026-10-21T10:00:00'), currentElementId: null }).where('code', '=', police).execute();
  productNow = AFTER_CUTOFF;
  const october = await monthlyReport(reportDeps(), ACTOR, reportMonth('2026-10', { day: 1, minutes: 0 }));
  expect(october.summary).toMatchObject({ received: 2, resolved: 1, issued: 1, onTime: 1, late: 0 });
  expect(october.summary.progress766).toMatchObject({ counted: 2, onTime: 2, points: 20 });
});
