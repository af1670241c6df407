/**
 * The process designers' versions page (issue 27, items 1 and 2) on the real API and
 * PostgreSQL, and in Debian's Chromium:
 * - `GET /api/process-versions`: every version of the catalog, with its latest deployment on
 *   record (or null) and the dossiers it governs, open and closed, counted from a few dossiers
 *   written into the read model; roles (401 without a session, 403 for the one-stop desk) and
 *   bad ids (400 naming the parameter, 404 naming the unknown version);
 * - `/quy-trinh` as `thietke`: the list with its counts, the comparison of R2b with Law 107's
 *   version showing the statutory deadline row and the changed steps marked on both diagrams;
 *   axe finds nothing; the desk is refused and sees no link to the page;
 * - the counts' queries use the indexes of migration 0020 on 20,000 dossiers.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import type { Browser } from 'playwright-core';
import { governedCountQueries } from '../../../server/designer/versions';
import { STAFF_PASSWORD, startApiUnderTest, type ApiUnderTest } from '../../support/api';
import { allViolations } from '../../support/axe';
import { expectCspKept, launchChromium, logInPage } from '../../support/browser';
import { monotonicMs, testNow } from '../../support/clock';
import { insertLiteralDossier } from '../../support/literal-dossier';

const R2B = 'quy-trinh-570-v20250701';
const R3 = 'quy-trinh-570-v20260701';
const PV06_R2B = 'khanh-hoa-pv06-v20250301';
const PV06_R3 = 'khanh-hoa-pv06-v20260701';
const DAY_MS = 86_400_000;
const ARTIFACTS = path.resolve(__dirname, '../../../.cache/test-artifacts');

let t: ApiUnderTest;
let browser: Browser;

/** Open and closed dossiers written per national and internal version: R3 2 open 1 closed, R2b 2 closed. */
const FIXTURE = [
  { n: 1, processId: R3, internalProcessId: PV06_R3, closed: false },
  { n: 2, processId: R3, internalProcessId: PV06_R3, closed: false },
  { n: 3, processId: R3, internalProcessId: PV06_R3, closed: true },
  { n: 4, processId: R2B, internalProcessId: PV06_R2B, closed: true },
  { n: 5, processId: R2B, internalProcessId: PV06_R2B, closed: true },
];

