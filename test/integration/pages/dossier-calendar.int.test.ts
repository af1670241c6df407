/**
 * Dossier search, the dossier timeline page and the working-calendar page on the real stack, in a
 * real browser (Chromium driven by playwright-core). One dossier is received through the VNeID
 * intake and driven through its first two human steps by the demo officers; the tests then find
 * it by code and by receipt number, read its timeline as an inspector (no declaration) and as a
 * one-stop officer (declaration on request), and read and edit the 2026 calendar. Every page is
 * checked with axe-core (no serious or critical violation) at desktop and at phone width, and
 * each browser test expects the pages it opened to have kept their Content-Security-Policy.
 *
 * The broker's clock is never moved: the steps run at the real time of the run.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { seriousViolations } from '../../support/axe';
import type { Browser, Page } from 'playwright-core';
import { expectCspKept, launchChromium, logInPage } from '../../support/browser';
import { formatInstant } from '../../../server/calendar/civil-time';
import { sampleVneidRequest, seededRandom } from '../../../tools/simulators/sample-requests';
import { seedWithoutYears } from '../../support/calendar-seed';
import { PARTNER, startSystem, type SystemUnderTest } from '../../support/system';
import { eventually } from '../../support/wait';
import { testNowMs } from '../../support/clock';
import { uniqueId } from '../../support/unique';

const ARTIFACTS = path.resolve(__dirname, '../../../.cache/test-artifacts');
const LATE_REASON = 'Mất điện cả buổi sáng tại Bộ phận Một cửa';

let s: SystemUnderTest;
let browser: Browser;
let code = '';
let receiptNumber = '';
let citizenName = '';
let waitingCode = '';

interface TimelineStep {
  elementId: string;
  status: string;
  allotmentWorkingMinutes: number;
  workingMinutes: number;
  finishedAt: string | null;
  lateReason: string | null;
  lateReasonSource: string | null;
}

async function intake(request: ReturnType<typeof sampleVneidRequest>): Promise<string> {
  const answer = await s.call('POST', '/api/intake/vneid', request, PARTNER);
  if (answer.status !== 201) throw new Error(`intake: ${answer.status} ${JSON.stringify(answer.body)}`);
  return String(answer.body.dossierCode);
}

beforeAll(async () => {
  // 2027 estimated in this test's calendar, whatever the shipped seed holds (the page shows it so).
  s = await startSystem('dossier_pages', 5300, {}, { calendarSeed: seedWithoutYears(2027) });
  receiptNumber = `DASH-${uniqueId()}`;
  const request = sampleVneidRequest({ receiptNumber, receivedAt: formatInstant(testNowMs()), random: seededRandom(1301) });
  citizenName = request.declaration.fullName;
  code = await intake(request);
  waitingCode = await intake(sampleVneidRequest({ receiptNumber: `${receiptNumber}-B`, receivedAt: formatInstant(testNowMs()), random: seededRandom(1302) }));
  await s.work(waitingCode, 'motcua', 'lltp.form.check-dossier', { intakeDecision: 'supplement', missingItems: ['Bản chụp CCCD rõ nét'] });
  await s.work(code, 'motcua', 'lltp.form.check-dossier', { intakeDecision: 'accept' });
  await s.work(code, 'chuyenvien', 'lltp.form.accept-in-lltp');
  await eventually(async () => {
    const timeline = (await s.dossier(code)).timeline as TimelineStep[];
    const done = (elementId: string): boolean => timeline.some((step) => step.elementId === elementId && step.finishedAt !== null);
    return done('checkDossier') && done('acceptInLltpSoftware') && timeline.some((step) => step.finishedAt === null) ? true : undefined;
  }, `dossier ${code} past its first two human steps`, 45000);
  // The officers were on time (the run is at real time and the broker's clock is not ours to move): the
  // read model is told the check ended a day after its due time, with the officer's reason, as a late
  // completion through the inbox records it, so that the page has an overrun to draw.
  const check = await s.db.selectFrom('steps').select(['id', 'dueAt']).where('dossierCode', '=', code).where('elementId', '=', 'checkDossier').executeTakeFirstOrThrow();
  await s.db
    .updateTable('steps')
    .set({ finishedAt: new Date(check.dueAt.getTime() + 24 * 3600_000), lateReason: LATE_REASON, lateReasonSource: 'officer' })
    .where('id', '=', check.id)
    .execute();
  browser = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
}, 120000);

afterAll(async () => {
  await browser?.close();
  await s?.stop();
}, 60000);

describe('GET /api/dossiers?q=… (dossier search)', () => {
  const search = async (q: string, username = 'thanhtra') => s.call('GET', `/api/dossiers?q=${encodeURIComponent(q)}`, undefined, await s.as(username));

  test.each([
    ['its code', () => code],
    ['its code in lower case', () => code.toLowerCase()],
    ['its VNeID receipt number', () => receiptNumber],
  ])('finds the dossier by %s, with no personal data', async (_case, q) => {
    const reply = await search(q());
    expect(reply.status).toBe(200);
    const hits = reply.body.dossiers as Record<string, unknown>[];
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ code, receiptNumber, status: 'open' });
    expect(Object.keys(hits[0]!.currentStep as object).sort()).toEqual(['dueAt', 'elementId', 'name']);
    expect(Object.keys(hits[0]!).sort()).toEqual(['code', 'currentStep', 'dueAt', 'finishedAt', 'receiptNumber', 'receivedAt', 'status']);
    expect(JSON.stringify(reply.body)).not.toContain(citizenName);
  });

  test('an unknown code or receipt number gives an empty list', async () => {
    const reply = await search('STP.KHA-991231-9999');
    expect(reply).toEqual({ status: 200, body: { q: 'STP.KHA-991231-9999', dossiers: [] } });
  });

  test.each([
    ['missing', ''],
    ['too short', '?q=ab'],
    ['with characters no code or receipt number has', `?q=${encodeURIComponent("x' OR 1=1")}`],
    ['repeated', '?q=abc&q=def'],
  ])('a query parameter %s is refused with 400 naming q', async (_case, query) => {
    const reply = await s.call('GET', `/api/dossiers${query}`, undefined, await s.as('giamsat'));
    expect(reply.status).toBe(400);
    expect(String(reply.body.error)).toMatch(/^q /);
  });

  test.each([
    ['a partner', PARTNER as Record<string, string>, 403],
    ['an anonymous caller', {}, 401],
  ])('%s may not search', async (_case, headers, status) => {
    expect((await s.call('GET', `/api/dossiers?q=${code}`, undefined, headers)).status).toBe(status);
  });
});

test('the dossier view gives each step its working time and late reason; the declaration only to the roles that process it', async () => {
  const timeline = (await s.dossier(code)).timeline as TimelineStep[];
  const check = timeline.find((step) => step.elementId === 'checkDossier');
  expect(check).toMatchObject({ lateReason: LATE_REASON, lateReasonSource: 'officer', status: 'late' });
  expect(check!.workingMinutes).toBeGreaterThan(check!.allotmentWorkingMinutes);
  for (const step of timeline) expect(Number.isInteger(step.workingMinutes) && step.workingMinutes >= 0).toBe(true);
  expect((await s.call('GET', `/api/dossiers/${code}?details=1`, undefined, await s.as('thanhtra'))).status).toBe(403);
  const details = await s.call('GET', `/api/dossiers/${code}?details=1`, undefined, await s.as('motcua'));
  expect(JSON.stringify(details.body.declaration)).toContain(citizenName);
});

const logIn = (username: string, viewport = { width: 1280, height: 900 }): Promise<Page> => logInPage(browser, s.api.url, username, viewport);


const noHorizontalScroll = (page: Page): Promise<boolean> => page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth');

test('an inspector finds the dossier from the search box by keyboard, by code then by receipt number, and reads its timeline without the declaration', async () => {
  const page = await logIn('thanhtra');
  await page.goto(`${s.api.url}/ho-so`);
  let focused = '';
  for (let presses = 0; presses < 12 && focused !== 'q'; presses++) {
    await page.keyboard.press('Tab');
    focused = await page.evaluate<string>("document.activeElement ? document.activeElement.id : ''");
  }
  expect(focused).toBe('q');
  expect(await page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle')).not.toBe('none');
  await page.keyboard.type(code);
  await Promise.all([page.waitForURL(`**/ho-so/${code}`), page.keyboard.press('Enter')]);
  await page.locator('#steps > li').first().waitFor();
  const timeline = (await s.dossier(code)).timeline as TimelineStep[];
  expect(await page.locator('#steps > li').count()).toBe(timeline.length);
  expect(await page.locator('#steps > li .bar').count()).toBe(timeline.length);
  const timed = timeline.filter((step) => step.allotmentWorkingMinutes > 0).length;
  expect(timed).toBeGreaterThanOrEqual(2);
  expect(await page.locator('#steps > li .bar .limit').count()).toBe(timed);
  expect(await page.locator('#steps > li[data-element=checkDossier] .reason').textContent()).toContain(LATE_REASON);
  expect(await page.locator('#steps > li[data-element=checkDossier]').getAttribute('data-status')).toBe('late');
  expect(await page.locator('#steps > li[data-element=checkDossier] .bar .over').count()).toBe(1);
  expect(await page.locator('#steps > li[data-element=checkDossier]').textContent()).toContain('motcua');
  expect(await page.locator('#noDeclaration').isVisible()).toBe(true);
  expect(await page.locator('#showDeclaration').count()).toBe(0);
  expect(await page.content()).not.toContain(citizenName);
  expect(await seriousViolations(page)).toEqual([]);
  await page.screenshot({ path: path.join(ARTIFACTS, 'ho-so.png'), fullPage: true });

  await page.goto(`${s.api.url}/ho-so`);
  await page.fill('#q', receiptNumber);
  await Promise.all([page.waitForURL(`**/ho-so/${code}`), page.click('#search button[type=submit]')]);
  await page.locator('#steps > li').first().waitFor();

  await page.goto(`${s.api.url}/ho-so`);
  await page.fill('#q', 'KHONG-CO-HO-SO-NAY');
  await page.click('#search button[type=submit]');
  await page.locator('#hits').filter({ hasText: 'Không tìm thấy' }).waitFor();
  expectCspKept(page);
  await page.context().close();
}, 30000);

test('at phone width a one-stop officer reads the declaration on request; the page does not scroll sideways', async () => {
  const page = await logIn('motcua', { width: 375, height: 800 });
  await page.goto(`${s.api.url}/ho-so/${code}`);
  await page.locator('#showDeclaration').click();
  await page.locator('#declaration').filter({ hasText: citizenName }).waitFor();
  expect(await noHorizontalScroll(page)).toBe(true);
  expect(await seriousViolations(page)).toEqual([]);
  await page.screenshot({ path: path.join(ARTIFACTS, 'ho-so-375.png'), fullPage: true });
  expectCspKept(page);
  await page.context().close();
}, 30000);

test('a dossier waiting for the citizen\'s supplement shows its stopped clock', async () => {
  await eventually(async () => (((await s.dossier(waitingCode)).stoppedIntervals as unknown[]).length === 1 ? true : undefined), `${waitingCode}'s clock to stop`, 30000);
  const page = await logIn('giamsat');
  await page.goto(`${s.api.url}/ho-so/${waitingCode}`);
  await page.locator('#steps > li').first().waitFor();
  expect(await page.locator('.strip .stop').count()).toBe(1);
  expect(await page.locator('#dossier').textContent()).toMatch(/Dừng từ .* đến nay/);
  expect(await seriousViolations(page)).toEqual([]);
  await page.screenshot({ path: path.join(ARTIFACTS, 'ho-so-dung-tinh-thoi-gian.png'), fullPage: true });
  expectCspKept(page);
  await page.context().close();
}, 45000);

