/**
 * Inspection lists, exports and the weekly report on the real stack. The broker's clock and the
 * product's clock are pinned together at chosen instants around the 30/4–1/5/2027 holidays
 * (Thursday 29/4 is the last working day; 30/4, 1/5, 2/5 and the compensatory Monday 3/5 are
 * off), and dossiers are driven through the API by the demo officers. Received after 1/7/2026,
 * they fall under Law 107's versions: the provincial police issue, within 5 working days.
 *
 * - A: received Wed 28/4 08:00, done the same morning: on time.
 * - B: the desk checks it only on Tue 4/5 09:00 (late, reason given), the rest is done on
 *   Fri 14/5 14:00, after its statutory due date: late, lateness originating at the check.
 * - C: supplement asked at 09:00 on 28/4, supplemented Tue 4/5 09:00 (the clock stopped across
 *   the holiday), then done at once: on time, one stop.
 * - D: checked at once, but "accept in the LLTP software" waits until 14/5: its apology time
 *   passes, the leader issues the letter, then it is done: late with an apology letter.
 * - E: never touched: open and overdue on 14/5.
 * - F, G: received Friday 7/5 at 17:00 (after the 16:00 cut-off) and Saturday 8/5: they belong
 *   to the report week ending 14/5, not to the one ending 7/5.
 *
 * Expected values are worked out by hand in working time (07:30–11:30, 13:00–17:00; 480 minutes
 * a day) and written as literals. The 2027 days off they rest on are the test's own (below), so
 * entering the Government's official 2027 schedule in the seed changes nothing here.
 *
 * @fixed-instants the broker's and the product's clocks are pinned at the instants above, whatever LLTP_TEST_NOW says.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { formatInstant } from '../../../server/calendar/civil-time';
import { runCli } from '../../../server/cli/lltp';
import { loadCalendarData } from '../../../server/calendar/store';
import { loadConfig } from '../../../server/config';
import { WorkingCalendars } from '../../../server/calendar/working-calendar';
import { createLogger } from '../../../server/logger';
import { createMailer } from '../../../server/mail';
import { createMonitor, createMonitorDeps } from '../../../server/monitor';
import { verifyExport } from '../../../server/inspection/export';
import { loadProcessCatalog } from '../../../server/sla';
import { BrokerClock } from '../../../server/zeebe';
import { sampleVneidRequest, seededRandom } from '../../../tools/simulators/sample-requests';
import { restoreBrokerAfterClockMoves } from '../../support/broker-clock';
import { seedWithYear } from '../../support/calendar-seed';
import { expectCspKept, launchChromium, logInPage } from '../../support/browser';
import { MailpitClient } from '../../support/mailpit';
import { PARTNER, startSystem, type Reply, type SystemUnderTest } from '../../support/system';
import { eventually } from '../../support/wait';
import { uniqueId } from '../../support/unique';

const at = (text: string): Date => new Date(`${text}+07:00`);
const T1 = at('2027-04-28T08:00:00'); // Wed
const T2 = at('2027-04-28T09:00:00');
const T3 = at('2027-05-04T09:00:00'); // Tue, first working day after the holidays
const T4 = at('2027-05-14T14:00:00'); // Fri, before the weekly cut-off
const T5 = at('2027-05-14T16:30:00'); // Fri, after the cut-off

/** The 2027 days off of this test's calendar (as the Labour Code's rules give them). */
const DAYS_OFF_2027 = seedWithYear(2027, {
  status: 'official',
  basis: ['Lịch riêng của bài kiểm thử thanh tra (ngày nghỉ năm 2027 theo Điều 112 Bộ luật Lao động 2019)'],
  daysOff: [
    { date: '2027-01-01', name: 'Tết Dương lịch' },
    { date: '2027-02-04', name: 'Tết Nguyên đán' },
    { date: '2027-02-05', name: 'Tết Nguyên đán' },
    { date: '2027-02-08', name: 'Tết Nguyên đán' },
    { date: '2027-02-09', name: 'Tết Nguyên đán' },
    { date: '2027-02-10', name: 'Tết Nguyên đán' },
    { date: '2027-04-16', name: 'Giỗ Tổ Hùng Vương' },
    { date: '2027-04-30', name: 'Ngày Chiến thắng' },
    { date: '2027-05-03', name: 'Nghỉ bù Ngày Quốc tế Lao động (rơi vào thứ Bảy 01/5)' },
    { date: '2027-09-02', name: 'Quốc khánh' },
    { date: '2027-09-03', name: 'Quốc khánh (ngày liền kề)' },
  ],
  makeUpWorkingDays: [],
  pending: [],
});

