/**
 * Reports across the boundaries of the law (issue 24, item 6), on the real API and PostgreSQL:
 * the week containing Wednesday 1/7/2026, when Law 107/2025 cut the statutory time from 10 to 5
 * working days, holds dossiers of both regimes; the inspection list, the summary, the exports,
 * the weekly report, the dashboard and the CLI show them side by side, each judged by its own
 * version, and narrow them by regime (the national version) and by agency. The week of 1/3/2025,
 * when the police took over from the Sở Tư pháp, does the same across agencies.
 *
 * The dossiers are recorded through the one-stop system's other channel (`POST
 * /api/intake/other`, Cổng DVC quốc gia, with their end): the product computes their due dates
 * from the version in force on each receipt date; no process runs, no broker clock moves.
 * Expected due dates are worked out by hand on the seed calendar (07:30–11:30, 13:00–17:00, no
 * day off in these weeks), received at 09:00 or 09:30 on a working day so due at the same time
 * N working days later:
 *
 * | | received | regime (national version) | agency | statutory due | 570 target (3 days) | ended | verdict |
 * |---|---|---|---|---|---|---|---|
 * | A | Mon 29/6/2026 09:00 | v20250701, 10 days | CA.KHA | Mon 13/7 09:00 | Thu 2/7 09:00 | Fri 3/7 11:00 | on time |
 * | B | Tue 30/6/2026 09:00 | v20250701, 10 days | CA.KHA | Tue 14/7 09:00 | Fri 3/7 09:00 | Fri 10/7 10:00 | on time |
 * | C | Thu 2/7/2026 09:00 | v20260701, 5 days | CA.KHA | Thu 9/7 09:00 | Tue 7/7 09:00 | Fri 3/7 10:00 | on time |
 * | D | Thu 2/7/2026 09:30 | v20260701, 5 days | CA.KHA | Thu 9/7 09:30 | Tue 7/7 09:30 | Fri 10/7 10:00 | late |
 * | E | Fri 28/2/2025 09:00 | v20241001, 10 days | STP.KHA | Fri 14/3/2025 09:00 | Wed 5/3 09:00 | Fri 7/3 10:00 | on time |
 * | F | Mon 3/3/2025 09:00 | v20250301, 10 days | CA.KHA | Mon 17/3/2025 09:00 | Thu 6/3 09:00 | Fri 7/3 10:00 | on time |
 *
 * B and D end at the same instant: B (10 days) on time, D (5 days) late. Report weeks (cut-off
 * Friday 16:00): the week ending 3/7 received A, B, C, D and resolved A and C; the week ending
 * 10/7 resolved B and D.
 *
 * @fixed-instants the product's clock starts at Mon 20/7/2026 09:00, whatever LLTP_TEST_NOW says.
 */
import { runCli } from '../../../server/cli/lltp';
import { PARTNER_HEADERS, STAFF_PASSWORD, startApiUnderTest, type ApiUnderTest } from '../../support/api';
import { seriousViolations } from '../../support/axe';
import { expectCspKept, launchChromium, logInPage } from '../../support/browser';
import { monotonicMs } from '../../support/clock';
import { uniqueId } from '../../support/unique';

const at = (text: string): Date => new Date(`${text}+07:00`);
const START = at('2026-07-20T09:00:00');
const started = monotonicMs();
const now = (): Date => new Date(START.getTime() + Math.round(monotonicMs() - started));

const R1 = 'quy-trinh-570-v20241001';
const R2 = 'quy-trinh-570-v20250301';
const R2B = 'quy-trinh-570-v20250701';
const R3 = 'quy-trinh-570-v20260701';

let t: ApiUnderTest;
const codes: Record<string, string> = {};

