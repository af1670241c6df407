/**
 * The monthly Đề án 06 report's page (/thanh-tra/bao-cao-thang) and CLI (`lltp report monthly`)
 * on the real system (issue 25, item 4): November 2026 of test/support/monthly-report-fixture.ts
 * in the read model, the product's clock on 8/12/2026. In Debian's Chromium an inspector asks for
 * November and reads the figures worked out by hand, the 766 progress score and each late task
 * with its unit, officer and head (the shipped processes/unit-heads.json); the archive lists the
 * month with its files; axe finds no violation and the CSP refuses nothing; the one-stop desk is
 * told it may not see it. The CLI gives the same month as JSON, writes its XLSX and PDF (which
 * `lltp inspection verify` finds unchanged and recorded) and exits 2 naming a bad flag.
 *
 * @fixed-instants the product's clock is pinned at 8/12/2026 09:00 and the dossiers sit in November 2026, whatever LLTP_TEST_NOW says.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { runCli } from '../../../server/cli/lltp';
import { loadCalendarData } from '../../../server/calendar/store';
import { WorkingCalendars } from '../../../server/calendar/working-calendar';
import { loadUnitHeads } from '../../../server/inspection/unit-heads';
import { loadProcessCatalog, processesDirOf } from '../../../server/sla';
import { allViolations } from '../../support/axe';
import { expectCspKept, launchChromium, logInPage } from '../../support/browser';
import { at, LATE_TASKS, MONTH, monthlyReportFixture } from '../../support/monthly-report-fixture';
import { startSystem, type SystemUnderTest } from '../../support/system';

const NOW = at('2026-12-08T09:00:00');
const ARTIFACTS = path.resolve(__dirname, '../../../.cache/test-artifacts');

let s: SystemUnderTest;
let browser: Browser;
/** The late tasks with the heads the shipped file names on the day each step fell due (all in November). */
let expectedTasks: string[][];

beforeAll(async () => {
  s = await startSystem('monthly_page', 5950, {}, { now: () => NOW });
  const calendars = new WorkingCalendars(await loadCalendarData(s.db));
  const catalog = await loadProcessCatalog(processesDirOf(s.config));
  await monthlyReportFixture({ db: s.db, calendars, catalog }).writeHistoryToCutoff();
  const heads = loadUnitHeads(processesDirOf(s.config));
  const unitOf: Record<string, string> = { 'Bộ phận Một cửa Sở Tư pháp': 'stp-mot-cua', 'Phòng Hành chính tư pháp, Sở Tư pháp': 'stp-hctp' };
  expectedTasks = LATE_TASKS.map((task) => [...task, heads.at(unitOf[task[1]]!, MONTH.from)!]);
  browser = await launchChromium();
}, 120000);

afterAll(async () => {
  await browser?.close();
  await s?.stop();
});

const loaded = (page: Page, what: string) => page.locator(`body[data-loaded="${what}"]`).waitFor({ timeout: 30000 });
const figure = (page: Page, key: string) => page.locator(`[data-figure="${key}"] td`).textContent();

test('an inspector asks for November on the page: the figures worked out by hand, the 766 score, each late task with its head; axe finds nothing', async () => {
  const page = await logInPage(browser, s.api.url, 'thanhtra');
  // from the weekly page's link
  await page.goto(`${s.api.url}/thanh-tra/bao-cao-tuan`);
  await Promise.all([page.waitForURL('**/thanh-tra/bao-cao-thang'), page.click('a[href="/thanh-tra/bao-cao-thang"]')]);
  await page.locator('#reports').filter({ hasText: 'Chưa có báo cáo nào' }).waitFor();
  await page.fill('#month', '2026-11');
  await page.click('#ask button[type=submit]');
  await loaded(page, '2026-11 1');

  const figures: Record<string, string | null> = {};
  for (const key of ['received', 'resolved', 'issued', 'onTime', 'late', 'lateWithApology', 'openOverdue', 'vneidShareReceived', 'vneidShareResolved', 'progress766']) figures[key] = await figure(page, key);
  expect(figures).toEqual({
    received: '5',
    resolved: '4',
    issued: '4',
    onTime: '2',
    late: '1',
    lateWithApology: '1',
    openOverdue: '1',
    vneidShareReceived: '60,0%',
    vneidShareResolved: '60,0%',
    progress766: '10,00 / 20 (3/6 hồ sơ trước hạn, đúng hạn: 50,0%)',
  });
  const rows = await page.locator('#tasks tr[data-code]').all();
  const tasks = await Promise.all(rows.map(async (row) => (await row.locator('td').allTextContents()).slice(0, 5)));
  // code, step, unit, officer, head: the officer of M4's running check is nobody yet
  expect(tasks.map(([code, , unit, officer, head]) => [code, unit, officer === 'chưa có người nhận' ? '—' : officer, head])).toEqual(expectedTasks);
  expect(await page.locator('#tasksNote').textContent()).toBe('3 việc trễ hạn, đúng như tệp đã lưu.');
  expect(await page.locator(`#tasks a[href="/ho-so/${LATE_TASKS[0][0]}"]`).count()).toBe(1);
  // the month is archived now: the archive lists it with its files
  const archived = page.locator('#reports tr[data-month="2026-11"]');
  await archived.waitFor();
  expect(await archived.locator('td').first().textContent()).toBe('11/2026');
  expect(await Promise.all((await archived.locator('a').all()).map((a) => a.getAttribute('href')))).toEqual(['/api/reports/monthly/2026-11?format=xlsx', '/api/reports/monthly/2026-11?format=pdf']);
  expect(await archived.textContent()).toContain('chưa gửi');
  expect(page.url()).toContain('month=2026-11');
  expect(await allViolations(page)).toEqual([]);
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'bao-cao-thang.png'), fullPage: true });

  // the address keeps the month: a leader opening it sees the same; a month not yet ended is refused naming it
  const leader = await logInPage(browser, s.api.url, 'lanhdao');
  await leader.goto(`${s.api.url}/thanh-tra/bao-cao-thang?month=2026-11`);
  await loaded(leader, '2026-11 1');
  await leader.fill('#month', '2026-12');
  await leader.click('#ask button[type=submit]');
  await leader.locator('#message').filter({ hasText: /^Tháng báo cáo: tháng 12\/2026 chưa đến ngày chốt/ }).waitFor();

  const desk = await logInPage(browser, s.api.url, 'motcua');
  await desk.goto(`${s.api.url}/thanh-tra/bao-cao-thang`);
  await desk.locator('#message').filter({ hasText: /không có quyền xem báo cáo tháng/ }).waitFor();
  expectCspKept(page, leader, desk);
  // each read of the late tasks is audited, by whom
  const reads = await s.db.selectFrom('audit').select(['actor', 'detail']).where('action', '=', 'inspection.monthly.read').orderBy('id').execute();
  expect(reads.map((r) => r.actor)).toEqual(['thanhtra', 'lanhdao']);
  expect(reads[0]!.detail).toBe('tháng 2026-11 (STP.KHA), lần lập 1: 3 việc trễ hạn');
}, 180000);

