/**
 * The deployed definition key of a model the handover migrates to. Zeebe's gRPC API has no
 * query by process id, so the model's own file (the catalog's `source`) is deployed again: an
 * unchanged model makes no new version and answers with the key of the one deployed.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ProcessCatalog } from '../sla/catalog';
import type { ZeebeGrpcClient } from '../zeebe';

export function definitionKeys(zeebe: Pick<ZeebeGrpcClient, 'deployResources'>, catalog: ProcessCatalog): (processId: string) => Promise<string> {
  const known = new Map<string, Promise<string>>();
  const deploy = async (processId: string): Promise<string> => {
    const plan = catalog.plan(processId);
    if (!plan) throw new Error(`không có mô hình ${processId} trong processes/`);
    const response = await zeebe.deployResources([{ name: path.basename(plan.source), process: await readFile(plan.source) }]);
    for (const deployment of response.deployments) {
      const process = (deployment as { process?: { bpmnProcessId: string; processDefinitionKey: string } }).process;
      if (process?.bpmnProcessId === processId) return process.processDefinitionKey;
    }
    throw new Error(`Zeebe không trả về khóa của ${processId}`);
  };
  return (processId) => {
    const key = known.get(processId) ?? deploy(processId);
    known.set(processId, key);
    key.catch(() => known.delete(processId));
    return key;
  };
}
