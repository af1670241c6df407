/**
 * The /chi-so page and the index's exports (issue 25, item 3) on the real system: the 32
 * dossiers of test/support/scores-766-fixture.ts in the read model, the daily snapshots of
 * November and 1–7 December stored as the monitor stores them; in Debian's Chromium the page
 * shows U1's November by group and indicator as worked out by hand, the 12-month trend from the
 * snapshots, the dossiers that cost points linked to their pages; axe finds no violation; the
 * XLSX and PDF downloaded from the page read back with the rows digest, are recorded and audited
 * like the inspection exports and pass `lltp inspection verify`; roles and bad input.
 *
 * @fixed-instants the product's clock is pinned at 8/12/2026 09:00 and the dossiers sit in November 2026, whatever LLTP_TEST_NOW says.
 */
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { runCli } from '../../../server/cli/lltp';
import { verifyExport } from '../../../server/inspection/export';
import { takeDailySnapshots } from '../../../server/scores/snapshots';
import { allViolations } from '../../support/axe';
import { expectCspKept, launchChromium, logInPage } from '../../support/browser';
import { seedWithYear } from '../../support/calendar-seed';
import { writeScoresFixture } from '../../support/scores-766-db';
import { at, code, EXPLAINED_U1, FIXTURE, TOTAL_U1, U1 } from '../../support/scores-766-fixture';
import { startSystem, type SystemUnderTest } from '../../support/system';

const NOW = at('2026-12-08T09:00:00');
const NO_DAYS_OFF_2026 = seedWithYear(2026, {
  status: 'official',
  basis: ['Lịch riêng của bài kiểm thử chỉ số 766 (năm 2026 không có ngày nghỉ)'],
  daysOff: [],
  makeUpWorkingDays: [],
  pending: [],
});
const ARTIFACTS = path.resolve(__dirname, '../../../.cache/test-artifacts');
const NOVEMBER_U1 = `period=month&date=2026-11-15&unit=${U1}`;

let s: SystemUnderTest;
let browser: Browser;
const codeOf = (name: string): string => code(FIXTURE.find((f) => f.name === name)!);

beforeAll(async () => {
  s = await startSystem('scores-page', 5850, {}, { now: () => NOW, calendarSeed: NO_DAYS_OFF_2026 });
  await writeScoresFixture(s.db);
  // the monitor's daily job on 8/12 with a window reaching back to 1/11
  await takeDailySnapshots({ db: s.db }, at('2026-12-08T00:30:00'), { catchUpDays: 37 });
  browser = await launchChromium();
}, 120000);

afterAll(async () => {
  await browser?.close();
  await s?.stop();
});

const pageOf = async (username: string, query = ''): Promise<Page> => {
  const page = await logInPage(browser, s.api.url, username);
  await page.goto(`${s.api.url}/chi-so${query}`);
  return page;
};
const loaded = (page: Page, what: string) => page.locator(`body[data-loaded="${what}"]`).waitFor({ timeout: 15000 });

test('the page shows U1\'s November as worked out by hand, the trend from the snapshots, the explanation linked to the dossiers; axe finds nothing', async () => {
  const page = await pageOf('giamsat', '?date=2026-11-15');
  await loaded(page, `month 2026-11-15 ${U1}`);
  const total = `${TOTAL_U1.points.toLocaleString('vi-VN', { minimumFractionDigits: 2 })} / ${TOTAL_U1.max.toLocaleString('vi-VN', { minimumFractionDigits: 2 })}`;
  expect(await page.locator('[data-group="total"] b').textContent()).toBe(total);
  expect(await page.locator('#indicators tr[data-indicator]').count()).toBe(10);
  expect(await page.locator('#indicators tr[data-indicator="satisfaction.handling"]').textContent()).toMatch(/suy luận|thực nghiệm|theo văn bản/);
  // the synchronisation deadline in words, not the data file's field (regression: it read `syncOnTimeMinutes`)
  const sync = await page.locator('#indicators tr[data-indicator="transparency.sync"]').textContent();
  expect(sync).toContain('đồng bộ lên Cổng DVC quốc gia trong 24 giờ');
  expect(sync).not.toMatch(/syncOnTime|Minutes/);
  // the trend up to the period's end: November whole (its snapshot as of 30/11), nothing later
  const trendRows = (p: Page): Promise<string[]> => p.locator('#trend tr[data-month]').allTextContents();
  expect(await trendRows(page)).toEqual([`11/202630/11/2026${total.replace(' / ', '')}`]);
  // every dossier that cost progress points, with its reason, linked to its page
  for (const e of EXPLAINED_U1.filter((x) => x.indicator === 'progress.onTime')) {
    const row = page.locator(`#costing tr[data-code="${codeOf(e.name)}"][data-indicator="progress.onTime"]`);
    expect(await row.locator('td').nth(2).textContent()).toBe(e.reason);
    expect(await row.locator('a').getAttribute('href')).toBe(`/ho-so/${codeOf(e.name)}`);
  }
  expect(await page.locator('#at-risk tbody').textContent()).toContain('Không có hồ sơ nào');
  expect(await allViolations(page)).toEqual([]);
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'chi-so.png'), fullPage: true, clip: { x: 0, y: 0, width: 1366, height: 2250 } });

  // without a date: the product's today (8/12), December so far
  const today = await pageOf('lanhdao');
  await loaded(today, `month 2026-12-08 ${U1}`);
  expect(await today.locator('#date').inputValue()).toBe('2026-12-08');
  // December as of its last snapshot (7/12, yesterday)
  expect(await trendRows(today)).toEqual([`11/202630/11/2026${total.replace(' / ', '')}`, expect.stringMatching(/^12\/202607\/12\/2026/)]);
  // a link leads to the dossier's page
  await Promise.all([page.waitForURL(`**/ho-so/${codeOf(EXPLAINED_U1[0]!.name)}`), page.locator(`#costing a[href="/ho-so/${codeOf(EXPLAINED_U1[0]!.name)}"]`).first().click()]);

  // the agency as a whole: no explanation (it is per unit), no export link; axe again
  const agency = await pageOf('thanhtra', '?date=2026-11-15');
  await loaded(agency, `month 2026-11-15 ${U1}`);
  await agency.selectOption('#unit', '');
  await loaded(agency, 'month 2026-11-15 ');
  expect(await agency.locator('#costing tbody').textContent()).toContain('Chọn một đơn vị');
  expect(await agency.locator('#exports').isHidden()).toBe(true);
  expect(await allViolations(agency)).toEqual([]);

  const desk = await pageOf('motcua');
  await desk.locator('#message').filter({ hasText: /không có quyền/ }).waitFor();
  expectCspKept(page, today, agency, desk);
}, 120000);