test('the CLI gives the month as JSON and its files, which verify as recorded; bad flags exit 2 naming them', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lltp-monthly-'));
  const cli = async (...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), env: { ...process.env, DATABASE_URL: s.config.DATABASE_URL, LOG_LEVEL: 'silent' }, now: () => NOW });
    return { code, out, err };
  };
  const json = await cli('report', 'monthly', '--month', '2026-11', '--json', '--actor', 'thanhtra-cli');
  expect(json.code).toBe(0);
  const document = JSON.parse(json.out[0]!) as { month: string; revision: number; rowsSha256: string; summary: Record<string, unknown>; lateTasks: { code: string; unit: string; officer: string | null; head: string; lateText: string }[]; lateTasksAsArchived: boolean };
  expect({ month: document.month, revision: document.revision, asArchived: document.lateTasksAsArchived }).toEqual({ month: '2026-11', revision: 1, asArchived: true });
  expect(document.summary).toMatchObject({ received: 5, resolved: 4, onTime: 2, late: 1, lateWithApology: 1, vneidShareReceived: 0.6, progress766: { counted: 6, onTime: 3, points: 10, max: 20 } });
  expect(document.lateTasks.map((t) => [t.code, t.unit, t.officer ?? '—', t.head])).toEqual(expectedTasks);
  expect(document.lateTasks.every((t) => /ngày|giờ|phút/.test(t.lateText))).toBe(true);

  for (const format of ['xlsx', 'pdf'] as const) {
    const file = path.join(dir, `bao-cao-thang.${format}`);
    const written = await cli('report', 'monthly', '--month', '2026-11', '--format', format, '--out', file, '--json');
    expect([format, written.code]).toEqual([format, 0]);
    expect(JSON.parse(written.out[0]!)).toMatchObject({ file, format, rowsSha256: document.rowsSha256 });
    const verified = await cli('inspection', 'verify', file, '--json');
    expect([format, verified.code]).toEqual([format, 0]);
    expect(JSON.parse(verified.out[0]!)).toMatchObject({ unchanged: true, recomputedRowsSha256: document.rowsSha256, recorded: { kind: 'monthly', format } });
  }
  expect(await s.db.selectFrom('audit').select('id').where('action', '=', 'inspection.monthly.read').where('actor', '=', 'thanhtra-cli').execute()).toHaveLength(1);

  for (const [argv, flag] of [
    [['report', 'monthly', '--month', '2026-12'], '--month'],
    [['report', 'monthly', '--month', '2026-13'], '--month'],
    [['report', 'monthly'], '--month'],
    [['report', 'monthly', '--month', '2026-11', '--format', 'csv'], '--format'],
    [['report', 'monthly', '--month', '2026-11', '--format', 'xlsx'], '--out'],
    [['report', 'monthly', '--month', '2026-11', '--week-ending', '2026-11-27'], '--week-ending'],
  ] as [string[], string][]) {
    const bad = await cli(...argv);
    expect([argv.join(' '), bad.code]).toEqual([argv.join(' '), 2]);
    expect(bad.err.join('\n')).toContain(flag);
  }
}, 120000);