test('staff read the 2026 calendar: 30/4 is a day off, make-up and estimated days are marked, no editing', async () => {
  const page = await logIn('thanhtra');
  await page.goto(`${s.api.url}/lich-lam-viec?year=2026`);
  await page.locator('td[data-date="2026-04-30"]').waitFor();
  expect(await page.locator('td[data-date="2026-04-30"]').getAttribute('class')).toContain('dayOff');
  expect(await page.locator('td[data-date="2026-04-30"]').getAttribute('title')).toMatch(/^nghỉ: /);
  expect(await page.locator('td[data-date="2026-08-22"]').getAttribute('class')).toContain('makeUp');
  expect(await page.locator('td[data-date="2026-04-25"]').getAttribute('class')).toContain('rest');
  expect(await page.locator('#addDayOff').isVisible()).toBe(false);
  expect(await page.locator('button[data-remove]').count()).toBe(0);
  expect(await seriousViolations(page)).toEqual([]);
  await page.screenshot({ path: path.join(ARTIFACTS, 'lich-lam-viec.png'), fullPage: true });

  await page.click('#nextYear');
  await page.locator('#estimatedBanner').waitFor();
  expect(await page.locator('td.dayOff.estimated').count()).toBeGreaterThan(0);
  expect(page.url()).toContain('year=2027');
  await page.setViewportSize({ width: 375, height: 800 });
  expect(await noHorizontalScroll(page)).toBe(true);
  expectCspKept(page);
  await page.context().close();
}, 30000);