async function record(name: string, receivedAt: string, finishedAt: string): Promise<void> {
  const body = { receiptNumber: `BN-XB-${uniqueId()}-${name}`, channel: 'nationalPortal', receivedAt: `${receivedAt}+07:00`, formType: 1, finishedAt: `${finishedAt}+07:00` };
  const answer = await t.post('/api/intake/other', body, PARTNER_HEADERS);
  if (answer.status !== 201) throw new Error(`intake ${name}: ${answer.status} ${JSON.stringify(answer.body)}`);
  codes[name] = String(answer.body.dossierCode);
}

beforeAll(async () => {
  t = await startApiUnderTest('cross_boundary', {}, { now });
  await record('A', '2026-06-29T09:00:00', '2026-07-03T11:00:00');
  await record('B', '2026-06-30T09:00:00', '2026-07-10T10:00:00');
  await record('C', '2026-07-02T09:00:00', '2026-07-03T10:00:00');
  await record('D', '2026-07-02T09:30:00', '2026-07-10T10:00:00');
  await record('E', '2025-02-28T09:00:00', '2025-03-07T10:00:00');
  await record('F', '2025-03-03T09:00:00', '2025-03-07T10:00:00');
}, 120000);
afterAll(async () => t?.stop());

interface Row {
  code: string;
  agencyCode: string;
  regime: string;
  statutoryWorkingDays: number;
  statutoryDueAt: string;
  targetDueAt: string;
  verdict: string;
}
interface Subtotal {
  regime: string;
  statutoryWorkingDays: number;
  received: number;
  resolved: number;
  issued: number;
  onTime: number;
  late: number;
  openOverdue: number;
}

const as = async (path: string, username = 'thanhtra') => t.get(path, await t.login(username));

async function list(query: string): Promise<Row[]> {
  const reply = await as(`/api/inspection/dossiers?${query}&sort=receivedAt&order=asc&pageSize=200`);
  expect(reply.status).toBe(200);
  return reply.body.dossiers as Row[];
}

const JULY = 'from=2026-06-29&to=2026-07-10';
const MARCH = 'from=2025-02-24&to=2025-03-09';

test('the list shows the dossiers of both regimes side by side, each with its agency, version and its own statutory due date', async () => {
  const rows = await list(JULY);
  expect(rows.map((r) => [r.code, r.agencyCode, r.regime, r.statutoryWorkingDays, r.statutoryDueAt, r.targetDueAt, r.verdict])).toEqual([
    [codes.A, 'CA.KHA', R2B, 10, '2026-07-13T09:00:00+07:00', '2026-07-02T09:00:00+07:00', 'onTime'],
    [codes.B, 'CA.KHA', R2B, 10, '2026-07-14T09:00:00+07:00', '2026-07-03T09:00:00+07:00', 'onTime'],
    [codes.C, 'CA.KHA', R3, 5, '2026-07-09T09:00:00+07:00', '2026-07-07T09:00:00+07:00', 'onTime'],
    [codes.D, 'CA.KHA', R3, 5, '2026-07-09T09:30:00+07:00', '2026-07-07T09:30:00+07:00', 'late'],
  ]);
  const march = await list(MARCH);
  expect(march.map((r) => [r.code, r.agencyCode, r.regime, r.statutoryDueAt, r.verdict])).toEqual([
    [codes.E, 'STP.KHA', R1, '2025-03-14T09:00:00+07:00', 'onTime'],
    [codes.F, 'CA.KHA', R2, '2025-03-17T09:00:00+07:00', 'onTime'],
  ]);
  expect(codes.E).toMatch(/^STP\.KHA-250228-\d{4}$/);
  expect(codes.F).toMatch(/^CA\.KHA-250303-\d{4}$/);
});

