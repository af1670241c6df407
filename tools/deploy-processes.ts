/**
 * `npm run deploy:processes`: lints the models and deploys them to the configured broker
 * (ZEEBE_GRPC_ADDRESS) from PROCESSES_DIR (processes/ by default); refuses, printing every problem with its element id and rule, when
 * linting fails.
 */
import { loadConfig } from '../server/config';
import { processesDirOf } from '../server/sla/catalog';
import { createLogger } from '../server/logger';
import { createZeebeClient } from '../server/zeebe';
import { deployProcesses, ProcessLintError } from '../processes/deploy';
import { formatProblem } from '../processes/lint/run';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, component: 'deploy' });
  const { zeebe } = createZeebeClient(config);
  try {
    const deployed = await deployProcesses(zeebe, logger, { dir: processesDirOf(config) });
    for (const p of deployed) console.log(`deployed ${p.bpmnProcessId} version ${p.version} (key ${p.processDefinitionKey}) from ${p.file}`);
  } catch (error) {
    if (!(error instanceof ProcessLintError)) throw error;
    for (const problem of error.problems) console.error(formatProblem(problem));
    console.error(`refused: ${error.problems.length} problem(s); nothing was deployed`);
    process.exitCode = 1;
  } finally {
    await zeebe.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
