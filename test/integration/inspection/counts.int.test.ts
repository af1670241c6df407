/**
 * Counts as the province counts, and lateness on all three clocks (issue 23, items 5 and 3), on
 * PostgreSQL alone (these reporting paths need no broker): seven dossiers written into the read
 * model, all received on Monday 2/11/2026 at 08:00, their due dates and step due times computed
 * by the product's own calendar functions, each step taking the working minutes given below
 * (allotments: check 240, accept 120, search 480, draft 240, review 240, approve 240):
 *
 * - FAST (VNeID): issued within every allotment;
 * - TARGET (VNeID): the check takes 1,900 minutes: issued Tuesday 10/11 10:00, within the statutory
 *   10 days but past the Quy trình 570 target (3 days) and the check's allotment;
 * - STEP (VNeID): the check takes 360 minutes: issued within 3 days, one step late (QĐ 2799);
 * - LATE (in person): approval takes 4,000 minutes: issued after the statutory date;
 * - REFUSED (VNeID): refused (form 03) after a 60-minute check, within every date;
 * - WITHDRAWN (by post): withdrawn after two steps;
 * - OPEN (national portal): its check never done: open, past the target and the check's time.
 *
 * Received 7, four through VNeID; resolved 5 (four certificates and the refusal), four through
 * VNeID. The province's on-time rate is 3 issued on time ÷ 4 issued = 75% (the refusal counted
 * as on time gave 80%); the VNeID ratios are 4 ÷ 7 received, for received and for resolved (the
 * resolved one was 4 ÷ 5 resolved). The report week ending Friday 13/11 (6/11 16:00 → 13/11
 * 16:00) holds TARGET's end; OPEN is late at its cut-off on two clocks of three, and so is LATE,
 * whose approval was running then (it is issued after the cut-off: the report reads it as open).
 *
 * The year's days off are the test's own (none in 2026): no figure rests on the official ones.
 * @fixed-instants the product's clock is pinned at 8/12/2026 09:00 and the dossiers sit in November 2026, whatever LLTP_TEST_NOW says.
 */
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { restartClock } from '../../../server/calendar/clock';
import { dossierDeadlines, stepDueAt } from '../../../server/calendar/deadlines';
import { createCalendarProvider } from '../../../server/calendar/provider';
import { seedCalendar } from '../../../server/calendar/store';
import type { WorkingCalendar } from '../../../server/calendar/working-calendar';
import { dashboardRoutes } from '../../../server/dashboard/routes';
import type { Db } from '../../../server/db';
import { filterVocabulary, inspectionService } from '../../../server/inspection';
import { exportLimitsOf, ExportSlots } from '../../../server/inspection/limits';
import { inspectionRoutes } from '../../../server/inspection/routes';
import { createLogger } from '../../../server/logger';
import { createMailer } from '../../../server/mail';
import { createMonitorDeps } from '../../../server/monitor';
import { weeklyFigures } from '../../../server/monitor/digest';
import { pageRoutes } from '../../../server/pages/routes';
import { loadProcessCatalog } from '../../../server/sla';
import type { ProcessCatalog } from '../../../server/sla/catalog';
import { seedWithYear } from '../../support/calendar-seed';
import { testClock } from '../../support/clock';
import { startTestApp, type TestApp } from '../../support/app';

const at = (text: string): Date => new Date(`${text}+07:00`);
const NOW = at('2026-12-08T09:00:00');
const RECEIVED = at('2026-11-02T08:00:00');
const PERIOD = 'from=2026-11-01&to=2026-11-30';
const PROCESS = 'quy-trinh-570-v20241001';
const INTERNAL = 'khanh-hoa-2799-v20241029';

const NO_DAYS_OFF_2026 = seedWithYear(2026, {
  status: 'official',
  basis: ['Lịch riêng của bài kiểm thử số liệu (năm 2026 không có ngày nghỉ)'],
  daysOff: [],
  makeUpWorkingDays: [],
  pending: [],
});

/** The path of an ordinary dossier: element, unit, role, allotment in working minutes. */
const PATH: [string, string, string, number][] = [
  ['checkDossier', 'stp-mot-cua', 'oneStopOfficer', 240],
  ['acceptInLltpSoftware', 'stp-hctp', 'lltpOfficer', 120],
  ['searchRecords', 'stp-hctp', 'lltpOfficer', 480],
  ['draftCertificate', 'stp-hctp', 'lltpOfficer', 240],
  ['reviewDraft', 'stp-hctp', 'headOfDivision', 240],
  ['approveCertificate', 'stp-lanh-dao', 'leader', 240],
];

