/**
 * `npm run deploy:processes [-- --actor <name>]`: lints the models and deploys them to the
 * configured broker (ZEEBE_GRPC_ADDRESS) from PROCESSES_DIR (processes/ by default); refuses,
 * printing every problem with its element id and rule, when linting fails.
 *
 * Every deploy is on record as a leader's approval is (server/process-submissions/deployments.ts):
 * one `process_deployments` row per model (via 'cli', the actor `--actor` or the OS user, the
 * file's SHA-256) and an audit entry `process.deploy`, in the database of DATABASE_URL (its
 * schema brought to the latest migration first, as every app process does). When that database
 * cannot be reached, the models are still deployed (an operator can deploy while it is down) and
 * the command says on stderr that this deploy is NOT on record.
 */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from '../server/config';
import { connectDatabase, type Database } from '../server/db';
import { migrateToLatest } from '../server/db/migrate';
import { processesDirOf } from '../server/sla/catalog';
import { createLogger } from '../server/logger';
import { createZeebeClient } from '../server/zeebe';
import { deployProcesses, ProcessLintError } from '../processes/deploy';
import { formatProblem } from '../processes/lint/run';
import { recordDeployments } from '../server/process-submissions/deployments';

/** The database to record in, or null (and why, on stderr) when it cannot be reached. */
async function recordingDatabase(config: ReturnType<typeof loadConfig>): Promise<Database | null> {
  try {
    const database = await connectDatabase(config, { timeoutMs: 3000, max: 1 });
    try {
      await migrateToLatest(database.db);
      return database;
    } catch (error) {
      await database.close();
      throw error;
    }
  } catch (error) {
    console.error(`warning: the database (DATABASE_URL) cannot be reached: this deploy will NOT be recorded in process_deployments nor in the audit (${(error as Error).message})`);
    return null;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { actor: { type: 'string' } }, allowPositionals: false });
  const actor = values.actor?.trim() || userInfo().username;
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, component: 'deploy' });
  const database = await recordingDatabase(config);
  const { zeebe } = createZeebeClient(config);
  try {
    const deployed = await deployProcesses(zeebe, logger, { dir: processesDirOf(config) });
    for (const p of deployed) console.log(`deployed ${p.bpmnProcessId} version ${p.version} (key ${p.processDefinitionKey}) from ${p.file}, SHA-256 ${p.sha256}`);
    if (database) {
      const rows = deployed.map((p) => ({ bpmnProcessId: p.bpmnProcessId, zeebeVersion: p.version, processDefinitionKey: p.processDefinitionKey, resourceName: p.file, sha256: p.sha256 }));
      await database.db.transaction().execute((tx) => recordDeployments(tx, rows, { via: 'cli', actor, at: new Date() }));
      console.log(`recorded ${rows.length} deployment(s) by ${actor} in process_deployments and the audit`);
    }
  } catch (error) {
    if (!(error instanceof ProcessLintError)) throw error;
    for (const problem of error.problems) console.error(formatProblem(problem));
    console.error(`refused: ${error.problems.length} problem(s); nothing was deployed`);
    process.exitCode = 1;
  } finally {
    await zeebe.close();
    await database?.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
