/**
 * Deploying the models: lint first (processes/.bpmnlintrc plus the checks across models),
 * refuse with every failing problem when linting fails (a stale image does not block),
 * otherwise deploy every model in one atomic deployment (all or none). Zeebe keeps a new
 * version of a process only when its XML changed.
 *
 *   const deployed = await deployProcesses(zeebe, logger);
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../server/logger';
import { PROCESSES_DIR } from '../server/sla/catalog';
import type { ZeebeGrpcClient } from '../server/zeebe';
import { failingProblems, formatProblem, lintProcesses, type LintProblem } from './lint/run';

export class ProcessLintError extends Error {
  constructor(readonly problems: readonly LintProblem[]) {
    super(`The process models do not pass linting; nothing was deployed:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
    this.name = 'ProcessLintError';
  }
}

export interface DeployedProcess {
  file: string;
  /** SHA-256 of the file's bytes as deployed (the deployment record and the audit carry it). */
  sha256: string;
  bpmnProcessId: string;
  version: number;
  processDefinitionKey: string;
}

export interface DeployOptions {
  /** Directory of the models, processes/ by default. */
  dir?: string;
}

export async function deployProcesses(zeebe: ZeebeGrpcClient, logger: Logger, options: DeployOptions = {}): Promise<DeployedProcess[]> {
  const dir = options.dir ?? PROCESSES_DIR;
  const run = await lintProcesses(dir);
  const problems = failingProblems(run);
  if (problems.length > 0) {
    for (const problem of problems) {
      logger.error({ file: path.basename(problem.file), elementId: problem.elementId, rule: problem.rule }, `process lint: ${problem.message}`);
    }
    throw new ProcessLintError(problems);
  }
  if (run.files.length === 0) throw new Error(`no process model (*.bpmn) in ${dir}`);
  const resources = await Promise.all(run.files.map(async (file) => ({ name: path.basename(file), process: await readFile(file) })));
  const digests = new Map(resources.map((r) => [r.name, createHash('sha256').update(r.process).digest('hex')]));
  const response = await zeebe.deployResources(resources);
  const deployed: DeployedProcess[] = [];
  for (const deployment of response.deployments) {
    const process = (deployment as { process?: { bpmnProcessId: string; version: number; processDefinitionKey: string; resourceName: string } }).process;
    if (!process) continue;
    deployed.push({ file: process.resourceName, sha256: digests.get(process.resourceName) ?? '', bpmnProcessId: process.bpmnProcessId, version: process.version, processDefinitionKey: process.processDefinitionKey });
    logger.info({ bpmnProcessId: process.bpmnProcessId, version: process.version, processDefinitionKey: process.processDefinitionKey }, 'process deployed');
  }
  return deployed;
}