test.each([
  ['regime 10 days (R2b)', `${JULY}&regime=${R2B}`, ['A', 'B']],
  ['regime 5 days (Law 107)', `${JULY}&regime=${R3}`, ['C', 'D']],
  ['regime and status late', `${JULY}&regime=${R3}&status=late`, ['D']],
  ['regime with no dossier in the period', `${JULY}&regime=${R1}`, []],
  ['agency of the period', `${JULY}&agency=CA.KHA`, ['A', 'B', 'C', 'D']],
  ['agency no longer receiving', `${JULY}&agency=STP.KHA`, []],
  ['the Sở Tư pháp, before 1/3/2025', `${MARCH}&agency=STP.KHA`, ['E']],
  ['the police, from 1/3/2025', `${MARCH}&agency=CA.KHA`, ['F']],
  ['the police regime R2', `${MARCH}&regime=${R2}`, ['F']],
  ['agency and regime together', `${MARCH}&agency=CA.KHA&regime=${R1}`, []],
])('the list narrowed by %s', async (_case, query, expected) => {
  expect((await list(query)).map((r) => r.code)).toEqual(expected.map((name) => codes[name]));
});

test.each([
  ['regime', `${JULY}&regime=khanh-hoa-pv06-v20260701`],
  ['regime', `${JULY}&regime=R3`],
  ['agency', `${JULY}&agency=CA.XYZ`],
])('an unknown %s is a 400 naming it', async (parameter, query) => {
  for (const path of ['/api/inspection/dossiers', '/api/inspection/summary']) {
    const reply = await as(`${path}?${query}`);
    expect(reply.status).toBe(400);
    expect(reply.body.parameter).toBe(parameter);
    expect(String(reply.body.error)).toMatch(new RegExp(`^${parameter}: `));
  }
});

test('the summary gives each regime its sub-totals side by side, each dossier judged by its own version', async () => {
  const reply = await as(`/api/inspection/summary?${JULY}`);
  expect(reply.status).toBe(200);
  expect(reply.body).toMatchObject({ received: 4, issued: 4, onTime: 3, late: 1 });
  expect((reply.body.byRegime as Subtotal[]).map((r) => [r.regime, r.statutoryWorkingDays, r.received, r.issued, r.onTime, r.late])).toEqual([
    [R2B, 10, 2, 2, 2, 0],
    [R3, 5, 2, 2, 1, 1],
  ]);
  const narrowed = await as(`/api/inspection/summary?${JULY}&regime=${R3}`);
  expect(narrowed.body).toMatchObject({ received: 2, issued: 2, onTime: 1, late: 1 });
  expect((narrowed.body.byRegime as Subtotal[]).map((r) => r.regime)).toEqual([R3]);
  const march = await as(`/api/inspection/summary?${MARCH}`);
  expect((march.body.byRegime as Subtotal[]).map((r) => [r.regime, r.statutoryWorkingDays, r.received, r.onTime])).toEqual([
    [R1, 10, 1, 1],
    [R2, 10, 1, 1],
  ]);
});

test('the exports carry each row\'s agency, regime and statutory days, and the regimes side by side', async () => {
  const response = await fetch(`${t.api.url}/api/inspection/dossiers?${JULY}&format=csv&regime=${R3}&sort=receivedAt&order=asc`, { headers: await t.login('thanhtra') });
  expect(response.status).toBe(200);
  const csv = await response.text();
  expect(csv).toContain('Chế độ (phiên bản quy trình quốc gia)');
  const lines = csv.split(/\r?\n/).filter((l) => l.startsWith(codes.C!) || l.startsWith(codes.D!) || l.startsWith(codes.A!) || l.startsWith(codes.B!));
  expect(lines.map((l) => l.split(',').slice(0, 4))).toEqual([
    [codes.C, 'CA.KHA', R3, '5'],
    [codes.D, 'CA.KHA', R3, '5'],
  ]);
  const summary = await fetch(`${t.api.url}/api/inspection/summary?${JULY}&format=csv`, { headers: await t.login('thanhtra') });
  const lines2 = (await summary.text()).split(/\r?\n/);
  // the summary's first sheet (the CSV) is then the regimes side by side
  expect(lines2[0]?.replace(/^\uFEFF/, '')).toBe(`Số liệu,${R2B},${R3}`);
  expect(lines2).toEqual(expect.arrayContaining(['Hạn luật định (ngày làm việc),10,5', 'Hồ sơ tiếp nhận,2,2', 'Đúng hạn,2,1', 'Trễ hạn,0,1']));
});

