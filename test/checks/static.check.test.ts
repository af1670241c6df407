/**
 * Static checks as tests, so that they count in the same `N passed, N failed` line:
 * the TypeScript compiler in strict mode, ESLint, and the process linter.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const repo = path.resolve(__dirname, '../..');
const scripts = (JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

function run(command: string, args: string[]): { status: number | null; output: string } {
  const result = spawnSync(command, args, { cwd: repo, encoding: 'utf8', timeout: 280000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

test('TypeScript compiles in strict mode with no error', () => {
  const { status, output } = run('node', ['node_modules/typescript/bin/tsc', '--noEmit', '-p', 'tsconfig.json']);
  expect(output).toBe('');
  expect(status).toBe(0);
}, 300000);

test('ESLint reports no problem', () => {
  const { status, output } = run('node', ['node_modules/eslint/bin/eslint.js', '.', '--max-warnings', '0']);
  expect(output).toBe('');
  expect(status).toBe(0);
}, 300000);

test('the BPMN models lint clean (npm run lint:processes)', () => {
  expect(scripts['lint:processes']).toBeDefined();
  expect(existsSync(path.join(repo, 'processes'))).toBe(true);
  const { status, output } = run('npm', ['run', '--silent', 'lint:processes']);
  expect({ status, output }).toEqual({ status: 0, output: expect.any(String) as string });
}, 300000);

/**
 * The integration files that move a clock say how: `@moves-clocks` (relative to the suite's
 * instant; tools/test.sh runs them again at each instant of LLTP_TEST_INSTANTS) or
 * `@fixed-instants` (their own absolute instants). A file that moves a clock unmarked would
 * silently miss the runs at the other instants.
 */
test('every integration file that moves a clock is marked @moves-clocks or @fixed-instants', () => {
  const movesAClock = /BrokerClock|createMonitor\(|now: \(\) =>|testClock\([^)]|fixedClock/;
  const files = readdirSync(path.join(repo, 'test/integration'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.int.test.ts'));
  const unmarked = files.filter((f) => {
    const text = readFileSync(path.join(repo, 'test/integration', f), 'utf8');
    return movesAClock.test(text) && !/@moves-clocks|@fixed-instants/.test(text);
  });
  expect(files.length).toBeGreaterThan(20);
  expect(unmarked).toEqual([]);
});