interface Fixture {
  source: 'vneid' | 'nationalPortal' | 'inPerson' | 'post';
  outcome: 'issued' | 'refused' | 'withdrawn' | null;
  /** Working minutes each step took, in order; an open dossier's last step is still open. */
  took: number[];
}

const FIXTURES: Record<string, Fixture> = {
  FAST: { source: 'vneid', outcome: 'issued', took: [60, 60, 120, 60, 60, 60] },
  TARGET: { source: 'vneid', outcome: 'issued', took: [1900, 100, 400, 200, 200, 200] },
  STEP: { source: 'vneid', outcome: 'issued', took: [360, 60, 300, 100, 100, 100] },
  LATE: { source: 'inPerson', outcome: 'issued', took: [200, 100, 400, 200, 200, 4000] },
  REFUSED: { source: 'vneid', outcome: 'refused', took: [60] },
  WITHDRAWN: { source: 'post', outcome: 'withdrawn', took: [60, 60] },
  OPEN: { source: 'nationalPortal', outcome: null, took: [] },
};

let app: TestApp;
let catalog: ProcessCatalog;
let calendar: WorkingCalendar;
let calendarVersion = 0;
const codes: Record<string, string> = {};

/** Writes a dossier and its steps as the workers would have left them. */
async function write(db: Db, name: string, f: Fixture, n: number): Promise<string> {
  const code = `STP.KHA-261102-${String(n).padStart(4, '0')}`;
  const channel = f.source === 'inPerson' || f.source === 'post' ? 'paper' : 'online';
  const clock = restartClock(calendar, RECEIVED, channel);
  const deadlines = dossierDeadlines(calendar, clock, { statutoryWorkingDays: 10, targetWorkingDays: 3, apologyLeadMinutes: 480 });
  let at = clock.clockStartAt;
  const steps: { k: number; startedAt: Date; finishedAt: Date | null }[] = [];
  for (const [k, took] of (f.outcome === null ? [0] : f.took).entries()) {
    const finishedAt = f.outcome === null ? null : calendar.add(at, took).dueAt;
    steps.push({ k, startedAt: at, finishedAt });
    if (finishedAt) at = finishedAt;
  }
  await sql`INSERT INTO dossiers (code, receipt_number, agency_code, source, channel, unit_id, form_type, process_id, internal_process_id, variant,
              statutory_working_days, target_working_days, apology_lead_minutes, received_at, clock_start_at, statutory_due_at, target_due_at,
              apology_by_at, appointment_at, calendar_version, status, outcome, finished_at)
            VALUES (${code}, ${`BN-${name}`}, 'STP.KHA', ${f.source}, ${channel}, 'stp-mot-cua', 1, ${PROCESS}, ${INTERNAL}, 'ordinary', 10, 3, 480,
              ${RECEIVED}, ${clock.clockStartAt}, ${deadlines.statutoryDueAt}, ${deadlines.targetDueAt}, ${deadlines.apologyByAt},
              ${deadlines.statutoryDueAt}, ${calendarVersion}, ${f.outcome === null ? 'open' : 'closed'}, ${f.outcome}, ${f.outcome === null ? null : at})`.execute(db);
  for (const { k, startedAt, finishedAt } of steps) {
    const [element, unit, role, allotment] = PATH[k]!;
    await sql`INSERT INTO steps (id, dossier_code, element_id, element_name, process_id, unit_id, role, case_variant, started_at, allotment_minutes, due_at,
                calendar_version, finished_at, actor)
              VALUES (${`step:${name}:${k}`}, ${code}, ${element}, ${element}, ${PROCESS}, ${unit}, ${role}, 'ordinary', ${startedAt}, ${allotment},
                ${stepDueAt(calendar, startedAt, allotment).dueAt}, ${calendarVersion}, ${finishedAt}, ${finishedAt ? 'canbo' : null})`.execute(db);
  }
  return code;
}

beforeAll(async () => {
  catalog = await loadProcessCatalog();
  const now = (): Date => NOW;
  app = await startTestApp('inspection-counts', (db, config) => {
    const provider = createCalendarProvider({ db, now, refreshMs: 3_600_000 });
    const inspection = inspectionService({ db, config, catalog, calendars: () => provider.current(), now });
    const auth = { db, now: testClock() };
    return [
      { path: '/api', router: inspectionRoutes({ service: inspection, vocabulary: () => Promise.resolve(filterVocabulary(catalog)), cutoff: config.REPORT_WEEK_CUTOFF, auth, slots: new ExportSlots(exportLimitsOf(config)) }) },
      { path: '/api/dashboard', router: dashboardRoutes({ inspection, agencyCode: config.AGENCY_CODE, cutoff: config.REPORT_WEEK_CUTOFF, vneidTargetPercent: 80, auth }) },
      { path: '/', router: pageRoutes() },
    ];
  });
  await seedCalendar(app.db, NO_DAYS_OFF_2026, { actor: 'test', now });
  const calendars = await createCalendarProvider({ db: app.db, now, refreshMs: 3_600_000 }).current();
  calendar = calendars.forUnit('stp-mot-cua');
  calendarVersion = calendars.version;
  let n = 0;
  for (const [name, fixture] of Object.entries(FIXTURES)) codes[name] = await write(app.db, name, fixture, ++n);
}, 60000);

