/**
 * The closing line of `npm test` (tools/test-summary.cjs): `N passed, N failed` counts each
 * test once, although the calendar tests run under three time zones, and never lets a broken
 * suite, an empty run or an unreadable result file pass unnoticed. The script runs with node
 * on small jest --json result files written to a temporary folder.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SUMMARY = path.resolve(__dirname, '../../tools/test-summary.cjs');

type Status = 'passed' | 'failed' | 'pending';

/** One test file of a run: its tests by full name, or why it could not run. */
interface Suite {
  file: string;
  tests?: [fullName: string, status: Status][];
  couldNotRun?: string;
}

/** A result file; `unreadable` stands for a run that left no readable JSON. */
type Run = Suite[] | 'unreadable';

/** What `jest --json` writes, reduced to the fields the summary reads. */
function jestResults(suites: Suite[]): unknown {
  const tests = suites.flatMap((s) => s.tests ?? []);
  const counted = (status: Status): number => tests.filter(([, s]) => s === status).length;
  return {
    numPassedTests: counted('passed'),
    numFailedTests: counted('failed'),
    numPendingTests: counted('pending'),
    numTotalTests: tests.length,
    testResults: suites.map((suite) => ({
      name: `/repo/test/unit/${suite.file}`,
      status: suite.couldNotRun !== undefined || suite.tests?.some(([, s]) => s === 'failed') ? 'failed' : 'passed',
      message: suite.couldNotRun ?? '',
      assertionResults: (suite.tests ?? []).map(([fullName, status]) => ({
        fullName,
        status,
        failureMessages: status === 'failed' ? ['\u001b[2mexpect(\u001b[22mreceived).toBe(expected)\n\nExpected: 29\nReceived: 28\n\n  at x\n  at y'] : [],
      })),
    })),
  };
}

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lltp-test-summary-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function summarize(runs: Record<string, Run>): Promise<{ code: number; lines: string[] }> {
  const files: string[] = [];
  for (const [name, results] of Object.entries(runs)) {
    const file = path.join(dir, `${name}.json`);
    await writeFile(file, results === 'unreadable' ? '{"numTotalTests": ' : JSON.stringify(jestResults(results)));
    files.push(file);
  }
  const outcome = await run(process.execPath, [SUMMARY, ...files]).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  );
  return { code: outcome.code, lines: outcome.stdout.trimEnd().split('\n') };
}

const LUNAR = 'calendar/lunar.unit.test.ts';
const calendar = (status: Status): Suite[] => [{ file: LUNAR, tests: [['finds Tết 2025', status]] }];
const other = (status: Status): Suite[] => [{ file: 'intake.unit.test.ts', tests: [['refuses a code', status]] }];
/** One file whose tests are all named `works`, with these statuses. */
const works = (...statuses: Status[]): Suite[] => [
  { file: 'a.unit.test.ts', tests: statuses.map((status) => ['works', status]) },
];

test.each<[string, Record<string, Run>, string]>([
  [
    'a calendar test that passed under three time zones counts once',
    { 'unit-hcm': calendar('passed'), 'calendar-UTC': calendar('passed'), 'calendar-New_York': calendar('passed') },
    '1 passed, 0 failed',
  ],
  [
    'a test that failed under one time zone only counts once, as failed',
    { 'unit-hcm': calendar('passed'), 'calendar-UTC': calendar('failed'), 'calendar-New_York': calendar('passed') },
    '0 passed, 1 failed',
  ],
  [
    'tests of the same name in two files are two tests',
    { 'unit-hcm': [...works('passed'), { file: 'b.unit.test.ts', tests: [['works', 'passed']] }] },
    '2 passed, 0 failed',
  ],
  [
    'two tests of one file with the same full name are two tests, in every run',
    { 'unit-hcm': works('passed', 'passed'), 'calendar-UTC': works('passed', 'failed') },
    '1 passed, 1 failed',
  ],
  [
    'a skipped test counts as neither, and as passed once a run passes it',
    { 'unit-hcm': [...calendar('pending'), ...other('pending')], 'calendar-UTC': calendar('passed') },
    '1 passed, 0 failed',
  ],
  [
    'a suite that could not run counts as one failure, however many runs it broke',
    {
      'unit-hcm': [...other('passed'), { file: LUNAR, couldNotRun: 'SyntaxError' }],
      'calendar-UTC': [{ file: LUNAR, couldNotRun: 'SyntaxError' }],
    },
    '1 passed, 1 failed',
  ],
  ['a run in which no test ran is a failure', { 'unit-hcm': calendar('passed'), tz: [] }, '1 passed, 1 failed'],
  ['an unreadable result file is a failure', { unit: calendar('passed'), int: 'unreadable' }, '1 passed, 1 failed'],
  ['no result file at all is a failure', {}, '0 passed, 1 failed'],
])('%s', async (_case, runs, lastLine) => {
  const { code, lines } = await summarize(runs);
  expect(lines.at(-1)).toBe(lastLine);
  expect(code).toBe(lastLine.endsWith(' 0 failed') ? 0 : 1);
});

test('each run still gets its own line, naming its failed tests (file and first lines of the message) and the suites that could not run', async () => {
  const { lines } = await summarize({
    'unit-hcm': [...calendar('passed'), { file: 'db/schema.unit.test.ts', couldNotRun: 'Cannot find module\n  at x' }],
    'calendar-UTC': calendar('failed'),
  });
  expect(lines).toEqual([
    'unit-hcm: 1 passed, 0 failed, 0 skipped, 1 suites could not run',
    `  could not run: ${path.relative(process.cwd(), '/repo/test/unit/db/schema.unit.test.ts')}: Cannot find module`,
    'calendar-UTC: 0 passed, 1 failed, 0 skipped, 0 suites could not run',
    `  failed: finds Tết 2025 (${path.relative(process.cwd(), '/repo/test/unit/calendar/lunar.unit.test.ts')})`,
    '    expect(received).toBe(expected)', // the message's first lines, without colours
    '    Expected: 29',
    '    Received: 28',
    '      at x',
    '0 passed, 2 failed',
  ]);
});
