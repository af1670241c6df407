/**
 * `lltp report monthly` refuses bad flags before it opens the database: one Vietnamese line on
 * stderr naming the flag, exit code 2 (the report itself: test/integration/inspection/monthly-page.int.test.ts).
 */
import { runCli } from '../../../server/cli/lltp';
import type { CliIo } from '../../../server/cli/io';

/** An instant the test chooses: December 2026 has not ended, November has. */
const NOW = new Date('2026-12-08T09:00:00+07:00');

async function lltp(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  // no DATABASE_URL that answers: a flag error must come before any connection
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), env: { DATABASE_URL: 'postgresql://lltp@127.0.0.1:1/khong-co' }, now: () => NOW };
  return { code: await runCli(argv, io), out, err };
}

test.each([
  [['report', 'monthly'], 'lltp: lỗi: thiếu tùy chọn bắt buộc --month'],
  [['report', 'monthly', '--month', '2026-13'], 'lltp: lỗi: --month: phải là tháng YYYY-MM (nhận: 2026-13)'],
  [['report', 'monthly', '--month', '11/2026'], 'lltp: lỗi: --month: phải là tháng YYYY-MM (nhận: 11/2026)'],
  [['report', 'monthly', '--month', '2026-12'], 'lltp: lỗi: --month: tháng 2026-12 chưa đến giờ chốt (REPORT_MONTH_CUTOFF)'],
  [['report', 'monthly', '--month', '2026-11', '--format', 'docx'], 'lltp: lỗi: --format: giá trị không hợp lệ (phải là một trong json, xlsx, pdf)'],
  [['report', 'monthly', '--month', '2026-11', '--format', 'pdf'], 'lltp: lỗi: --format pdf cần --out TỆP'],
  [['report', 'monthly', '--month', '2026-11', '--week-ending', '2026-11-27'], 'lltp: lỗi: tùy chọn không hợp lệ: --week-ending'],
  [['report', 'monthly', '--month'], 'lltp: lỗi: --month thiếu giá trị'],
])('%j exits 2 naming the flag', async (argv, message) => {
  const { code, out, err } = await lltp(...argv);
  expect({ code, out, err }).toEqual({ code: 2, out: [], err: [message] });
});

test('--help names the flags', async () => {
  const { code, out } = await lltp('report', 'monthly', '--help');
  expect(code).toBe(0);
  expect(out.join('\n')).toMatch(/--month <YYYY-MM>[\s\S]*--format <format>[\s\S]*--out <file>/);
});
