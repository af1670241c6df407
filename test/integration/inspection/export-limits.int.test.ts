/**
 * Bounded exports (issue 29, item 4) through the real API on PostgreSQL: a list above its format's
 * row cap is refused with a 413 in Vietnamese naming the cap and the count; one export more than
 * the slots allow (in total, or for one user) is refused with 429 and Retry-After; only an
 * administrator regenerates a weekly report, and every regeneration is audited.
 *
 * Three dossiers received on 2, 3 and 4 November 2026; the PDF cap is 2 here, the slots 2 in
 * total and 1 per user. Exports are held at a gate (the service's writeExport waits for it before
 * writing the real file) until the refused request has had its answer, so which requests overlap
 * does not depend on timing.
 * @fixed-instants the product's clock is pinned at 8/12/2026 09:00 and the dossiers sit in November 2026, whatever LLTP_TEST_NOW says.
 */
import { loadSeed } from '../../../server/calendar/seed';
import { seedCalendar } from '../../../server/calendar/store';
import { createCalendarProvider } from '../../../server/calendar/provider';
import { writeExport } from '../../../server/inspection/export';
import { filterVocabulary, inspectionService } from '../../../server/inspection';
import { ExportSlots } from '../../../server/inspection/limits';
import { inspectionRoutes } from '../../../server/inspection/routes';
import { insertLiteralDossier } from '../../support/literal-dossier';
import { loadProcessCatalog } from '../../../server/sla';
import { testClock } from '../../support/clock';
import { startTestApp, type TestApp } from '../../support/app';

const at = (text: string): Date => new Date(`${text}+07:00`);
const NOW = at('2026-12-08T09:00:00');
const PERIOD = 'from=2026-11-01&to=2026-11-30';
const PDF_CAP = 2;
const RETRY_AFTER = 7;

let app: TestApp;
let slots: ExportSlots;
/** While set, every export waits for it before writing its file. */
let gate: Promise<void> | null = null;

beforeAll(async () => {
  const catalog = await loadProcessCatalog();
  const now = (): Date => NOW;
  slots = new ExportSlots({ maxConcurrent: 2, maxConcurrentPerUser: 1, retryAfterSeconds: RETRY_AFTER });
  app = await startTestApp('export-limits', (db, config) => {
    const provider = createCalendarProvider({ db, now, refreshMs: 3_600_000 });
    const service = inspectionService({ db, config: { ...config, EXPORT_MAX_ROWS_PDF: PDF_CAP }, catalog, calendars: () => provider.current(), now });
    const gated: typeof service = {
      ...service,
      writeExport: async (format, doc) => {
        await gate;
        return writeExport(format, doc);
      },
    };
    const router = inspectionRoutes({ service: gated, vocabulary: () => Promise.resolve(filterVocabulary(catalog)), cutoff: config.REPORT_WEEK_CUTOFF, auth: { db, now: testClock() }, slots });
    return [{ path: '/api', router }];
  });
  await seedCalendar(app.db, loadSeed(), { actor: 'test', now });
  const calendars = await createCalendarProvider({ db: app.db, now, refreshMs: 3_600_000 }).current();
  for (const [i, day] of ['2026-11-02', '2026-11-03', '2026-11-04'].entries()) {
    const receivedAt = at(`${day}T08:00:00`);
    const dueAt = at(`${day}T16:00:00`);
    await insertLiteralDossier(app.db, {
      code: `STP.KHA-261102-090${i}`,
      receiptNumber: `LIMIT-${i}`,
      receivedAt,
      statutoryDueAt: dueAt,
      targetDueAt: dueAt,
      calendarVersion: calendars.version,
      processId: 'quy-trinh-570-v20241001',
      internalProcessId: 'khanh-hoa-2799-v20241029',
    });
  }
}, 60000);

afterAll(async () => app?.stop());

interface Answer {
  status: number;
  body: Record<string, unknown>;
  retryAfter: string | null;
}

async function call(method: 'GET' | 'POST', path: string, username: string): Promise<Answer> {
  const response = await fetch(`${app.url}${path}`, { method, headers: { authorization: `Bearer ${await app.login(username)}` } });
  const text = Buffer.from(await response.arrayBuffer()).toString('utf8');
  const body = response.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as Record<string, unknown>) : {};
  return { status: response.status, body, retryAfter: response.headers.get('retry-after') };
}

