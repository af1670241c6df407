/**
 * The page /quy-trinh/trien-khai in Debian's Chromium (issue 27, item 4): the designer thietke
 * uploads a new version with its effective date and sees it waiting; a designer who also holds
 * the leader role uploads another and is refused, with the reason in Vietnamese, when approving
 * it; the leader lanhdao sees both with their SHA-256 and lint result, approves the first (it is
 * deployed) and rejects the second with a reason. axe finds nothing; the CSP refuses nothing.
 */
import { createHash } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { allViolations } from '../../support/axe';
import { expectCspKept, launchChromium, logInPage } from '../../support/browser';
import { STAFF_PASSWORD, startApiUnderTest, type ApiUnderTest } from '../../support/api';
import { daysAfterToday, nationalDraft } from './support';

jest.setTimeout(240_000);

let t: ApiUnderTest;
let browser: Browser;

beforeAll(async () => {
  t = await startApiUnderTest('process_submissions_page');
  const designer = await t.db.selectFrom('users').selectAll().where('username', '=', 'thietke').executeTakeFirstOrThrow();
  await t.db.insertInto('users').values({ ...designer, username: 'thietke-lanhdao', email: 'thietke-lanhdao@example.invalid', roles: ['processDesigner', 'leader'] }).execute();
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

const open = async (username: string): Promise<Page> => {
  const page = await logInPage(browser, t.api.url, username, undefined, STAFF_PASSWORD);
  // from the header's "Quy trình" link (on the inbox where a log-in lands), then the designers' tools
  await Promise.all([page.waitForURL('**/quy-trinh'), page.click('header a[href="/quy-trinh"]')]);
  await Promise.all([page.waitForURL('**/quy-trinh/trien-khai'), page.click('nav.tools a[href="/quy-trinh/trien-khai"]')]);
  await page.locator('body[data-loaded]').waitFor();
  return page;
};

async function upload(page: Page, draft: { processId: string; xml: string }, effectiveFrom: string): Promise<void> {
  await page.setInputFiles('#model', { name: `${draft.processId}.bpmn`, mimeType: 'application/xml', buffer: Buffer.from(draft.xml, 'utf8') });
  await page.fill('#effectiveFrom', effectiveFrom);
  await page.click('#upload button[type=submit]');
  await page.locator('#notice').filter({ hasText: `Đã gửi ${draft.processId}` }).waitFor();
}

const row = (page: Page, processId: string) => page.locator('#submissions tr', { hasText: processId });

test('upload by thietke, self-approval refused, approval and rejection by lanhdao', async () => {
  const first = await nationalDraft(daysAfterToday(20));
  const second = await nationalDraft(daysAfterToday(40));

  const designer = await open('thietke');
  expect(await designer.locator('#submit').isVisible()).toBe(true);
  // a date other than the model's is refused, named in Vietnamese
  await designer.setInputFiles('#model', { name: 'x.bpmn', mimeType: 'application/xml', buffer: Buffer.from(first.xml, 'utf8') });
  await designer.fill('#effectiveFrom', daysAfterToday(21));
  await designer.click('#upload button[type=submit]');
  await designer.locator('#message').filter({ hasText: 'khác ngày hiệu lực ghi trong mô hình' }).waitFor();
  await upload(designer, first, daysAfterToday(20));
  await row(designer, first.processId).filter({ hasText: 'Chờ phê duyệt' }).waitFor();
  expect(await row(designer, first.processId).locator('button').count()).toBe(0); // a designer decides nothing
  expect(await allViolations(designer)).toEqual([]);

  const both = await open('thietke-lanhdao');
  await upload(both, second, daysAfterToday(40));
  await row(both, second.processId).locator('[data-approve]').click();
  await both.locator('#message').filter({ hasText: 'không được tự phê duyệt' }).waitFor();
  await row(both, second.processId).filter({ hasText: 'Chờ phê duyệt' }).waitFor();

  const leader = await open('lanhdao');
  const sha = createHash('sha256').update(first.xml, 'utf8').digest('hex');
  expect(await row(leader, first.processId).locator('code.sha').textContent()).toBe(sha);
  expect(await row(leader, first.processId).textContent()).toContain('Đạt (cùng quy tắc như khi triển khai)');
  expect(await allViolations(leader)).toEqual([]);
  await row(leader, first.processId).locator('[data-approve]').click();
  await leader.locator('#notice').filter({ hasText: `Đã phê duyệt và triển khai ${first.processId} (SHA-256 ${sha})` }).waitFor();
  await row(leader, first.processId).filter({ hasText: 'Đã triển khai' }).waitFor();

  const reject = row(leader, second.processId);
  await reject.locator('input[name=reason]').fill('Chưa có văn bản làm căn cứ pháp lý');
  await reject.locator('form[data-reject] button').click();
  await row(leader, second.processId).filter({ hasText: 'Lý do: Chưa có văn bản làm căn cứ pháp lý' }).waitFor();
  expect(await allViolations(leader)).toEqual([]);
  expectCspKept(designer, both, leader);

  const statuses = await t.db.selectFrom('processSubmissions').select(['bpmnProcessId', 'status', 'submittedBy', 'decidedBy']).orderBy('id').execute();
  expect(statuses).toEqual([
    { bpmnProcessId: first.processId, status: 'deployed', submittedBy: 'thietke', decidedBy: 'lanhdao' },
    { bpmnProcessId: second.processId, status: 'rejected', submittedBy: 'thietke-lanhdao', decidedBy: 'lanhdao' },
  ]);
});