test('the weekly report of the week containing 1/7/2026 shows both regimes; filtered by regime and agency it narrows', async () => {
  const week = await as('/api/reports/weekly/2026-07-03');
  expect(week.status).toBe(200);
  const summary = week.body.summary as { received: number; resolved: number; byRegime: Subtotal[] };
  expect(summary).toMatchObject({ received: 4, resolved: 2, onTime: 2, late: 0 });
  expect(summary.byRegime.map((r) => [r.regime, r.statutoryWorkingDays, r.received, r.resolved, r.onTime, r.late])).toEqual([
    [R2B, 10, 2, 1, 1, 0],
    [R3, 5, 2, 1, 1, 0],
  ]);
  // the next week: B and D end at the same instant, B on time under 10 days, D late under 5
  const next = await as('/api/reports/weekly/2026-07-10');
  expect((next.body.summary as { byRegime: Subtotal[] }).byRegime.map((r) => [r.regime, r.received, r.issued, r.onTime, r.late])).toEqual([
    [R2B, 0, 1, 1, 0],
    [R3, 0, 1, 0, 1],
  ]);
  const law107 = await as(`/api/reports/weekly/2026-07-10?regime=${R3}`);
  expect(law107.status).toBe(200);
  expect(law107.body).toMatchObject({ weekEnding: '2026-07-10', filters: { 'Chế độ': R3 }, summary: { issued: 1, onTime: 0, late: 1 } });
  const so = await as('/api/reports/weekly/2026-07-03?agency=STP.KHA');
  expect(so.body).toMatchObject({ summary: { received: 0, resolved: 0 } });
  const police = await as('/api/reports/weekly/2026-07-03?agency=CA.KHA');
  expect(police.body).toMatchObject({ summary: { received: 4, resolved: 2 } });
  const bad = await as('/api/reports/weekly/2026-07-03?regime=R3');
  expect(bad.status).toBe(400);
  expect(bad.body.parameter).toBe('regime');
  const file = await fetch(`${t.api.url}/api/reports/weekly/2026-07-10?regime=${R3}&format=xlsx`, { headers: await t.login('thanhtra') });
  expect(file.status).toBe(200);
  expect(file.headers.get('content-disposition')).toContain(`bao-cao-tuan-2026-07-10-${R3}.xlsx`);
  expect(file.headers.get('x-rows-sha256')).toMatch(/^[0-9a-f]{64}$/);
});

test('the dashboard has a heat map for every version of every model, and its KPIs narrow by regime and agency', async () => {
  const versions = await as('/api/dashboard/versions', 'giamsat');
  expect(versions.status).toBe(200);
  const all = (versions.body.procedures as { procedure: string; versions: { processId: string }[] }[]).flatMap((p) => p.versions.map((v) => [p.procedure, v.processId] as const));
  expect(all.map(([, v]) => v).sort()).toEqual([
    'khanh-hoa-2799-v20241001',
    'khanh-hoa-2799-v20241029',
    'khanh-hoa-pv06-v20250301',
    'khanh-hoa-pv06-v20260701',
    R1,
    R2,
    R2B,
    R3,
  ]);
  expect((versions.body.regimes as { processId: string; statutoryWorkingDays: number }[]).map((r) => [r.processId, r.statutoryWorkingDays])).toEqual([
    [R1, 10],
    [R2, 10],
    [R2B, 10],
    [R3, 5],
  ]);
  const headers = await t.login('giamsat');
  for (const [procedure, version] of all) {
    const map = await t.get(`/api/dashboard/heatmap?process=${procedure}&version=${version}&from=2026-06-29&to=2026-07-10`, headers);
    expect(map.status).toBe(200);
    expect(map.body).toMatchObject({ procedure, version });
    expect((map.body.cells as unknown[]).length).toBeGreaterThan(0);
  }
  const kpis = async (query: string) => t.get(`/api/dashboard/kpis?from=2026-06-29&to=2026-07-10${query}`, headers);
  expect((await kpis('')).body.period).toMatchObject({ received: 4, issued: 4, onTime: 3, late: 1 });
  expect((await kpis(`&regime=${R3}`)).body.period).toMatchObject({ received: 2, issued: 2, onTime: 1, late: 1 });
  expect((await kpis(`&regime=${R2B}`)).body.period).toMatchObject({ received: 2, issued: 2, onTime: 2, late: 0 });
  expect((await kpis('&agency=STP.KHA')).body.period).toMatchObject({ received: 0, issued: 0 });
  const bad = await kpis('&regime=R3');
  expect(bad.status).toBe(400);
  expect(bad.body.parameter).toBe('regime');
  const badAgency = await t.get('/api/dashboard/heatmap?agency=CA.XYZ', headers);
  expect(badAgency.status).toBe(400);
  expect(badAgency.body.parameter).toBe('agency');
});