test('a PDF of more dossiers than its cap is refused with 413 naming the cap, the count and how to narrow the filter; within the cap it is written', async () => {
  const refused = await call('GET', `/api/inspection/dossiers?${PERIOD}&format=pdf`, 'thanhtra');
  expect(refused.status).toBe(413);
  expect(refused.body).toMatchObject({ format: 'pdf', limit: PDF_CAP, count: 3 });
  expect(refused.body.error).toBe(
    'Danh sách có 3 hồ sơ, vượt giới hạn 2 hồ sơ của tệp PDF. Hãy thu hẹp bộ lọc: chọn khoảng thời gian ngắn hơn (from, to), một đơn vị (unit) hoặc một trạng thái (status) hoặc xuất dạng XLSX/CSV.',
  );
  const audited = await app.db.selectFrom('audit').select('id').where('action', '=', 'inspection.export.dossiers').execute();
  expect(audited).toHaveLength(0);

  // a shorter period (2 and 3 November) is within the cap; the same month as CSV is within its cap
  const narrowed = await call('GET', '/api/inspection/dossiers?from=2026-11-01&to=2026-11-03&format=pdf', 'thanhtra');
  expect(narrowed.status).toBe(200);
  expect((await call('GET', `/api/inspection/dossiers?${PERIOD}&format=csv`, 'thanhtra')).status).toBe(200);
}, 60000);

test.each([
  { scope: 'total', users: ['thanhtra', 'giamsat', 'lanhdao'], message: 'Hệ thống đang xuất 2 tệp hoặc lập báo cáo cùng lúc (tối đa 2). Vui lòng thử lại sau 7 giây.' },
  { scope: 'user', users: ['thanhtra', 'thanhtra'], message: 'Bạn đang có 1 yêu cầu xuất tệp hoặc lập báo cáo chưa xong (tối đa 1 cùng lúc). Vui lòng thử lại sau 7 giây.' },
])('one export more than the $scope slots allow is refused with 429 and Retry-After; the others are written', async ({ users, message }) => {
  let open!: () => void;
  gate = new Promise((resolve) => (open = resolve));
  try {
    const answers = users.map((user) => call('GET', `/api/inspection/dossiers?${PERIOD}&format=csv`, user));
    const refused = await Promise.race(answers);
    expect(refused).toMatchObject({ status: 429, retryAfter: String(RETRY_AFTER), body: { error: message } });
    open();
    const statuses = (await Promise.all(answers)).map((answer) => answer.status).sort();
    expect(statuses).toEqual([...users.slice(1).map(() => 200), 429]);
  } finally {
    gate = null;
    open();
  }
  expect(slots.running).toBe(0);
}, 60000);

test('only an administrator regenerates a weekly report, and each regeneration is audited', async () => {
  const inspector = await call('POST', '/api/reports/weekly/2026-11-27/regenerate', 'thanhtra');
  expect(inspector.status).toBe(403);
  expect(await app.db.selectFrom('weeklyReports').select('revision').where('weekEnding', '=', '2026-11-27').execute()).toHaveLength(0);

  const first = await call('POST', '/api/reports/weekly/2026-11-27/regenerate', 'quantri');
  const second = await call('POST', '/api/reports/weekly/2026-11-27/regenerate', 'quantri');
  expect([first.status, second.status]).toEqual([201, 201]);
  expect(second.body).toMatchObject({ revision: 2, previousRevision: 1 });
  const audited = await app.db.selectFrom('audit').select(['actor', 'detail']).where('action', '=', 'inspection.weekly.regenerate').orderBy('id').execute();
  expect(audited.map((entry) => entry.actor)).toEqual(['quantri', 'quantri']);
  expect(audited[0]!.detail).toMatch(/^tuần kết thúc 2026-11-27: lần lập 1, SHA-256 nội dung [0-9a-f]{64}$/);
  expect(audited[1]!.detail).toMatch(/^tuần kết thúc 2026-11-27: lần lập 2 \(thay lần 1\), SHA-256 nội dung [0-9a-f]{64}$/);
  // the administrator reads the archive that the page's "Lập lại" button sits in
  expect((await call('GET', '/api/reports/weekly', 'quantri')).status).toBe(200);
}, 60000);
