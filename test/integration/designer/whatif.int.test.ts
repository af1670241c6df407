/**
 * The what-if of a draft model (issue 27, item 3) on the real system: the 20 hand-worked
 * dossiers of test/support/whatif-fixture.ts written into the read model, and a draft of the
 * installed internal procedure that halves searchRecords' allotment.
 * - API: the late counts rise by exactly the hand-worked numbers; nothing in dossiers or steps
 *   changes; the run is audited with the period and the draft's SHA-256; roles; 400s naming the
 *   problem (dates, period, not BPMN, a draft that does not lint, with the element and property);
 *   413 over 2 MB; the XLSX opens with exceljs and holds the figures.
 * - CLI: `lltp whatif` prints the table (exit 0), the JSON, the XLSX; a draft that does not
 *   lint: its problems on stderr, exit 1.
 * - Page /quy-trinh/thu-nghiem in Debian's Chromium: upload, result tables and heat map, the
 *   XLSX link, the lint problems of a bad draft; axe finds nothing; the CSP holds.
 *
 * @fixed-instants the product's clock is pinned at 8/12/2026 09:00 and the dossiers sit in November 2026, whatever LLTP_TEST_NOW says.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Browser } from 'playwright-core';
import { runCli } from '../../../server/cli/lltp';
import { loadCalendarData } from '../../../server/calendar/store';
import { WorkingCalendars } from '../../../server/calendar/working-calendar';
import { sha256Of } from '../../../server/designer/draft-lint';
import type { WhatIfReport } from '../../../server/designer/whatif-service';
import { PROCESSES_DIR } from '../../../server/sla/catalog';
import { startApiUnderTest, STAFF_PASSWORD, type ApiUnderTest } from '../../support/api';
import { allViolations } from '../../support/axe';
import { expectCspKept, launchChromium, logInPage } from '../../support/browser';
import { EXPECTED, halvedSearchRecords, insertWhatIfFixture, INTERNAL, PERIOD, whatIfFixture } from '../../support/whatif-fixture';

const NOW = new Date('2026-12-08T09:00:00+07:00');
const QUERY = `from=${PERIOD.from}&to=${PERIOD.to}`;
const installed = readFileSync(path.join(PROCESSES_DIR, `${INTERNAL}.bpmn`), 'utf8');
const DRAFT = halvedSearchRecords(installed);
const BROKEN = installed.replace('<zeebe:property name="lltp:step.searchRecords.unit" value="stp-hctp" />', '');
const dir = mkdtempSync(path.join(tmpdir(), 'lltp-whatif-'));
const draftFile = path.join(dir, 'ban-nhap.bpmn');
const brokenFile = path.join(dir, 'ban-nhap-loi.bpmn');
writeFileSync(draftFile, DRAFT);
writeFileSync(brokenFile, BROKEN);

let s: ApiUnderTest;
let browser: Browser;

beforeAll(async () => {
  s = await startApiUnderTest('whatif', {}, { now: () => NOW });
  await insertWhatIfFixture(s.db, whatIfFixture(new WorkingCalendars(await loadCalendarData(s.db))));
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await s?.stop();
});

async function post(pathAndQuery: string, body: string, username: string, contentType = 'application/xml'): Promise<Response> {
  const headers = await s.login(username);
  return fetch(`${s.api.url}/api/process-versions/${pathAndQuery}`, { method: 'POST', headers: { ...headers, 'content-type': contentType }, body });
}

const snapshot = () => s.db.selectFrom('steps').select(['id', 'dueAt', 'finishedAt', 'allotmentMinutes']).orderBy('id').execute();

test('the draft that halves searchRecords raises the late counts by exactly the hand-worked numbers, and writes nothing but the audit', async () => {
  const before = { steps: await snapshot(), dossiers: await s.db.selectFrom('dossiers').selectAll().orderBy('code').execute() };
  const reply = await post(`whatif?${QUERY}`, DRAFT, 'thietke');
  expect(reply.status).toBe(200);
  const r = (await reply.json()) as WhatIfReport;
  expect(r.dossiers).toBe(20);
  expect(r.replaces).toContain(INTERNAL);
  expect(r.model).toMatchObject({ procedure: 'khanh-hoa-pv06', sha256: sha256Of(DRAFT) });
  const search = r.byStep.find((x) => x.elementId === 'searchRecords')!;
  expect({ current: search.current.late, draft: search.draft.late }).toEqual(EXPECTED.searchRecords);
  expect({ current: r.current.dossiersWithLateStep, draft: r.draft.dossiersWithLateStep }).toEqual(EXPECTED.dossiersWithLateStep);
  expect({ current: r.current.lateSteps, draft: r.draft.lateSteps }).toEqual(EXPECTED.lateSteps);
  expect({ current: r.current.lateDossiers, draft: r.draft.lateDossiers }).toEqual(EXPECTED.lateDossiers);
  expect(r.consistency).toEqual({ stepsChecked: 60, dueAtDiffers: 0, dossiersChecked: 20, statutoryDueAtDiffers: 0 });
  expect(r.heatMap.rows.find((x) => x.elementId === 'searchRecords')?.cells.reduce((a, b) => a + b, 0)).toBe(7);
  expect(await snapshot()).toEqual(before.steps);
  expect(await s.db.selectFrom('dossiers').selectAll().orderBy('code').execute()).toEqual(before.dossiers);
  const audited = await s.db.selectFrom('audit').select(['actor', 'detail', 'dossierCode']).where('action', '=', 'processes.whatif').execute();
  expect(audited).toContainEqual({ actor: 'thietke', dossierCode: null, detail: `hồ sơ nhận ${PERIOD.from}..${PERIOD.to}, mô hình nháp sha256=${sha256Of(DRAFT)}` });
});

test('process designers and leaders may run it; others are refused', async () => {
  expect((await post(`whatif?${QUERY}`, DRAFT, 'lanhdao')).status).toBe(200);
  for (const username of ['motcua', 'giamsat', 'quantri']) expect([username, (await post(`whatif?${QUERY}`, DRAFT, username)).status]).toEqual([username, 403]);
});

test.each([
  ['a date that does not exist', 'from=2026-11-31&to=2026-11-30', DRAFT, 'application/xml', 'from'],
  ['no end date', 'from=2026-11-01', DRAFT, 'application/xml', 'to'],
  ['from after to', 'from=2026-11-30&to=2026-11-01', DRAFT, 'application/xml', 'from'],
  ['a period over a year', 'from=2025-01-01&to=2026-11-30', DRAFT, 'application/xml', 'to'],
  ['a body that is not BPMN', QUERY, 'không phải BPMN', 'application/xml', 'body'],
  ['broken XML', QUERY, '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"><bpmn:process', 'text/xml', 'body'],
  ['a body that is not XML', QUERY, DRAFT, 'text/plain', 'body'],
])('400 naming the problem: %s', async (_case, query, body, type, parameter) => {
  const reply = await post(`whatif?${query}`, body, 'thietke', type);
  const answer = (await reply.json()) as { error: string; parameter: string };
  expect([reply.status, answer.parameter]).toEqual([400, parameter]);
  expect(answer.error).toMatch(/[àáảãạăâđêôơưế]/);
});

test('a draft that does not lint: 400 with each problem naming the element and the property, in Vietnamese', async () => {
  const reply = await post(`whatif?${QUERY}`, BROKEN, 'thietke');
  expect(reply.status).toBe(400);
  const answer = (await reply.json()) as { parameter: string; problems: { elementId: string; property: string; text: string }[] };
  expect(answer.parameter).toBe('body');
  expect(answer.problems).toEqual([expect.objectContaining({ elementId: INTERNAL, property: 'lltp:step.searchRecords.unit' })]);
  expect(answer.problems[0]?.text).toMatch(/^Phần tử khanh-hoa-pv06-v20260701, thuộc tính lltp:step.searchRecords.unit: .*bị thiếu/);
});

test('413 for a draft over 2 MB', async () => {
  const reply = await post(`whatif?${QUERY}`, `${DRAFT}<!--${'x'.repeat(2 * 1024 * 1024)}-->`, 'thietke');
  expect(reply.status).toBe(413);
  expect(((await reply.json()) as { parameter: string }).parameter).toBe('body');
});

test('the XLSX opens with exceljs and holds the figures', async () => {
  const reply = await post(`whatif.xlsx?${QUERY}`, DRAFT, 'thietke');
  expect([reply.status, reply.headers.get('content-type')]).toEqual([200, expect.stringContaining('spreadsheetml')]);
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(await reply.arrayBuffer());
  const steps = book.getWorksheet('Theo bước')!;
  const rows = steps.getSheetValues().filter(Boolean).map((row) => (row as unknown[]).slice(1));
  expect(rows).toContainEqual(['searchRecords', 'searchRecords', 20, '4h', 3, '2h', 10, 7]);
  const comparison = book.getWorksheet('So sánh')!.getSheetValues().filter(Boolean).map((row) => (row as unknown[]).slice(1));
  expect(comparison).toContainEqual(['Bước trễ hạn', '4', '11', '+7']);
  expect(comparison).toContainEqual(['Hồ sơ có bước trễ hạn', '4', '10', '+6']);
  expect(book.getWorksheet('Bản đồ nhiệt')).toBeDefined();
});

describe('lltp whatif', () => {
  const cli = async (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const exit = await runCli(['whatif', ...args], { out: (l) => out.push(l), err: (l) => err.push(l), env: { ...process.env, DATABASE_URL: s.config.DATABASE_URL, LOG_LEVEL: 'silent' }, now: () => NOW });
    return { exit, out, err };
  };

  test('prints the comparison table in Vietnamese, the JSON and the XLSX; exit 0', async () => {
    const table = await cli(['--model', draftFile, '--from', PERIOD.from, '--to', PERIOD.to]);
    expect(table.exit).toBe(0);
    expect(table.out.find((l) => l.startsWith('Bước trễ hạn'))).toMatch(/^Bước trễ hạn\s+4\s+11\s+\+7$/);
    expect(table.out.find((l) => l.startsWith('searchRecords'))).toMatch(/^searchRecords\s+4h → 2h\s+3\s+10\s+\+7$/);
    const xlsx = path.join(dir, 'ket-qua.xlsx');
    const json = await cli(['--model', draftFile, '--from', PERIOD.from, '--to', PERIOD.to, '--json', '--xlsx', xlsx]);
    expect(json.exit).toBe(0);
    expect((JSON.parse(json.out[0]!) as WhatIfReport).difference.lateSteps).toBe(7);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(xlsx);
    expect(book.getWorksheet('Theo bước')).toBeDefined();
  });

  test('a draft that does not lint: the problems on stderr, exit 1; a bad period: exit 2 naming the flag', async () => {
    const broken = await cli(['--model', brokenFile, '--from', PERIOD.from, '--to', PERIOD.to]);
    expect(broken.exit).toBe(1);
    expect(broken.err[0]).toContain('Phần tử khanh-hoa-pv06-v20260701, thuộc tính lltp:step.searchRecords.unit');
    expect(broken.err.at(-1)).toMatch(/chưa đạt kiểm tra \(1 lỗi\)/);
    const period = await cli(['--model', draftFile, '--from', PERIOD.to, '--to', PERIOD.from]);
    expect([period.exit, period.err[0]]).toEqual([2, expect.stringContaining('--from')]);
  });
});

test('the page: upload a draft, see the comparison, the steps and the heat map, download the XLSX; a bad draft lists its problems; axe finds nothing', async () => {
  const page = await logInPage(browser, s.api.url, 'thietke', undefined, STAFF_PASSWORD);
  await page.goto(`${s.api.url}/quy-trinh/thu-nghiem`);
  await page.setInputFiles('#model', draftFile);
  await page.fill('#from', PERIOD.from);
  await page.fill('#to', PERIOD.to);
  await page.click('#run');
  await page.locator(`body[data-loaded="${PERIOD.from} ${PERIOD.to}"]`).waitFor({ timeout: 30_000 });
  expect(await page.locator('#steps tr[data-step="searchRecords"] [data-delta]').textContent()).toBe('+7');
  expect((await page.locator('#heat tr[data-step="searchRecords"] td').allTextContents()).filter((t) => t !== '0')).toEqual(['+2', '+5']);
  expect(await page.locator('#export-xlsx').getAttribute('href')).toMatch(/^blob:/);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-xlsx')]);
  const saved = path.join(dir, 'trang.xlsx');
  await download.saveAs(saved);
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(saved);
  expect(book.getWorksheet('So sánh')).toBeDefined();
  expect(await allViolations(page)).toEqual([]);

  await page.setInputFiles('#model', brokenFile);
  await page.click('#run');
  await page.locator('body[data-loaded="error"]').waitFor({ timeout: 30_000 });
  expect(await page.locator(`#problems li[data-element="${INTERNAL}"]`).textContent()).toContain('lltp:step.searchRecords.unit');
  expect(await page.locator('#result').isHidden()).toBe(true);
  expect(await allViolations(page)).toEqual([]);
  expectCspKept(page);
}, 120_000);