test('an administrator adds then removes a day off on the calendar page; a refused edit shows the reason', async () => {
  const page = await logIn('quantri');
  await page.goto(`${s.api.url}/lich-lam-viec?year=2026`);
  const cell = page.locator('td[data-date="2026-12-30"]');
  await cell.waitFor();
  expect(await cell.getAttribute('class')).toContain('work');

  const form = page.locator('#addDayOff');
  await form.locator('input[name=date]').fill('2026-12-26');
  await form.locator('input[name=name]').fill('Ngày thử');
  await form.locator('input[name=basis]').fill('Kiểm thử');
  await form.locator('button[type=submit]').click();
  await page.locator('#message').filter({ hasText: 'ngày nghỉ hằng tuần' }).waitFor();

  await form.locator('input[name=date]').fill('2026-12-30');
  await form.locator('input[name=reason]').fill('Thử nghiệm trang lịch');
  await form.locator('button[type=submit]').click();
  await page.locator('#status').filter({ hasText: 'Đã thêm ngày nghỉ 2026-12-30' }).waitFor();
  expect(await cell.getAttribute('class')).toContain('dayOff');
  expect(await page.locator('#message').textContent()).toBe('');
  expect(await seriousViolations(page)).toEqual([]);
  await page.screenshot({ path: path.join(ARTIFACTS, 'lich-lam-viec-quantri.png'), fullPage: true });

  await page.locator('button[data-remove="2026-12-30"]').click();
  await page.locator('#status').filter({ hasText: 'Đã xoá ngày 2026-12-30' }).waitFor();
  expect(await cell.getAttribute('class')).toContain('work');
  const audit = await s.call('GET', '/api/calendar/audit?limit=5', undefined, await s.as('quantri'));
  expect((audit.body as unknown as { action: string; actor: string; date?: string }[]).slice(0, 2)).toEqual([
    expect.objectContaining({ action: 'removeDay', actor: 'quantri', date: '2026-12-30' }),
    expect.objectContaining({ action: 'addDayOff', actor: 'quantri', date: '2026-12-30' }),
  ]);
  expectCspKept(page);
  await page.context().close();
}, 30000);

test('every script and style element of a page carries the response\'s CSP nonce', async () => {
  for (const page of ['/dang-nhap', '/hop-viec', '/ho-so', '/lich-lam-viec', '/giam-sat', '/thanh-tra', '/thanh-tra/bao-cao-tuan', '/thanh-tra/bao-cao-thang', '/chi-so']) {
    const response = await fetch(`${s.api.url}${page}`);
    const nonce = /style-src 'self' 'nonce-([^']+)'/.exec(response.headers.get('content-security-policy') ?? '')?.[1];
    const elements = [...(await response.text()).matchAll(/<(script|style)\b[^>]*>/g)].map((m) => m[0]);
    expect({ page, some: elements.length > 0, withoutNonce: elements.filter((e) => !nonce || !e.includes(`nonce="${nonce}"`)) }).toEqual({ page, some: true, withoutNonce: [] });
  }
});
