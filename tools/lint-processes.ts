/**
 * `npm run lint:processes [dir]`: lints every model in processes/ (or the given directory),
 * printing each problem with its file, element id and rule. Exits non-zero when there is any
 * error or warning, except a stale image: that warning names `npm run render:processes` and
 * leaves the exit status at 0.
 */
import path from 'node:path';
import { PROCESSES_DIR } from '../server/sla/catalog';
import { failed, failingProblems, formatProblem, isStaleImage, lintProcesses } from '../processes/lint/run';
import type { LintRun } from '../processes/lint/run';
import { RENDER_COMMAND } from '../processes/lint/images';

/** `2 model(s) linted, 0 problem(s)`, plus the images to redraw when there are any. */
function summary(run: LintRun): string {
  const line = `${run.files.length} model(s) linted, ${failingProblems(run).length} problem(s)`;
  const staleImages = run.problems.filter(isStaleImage).length;
  return staleImages > 0 ? `${line}, ${staleImages} image(s) to redraw (${RENDER_COMMAND})` : line;
}

async function main(): Promise<void> {
  const dir = process.argv[2] ? path.resolve(process.argv[2]) : PROCESSES_DIR;
  const run = await lintProcesses(dir);
  for (const problem of run.problems) console.log(formatProblem(problem));
  console.log(summary(run));
  if (failed(run) || run.files.length === 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
