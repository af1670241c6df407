/**
 * The supervisors' dashboard on the real stack: three dossiers driven through the API (two at
 * the check, one a step further), the product's clock then set 30 working minutes before the
 * checks' due time and the monitor run (it raises their due-soon alerts): the heat map counts
 * 2 due soon at the check and 1 overdue at "accept in LLTP" (due after 120 working minutes), the
 * KPIs count the three receipts; the page in Debian's Chromium shows those numbers on those steps,
 * lists the dossiers of a step and leads to a timeline; roles and bad input as documented.
 *
 * @moves-clocks the product's clock moves to a step's due time: run again at three instants by .ci/run (LLTP_TEST_INSTANTS).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { formatInstant } from '../../../server/calendar/civil-time';
import { createCalendarProvider } from '../../../server/calendar/provider';
import { createLogger } from '../../../server/logger';
import { createMailer } from '../../../server/mail';
import { lastEndedWeek } from '../../../server/inspection/week';
import { createMonitor, createMonitorDeps } from '../../../server/monitor';
import { loadProcessCatalog } from '../../../server/sla';
import { sampleVneidRequest, seededRandom } from '../../../tools/simulators/sample-requests';
import { seriousViolations } from '../../support/axe';
import { expectCspKept, launchChromium, logInPage } from '../../support/browser';
import { PARTNER, startSystem, type SystemUnderTest } from '../../support/system';
import { monotonicMs, testNow, testNowMs } from '../../support/clock';
import { uniqueId } from '../../support/unique';

const ARTIFACTS = path.resolve(__dirname, '../../../.cache/test-artifacts');
let s: SystemUnderTest;
let offset = 0;
const now = (): Date => testNow(offset);
const codes: string[] = [];
let receivedAt = testNow();
/** The product's clock may have moved to the next day or report week (the office closes): what "today" and "this week" hold then. */
const vnDay = (d: Date): string => formatInstant(d.getTime()).slice(0, 10);
const todayCount = (n: number): number => (vnDay(now()) === vnDay(receivedAt) ? n : 0);
const weekCount = (n: number): number => (receivedAt >= lastEndedWeek(now(), { weekday: 'Fri', minutes: 16 * 60 }).to ? n : 0);

beforeAll(async () => {
  s = await startSystem('dashboard', 5400, {}, { now });
  receivedAt = testNow();
  for (let i = 0; i < 3; i++) {
    const request = sampleVneidRequest({ receiptNumber: `DASH-${uniqueId()}-${i}`, receivedAt: formatInstant(testNowMs()), random: seededRandom(700 + i) });
    const answer = await s.call('POST', '/api/intake/vneid', request, PARTNER);
    expect(answer.status).toBe(201);
    codes.push(String(answer.body.dossierCode));
  }
  await s.work(codes[2]!, 'motcua', 'lltp.form.check-dossier', { intakeDecision: 'accept' });
  await s.task(codes[2]!, 'chuyenvien', 'lltp.form.accept-in-lltp');
  for (const code of codes.slice(0, 2)) await s.task(code, 'motcua', 'lltp.form.check-dossier');
  // 30 working minutes before the checks are due: they are due soon (48 min = 20% of 240), "accept in LLTP" (120 min) is overdue
  const check = await s.db.selectFrom('steps').select(['dueAt', 'unitId']).where('dossierCode', '=', codes[0]!).where('elementId', '=', 'checkDossier').executeTakeFirstOrThrow();
  const provider = createCalendarProvider({ db: s.db, now, refreshMs: 1000 });
  offset = (await provider.current()).forUnit(check.unitId).add(check.dueAt, -30).dueAt.getTime() - testNowMs();
  const mailer = createMailer(s.config);
  const monitor = createMonitor(createMonitorDeps({ db: s.db, config: s.config, catalog: await loadProcessCatalog(), calendars: provider, mailer, logger: createLogger({ level: 'silent' }) }), { holder: 'dashboard-test', now });
  await monitor.runOnce('tick');
  mailer.close();
}, 180000);
afterAll(async () => s?.stop());

interface Cell {
  elementId: string;
  open: { onTrack: number; dueSoon: number; overdue: number; stopped: number };
  lateOrigin: number;
}