beforeAll(async () => {
  t = await startApiUnderTest('process_versions');
  const received = testNow(-10 * DAY_MS);
  for (const d of FIXTURE) {
    const code = `CA.KHA-${String(d.n).padStart(6, '0')}-0001`;
    await insertLiteralDossier(t.db, { code, receiptNumber: `BN-QT-${d.n}`, receivedAt: received, statutoryDueAt: testNow(), targetDueAt: testNow(), calendarVersion: 1, processId: d.processId, internalProcessId: d.internalProcessId });
    if (d.closed) await t.db.updateTable('dossiers').set({ status: 'closed', outcome: 'issued', finishedAt: testNow(-DAY_MS) }).where('code', '=', code).execute();
  }
  const deployment = { resourceName: `${R3}.bpmn`, sha256: 'ab'.repeat(32), actor: 'quantri', via: 'cli' as const };
  await t.db
    .insertInto('processDeployments')
    .values([
      { ...deployment, bpmnProcessId: R3, zeebeVersion: 1, processDefinitionKey: '2251799813685001', deployedAt: testNow(-2 * DAY_MS) },
      { ...deployment, bpmnProcessId: R3, zeebeVersion: 2, processDefinitionKey: '2251799813685002', deployedAt: testNow(-DAY_MS) },
    ])
    .execute();
  browser = await launchChromium();
}, 120000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

interface VersionAnswer {
  bpmnProcessId: string;
  kind: string;
  period: { from: string; to: string | null };
  legalBasis: string;
  agencies: { code: string }[];
  deployment: { processDefinitionKey: string; zeebeVersion: number; actor: string; via: string; deployedAt: string } | null;
  dossiers: { open: number; closed: number };
}

describe('GET /api/process-versions', () => {
  test('every version of the catalog, with its latest deployment on record and the dossiers it governs', async () => {
    const answer = await t.get('/api/process-versions', await t.login('thietke'));
    expect(answer.status).toBe(200);
    const versions = answer.body.versions as VersionAnswer[];
    expect(versions.map((v) => v.bpmnProcessId).sort()).toEqual([
      'khanh-hoa-2799-v20241001',
      'khanh-hoa-2799-v20241029',
      PV06_R2B,
      PV06_R3,
      'quy-trinh-570-v20241001',
      'quy-trinh-570-v20250301',
      R2B,
      R3,
    ]);
    const byId = Object.fromEntries(versions.map((v) => [v.bpmnProcessId, v]));
    expect(Object.fromEntries(versions.map((v) => [v.bpmnProcessId, v.dossiers]))).toEqual({
      'khanh-hoa-2799-v20241001': { open: 0, closed: 0 },
      'khanh-hoa-2799-v20241029': { open: 0, closed: 0 },
      [PV06_R2B]: { open: 0, closed: 2 },
      [PV06_R3]: { open: 2, closed: 1 },
      'quy-trinh-570-v20241001': { open: 0, closed: 0 },
      'quy-trinh-570-v20250301': { open: 0, closed: 0 },
      [R2B]: { open: 0, closed: 2 },
      [R3]: { open: 2, closed: 1 },
    });
    expect(byId[R3]).toMatchObject({ kind: 'national', period: { from: '2026-07-01', to: null }, agencies: [{ code: 'CA.KHA' }] });
    expect(byId[R3]!.legalBasis).toContain('107/2025/QH15');
    expect(byId[R3]!.deployment).toMatchObject({ processDefinitionKey: '2251799813685002', zeebeVersion: 2, actor: 'quantri', via: 'cli' });
    expect(byId[R2B]).toMatchObject({ kind: 'national', period: { from: '2025-07-01', to: '2026-07-01' }, deployment: null });
    expect(byId[PV06_R2B]).toMatchObject({ kind: 'internal', period: { from: '2025-03-01', to: '2026-07-01' } });
    expect(byId['khanh-hoa-2799-v20241029']!.agencies).toEqual([{ code: 'STP.KHA', name: 'Sở Tư pháp tỉnh Khánh Hòa' }]);
  });

  test('leaders and administrators may read it too; no session 401, the one-stop desk 403', async () => {
    for (const username of ['lanhdao', 'quantri']) expect([username, (await t.get('/api/process-versions', await t.login(username))).status]).toEqual([username, 200]);
    expect((await t.get('/api/process-versions')).status).toBe(401);
    const desk = await t.login('motcua');
    for (const path of ['/api/process-versions', `/api/process-versions/compare?a=${R2B}&b=${R3}`, `/api/process-versions/${R3}/diagram`]) {
      expect([path, (await t.get(path, desk)).status]).toEqual([path, 403]);
    }
  });

  test('a bad id is a 400 naming the parameter, an unknown version a 404 naming it', async () => {
    const headers = await t.login('thietke');
    const cases: [string, number, string, string][] = [
      [`/api/process-versions/compare?b=${R3}`, 400, 'a', 'a: thiếu'],
      [`/api/process-versions/compare?a=${R2B}&b=Bad%20Id`, 400, 'b', 'b: không phải mã phiên bản quy trình'],
      [`/api/process-versions/compare?a=${R2B}&a=${R3}&b=${R3}`, 400, 'a', 'a: không phải'],
      [`/api/process-versions/compare?a=${R2B}&b=quy-trinh-570-v20990101`, 404, 'b', 'quy-trinh-570-v20990101'],
      ['/api/process-versions/quy-trinh-570-v20990101/diagram', 404, 'bpmnProcessId', 'quy-trinh-570-v20990101'],
      ['/api/process-versions/Quy_Trinh/diagram', 400, 'bpmnProcessId', 'bpmnProcessId: không phải'],
    ];
    for (const [path, status, parameter, message] of cases) {
      const answer = await t.get(path, headers);
      expect([path, answer.status, answer.body.parameter]).toEqual([path, status, parameter]);
      expect(String(answer.body.error)).toContain(message);
    }
  });

  test('the diagram is the model file; the comparison has the statutory deadline row and the element diff', async () => {
    const headers = await t.login('thietke');
    const diagram = await fetch(`${t.api.url}/api/process-versions/${R3}/diagram`, { headers });
    expect([diagram.status, diagram.headers.get('content-type')]).toEqual([200, expect.stringContaining('application/xml')]);
    expect(await diagram.text()).toContain(`id="${R3}"`);
    const compared = await t.get(`/api/process-versions/compare?a=${R2B}&b=${R3}`, headers);
    expect(compared.status).toBe(200);
    expect(compared.body.properties).toContainEqual({ elementId: null, elementName: '(cấp quy trình)', property: 'lltp:deadline.statutory', label: 'Thời hạn giải quyết theo luật', a: '10wd', b: '5wd', change: 'changed' });
    expect((compared.body.elements as { changed: { id: string }[] }).changed.map((c) => c.id)).toContain('awaitPoliceAnswer');
  });
});

describe('the page /quy-trinh in Chromium', () => {
  test('the designer sees every version with its counts, compares R2b with Law 107 and sees the deadline row and the marked steps; axe finds nothing', async () => {
    const page = await logInPage(browser, t.api.url, 'thietke', undefined, STAFF_PASSWORD);
    expect(await page.locator('#nav-designer').isVisible()).toBe(true);
    await page.goto(`${t.api.url}/quy-trinh`);
    await page.locator('body[data-loaded="versions"]').waitFor({ timeout: 15000 });
    expect(await page.locator('#versions tbody tr').count()).toBe(8);
    const row = page.locator(`#versions tr[data-version="${R3}"]`);
    expect([await row.locator('[data-count="open"]').textContent(), await row.locator('[data-count="closed"]').textContent()]).toEqual(['2', '1']);
    expect(await row.textContent()).toContain('khóa 2251799813685002, phiên bản Zeebe 2');
    expect(await page.locator(`#versions tr[data-version="${R2B}"]`).textContent()).toContain('chưa ghi nhận');
    expect(await page.locator('nav.tools a[href="/quy-trinh/thu-nghiem"]').textContent()).toBe('Thử nghiệm mô hình nháp');
    expect(await page.locator('nav.tools a[href="/quy-trinh/trien-khai"]').textContent()).toBe('Triển khai có phê duyệt');
    expect(await allViolations(page)).toEqual([]);

    await page.selectOption('#a', R2B);
    await page.selectOption('#b', R3);
    await page.click('#compare-form button[type=submit]');
    await page.locator(`body[data-loaded="compare ${R2B} ${R3}"]`).waitFor({ timeout: 15000 });
    const deadline = page.locator('#properties tr[data-property="lltp:deadline.statutory"]');
    expect((await deadline.locator('td').allTextContents()).map((s) => s.trim())).toEqual(['(cấp quy trình)', 'Thời hạn giải quyết theo luậtlltp:deadline.statutory', '10wd', '5wd', '~ sửa']);
    // the changed police step is marked on both diagrams: a CSS class for the colour, a badge saying it in words
    for (const canvas of ['#canvas-a', '#canvas-b']) {
      expect(await page.locator(`${canvas} [data-element-id="awaitPoliceAnswer"].diff-changed`).count()).toBe(1);
      expect(await page.locator(`${canvas} .djs-overlays[data-container-id="awaitPoliceAnswer"] [data-marker="changed"]`).textContent()).toBe('~ sửa');
    }
    expect(await page.locator('#legend').isVisible()).toBe(true);
    expect(await allViolations(page)).toEqual([]);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'quy-trinh.png'), fullPage: true });
    // the comparison's address opens it again
    expect(page.url()).toContain(`?a=${R2B}&b=${R3}`);
    // one version's diagram from the list, without markers
    await page.click(`#versions [data-diagram="${PV06_R3}"]`);
    await page.locator(`body[data-loaded="diagram ${PV06_R3}"]`).waitFor({ timeout: 15000 });
    expect(await page.locator('#figure-a').isHidden()).toBe(true);
    expect(await page.locator('#canvas-b .djs-element').count()).toBeGreaterThan(5);
    expect(await page.locator('#canvas-b [data-marker]').count()).toBe(0);

    const desk = await logInPage(browser, t.api.url, 'motcua', undefined, STAFF_PASSWORD);
    expect(await desk.locator('#nav-designer').isHidden()).toBe(true);
    await desk.goto(`${t.api.url}/quy-trinh`);
    await desk.locator('body[data-loaded="refused"]').waitFor({ timeout: 15000 });
    expect(await desk.locator('#message').textContent()).toContain('không có quyền');
    expectCspKept(page, desk);
  }, 120000);
});