afterAll(async () => app?.stop());

async function get(path: string, username = 'thanhtra'): Promise<{ status: number; body: Record<string, unknown>; bytes: Buffer }> {
  const response = await fetch(`${app.url}${path}`, { headers: { authorization: `Bearer ${await app.login(username)}` } });
  const bytes = Buffer.from(await response.arrayBuffer());
  const json = response.headers.get('content-type')?.includes('json') ? (JSON.parse(bytes.toString('utf8')) as Record<string, unknown>) : {};
  return { status: response.status, body: json, bytes };
}

const nameOf = (code: string): string => Object.keys(codes).find((name) => codes[name] === code) ?? code;
const names = (listed: readonly string[]): string[] => listed.map(nameOf).sort();

test('the fixture lies where the header says: TARGET ends in the week ending 13/11 within its statutory date, LATE after it', async () => {
  const rows = await app.db.selectFrom('dossiers').select(['code', 'finishedAt', 'statutoryDueAt', 'targetDueAt']).execute();
  const of = (name: string) => rows.find((r) => r.code === codes[name])!;
  expect(of('TARGET').finishedAt).toEqual(at('2026-11-10T10:00:00'));
  expect(of('TARGET').finishedAt! < of('TARGET').statutoryDueAt!).toBe(true);
  expect(of('TARGET').finishedAt! > of('TARGET').targetDueAt!).toBe(true);
  expect(of('STEP').finishedAt! <= of('STEP').targetDueAt!).toBe(true);
  expect(of('LATE').finishedAt! > of('LATE').statutoryDueAt!).toBe(true);
  expect(of('LATE').finishedAt! > at('2026-11-13T16:00:00')).toBe(true); // open at the week's cut-off
});

describe('counts as the province counts (item 5)', () => {
  test('the summary: on-time rate over certificates issued; refusals and withdrawals on their own lines; both VNeID ratios over all received', async () => {
    const reply = await get(`/api/inspection/summary?${PERIOD}`);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      received: 7,
      resolved: 5,
      issued: 4,
      onTime: 3,
      late: 1,
      lateWithApology: 0,
      onTimeRate: 0.75,
      refused: 1,
      withdrawn: 1,
      closedOther: 0,
      vneidShareReceived: 4 / 7,
      vneidShareResolved: 4 / 7,
    });
  });

  test('the dashboard KPIs count the same way, with the open dossiers late on each clock', async () => {
    const reply = await get(`/api/dashboard/kpis?${PERIOD}`, 'giamsat');
    expect(reply.status).toBe(200);
    expect(reply.body.period).toMatchObject({ received: 7, resolved: 5, issued: 4, onTime: 3, late: 1, refused: 1, withdrawn: 1, onTimeRate: 0.75, vneidShareReceived: 4 / 7, vneidShareResolved: 4 / 7 });
    expect(reply.body.openLateAgainst).toEqual({ statutory: 1, target: 1, step: 1 });
  });

  test.each([['/giam-sat'], ['/thanh-tra']])('the page %s labels each VNeID ratio with its definition and puts refusals and withdrawals outside the on-time rate', async (page) => {
    const html = (await get(page, 'giamsat')).bytes.toString('utf8');
    expect(html).toContain('Tỷ lệ qua VNeID theo hồ sơ tiếp nhận (tiếp nhận qua VNeID / tổng hồ sơ tiếp nhận');
    expect(html).toContain('Tỷ lệ qua VNeID theo hồ sơ đã giải quyết (giải quyết qua VNeID / tổng hồ sơ tiếp nhận');
    expect(html).toContain('Tỷ lệ đúng hạn (cấp Phiếu đúng hạn / số Phiếu đã cấp; chỉ tiêu 100%)');
    expect(html).toMatch(/Từ chối \(mẫu 03\)[^']*ngoài tỷ lệ đúng hạn/);
  });

  test('the list gives the refusal and the withdrawal verdicts of their own, outside on time and late', async () => {
    const all = (await get(`/api/inspection/dossiers?${PERIOD}&pageSize=50`)).body.dossiers as { code: string; verdict: string }[];
    const verdicts = Object.fromEntries(all.map((d) => [nameOf(d.code), d.verdict]));
    expect(verdicts).toEqual({ FAST: 'onTime', TARGET: 'onTime', STEP: 'onTime', LATE: 'late', REFUSED: 'refused', WITHDRAWN: 'withdrawn', OPEN: 'openOverdue' });
    const onTime = (await get(`/api/inspection/dossiers?${PERIOD}&status=onTime`)).body.dossiers as { code: string }[];
    expect(names(onTime.map((d) => d.code))).toEqual(['FAST', 'STEP', 'TARGET']);
  });
});