let s: SystemUnderTest;
let pinned = T1;
const brokerClock = new BrokerClock(loadConfig().ZEEBE_MANAGEMENT_URL);
const codes: Record<string, string> = {};
let n = 0;

async function pin(instant: Date): Promise<void> {
  pinned = instant;
  await brokerClock.pin(instant);
}

beforeAll(async () => {
  await pin(T1);
  s = await startSystem('inspection', 4850, { REPORT_WEEKLY_RECIPIENTS: 'c06@congan.example.vn' }, { now: () => pinned, calendarSeed: DAYS_OFF_2027 });
}, 120000);

afterAll(async () => {
  await s?.stop();
  await restoreBrokerAfterClockMoves();
}, 240000);

async function intake(receivedAt: Date): Promise<string> {
  n += 1;
  const request = sampleVneidRequest({ receiptNumber: `INS-${uniqueId()}-${n}`, receivedAt: formatInstant(receivedAt.getTime()), random: seededRandom(300 + n) });
  const answer = await s.call('POST', '/api/intake/vneid', request, PARTNER);
  if (answer.status !== 201) throw new Error(`intake: ${answer.status} ${JSON.stringify(answer.body)}`);
  return String(answer.body.dossierCode);
}

const taskOf = (code: string, username: string, formKey: string) => s.task(code, username, formKey);

/** Claims and completes a task; with `lateReason` when the officer is late. */
async function work(code: string, username: string, formKey: string, data: Record<string, unknown> = {}, lateReason?: string): Promise<void> {
  const { task, headers } = await taskOf(code, username, formKey);
  const claim = await s.call('POST', `/api/tasks/${task.id}/claim`, {}, headers);
  if (claim.status !== 200) throw new Error(`claim ${formKey}: ${claim.status} ${JSON.stringify(claim.body)}`);
  const done = await s.call('POST', `/api/tasks/${task.id}/complete`, { data, ...(lateReason ? { lateReason } : {}) }, headers);
  if (done.status !== 200) throw new Error(`complete ${formKey} of ${code}: ${done.status} ${JSON.stringify(done.body)}`);
}

const REASON = 'Cán bộ một cửa nghỉ ốm, chưa có người thay';

/** From "accept in LLTP" to the end (the search finds nothing, the police answer), each step by its officer. */
async function finishFromAccept(code: string, lateReason?: string): Promise<void> {
  await work(code, 'chuyenvien', 'lltp.form.accept-in-lltp', {}, lateReason);
  await work(code, 'chuyenvien', 'lltp.form.search-records', { searchOutcome: 'noRecord' });
  await work(code, 'chuyenvien', 'lltp.form.record-verification'); // the police check every VNeID dossier
  await work(code, 'chuyenvien', 'lltp.form.draft-certificate');
  await work(code, 'truongphong', 'lltp.form.review-draft', { reviewDecision: 'approve' });
  await work(code, 'lanhdao', 'lltp.form.approve-certificate');
}

async function closed(code: string): Promise<void> {
  await eventually(async () => ((await s.dossier(code)).status === 'closed' ? true : undefined), `dossier ${code} to close`, 45000);
}

interface ListedStep {
  elementId: string;
  lateMinutes: number;
  origin: boolean;
  reason: string | null;
  reasonSource: string | null;
  heldBy: string | null;
  completedBy: string | null;
  unitId: string;
}
interface Listed {
  code: string;
  verdict: string;
  statutoryDueAt: string;
  finishedAt: string | null;
  apologyIssuedAt: string | null;
  lateMinutes: { statutory: number | null };
  stops: { count: number; stoppedMinutes: number };
  lateSteps: ListedStep[];
  originStep: string | null;
}