test('the heat map counts the open steps of each element by status, as worked out from the three dossiers', async () => {
  const reply = await s.call('GET', '/api/dashboard/heatmap', undefined, await s.as('giamsat'));
  expect(reply.status).toBe(200);
  // the version in force on the suite's day (Law 107, from 1/7/2026), under which the three dossiers were received
  expect(reply.body).toMatchObject({ procedure: 'quy-trinh-570', version: 'quy-trinh-570-v20260701' });
  const cells = Object.fromEntries((reply.body.cells as Cell[]).map((c) => [c.elementId, c]));
  expect(cells.checkDossier!.open).toEqual({ onTrack: 0, dueSoon: 2, overdue: 0, stopped: 0 });
  expect(cells.acceptInLltpSoftware!.open).toEqual({ onTrack: 0, dueSoon: 0, overdue: 1, stopped: 0 });
  const others = (reply.body.cells as Cell[]).filter((c) => !['checkDossier', 'acceptInLltpSoftware'].includes(c.elementId));
  expect(others.reduce((sum, c) => sum + c.open.onTrack + c.open.dueSoon + c.open.overdue, 0)).toBe(0);
  expect((reply.body.calls as Record<string, string>)).not.toEqual({});

  const list = await s.call('GET', '/api/dashboard/steps/checkDossier/dossiers', undefined, await s.as('giamsat'));
  const listed = list.body.dossiers as { code: string; status: string; lateMinutes: number }[];
  expect(listed.map((d) => [d.code, d.status]).sort()).toEqual(codes.slice(0, 2).map((c) => [c, 'dueSoon']).sort());
  // 30 working minutes left when the clock was set (a minute may have passed since)
  for (const d of listed) expect(d.lateMinutes === -30 || d.lateMinutes === -29).toBe(true);
  expect(JSON.stringify(list.body)).not.toMatch(/fullName|declaration|birth/);
});

test('the KPIs count today\'s and this week\'s receipts by channel, the VNeID share and the open overdue, computed now', async () => {
  const reply = await s.call('GET', '/api/dashboard/kpis', undefined, await s.as('lanhdao'));
  expect(reply.status).toBe(200);
  const k = reply.body as { today: Record<string, number>; thisWeek: Record<string, number>; period: { received: number; vneidShareReceived: number | null }; openOverdue: number; series: unknown[]; computedAt: string; targets: Record<string, number> };
  expect(k.today.vneid).toBe(todayCount(3));
  expect(Object.values(k.today).reduce((a, b) => a + b, 0)).toBe(todayCount(3));
  expect(k.thisWeek.vneid).toBe(weekCount(3));
  expect(k.period).toMatchObject({ received: weekCount(3), vneidShareReceived: weekCount(3) ? 1 : null });
  expect(k.openOverdue).toBe(0);
  expect(k.series).toHaveLength(12);
  expect(k.targets).toEqual({ vneidSharePercent: 80, onTimePercent: 100 });
  expect(Date.parse(k.computedAt)).toBeGreaterThan(testNowMs());
});

test('roles and bad input: one-stop officers 403, anonymous 401, unknown process or version, wrong period: 400 naming it', async () => {
  expect((await s.call('GET', '/api/dashboard/heatmap', undefined, await s.as('motcua'))).status).toBe(403);
  expect((await s.call('GET', '/api/dashboard/kpis')).status).toBe(401);
  const headers = await s.as('thanhtra');
  for (const [query, parameter] of [
    ['process=khong-co', 'process'],
    ['process=quy-trinh-570&version=khanh-hoa-2799-v20241029', 'version'],
    ['from=2026-12-01&to=2026-11-01', 'from'],
    ['from=2025-01-01&to=2026-12-01', 'to'],
    ['from=01/11/2026&to=2026-12-01', 'from'],
  ]) {
    const reply = await s.call('GET', `/api/dashboard/heatmap?${query}`, undefined, headers);
    expect([query, reply.status, reply.body.parameter]).toEqual([query, 400, parameter]);
  }
  expect((await s.call('GET', '/api/dashboard/steps/khong-co/dossiers', undefined, headers)).body.parameter).toBe('elementId');
});

