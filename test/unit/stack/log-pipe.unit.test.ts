/** tools/stack/log-pipe.cjs: appends to a log, rotates it by size, keeps N rotated files. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eventually } from '../../support/wait';

const PIPE = path.resolve(__dirname, '../../../tools/stack/log-pipe.cjs');

/**
 * Feeds `lines` lines to the pipe in bursts of 100 (rotation happens between writes), each burst
 * once the pipe has written the one before (its last line is in the log or, just rotated, in
 * `<file>.1`), so that no two bursts reach the pipe as one chunk; resolves with its exit code.
 */
async function feed(file: string, lines: number, env: Record<string, string>): Promise<number | null> {
  const child = spawn(process.execPath, [PIPE, file], { env: { ...process.env, ...env }, stdio: ['pipe', 'ignore', 'inherit'] });
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  const logged = (line: number): boolean => [file, `${file}.1`].some((f) => existsSync(f) && readFileSync(f, 'utf8').includes(`line ${line} xxxx`));
  for (let n = 0; n < lines; ) {
    for (let i = 0; i < 100 && n < lines; i += 1) child.stdin.write(`line ${(n += 1)} ${'x'.repeat(40)}\n`);
    const last = n;
    await eventually(() => Promise.resolve(logged(last) ? true : undefined), `line ${last} in the log`, 10_000, 2);
  }
  child.stdin.end();
  return closed;
}

test('appends to what the file already holds (never truncates)', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'log-pipe-'));
  const file = path.join(dir, 'api.log');
  writeFileSync(file, 'before the restart\n');
  expect(await feed(file, 10, {})).toBe(0);
  const text = readFileSync(file, 'utf8').split('\n');
  expect(text[0]).toBe('before the restart');
  expect(text[10]).toMatch(/^line 10 /);
});

test('rotates by size into <file>.1 … <file>.N and drops the oldest', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'log-pipe-'));
  const file = path.join(dir, 'zeebe.log');
  expect(await feed(file, 3000, { LLTP_LOG_MAX_SIZE: '20K', LLTP_LOG_FILES: '2' })).toBe(0);
  expect(readdirSync(dir).sort()).toEqual(['zeebe.log', 'zeebe.log.1', 'zeebe.log.2']);
  // a file ends with the chunk that crossed the size: at most a burst of 100 lines (about 5 KB)
  for (const name of ['zeebe.log.1', 'zeebe.log.2']) {
    const size = readFileSync(path.join(dir, name)).length;
    expect(size).toBeGreaterThanOrEqual(20 * 1024);
    expect(size).toBeLessThan(20 * 1024 + 100 * 52);
  }
  // the newest lines: the current file (empty when the last chunk itself caused a rotation) after .1
  const newest = readFileSync(`${file}.1`, 'utf8') + readFileSync(file, 'utf8');
  expect(newest.trim().split('\n').at(-1)).toMatch(/^line 3000 /);
});

test('a bad setting is refused, naming it', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'log-pipe-'));
  const run = spawn(process.execPath, [PIPE, path.join(dir, 'x.log')], { env: { ...process.env, LLTP_LOG_MAX_SIZE: 'ten' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  run.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  expect(await new Promise((resolve) => run.on('close', resolve))).toBe(2);
  expect(stderr).toContain('LLTP_LOG_MAX_SIZE');
});