async function list(query: string, username = 'thanhtra'): Promise<{ total: number; dossiers: Listed[] }> {
  const reply = await s.call('GET', `/api/inspection/dossiers?${query}`, undefined, await s.as(username));
  if (reply.status !== 200) throw new Error(`list ${query}: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body as unknown as { total: number; dossiers: Listed[] };
}

async function file(path: string, username = 'thanhtra'): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
  const response = await fetch(`${s.api.url}${path}`, { headers: await s.as(username) });
  return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()), headers: response.headers };
}

const PERIOD = 'from=2027-04-26&to=2027-05-14';
/** Waits until the element's text matches (the page's scripts fetch and render asynchronously). */
async function waitText(page: Page, id: string, pattern: RegExp): Promise<void> {
  await page.locator(`#${id}`).filter({ hasText: pattern }).waitFor({ timeout: 15000 });
}

/** Test artefacts (screenshots), kept by CI. */
const ARTIFACTS = path.resolve(__dirname, '../../../.cache/test-artifacts');

test('dossiers driven to on-time, late, late-with-apology and open-overdue ends are listed and summed as worked out by hand', async () => {
  // 28/4 08:00: five receipts
  for (const name of ['A', 'B', 'C', 'D', 'E']) codes[name] = await intake(T1);
  // a task starts when the inbox takes the job: wait for it before the clock moves on
  for (const name of ['A', 'B', 'C', 'D', 'E']) await taskOf(codes[name]!, 'motcua', 'lltp.form.check-dossier');
  // 28/4 09:00
  await pin(T2);
  await work(codes.A!, 'motcua', 'lltp.form.check-dossier', { intakeDecision: 'accept' });
  await finishFromAccept(codes.A!);
  await work(codes.C!, 'motcua', 'lltp.form.check-dossier', { intakeDecision: 'supplement', missingItems: ['Bản chụp CCCD rõ nét'] });
  await work(codes.D!, 'motcua', 'lltp.form.check-dossier', { intakeDecision: 'accept' });
  await taskOf(codes.D!, 'chuyenvien', 'lltp.form.accept-in-lltp');
  await closed(codes.A!);

  // 4/5 09:00: B's check is late (due 28/4 13:30): without a reason 400 naming the field
  await pin(T3);
  const check = await taskOf(codes.B!, 'motcua', 'lltp.form.check-dossier');
  expect((await s.call('POST', `/api/tasks/${check.task.id}/claim`, {}, check.headers)).status).toBe(200);
  const refused = await s.call('POST', `/api/tasks/${check.task.id}/complete`, { data: { intakeDecision: 'accept' } }, check.headers);
  expect(refused.status).toBe(400);
  expect(String(refused.body.error)).toMatch(/^lateReason: /);
  expect((await s.call('POST', `/api/tasks/${check.task.id}/complete`, { data: { intakeDecision: 'accept' }, lateReason: REASON }, check.headers)).status).toBe(200);
  await taskOf(codes.B!, 'chuyenvien', 'lltp.form.accept-in-lltp');
  // C supplemented now: the clock restarts from zero
  expect((await s.call('POST', `/api/callbacks/one-stop/${codes.C!}/supplemented`, { at: formatInstant(T3.getTime()), eventId: `sup-${codes.C!}` }, PARTNER)).status).toBe(202);
  await work(codes.C!, 'motcua', 'lltp.form.check-dossier', { intakeDecision: 'accept' });
  await finishFromAccept(codes.C!);
  await closed(codes.C!);

  // 14/5 14:00: past B's and D's statutory due date (7/5 08:00); D's apology time has passed
  await pin(T4);
  await finishFromAccept(codes.B!, 'Chờ chuyển hồ sơ giấy từ Bộ phận Một cửa');
  await closed(codes.B!);
  // the appointment (7/5) has passed: the letter promises a new date 3 working days from now
  const calendar = new WorkingCalendars(await loadCalendarData(s.db)).forUnit('stp-mot-cua');
  const newReturnDate = formatInstant(calendar.add(T4, 3 * 480).dueAt.getTime()).slice(0, 10);
  await work(codes.D!, 'lanhdao', 'lltp.form.apology', { apologyReason: 'Chờ tiếp nhận trên phần mềm LLTP', newReturnDate });
  await eventually(async () => ((await s.dossier(codes.D!)).apology ? true : undefined), 'the apology to be issued');
  await finishFromAccept(codes.D!, 'Phần mềm LLTP gián đoạn');
  await closed(codes.D!);

  const all = await list(`${PERIOD}&pageSize=200`);
  const mine = all.dossiers.filter((x) => Object.values(codes).includes(x.code));
  const byCode = Object.fromEntries(mine.map((x) => [x.code, x]));
  expect(mine).toHaveLength(5);
  const A = byCode[codes.A!]!;
  const B = byCode[codes.B!]!;
  const C = byCode[codes.C!]!;
  const D = byCode[codes.D!]!;
  const E = byCode[codes.E!]!;
  expect([A.verdict, B.verdict, C.verdict, D.verdict, E.verdict]).toEqual(['onTime', 'late', 'onTime', 'lateWithApology', 'openOverdue']);

  // Law 107 (received after 1/7/2026): 5 working days from 28/4 08:00 across the holidays:
  // 28, 29/4, 4–6/5 → 7/5 08:00
  expect(B.statutoryDueAt).toBe('2027-05-07T08:00:00+07:00');
  // B finished 14/5 14:00: 7/5 08:00–11:30 (210) + 13:00–17:00 (240) + 10–13/5 (4 × 480)
  // + 14/5 07:30–11:30 (240) + 13:00–14:00 (60) = 2670
  expect(B.finishedAt).toBe('2027-05-14T14:00:00+07:00');
  expect(B.lateMinutes.statutory).toBe(2670);
  expect(A.lateMinutes.statutory).toBeLessThan(0);
  // B's check: due 28/4 13:30 (240 min from 08:00), done 4/5 09:00:
  // 28/4 13:30–17:00 (210) + 29/4 (480) + holidays (0) + 4/5 07:30–09:00 (90) = 780
  const bCheck = B.lateSteps.find((x) => x.elementId === 'checkDossier')!;
  expect(bCheck).toMatchObject({ lateMinutes: 780, origin: true, reason: REASON, reasonSource: 'officer', heldBy: 'motcua', completedBy: 'motcua', unitId: 'stp-mot-cua' });
  expect(B.originStep).toBe('checkDossier');
  const bAccept = B.lateSteps.find((x) => x.elementId !== 'checkDossier' && x.reason === 'Chờ chuyển hồ sơ giấy từ Bộ phận Một cửa');
  expect(bAccept).toMatchObject({ origin: false, completedBy: 'chuyenvien' });
  expect(B.lateSteps.filter((x) => x.origin)).toHaveLength(1);
  // C: one stop, 28/4 09:00 → 4/5 09:00: 28/4 09:00–11:30 (150) + 13:00–17:00 (240) + 29/4 (480) + 4/5 07:30–09:00 (90) = 960
  expect(C.stops).toEqual({ count: 1, stoppedMinutes: 960 });
  expect(D.apologyIssuedAt).not.toBeNull();
  expect(D.originStep).not.toBe('checkDossier');
  // D's "accept in LLTP" was due 28/4 11:00 (120 min from 09:00) and done 14/5 14:00
  expect(D.lateSteps.map((x) => [x.elementId, x.origin, x.reason, x.lateMinutes])).toContainEqual(['acceptInLltpSoftware', true, 'Phần mềm LLTP gián đoạn', 4890]);
  expect(D.originStep).toBe('acceptInLltpSoftware');
  expect(A.lateSteps).toEqual([]);

  // every late dossier exactly once in the late list; the apology does not make D on time
  const late = await list(`${PERIOD}&status=late&pageSize=200`);
  expect(late.dossiers.map((x) => x.code).filter((c) => Object.values(codes).includes(c)).sort()).toEqual([codes.B!, codes.D!].sort());
  expect(new Set(late.dossiers.map((x) => x.code)).size).toBe(late.dossiers.length);
  const onTime = await list(`${PERIOD}&status=onTime`);
  expect(onTime.dossiers.map((x) => x.code).sort()).toEqual([codes.A!, codes.C!].sort());
  const overdue = await list(`${PERIOD}&status=overdue`);
  expect(overdue.dossiers.map((x) => x.code)).toEqual([codes.E!]);
  // paging: two pages of 3 and 2, no dossier twice
  const page1 = await list(`${PERIOD}&pageSize=3&page=1&sort=code&order=asc`);
  const page2 = await list(`${PERIOD}&pageSize=3&page=2&sort=code&order=asc`);
  expect(page1.total).toBe(5);
  expect([...page1.dossiers, ...page2.dossiers].map((x) => x.code)).toEqual(Object.values(codes).sort());

  const summary = (await s.call('GET', `/api/inspection/summary?${PERIOD}`, undefined, await s.as('thanhtra'))).body;
  // the VNeID ratios are over all five received (every channel): 5 received, 4 resolved through VNeID
  expect(summary).toMatchObject({ received: 5, resolved: 4, issued: 4, onTime: 2, late: 1, lateWithApology: 1, openOverdue: 1, onTimeRate: 0.5, vneidShareReceived: 1, vneidShareResolved: 0.8 });
  expect(Number(summary.onTime) + Number(summary.late) + Number(summary.lateWithApology)).toBe(summary.issued);
  // lateness originated at the check for B (finished late) and E (still there, overdue); at D's "accept in LLTP"
  expect((summary.originSteps as { key: string; count: number }[]).find((o) => o.key === 'checkDossier')?.count).toBe(2);
  expect((summary.originSteps as { key: string; count: number }[]).reduce((sum, o) => sum + o.count, 0)).toBe(3);
  const checkDurations = (summary.steps as { elementId: string; count: number }[]).find((x) => x.elementId === 'checkDossier');
  expect(checkDurations?.count).toBeGreaterThanOrEqual(4);
}, 600000);

test('CSV, XLSX and PDF exports read back, carry the rows digest, are audited; a tampered file fails', async () => {
  for (const format of ['csv', 'xlsx', 'pdf'] as const) {
    const exported = await file(`/api/inspection/dossiers?${PERIOD}&format=${format}`);
    expect(exported.status).toBe(200);
    const rowsSha = exported.headers.get('x-rows-sha256');
    const checked = await verifyExport(exported.bytes, { fileName: `list.${format}` });
    expect(checked).toMatchObject({ format, unchanged: true, embeddedRowsSha256: rowsSha });
    // 5 dossier rows (CSV: the list only); XLSX and PDF add the late steps of B, D and E
    if (format === 'csv') expect(checked.rowCount).toBe(5);
    else expect(checked.rowCount).toBeGreaterThanOrEqual(5 + 3);
    const audited = await s.db.selectFrom('audit').select(['detail', 'actor']).where('action', '=', 'inspection.export.dossiers').where('detail', 'like', `${format} %`).execute();
    expect(audited.some((a) => a.actor === 'thanhtra' && String(a.detail).includes(String(rowsSha)))).toBe(true);
    const recorded = await s.db.selectFrom('inspectionExports').select(['rowsSha256', 'fileSha256']).where('format', '=', format).execute();
    expect(recorded).toContainEqual({ rowsSha256: rowsSha, fileSha256: exported.headers.get('x-file-sha256') });
  }
  const csv = await file(`/api/inspection/dossiers?${PERIOD}&format=csv`);
  const text = csv.bytes.toString('utf8');
  expect(text.charCodeAt(0)).toBe(0xfeff);
  expect(text).toContain('Mã hồ sơ');
  expect(text).toContain('trễ hạn, có văn bản xin lỗi');
  expect(text).toContain(REASON);
  const tampered = Buffer.from(text.replace(REASON, 'Lý do khác'), 'utf8');
  const verdict = await verifyExport(tampered, { fileName: 'list.csv' });
  expect(verdict.unchanged).toBe(false);
  expect(verdict.message).toMatch(/đã bị thay đổi/);

  const summaryPdf = await file(`/api/inspection/summary?${PERIOD}&format=pdf`);
  expect(summaryPdf.status).toBe(200);
  expect((await verifyExport(summaryPdf.bytes)).unchanged).toBe(true);
}, 120000);

test('roles: inspectors, supervisors and leaders see the lists; others 403, anonymous 401; bad parameters 400 naming them', async () => {
  for (const username of ['giamsat', 'lanhdao']) expect((await s.call('GET', `/api/inspection/dossiers?${PERIOD}`, undefined, await s.as(username))).status).toBe(200);
  for (const username of ['motcua', 'chuyenvien']) {
    expect((await s.call('GET', `/api/inspection/dossiers?${PERIOD}`, undefined, await s.as(username))).status).toBe(403);
    expect((await s.call('GET', `/api/inspection/summary?${PERIOD}&format=csv`, undefined, await s.as(username))).status).toBe(403);
    expect((await s.call('GET', '/api/reports/weekly', undefined, await s.as(username))).status).toBe(403);
  }
  expect((await s.call('GET', `/api/inspection/dossiers?${PERIOD}`)).status).toBe(401);
  // the other /api routes are not caught by the inspection guard
  expect((await s.call('GET', '/api/tasks', undefined, await s.as('motcua'))).status).toBe(200);

  const bad = async (query: string): Promise<Reply> => s.call('GET', `/api/inspection/dossiers?${query}`, undefined, await s.as('thanhtra'));
  const cases: [string, string][] = [
    ['from=2027-05-10&to=2027-05-01', 'from'],
    ['from=2026-01-01&to=2027-05-01', 'to'],
    [`${PERIOD}&unit=khong-co`, 'unit'],
    [`${PERIOD}&procedure=khong-co`, 'procedure'],
    [`${PERIOD}&format=doc`, 'format'],
    [`${PERIOD}&status=soon`, 'status'],
    ['to=2027-05-01', 'from'],
    [`${PERIOD}&color=red`, 'color'],
  ];
  for (const [query, parameter] of cases) {
    const reply = await bad(query);
    expect([query, reply.status, reply.body.parameter]).toEqual([query, 400, parameter]);
    expect(String(reply.body.error)).toContain(parameter);
    expect(JSON.stringify(reply.body)).not.toMatch(/stack|at \//);
  }
  // inspectors see codes and timing, not the declaration
  const listed = JSON.stringify(await list(PERIOD));
  expect(listed).not.toMatch(/declaration|fullName|birthDate/);
}, 120000);

test('three report weeks in a row: a Friday-evening and a Saturday receipt fall in exactly one; archived files come back byte for byte; the monitor mails the week once', async () => {
  const mailpit = new MailpitClient();
  const fresh = await mailpit.receivedFromNow();
  codes.F = await intake(at('2027-05-07T17:00:00'));
  codes.G = await intake(at('2027-05-08T10:00:00'));
  const headers = await s.as('thanhtra');
  // 14/5 14:00: the week ending 14/5 has not ended
  expect((await s.call('GET', '/api/reports/weekly/2027-05-14', undefined, headers)).status).toBe(400);
  await pin(T5);
  expect((await s.call('GET', '/api/reports/weekly/2027-05-13', undefined, headers)).body.parameter).toBe('weekEnding');

  const weeks = ['2027-04-30', '2027-05-07', '2027-05-14'];
  const received: number[] = [];
  for (const week of weeks) {
    const reply = await s.call('GET', `/api/reports/weekly/${week}`, undefined, headers);
    expect(reply.status).toBe(200);
    received.push(Number((reply.body.summary as { received: number }).received));
  }
  // 30/4 week (23/4 16:00 → 30/4 16:00): A–E; 7/5 week: none; 14/5 week: F (Fri 17:00) and G (Sat)
  expect(received).toEqual([5, 0, 2]);
  expect(received.reduce((a, b) => a + b, 0)).toBe(Object.keys(codes).length);
  const w14 = (await s.call('GET', '/api/reports/weekly/2027-05-14', undefined, headers)).body as { summary: Record<string, number>; revision: number };
  // resolved in the week ending 14/5: B (late) and D (late with apology)
  expect(w14.summary).toMatchObject({ resolved: 2, onTime: 0, late: 1, lateWithApology: 1 });

  const first = await file('/api/reports/weekly/2027-05-14?format=xlsx');
  const again = await file('/api/reports/weekly/2027-05-14?format=xlsx');
  expect(first.status).toBe(200);
  expect(again.bytes.equals(first.bytes)).toBe(true);
  const pdf = await file('/api/reports/weekly/2027-05-14?format=pdf');
  const pdfCheck = await verifyExport(pdf.bytes);
  expect(pdfCheck.unchanged).toBe(true);
  expect((await verifyExport(first.bytes)).recomputedRowsSha256).toBe(pdfCheck.recomputedRowsSha256);

  // the monitor's Friday run mails the archived week to the working group, once, files attached
  const deps = createMonitorDeps({
    db: s.db,
    config: s.config,
    catalog: await loadProcessCatalog(),
    calendars: { current: async () => new WorkingCalendars(await loadCalendarData(s.db)) },
    mailer: createMailer(s.config),
    logger: createLogger({ level: 'silent' }),
    settings: { sendOutsideWorkingTime: true },
    now: () => T5,
  });
  await s.db.deleteFrom('leases').execute();
  const monitor = createMonitor(deps, { holder: 'monitor-weekly-report', now: () => T5 });
  // two Friday runs, each to its end (the report is mailed within the run, and Mailpit stores a
  // message before it answers): every mail they sent is in Mailpit
  for (let i = 0; i < 2; i++) {
    const outcome = await monitor.runOnce('weekly');
    expect({ ran: outcome.ran, error: outcome.run?.error, finished: outcome.run?.finishedAt instanceof Date }).toEqual({ ran: true, error: null, finished: true });
  }
  const mails = (await mailpit.search('subject:"Báo cáo tuần Đề án 06"')).filter((m) => fresh(m) && m.To.some((t) => t.Address === 'c06@congan.example.vn') && m.Subject.includes('14/05/2027'));
  expect(mails).toHaveLength(1);
  expect((await mailpit.search('subject:"Báo cáo tuần Đề án 06"')).filter((m) => fresh(m) && m.Subject.includes('14/05/2027'))).toHaveLength(1);
  const message = await mailpit.message(mails[0]!.ID);
  expect(message.Attachments.map((a) => a.FileName).sort()).toEqual(['bao-cao-tuan-2027-05-14.pdf', 'bao-cao-tuan-2027-05-14.xlsx']);
  const xlsxPart = message.Attachments.find((a) => a.FileName.endsWith('.xlsx'))!;
  expect((await mailpit.attachment(message.ID, xlsxPart.PartID)).equals(first.bytes)).toBe(true);
  expect(message.Text).not.toMatch(/fullName|Nguyễn|birth/);
  // the supervisors' Friday summary counts the same week (cut-off to cut-off: F and G received) and
  // does not count D, late with an apology letter, as on time
  const summaries = await eventually(async () => {
    const found = (await mailpit.search('subject:"Báo cáo tuần 07/05/2027–14/05/2027"')).filter((m) => fresh(m) && m.To.some((t) => t.Address === 'giamsat@stp.example.vn'));
    return found.length ? found : undefined;
  }, 'the supervisors\' weekly summary', 15000);
  expect(summaries[0]!.Subject).toMatch(/tiếp nhận 2 hồ sơ, đúng hạn 0/);
  const summaryText = (await mailpit.message(summaries[0]!.ID)).Text;
  expect(summaryText).toContain(codes.D!);
  expect(summaryText).toContain('trễ hạn (có văn bản xin lỗi)');
  deps.mailer.close();

  // regenerating is explicit: a new revision, audited; the archive lists both
  const regenerated = await s.call('POST', '/api/reports/weekly/2027-05-14/regenerate', undefined, await s.as('quantri'));
  expect(regenerated.status).toBe(201);
  expect(regenerated.body).toMatchObject({ revision: 2, previousRevision: 1 });
  const archive = (await s.call('GET', '/api/reports/weekly', undefined, headers)).body as { reports: { weekEnding: string; revision: number; sentAt: string | null }[] };
  expect(archive.reports.filter((r) => r.weekEnding === '2027-05-14').map((r) => [r.revision, r.sentAt !== null])).toEqual([
    [2, false],
    [1, true],
  ]);
  expect(await s.db.selectFrom('audit').select('id').where('action', '=', 'inspection.export.weekly').where('detail', 'like', '%lan-2%').execute()).toHaveLength(2);
}, 300000);

test('the CLI lists, writes files and checks them; a changed file fails; bad flags exit 2 naming them', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lltp-inspection-'));
  const cli = async (...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), env: { ...process.env, DATABASE_URL: s.config.DATABASE_URL, LOG_LEVEL: 'silent' }, now: () => pinned });
    return { code, out, err };
  };
  const json = await cli('inspection', 'list', '--from', '2027-04-26', '--to', '2027-05-14', '--status', 'late', '--json', '--actor', 'thanhtra-cli');
  expect(json.code).toBe(0);
  const document = JSON.parse(json.out.join('\n')) as { summary: { late: number }; dossiers: { code: string; verdict: string }[] };
  expect(document.dossiers.map((d) => d.code).sort()).toEqual([codes.B!, codes.D!].sort());
  expect(document.summary.late).toBe(1);

  const xlsx = path.join(dir, 'tre-han.xlsx');
  const written = await cli('inspection', 'list', '--from', '2027-04-26', '--to', '2027-05-14', '--status', 'late', '--format', 'xlsx', '--out', xlsx, '--json', '--actor', 'thanhtra-cli');
  expect(written.code).toBe(0);
  const facts = JSON.parse(written.out[0]!) as { rowsSha256: string; rows: number };
  const verified = await cli('inspection', 'verify', xlsx, '--json');
  expect(verified.code).toBe(0);
  expect(JSON.parse(verified.out[0]!)).toMatchObject({ unchanged: true, recomputedRowsSha256: facts.rowsSha256, recorded: { actor: 'thanhtra-cli', format: 'xlsx' } });
  expect(await s.db.selectFrom('audit').select('id').where('actor', '=', 'thanhtra-cli').where('action', '=', 'inspection.export.dossiers').execute()).toHaveLength(1);

  const csv = path.join(dir, 'tre-han.csv');
  expect((await cli('inspection', 'list', '--from', '2027-04-26', '--to', '2027-05-14', '--status', 'late', '--format', 'csv', '--out', csv)).code).toBe(0);
  expect((await cli('inspection', 'verify', csv)).out[0]).toMatch(/nguyên vẹn/);
  writeFileSync(csv, readFileSync(csv, 'utf8').replace(codes.B!, codes.A!));
  const changed = await cli('inspection', 'verify', csv);
  expect(changed.code).toBe(1);
  expect(changed.out[0]).toMatch(/đã bị thay đổi/);

  const weekly = await cli('report', 'weekly', '--week-ending', '2027-05-14', '--json');
  expect(weekly.code).toBe(0);
  expect(JSON.parse(weekly.out[0]!)).toMatchObject({ weekEnding: '2027-05-14', revision: 2 });

  for (const [argv, flag] of [
    [['inspection', 'list', '--from', '2027-04-26', '--to', '2027-05-14', '--status', 'soon'], '--status'],
    [['inspection', 'list', '--from', '2027-04-26', '--to', '2027-05-14', '--unit', 'khong-co'], '--unit'],
    [['inspection', 'list', '--from', '2027-05-26', '--to', '2027-05-14'], '--from'],
    [['inspection', 'list', '--to', '2027-05-14'], '--from'],
    [['inspection', 'list', '--from', '2027-04-26', '--to', '2027-05-14', '--format', 'pdf'], '--out'],
    [['report', 'weekly', '--week-ending', '2027-05-13'], '--week-ending'],
  ] as [string[], string][]) {
    const bad = await cli(...argv);
    expect([argv.join(' '), bad.code]).toEqual([argv.join(' '), 2]);
    expect(bad.err.join('\n')).toContain(flag);
  }
}, 120000);