test('the page in Chromium: the diagram with the numbers on the right steps, a step\'s dossiers, a timeline; roles; no serious accessibility violation', async () => {
  const browser = await launchChromium();
  try {
    const login = (username: string, width = 1366): Promise<Page> => logInPage(browser, s.api.url, username, { width, height: 900 });
    const page = await login('giamsat');
    const started = monotonicMs();
    await page.goto(`${s.api.url}/giam-sat`);
    const check = page.locator('.heat[data-element="checkDossier"]');
    await check.waitFor({ timeout: 15000 });
    expect(monotonicMs() - started).toBeLessThan(15000);
    expect(await check.getAttribute('data-counts')).toBe('0 · 2 · 0');
    expect(await check.locator('.n-dueSoon').textContent()).toBe('2');
    expect(await page.locator('.heat[data-element="acceptInLltpSoftware"]').getAttribute('data-counts')).toBe('0 · 0 · 1');
    expect(await page.locator('[data-kpi="today"] b').textContent()).toBe(`${todayCount(3)} (${todayCount(3)})`);
    await page.locator('#computed').filter({ hasText: /Số liệu tính lúc/ }).waitFor();
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'giam-sat.png'), fullPage: true });

    // keyboard: the step's button takes the focus and opens its list
    await check.focus();
    await page.keyboard.press('Enter');
    await page.locator('#list-rows tr[data-code]').first().waitFor();
    expect((await Promise.all((await page.locator('#list-rows tr[data-code]').all()).map((r) => r.getAttribute('data-code')))).sort()).toEqual(codes.slice(0, 2).sort());
    const violations = await seriousViolations(page);
    expect(violations).toEqual([]);
    await Promise.all([page.waitForURL(`**/ho-so/${codes[0]!}`).catch(() => page.waitForURL(`**/ho-so/${codes[1]!}`)), page.locator('#list-rows a').first().click()]);

    // the figures refresh by themselves: a new dossier's check shows within the 15-second polling
    // (on track until the monitor raises its due-soon alert)
    await page.goto(`${s.api.url}/giam-sat`);
    await page.locator('.heat[data-element="checkDossier"][data-counts="0 · 2 · 0"]').waitFor();
    const request = sampleVneidRequest({ receiptNumber: `DASH-${uniqueId()}-late`, receivedAt: formatInstant(testNowMs()), random: seededRandom(799) });
    expect((await s.call('POST', '/api/intake/vneid', request, PARTNER)).status).toBe(201);
    await page.locator('.heat[data-element="checkDossier"][data-counts="1 · 2 · 0"]').waitFor({ timeout: 25000 });
    // the call activity opens the provincial procedure's diagram
    const calls = (await s.call('GET', '/api/dashboard/heatmap', undefined, await s.as('giamsat'))).body.calls as Record<string, string>;
    const callActivity = Object.keys(calls)[0]!;
    await page.locator(`.heat[data-element="${callActivity}"]`).click();
    // the police's internal procedure of the version in force
    await page.locator('#process-name').filter({ hasText: /khanh-hoa-pv06/ }).waitFor();
    await page.locator('#back').click();
    await page.locator('#process-name').filter({ hasText: /quy-trinh-570/ }).waitFor();

    // phone width: the page still shows the figures
    const phone = await login('lanhdao', 375);
    await phone.goto(`${s.api.url}/giam-sat`);
    await phone.locator('[data-kpi="openOverdue"] b').waitFor();
    // a one-stop officer is told the page is not for her role
    const desk = await login('motcua');
    await desk.goto(`${s.api.url}/giam-sat`);
    await desk.locator('#message').filter({ hasText: /không có quyền/ }).waitFor();
    // every page this test opened kept its Content-Security-Policy (no inline style or script refused)
    expectCspKept(page, phone, desk);
  } finally {
    await browser.close();
  }
}, 120000);

test('the assets are served by the app, not a CDN', async () => {
  for (const name of ['bpmn-viewer.js', 'chart.js', 'diagram-js.css', 'bpmn-js.css']) {
    const response = await fetch(`${s.api.url}/assets/${name}`);
    expect([name, response.status]).toEqual([name, 200]);
  }
  expect((await fetch(`${s.api.url}/assets/package.json`)).status).toBe(404);
});
