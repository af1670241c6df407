/** `lltp handover` refuses bad flags with exit 2, naming the flag, before any service is reached. */
import { runCli } from '../../../server/cli/lltp';
import type { CliIo } from '../../../server/cli/io';

async function lltp(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  // a database nobody listens on: a flag checked after connecting would fail with exit 1, not 2
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), env: { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }, now: () => new Date('2025-02-28T07:00:00Z') };
  const code = await runCli(argv, io);
  return { code, out, err };
}

const GOOD = { '--from': 'STP.KHA', '--to': 'CA.KHA', '--on': '2025-03-01', '--actor': 'quantri' };
const flags = (change: Record<string, string | null>): string[] =>
  Object.entries({ ...GOOD, ...change }).flatMap(([flag, value]) => (value === null ? [] : [flag, value]));

test.each([
  ['a receiver that does not succeed the source', { '--from': 'CA.KHA', '--to': 'STP.KHA' }, /^lltp: lỗi: --to: STP\.KHA không kế thừa CA\.KHA/],
  ['a receiver this installation does not run', { '--to': 'CA.NTH' }, /^lltp: lỗi: --to: cơ quan CA\.NTH không do hệ thống này vận hành/],
  ['an unknown source', { '--from': 'STP.XYZ' }, /^lltp: lỗi: --from: không có cơ quan STP\.XYZ/],
  ['a date before the successor', { '--on': '2025-02-28' }, /^lltp: lỗi: --on: CA\.KHA không nhận hồ sơ ngày 2025-02-28/],
  ['a date that is no date', { '--on': '1/3/2025' }, /^lltp: lỗi: --on: "1\/3\/2025" không phải ngày/],
  ['no actor', { '--actor': null }, /^lltp: lỗi: thiếu tùy chọn bắt buộc --actor/],
])('%s: exit 2 naming the flag', async (_case, change, message) => {
  const { code, out, err } = await lltp('handover', ...flags(change));
  expect(code).toBe(2);
  expect(out).toEqual([]);
  expect(err).toEqual([expect.stringMatching(message)]);
});