test('the /thanh-tra page in a real browser: filters, sorting, paging, a dossier link; the inbox asks for the late reason', async () => {
  const browser = await launchChromium();
  try {
    const login = (username: string): Promise<Page> => logInPage(browser, s.api.url, username);
    const page = await login('thanhtra');
    await page.goto(`${s.api.url}/thanh-tra?from=2027-04-26&to=2027-05-14&pageSize=3&sort=code&order=asc`);
    await waitText(page, 'pageInfo', /Trang 1\/3 · 7 hồ sơ/);
    const codesOnPage = async (): Promise<string[]> => Promise.all((await page.locator('#rows tr[data-code]').all()).map(async (row) => (await row.getAttribute('data-code')) ?? ''));
    const first = await codesOnPage();
    expect(first).toEqual(Object.values(codes).sort().slice(0, 3));
    expect(await page.locator('[data-figure=late] b').textContent()).toBe('1');
    expect(await page.locator('[data-figure=lateWithApology] b').textContent()).toBe('1');
    // paging
    await page.click('#next');
    await waitText(page, 'pageInfo', /Trang 2\/3/);
    expect(await codesOnPage()).toEqual(Object.values(codes).sort().slice(3, 6));
    // sorting: the code column, descending
    await page.click('th button[data-sort=code]');
    await waitText(page, 'pageInfo', /Trang 1\/3/);
    expect(await codesOnPage()).toEqual(Object.values(codes).sort().reverse().slice(0, 3));
    // filters: the late dossiers, with the origin step and the officer's reason
    await page.selectOption('#pageSize', '50');
    await page.selectOption('select[name=status]', 'late');
    await page.click('#filters button[type=submit]');
    await waitText(page, 'pageInfo', /· 2 hồ sơ/);
    expect((await codesOnPage()).sort()).toEqual([codes.B!, codes.D!].sort());
    expect(await page.locator(`tr[data-code="${codes.B!}"]`).textContent()).toContain(REASON);
    expect(page.url()).toContain('status=late');
    // export links carry the filters
    expect(await page.locator('a[data-format=xlsx]').getAttribute('href')).toMatch(/status=late.*format=xlsx/);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'thanh-tra.png'), fullPage: true });
    // the link to the dossier's timeline
    await Promise.all([page.waitForURL(`**/ho-so/${codes.B!}`), page.click(`a[href="/ho-so/${codes.B!}"]`)]);
    await page.waitForSelector('text=' + codes.B!);

    // the weekly archive page lists the weeks
    await page.goto(`${s.api.url}/thanh-tra/bao-cao-tuan`);
    await page.waitForSelector('text=2027-05-14');
    expect(await page.locator('#reports tr').count()).toBeGreaterThanOrEqual(4);

    // a one-stop officer is told she may not see the lists; her overdue task asks for a reason
    const desk = await login('motcua');
    await desk.goto(`${s.api.url}/thanh-tra?from=2027-04-26&to=2027-05-14`);
    await waitText(desk, 'message', /không có quyền/);
    await desk.goto(`${s.api.url}/hop-viec`);
    await desk.waitForSelector('#tasks tr');
    const row = desk.locator('#tasks tr', { hasText: codes.E! });
    await row.locator('button[data-claim]').click();
    await desk.waitForSelector(`#tasks tr:has-text("${codes.E!}") textarea[name=lateReason]`);
    // both pages kept their Content-Security-Policy (no inline style or script refused)
    expectCspKept(page, desk);
  } finally {
    await browser.close();
  }
}, 120000);
