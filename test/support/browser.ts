/**
 * The pages in a real browser: Debian's Chromium driven by playwright-core (`npx playwright
 * install` cannot download here; CHROMIUM_PATH points elsewhere), and a staff log-in through the
 * log-in page, as a person would, in Việt Nam's locale and time zone.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { STAFF_PASSWORD } from './system';

/**
 * What the browser refused under the pages' Content-Security-Policy, on every page this test
 * file opened with logInPage: a style or script the policy blocks is a page that renders or
 * works differently from what was tested. Each browser test file ends by expecting none.
 */
export const cspViolations: string[] = [];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
}

/** A new page of `browser`, logged in as `username` on the app at `baseUrl` (then on the inbox). */
export async function logInPage(browser: Browser, baseUrl: string, username: string, viewport = { width: 1366, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) cspViolations.push(`${page.url()}: ${message.text()}`);
  });
  await page.goto(`${baseUrl}/dang-nhap`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', STAFF_PASSWORD);
  await Promise.all([page.waitForURL('**/hop-viec'), page.click('button')]);
  return page;
}