describe('lateness on all three clocks (item 3)', () => {
  test('each dossier shows whether it is late against the statutory date, the 570 target and its steps; the summary counts each', async () => {
    const all = (await get(`/api/inspection/dossiers?${PERIOD}&pageSize=50`)).body.dossiers as { code: string; lateAgainst: { statutory: boolean; target: boolean; steps: number } }[];
    const clocks = Object.fromEntries(all.map((d) => [nameOf(d.code), [d.lateAgainst.statutory, d.lateAgainst.target, d.lateAgainst.steps]]));
    expect(clocks).toEqual({
      FAST: [false, false, 0],
      TARGET: [false, true, 1],
      STEP: [false, false, 1],
      LATE: [true, true, 1],
      REFUSED: [false, false, 0],
      WITHDRAWN: [false, false, 0],
      OPEN: [true, true, 1],
    });
    const summary = (await get(`/api/inspection/summary?${PERIOD}`)).body;
    expect(summary.lateAgainst).toEqual({ statutory: 1, target: 2, step: 3, targetOrStepOnly: 2 });
    expect(summary.openLateAgainst).toEqual({ statutory: 1, target: 1, step: 1 });
  });

  test('status=lateTargetOrStep lists the dossiers late against the 570 target or a QĐ 2799 step, those finished within 10 days too', async () => {
    const reply = await get(`/api/inspection/dossiers?${PERIOD}&status=lateTargetOrStep&pageSize=50`);
    expect(reply.status).toBe(200);
    expect(names((reply.body.dossiers as { code: string }[]).map((d) => d.code))).toEqual(['LATE', 'OPEN', 'STEP', 'TARGET']);
    expect(reply.body.total).toBe(4);
    const late = await get(`/api/inspection/dossiers?${PERIOD}&status=late`);
    expect(names((late.body.dossiers as { code: string }[]).map((d) => d.code))).toEqual(['LATE']);
  });

  test.each([['late570'], ['LATETARGETORSTEP'], ['']])('status=%s is refused with 400 naming the parameter', async (status) => {
    const reply = await get(`/api/inspection/dossiers?${PERIOD}&status=${status}`);
    expect([reply.status, reply.body.parameter]).toEqual([400, 'status']);
  });

  test('the weekly report ending 13/11 lists TARGET (ended in the week, on time by law), and, as of the cut-off, OPEN (late on two clocks) and LATE (its approval running past its step and the 570 target then; issued later)', async () => {
    const reply = await get('/api/reports/weekly/2026-11-13?format=xlsx');
    expect(reply.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(reply.bytes as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('Hồ sơ')!;
    const listed: string[] = [];
    sheet.eachRow((row) => {
      const cell = row.getCell(1).text;
      if (Object.values(codes).includes(cell)) listed.push(cell);
    });
    expect(names(listed)).toEqual(['LATE', 'OPEN', 'TARGET']);
  });

  test('the supervisors\' weekly summary lists the same three, each with the clocks it overran, and counts as the province counts', async () => {
    const mailer = createMailer(app.config);
    try {
      const provider = createCalendarProvider({ db: app.db, now: () => NOW, refreshMs: 3_600_000 });
      const deps = createMonitorDeps({ db: app.db, config: app.config, catalog, calendars: provider, mailer, logger: createLogger({ level: 'silent' }), now: () => NOW });
      const figures = await weeklyFigures(deps, await provider.current(), at('2026-11-13T16:30:00'));
      expect(names(figures.late.map((l) => l.dossierCode))).toEqual(['LATE', 'OPEN', 'TARGET']);
      expect(figures.late.find((l) => l.dossierCode === codes.LATE)?.state).toMatch(/^đang giải quyết, /);
      expect(figures.late.find((l) => l.dossierCode === codes.TARGET)?.state).toBe('đã cấp Phiếu, trễ chỉ tiêu Quy trình 570; 1 bước nội bộ (QĐ 2799) trễ');
      expect(figures).toMatchObject({ issued: 1, onTime: 1, refused: 0, withdrawn: 0 });
    } finally {
      mailer.close();
    }
  });
});