test('the CLI narrows the list and the weekly report by regime and agency', async () => {
  const cli = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), env: { ...process.env, DATABASE_URL: t.config.DATABASE_URL, LOG_LEVEL: 'silent' }, now });
    return { code, out, err };
  };
  const listed = await cli('inspection', 'list', '--from', '2026-06-29', '--to', '2026-07-10', '--regime', R3, '--json', '--actor', 'thanhtra-cli');
  expect(listed.code).toBe(0);
  const document = JSON.parse(listed.out.join('\n')) as { dossiers: Row[] };
  expect(document.dossiers.map((d) => [d.code, d.regime, d.statutoryDueAt]).sort()).toEqual([
    [codes.C, R3, '2026-07-09T09:00:00+07:00'],
    [codes.D, R3, '2026-07-09T09:30:00+07:00'],
  ]);
  const weekly = await cli('report', 'weekly', '--week-ending', '2026-07-10', '--agency', 'CA.KHA', '--regime', R2B);
  expect(weekly.code).toBe(0);
  expect(JSON.parse(weekly.out.join('\n'))).toMatchObject({ summary: { issued: 1, onTime: 1, late: 0 } });
  const bad = await cli('inspection', 'list', '--from', '2026-06-29', '--to', '2026-07-10', '--regime', 'R3');
  expect(bad.code).not.toBe(0);
  expect(bad.err.join('\n')).toContain('--regime');
});

test('the inspection page offers the agency and regime filters, names each row\'s agency and version, and shows the regimes side by side (axe: no serious violation)', async () => {
  const browser = await launchChromium();
  try {
    const page = await logInPage(browser, t.api.url, 'thanhtra', undefined, STAFF_PASSWORD);
    await page.goto(`${t.api.url}/thanh-tra?${JULY}&sort=code&order=asc`);
    await page.locator('#regimes').waitFor({ timeout: 15000 });
    expect(await page.locator('#regimes thead th').allTextContents()).toEqual(['Số liệu', R2B, R3]);
    expect(await page.locator('#regimes tbody tr').filter({ hasText: 'Trễ hạn' }).first().locator('td').allTextContents()).toEqual(['0', '1']);
    await page.locator(`tr[data-code="${codes.D!}"]`).filter({ hasText: `CA.KHA · ${R3} (5 ngày)` }).waitFor({ timeout: 15000 });
    expect(await page.locator('select[name=regime] option').allTextContents()).toEqual(expect.arrayContaining([`${R3} (từ 2026-07-01, 5 ngày)`]));
    await page.selectOption('select[name=regime]', R3);
    await page.click('#filters button[type=submit]');
    await page.locator(`tr[data-code="${codes.A!}"]`).waitFor({ state: 'detached', timeout: 15000 });
    expect(await page.locator('#rows tr').count()).toBe(2);
    expect(await seriousViolations(page)).toEqual([]);
    expectCspKept(page);
  } finally {
    await browser.close();
  }
}, 60000);