test('the XLSX and PDF downloaded from the page read back with their rows digest, are audited, and pass lltp inspection verify', async () => {
  const page = await pageOf('giamsat', '?date=2026-11-15');
  await loaded(page, `month 2026-11-15 ${U1}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'lltp-scores-'));
  const files: Record<string, string> = {};
  for (const format of ['xlsx', 'pdf'] as const) {
    expect(await page.locator(`#export-${format}`).getAttribute('href')).toBe(`/api/scores/export?${NOVEMBER_U1.replace(/&unit=.*/, '')}&agency=STP.KHA&unit=${U1}&format=${format}`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator(`#export-${format}`).click()]);
    files[format] = path.join(dir, `chi-so.${format}`);
    await download.saveAs(files[format]);
  }
  const xlsx = readFileSync(files.xlsx!);
  const pdf = readFileSync(files.pdf!);
  const [xlsxCheck, pdfCheck] = [await verifyExport(xlsx), await verifyExport(pdf)];
  expect([xlsxCheck.unchanged, pdfCheck.unchanged]).toEqual([true, true]);
  // the same document: the same rows and digest in both formats
  expect(pdfCheck.recomputedRowsSha256).toBe(xlsxCheck.recomputedRowsSha256);
  const explained = (await s.call('GET', `/api/scores/explain?${NOVEMBER_U1}`, undefined, await s.as('giamsat'))).body as { costing: unknown[]; atRisk: unknown[]; score: { indicators: unknown[]; groups: unknown[] } };
  expect(explained.score.indicators).toHaveLength(10);
  expect(xlsxCheck.rowCount).toBe(10 + explained.score.groups.length + explained.costing.length + explained.atRisk.length);

  const book = new ExcelJS.Workbook();
  await book.xlsx.load(xlsx as unknown as ArrayBuffer);
  const costing = book.getWorksheet('Hồ sơ làm mất điểm')!;
  const rows = costing.getSheetValues().slice(2).map((r) => (r as unknown[]).slice(1, 4));
  for (const e of EXPLAINED_U1.filter((x) => x.indicator === 'progress.onTime')) expect(rows).toContainEqual(['Hồ sơ xử lý trước hạn, đúng hạn', codeOf(e.name), e.reason]);

  const recorded = await s.db.selectFrom('inspectionExports').select(['kind', 'format', 'actor', 'rowsSha256']).where('kind', '=', 'scores').orderBy('id').execute();
  expect(recorded).toEqual([
    { kind: 'scores', format: 'xlsx', actor: 'giamsat', rowsSha256: xlsxCheck.recomputedRowsSha256 },
    { kind: 'scores', format: 'pdf', actor: 'giamsat', rowsSha256: xlsxCheck.recomputedRowsSha256 },
  ]);
  expect(await s.db.selectFrom('audit').select('detail').where('action', '=', 'inspection.export.scores').execute()).toHaveLength(2);
  expect((await s.db.selectFrom('audit').select('id').where('action', '=', 'scores.explain').where('actor', '=', 'giamsat').execute()).length).toBeGreaterThan(0);

  for (const format of ['xlsx', 'pdf'] as const) {
    const out: string[] = [];
    const exit = await runCli(['inspection', 'verify', files[format]!, '--json'], { out: (l) => out.push(l), err: () => undefined, env: { ...process.env, DATABASE_URL: s.config.DATABASE_URL, LOG_LEVEL: 'silent' }, now: () => NOW });
    expect([format, exit]).toEqual([format, 0]);
    expect(JSON.parse(out[0]!)).toMatchObject({ unchanged: true, recorded: { kind: 'scores', format } });
  }
}, 120000);

test('roles and bad input of the export and the trend: 403 for the one-stop desk, 400 naming the parameter', async () => {
  expect((await s.call('GET', `/api/scores/export?${NOVEMBER_U1}&format=xlsx`, undefined, await s.as('motcua'))).status).toBe(403);
  const headers = await s.as('thanhtra');
  for (const [query, parameter] of [
    [`/export?${NOVEMBER_U1}&format=csv`, 'format'],
    [`/export?${NOVEMBER_U1}`, 'format'],
    ['/export?period=month&date=2026-11-15&format=pdf', 'unit'],
    ['/trend?agency=STP.KHA&date=2026-13-01', 'date'],
    ['/trend?agency=STP.KHA&months=24', 'months'],
  ]) {
    const reply = await s.call('GET', `/api/scores${query}`, undefined, headers);
    expect([query, reply.status, reply.body.parameter]).toEqual([query, 400, parameter]);
  }
});
