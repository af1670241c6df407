/**
 * `npm run bench:smoke`: proves that every benchmark still runs, so that none rots unseen.
 *
 * Every `bench:*` script of package.json (but this one and those of NOT_SMOKED) runs in small mode
 * (`LLTP_BENCH_SMALL=1`: a few hundred dossiers, one run), one after the other, through npm as
 * a person would run it. Each must exit 0 and print every figure its file declares (the
 * `FIGURES` it exports; the file is the `tools/bench/<name>.ts` its script runs), and print
 * nothing it does not declare. The values are printed, never judged. At the end: one line per
 * bench with its duration, the total duration, and exit code 1 naming each bench that failed
 * and why. It needs the local stack only (each bench starts what it needs of it).
 * LLTP_BENCH_SMOKE_TIMEOUT_S: the longest a bench may take (600).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { secondsSince } from './support';

const repo = path.resolve(__dirname, '../..');
const TIMEOUT_MS = Number(process.env.LLTP_BENCH_SMOKE_TIMEOUT_S ?? 600) * 1000;
/** The environment of the benches, as it was before any bench file was imported. */
const ENV: NodeJS.ProcessEnv = { ...process.env, LLTP_BENCH_SMALL: '1' };
const say = (line: string): void => void process.stdout.write(`${line}\n`);

interface Bench {
  script: string;
  file: string | null;
}

/**
 * Benches left out, with why: bench:capacity's small mode takes 94 s (a broker of its own, the
 * product started, 45 dossiers to the end, VACUUM FULL), over the minute a bench may add here.
 */
const NOT_SMOKED: readonly string[] = ['bench:smoke', 'bench:capacity'];

/** The `bench:*` scripts of package.json and the tools/bench file each runs. */
function benches(): Bench[] {
  const manifest = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const scripts = manifest.scripts;
  return Object.entries(scripts)
    .filter(([name]) => name.startsWith('bench:') && !NOT_SMOKED.includes(name))
    .map(([script, command]) => ({ script, file: /tools\/bench\/[\w-]+\.ts/.exec(command)?.[0] ?? null }));
}

/** The figure names a bench file declares (`export const FIGURES`). */
async function declared(file: string): Promise<string[]> {
  type Loaded = { FIGURES?: unknown; default?: { FIGURES?: unknown } };
  const loaded = (await import(pathToFileURL(path.join(repo, file)).href)) as Loaded;
  const figures = loaded.FIGURES ?? loaded.default?.FIGURES;
  if (!Array.isArray(figures) || figures.length === 0 || figures.some((f) => typeof f !== 'string')) {
    throw new Error(`${file} exports no FIGURES (the names of the figures it prints)`);
  }
  return figures as string[];
}

interface Outcome {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** `npm run --silent <script>` in small mode, in a process group of its own (ended whole on timeout). */
function run(script: string): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', script], { cwd: repo, env: ENV, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      stderr += `\n(bench:smoke: stopped after ${TIMEOUT_MS / 1000} s)\n`;
      process.kill(-child.pid!, 'SIGKILL');
    }, TIMEOUT_MS);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, stdout, stderr, seconds: secondsSince(started) });
    });
  });
}

/** What is wrong with a bench's run: empty when it exited 0 and printed exactly what it declares. */
function problems(outcome: Outcome, figures: readonly string[]): string[] {
  const found: string[] = [];
  if (outcome.exitCode !== 0) found.push(`exited with ${outcome.exitCode ?? 'a signal'}`);
  const printed = new Map<string, string>();
  for (const line of outcome.stdout.split('\n').filter((l) => l.trim())) {
    try {
      const figure = JSON.parse(line) as { bench?: unknown; value?: unknown; unit?: unknown };
      const isFigure = typeof figure.bench === 'string' && typeof figure.value === 'number' && typeof figure.unit === 'string';
      if (isFigure) printed.set(figure.bench as string, `${figure.value as number} ${figure.unit as string}`);
      else found.push(`printed a line that is not a figure: ${line.slice(0, 120)}`);
    } catch {
      found.push(`printed a line that is not a figure: ${line.slice(0, 120)}`);
    }
  }
  for (const name of figures) if (!printed.has(name)) found.push(`did not print ${name}`);
  for (const name of printed.keys()) {
    if (!figures.includes(name)) found.push(`printed ${name}, which it does not declare`);
  }
  for (const [name, value] of printed) say(`    ${name} = ${value}`);
  return found;
}

async function main(): Promise<void> {
  const started = performance.now();
  const list = benches();
  const failures: string[] = [];
  const stderrTails: string[] = [];
  const durations: string[] = [];
  say(`bench:smoke: ${list.length} benches in small mode (LLTP_BENCH_SMALL=1): ${list.map((b) => b.script).join(', ')}`);
  for (const bench of list) {
    let figures: string[];
    try {
      if (!bench.file) throw new Error(`its script runs no tools/bench/<name>.ts file`);
      figures = await declared(bench.file);
    } catch (error) {
      failures.push(`${bench.script}: ${(error as Error).message}`);
      continue;
    }
    say(`${bench.script} (${figures.length} figures declared)…`);
    const outcome = await run(bench.script);
    const found = problems(outcome, figures);
    const verdict = found.length ? 'FAILED' : 'ok';
    durations.push(`${bench.script.padEnd(18)} ${outcome.seconds.toFixed(1).padStart(6)} s  ${verdict}`);
    if (found.length === 0) continue;
    failures.push(`${bench.script}: ${found.join('; ')}`);
    say(`  ${bench.script} failed; the last lines of its stderr:`);
    for (const line of outcome.stderr.trimEnd().split('\n').slice(-25)) say(`    | ${line}`);
    const errorLines = outcome.stderr.split('\n').filter((line) => /error|failed|exited/i.test(line)).slice(-3);
    stderrTails.push(...errorLines.map((line) => `  ${bench.script}: ${line.trim().slice(0, 400)}`));
  }
  say('');
  for (const line of durations) say(line);
  say(`bench:smoke took ${secondsSince(started).toFixed(1)} s`);
  if (failures.length > 0) {
    for (const failure of failures) say(`FAILED ${failure}`);
    // repeated here, at the end, where a CI log's tail still shows it
    if (stderrTails.length > 0) say('what the failed benches said last:');
    for (const line of stderrTails) say(line);
    process.exitCode = 1;
  }
}

main().then(
  () => process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0),
  (error: unknown) => {
    process.stderr.write(`bench:smoke failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
