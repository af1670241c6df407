/**
 * Every deployment to Zeebe is on record (`process_deployments`, migration 0019) with the
 * file's SHA-256, who and how: the operators' CLI (`npm run deploy:processes`, via 'cli'), a
 * leader's approval ('approval'). Each row comes with an audit entry `process.deploy` naming the
 * version, the key and the SHA-256, in the same transaction.
 */
import { createHash } from 'node:crypto';
import { auditQuery } from '../audit';
import type { Db } from '../db';

export const sha256Of = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

export interface DeploymentRecord {
  bpmnProcessId: string;
  zeebeVersion: number;
  processDefinitionKey: string;
  resourceName: string;
  sha256: string;
}

/** Records the deployments of one deploy (rows and audit entries) in the given transaction or database. */
export async function recordDeployments(
  db: Db,
  deployed: readonly DeploymentRecord[],
  how: { via: 'cli' | 'startup' | 'approval'; actor: string; at: Date; submissionId?: number },
): Promise<void> {
  for (const d of deployed) {
    await db
      .insertInto('processDeployments')
      .values({ ...d, deployedAt: how.at, actor: how.actor, via: how.via, submissionId: how.submissionId ?? null })
      .onConflict((oc) => oc.columns(['processDefinitionKey', 'via', 'deployedAt']).doNothing())
      .execute();
    await auditQuery(db, {
      at: how.at,
      actor: how.actor,
      action: 'process.deploy',
      detail: `${d.bpmnProcessId} phiên bản Zeebe ${d.zeebeVersion} (khóa ${d.processDefinitionKey}) từ ${d.resourceName}, qua ${how.via}; SHA-256 ${d.sha256}`,
    }).execute();
  }
}
