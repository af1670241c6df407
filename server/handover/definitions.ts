/**
 * The deployed definition key of a model the handover migrates to. Zeebe's gRPC API has no
 * query by process id, so the model's own text (its file, or the version stored when a leader
 * approved it: `catalog.modelXml`) is deployed again: an
 * unchanged model makes no new version and answers with the key of the one deployed.
 */
import type { ProcessCatalog } from '../sla/catalog';
import type { ZeebeGrpcClient } from '../zeebe';

export function definitionKeys(zeebe: Pick<ZeebeGrpcClient, 'deployResources'>, catalog: ProcessCatalog): (processId: string) => Promise<string> {
  const known = new Map<string, Promise<string>>();
  const deploy = async (processId: string): Promise<string> => {
    if (!catalog.plan(processId)) throw new Error(`không có mô hình ${processId} trong processes/`);
    const model = await catalog.modelXml(processId);
    const response = await zeebe.deployResources([{ name: model.resourceName, process: Buffer.from(model.xml, 'utf8') }]);
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
