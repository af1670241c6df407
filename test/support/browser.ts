/**
 * The pages in a real browser: Debian's Chromium driven by playwright-core (`npx playwright
 * install` cannot download here; CHROMIUM_PATH points elsewhere), and a staff log-in through the
 * log-in page, as a person would, in Việt Nam's locale and time zone.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { STAFF_PASSWORD } from './system';

/**
 * What one page saw of the app's Content-Security-Policy: every document it loaded (and whether
 * the answer carried a policy) and everything the browser refused under it. A style or script
 * the policy blocks is a page that renders or works differently from what was tested.
 */
interface CspRecord {
  documents: { url: string; policy: boolean }[];
  refused: string[];
}

const cspRecords = new WeakMap<Page, CspRecord>();

/** Records, from now on, the documents `page` loads and what its policy refuses. */
function watchCsp(page: Page): void {
  const record: CspRecord = { documents: [], refused: [] };
  cspRecords.set(page, record);
  page.on('response', (response) => {
    if (!response.request().isNavigationRequest() || response.frame() !== page.mainFrame()) return;
    record.documents.push({ url: response.url(), policy: Boolean(response.headers()['content-security-policy']) });
  });
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) record.refused.push(`${page.url()}: ${message.text()}`);
  });
}

/**
 * Expects that each of `pages` (opened by logInPage) loaded at least one document, each under a
 * Content-Security-Policy, and that the browser refused nothing under it: a test checks the
 * pages it opened itself, whichever tests ran before it.
 */
export function expectCspKept(...pages: Page[]): void {
  expect(pages.length).toBeGreaterThan(0);
  const records = pages.map((page) => {
    const record = cspRecords.get(page);
    if (!record) throw new Error(`${page.url()} was not opened by logInPage: its CSP was not watched`);
    return record;
  });
  expect(records.map((r) => ({ sawADocument: r.documents.length > 0 }))).toEqual(records.map(() => ({ sawADocument: true })));
  const documents = records.flatMap((r) => r.documents);
  expect({ withoutPolicy: documents.filter((d) => !d.policy).map((d) => d.url), refused: records.flatMap((r) => r.refused) }).toEqual({ withoutPolicy: [], refused: [] });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
}

/** A new page of `browser`, logged in as `username` on the app at `baseUrl` (then on the inbox); its CSP watched (expectCspKept). */
/** `password`: the demo accounts' (startSystem's by default; startApiUnderTest seeds its own). */
export async function logInPage(browser: Browser, baseUrl: string, username: string, viewport = { width: 1366, height: 900 }, password = STAFF_PASSWORD): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  const page = await context.newPage();
  watchCsp(page);
  await page.goto(`${baseUrl}/dang-nhap`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  // what a script on the page reads from a log-in: never the session token (the HttpOnly cookie carries it)
  const seen = await page.evaluate(
    async ([name, password]) => (await (await fetch('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: name, password }) })).json()) as Record<string, unknown>,
    [username, password] as const,
  );
  if (!('user' in seen) || 'token' in seen) throw new Error(`a page's log-in answered ${JSON.stringify(Object.keys(seen))}: the user and no token expected`);
  await Promise.all([page.waitForURL('**/hop-viec'), page.click('button')]);
  return page;
}