describe('the counts on 20,000 dossiers', () => {
  test('each grouped count reads an index of migration 0020, not the table', async () => {
    await sql`
      INSERT INTO dossiers (code, receipt_number, agency_code, source, channel, unit_id, process_id, internal_process_id, variant,
        statutory_working_days, target_working_days, apology_lead_minutes, received_at, clock_start_at, status, outcome, finished_at)
      SELECT 'CA.KHA-' || lpad(i::text, 6, '0') || '-0002', 'BN-QT-BULK-' || i, 'CA.KHA', 'vneid', 'online', 'stp-mot-cua',
        CASE WHEN i % 2 = 0 THEN ${R3} ELSE ${R2B} END, CASE WHEN i % 2 = 0 THEN ${PV06_R3} ELSE ${PV06_R2B} END, 'ordinary', 5, 3, 480,
        ${testNow(-30 * DAY_MS)}, ${testNow(-30 * DAY_MS)}, CASE WHEN i % 10 = 0 THEN 'open' ELSE 'closed' END,
        CASE WHEN i % 10 = 0 THEN NULL ELSE 'issued' END, CASE WHEN i % 10 = 0 THEN NULL ELSE ${testNow(-20 * DAY_MS)}::timestamptz END
      FROM generate_series(1, 20000) AS i`.execute(t.db);
    await sql`VACUUM ANALYZE dossiers`.execute(t.db);
    const plain = t.db.withoutPlugins();
    const plans: Record<string, string> = {};
    for (const [kind, query] of Object.entries(governedCountQueries(t.db))) {
      const compiled = query.compile();
      const started = monotonicMs();
      const result = await plain.executeQuery<{ 'QUERY PLAN': string }>({ ...sql`EXPLAIN ANALYZE ${sql.raw(compiled.sql)}`.compile(plain), parameters: compiled.parameters });
      plans[kind] = result.rows.map((r) => r['QUERY PLAN']).join('\n');
      console.log(`process-versions ${kind} count on 20,005 dossiers: ${Math.round(monotonicMs() - started)} ms\n${plans[kind]}`);
    }
    expect(plans.national).toMatch(/Index Only Scan using dossiers_by_process on dossiers/);
    expect(plans.internal).toMatch(/Index Only Scan using dossiers_by_internal_process on dossiers/);
    expect(Object.values(plans).join('\n')).not.toMatch(/Seq Scan/);
  }, 60000);
});
