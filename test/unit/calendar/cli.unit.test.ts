/** The `lltp calendar` commands in-process, on the shipped seed (`--seed`): no service touched. */
import { runCli } from '../../../server/cli/lltp';
import type { CliIo } from '../../../server/cli/io';

async function lltp(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), env: {}, now: () => new Date('2026-03-02T01:00:00Z') };
  const code = await runCli(argv, io);
  return { code, out, err };
}

describe('lltp calendar add / between / days --seed --json', () => {
  test.each([
    [['--from', '2026-02-13T16:00:00+07:00', '--minutes', '120'], { due: '2026-02-23T08:30:00+07:00', estimated: false }],
    [['--from', '2026-02-13T09:00:00Z', '--minutes', '120'], { due: '2026-02-23T08:30:00+07:00', estimated: false }],
    [['--from', '2026-02-13T16:00', '--minutes', '120', '--channel', 'paper'], { due: '2026-02-23T09:30:00+07:00', estimated: false }],
    [['--from', '2026-02-13T16:00', '--minutes', '120', '--channel', 'online'], { due: '2026-02-23T08:30:00+07:00', estimated: false }],
    [['--from', '2026-02-23T09:00', '--minutes', '-120'], { due: '2026-02-13T16:30:00+07:00', estimated: false }],
    [['--from', '2026-12-28T08:00', '--minutes', '4800'], { due: '2027-01-12T08:00:00+07:00', estimated: true }],
    [['--from', '2025-03-07T16:00', '--minutes', '120', '--unit', 'khong-co-gio-rieng'], { due: '2025-03-10T08:30:00+07:00', estimated: false }],
  ])('add %j', async (args, expected) => {
    const { code, out, err } = await lltp('calendar', 'add', ...args, '--seed', '--json');
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out).toHaveLength(1);
    expect(JSON.parse(out[0] as string)).toEqual(expected);
  });

  test('between', async () => {
    const { code, out } = await lltp('calendar', 'between', '--from', '2026-02-13T07:30', '--to', '2026-02-23T07:30', '--seed', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out[0] as string)).toEqual({ minutes: 480 });
  });

  test('days lists weekday days off, make-up Saturdays and pending days with name, basis and status', async () => {
    const { code, out } = await lltp('calendar', 'days', '--year', '2026', '--seed', '--json');
    expect(code).toBe(0);
    const listing = JSON.parse(out[0] as string) as { status: string; days: { date: string; kind: string; name: string; basis: string; status: string }[] };
    expect(listing.status).toBe('official');
    expect(listing.days.find((d) => d.date === '2026-01-10')).toMatchObject({ kind: 'makeUp', status: 'official', name: 'Làm bù cho thứ Sáu 02/01/2026' });
    expect(listing.days.find((d) => d.date === '2026-04-27')).toMatchObject({ kind: 'dayOff', basis: expect.stringContaining('Thông báo 9441/TB-BNV') as unknown });
    expect(listing.days.find((d) => d.date === '2026-11-24')).toMatchObject({ kind: 'pending', status: 'pending' });
    expect(listing.days.filter((d) => d.kind === 'dayOff')).toHaveLength(13);
  });

  test('days of a year with no official schedule are estimated', async () => {
    const { out } = await lltp('calendar', 'days', '--year', '2027', '--seed', '--json');
    const listing = JSON.parse(out[0] as string) as { status: string; days: { status: string }[] };
    expect(listing.status).toBe('estimated');
    expect(new Set(listing.days.map((d) => d.status))).toEqual(new Set(['estimated']));
  });

  test('without --json the answer is Vietnamese text', async () => {
    const { out } = await lltp('calendar', 'add', '--from', '2026-12-28T08:00', '--minutes', '4800', '--seed');
    expect(out).toEqual(['Hạn: 2027-01-12 08:00 (thứ Ba, giờ Việt Nam) — ước tính: dựa trên lịch nghỉ chưa chính thức']);
  });
});

describe('bad arguments: one line on stderr, exit code 2', () => {
  test.each([
    [['calendar', 'add', '--from', '2026-02-13T16:00', '--minutes', '1.5', '--seed'], 'lltp: lỗi: --minutes phải là số nguyên phút (nhận: "1.5")'],
    [['calendar', 'add', '--from', '2026-02-13T16:00', '--minutes', 'mười', '--seed'], 'lltp: lỗi: --minutes phải là số nguyên phút (nhận: "mười")'],
    [['calendar', 'add', '--from', '2026-02-13T16:00', '--minutes', '99999999999', '--seed'], 'lltp: lỗi: minutes quá lớn: 99999999999 (tối đa ±10000000 phút làm việc)'],
    [['calendar', 'add', '--from', '2026-02-13T16:00', '--seed'], 'lltp: lỗi: thiếu tùy chọn bắt buộc --minutes'],
    [['calendar', 'add', '--minutes', '5', '--seed'], 'lltp: lỗi: thiếu tùy chọn bắt buộc --from'],
    [['calendar', 'add', '--from', '13/02/2026', '--minutes', '5', '--seed'], 'lltp: lỗi: --from: thời điểm không hợp lệ: "13/02/2026" (cần dạng ISO 8601, ví dụ 2026-02-23T09:30:00+07:00)'],
    [['calendar', 'add', '--from', '1999-12-31T10:00', '--minutes', '5', '--seed'], 'lltp: lỗi: --from 1999-12-31T10:00 (1999-12-31T03:00:00.000Z) nằm ngoài phạm vi lịch hỗ trợ (2000–2100)'],
    [['calendar', 'add', '--from', '2100-12-31T10:00', '--minutes', '4800', '--seed'], 'lltp: lỗi: Kết quả nằm ngoài phạm vi lịch hỗ trợ (2000–2100)'],
    [['calendar', 'add', '--from', '2026-02-13T16:00', '--minutes', '5', '--channel', 'fax', '--seed'], 'lltp: lỗi: --channel phải là online hoặc paper (nhận: "fax")'],
    [['calendar', 'between', '--from', '2026-02-13T16:00', '--to', 'mai', '--seed'], 'lltp: lỗi: --to: thời điểm không hợp lệ: "mai" (cần dạng ISO 8601, ví dụ 2026-02-23T09:30:00+07:00)'],
    [['calendar', 'days', '--year', '1999', '--seed'], 'lltp: lỗi: --year phải trong khoảng 2000–2100 (nhận: 1999)'],
    [['calendar', 'days', '--year', '2026.5', '--seed'], 'lltp: lỗi: --year phải là số nguyên năm (nhận: "2026.5")'],
    [['calendar', 'add', '--from', '2026-02-13T16:00', '--minutes', '5', '--bogus'], 'lltp: lỗi: tùy chọn không hợp lệ: --bogus'],
    [['calendar', 'frobnicate'], 'lltp: lỗi: lệnh không hợp lệ: frobnicate'],
    [['calendar'], 'lltp: lỗi: thiếu lệnh; xem --help'],
    [['calendar', 'admin', 'add-day-off', '--date', '2026-03-16', '--name', 'x', '--basis', 'y'], 'lltp: lỗi: thiếu tùy chọn bắt buộc --actor'],
  ])('%j', async (argv, message) => {
    const { code, out, err } = await lltp(...argv);
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err).toEqual([message]);
  });

  test('--help exits 0', async () => {
    const { code, out } = await lltp('calendar', 'add', '--help');
    expect(code).toBe(0);
    expect(out.join('\n')).toContain('--minutes <n>');
  });
});
