/**
 * `npm run lint:processes [dir]`: lints every model in processes/ (or the given directory)
 * and exits non-zero when there is any problem (error or warning), printing each with its
 * file, element id and rule.
 */
import path from 'node:path';
import { PROCESSES_DIR } from '../server/sla/catalog';
import { failed, formatProblem, lintProcesses } from '../processes/lint/run';

async function main(): Promise<void> {
  const dir = process.argv[2] ? path.resolve(process.argv[2]) : PROCESSES_DIR;
  const run = await lintProcesses(dir);
  for (const problem of run.problems) console.log(formatProblem(problem));
  const count = run.problems.length;
  console.log(`${run.files.length} model(s) linted, ${count} problem(s)`);
  if (failed(run) || run.files.length === 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
