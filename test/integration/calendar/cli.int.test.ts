/**
 * The real `lltp` executable (bin/lltp.js, and `npx lltp` from the repository root) reading and
 * editing the live calendar in the local PostgreSQL.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../../support/database';

const repo = path.resolve(__dirname, '../../..');
let testDb: TestDatabase;
let uri = '';

function lltp(args: string[], env: Record<string, string> = {}, viaNpx = false): { code: number | null; stdout: string; stderr: string } {
  const [command, prefix] = viaNpx ? ['npx', ['--no-install', 'lltp']] : [process.execPath, [path.join(repo, 'bin/lltp.js')]];
  const result = spawnSync(command, [...prefix, ...args], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 60000,
    env: { ...process.env, DATABASE_URL: uri, ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr.split('\n').filter((l) => l.startsWith('lltp')).join('\n') };
}

const json = (stdout: string): unknown => JSON.parse(stdout.trim()) as unknown;

beforeAll(async () => {
  testDb = await createTestDatabase('calendar_cli');
  uri = testDb.url;
});
afterAll(async () => testDb?.drop());

test('without a seeded calendar the CLI says how to seed it (exit 1)', () => {
  const result = lltp(['calendar', 'add', '--from', '2026-03-13T16:00', '--minutes', '120', '--json']);
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/^lltp: lỗi: Lịch làm việc chưa được khởi tạo.*calendar admin seed/);
}, 60000);

test('seed, edit with an actor, and read the live calendar', () => {
  expect(json(lltp(['calendar', 'admin', 'seed', '--actor', 'quan-tri', '--json']).stdout)).toEqual({ years: [2024, 2025, 2026], units: ['default'], meta: true });

  const before = lltp(['calendar', 'add', '--from', '2026-03-13T16:00', '--minutes', '120', '--json']);
  expect(json(before.stdout)).toEqual({ due: '2026-03-16T08:30:00+07:00', estimated: false });

  const edit = lltp(['calendar', 'admin', 'add-day-off', '--date', '2026-03-16', '--name', 'Ngày nghỉ (kiểm thử CLI)', '--basis', 'Thông báo thử nghiệm', '--actor', 'can-bo-cli', '--json']);
  expect(edit.code).toBe(0);
  expect(json(edit.stdout)).toMatchObject({ calendarVersion: 2, replan: { dossiersMoved: 0, stepsMoved: 0 } });

  // the live calendar has the new day off; the shipped seed does not
  expect(json(lltp(['calendar', 'add', '--from', '2026-03-13T16:00', '--minutes', '120', '--json']).stdout)).toEqual({ due: '2026-03-17T08:30:00+07:00', estimated: false });
  expect(json(lltp(['calendar', 'add', '--from', '2026-03-13T16:00', '--minutes', '120', '--seed', '--json']).stdout)).toEqual({ due: '2026-03-16T08:30:00+07:00', estimated: false });
  expect(json(lltp(['calendar', 'between', '--from', '2026-03-13T07:30', '--to', '2026-03-18T07:30', '--json']).stdout)).toEqual({ minutes: 960 });

  const days = json(lltp(['calendar', 'days', '--year', '2026', '--json']).stdout) as { days: { date: string; name: string; basis: string; status: string }[] };
  expect(days.days.find((d) => d.date === '2026-03-16')).toMatchObject({ name: 'Ngày nghỉ (kiểm thử CLI)', basis: 'Thông báo thử nghiệm', status: 'official' });

  const audit = json(lltp(['calendar', 'admin', 'audit', '--limit', '5', '--json']).stdout) as { actor: string; action: string }[];
  expect(audit.map((a) => [a.action, a.actor])).toEqual([
    ['addDayOff', 'can-bo-cli'],
    ['seed', 'quan-tri'],
  ]);
}, 120000);

test('an office-hours edit through the CLI, and a refused edit (one line, exit 2)', () => {
  const set = lltp(['calendar', 'admin', 'set-unit-hours', '--unit', 'stp-mot-cua', '--name', 'Bộ phận Một cửa', '--hours', '07:30-11:30,13:00-17:00', '--saturday', '07:30-11:30', '--actor', 'quan-tri']);
  expect(set.code).toBe(0);
  expect(set.stdout).toMatch(/^Đã đặt giờ làm việc của stp-mot-cua\. Phiên bản lịch: 3\./);
  expect(json(lltp(['calendar', 'add', '--from', '2026-03-06T16:00', '--minutes', '120', '--unit', 'stp-mot-cua', '--json']).stdout)).toEqual({ due: '2026-03-07T08:30:00+07:00', estimated: false });

  const refused = lltp(['calendar', 'admin', 'add-day-off', '--date', '2026-03-14', '--name', 'x', '--basis', 'y', '--actor', 'a']);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toBe('lltp: lỗi: 2026-03-14 là ngày nghỉ hằng tuần (Sat); ngày nghỉ phải là ngày làm việc trong tuần');
  const badHours = lltp(['calendar', 'admin', 'set-unit-hours', '--unit', 'x', '--name', 'x', '--hours', '13:00-11:30', '--actor', 'a']);
  expect(badHours.code).toBe(2);
  expect(badHours.stderr).toBe('lltp: lỗi: unit.workingDay.0: giờ bắt đầu phải trước giờ kết thúc');
}, 120000);

test('`npx lltp` resolves the project’s own bin from the repository root', () => {
  const result = lltp(['calendar', 'add', '--from', '2026-02-13T16:00', '--minutes', '120', '--seed', '--json'], {}, true);
  expect(result.code).toBe(0);
  expect(json(result.stdout)).toEqual({ due: '2026-02-23T08:30:00+07:00', estimated: false });
}, 60000);

test('a database that does not answer: one line, exit 1', () => {
  const result = lltp(['calendar', 'days', '--year', '2026', '--json'], { DATABASE_URL: 'postgresql://lltp@127.0.0.1:1/lltp' });
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/^lltp: lỗi: Cannot reach the database at postgresql:\/\/lltp@127\.0\.0\.1:1\/lltp/);
  expect(result.stderr.split('\n')).toHaveLength(1);
}, 60000);
