/**
 * Completes the job-worker user tasks of the test's own dossiers (the real inbox is written
 * elsewhere): each form gets the reply the test scripts for it, validated by the contract;
 * jobs of other dossiers are handed back at once. Records the element ids it completed.
 */
import { forms } from '../../../processes/contracts';
import type { ZeebeGrpcClient } from '../../../server/zeebe';

export const USER_TASK = 'io.camunda.zeebe:userTask';
type JobVariables = Parameters<ZeebeGrpcClient['completeJob']>[0]['variables'];

export class UserTaskCompleter {
  readonly completed: { dossierCode: string; elementId: string }[] = [];
  private running = true;
  private readonly loop: Promise<void>;

  constructor(
    private readonly zeebe: ZeebeGrpcClient,
    private readonly replies: Record<string, Record<string, unknown>>,
    private readonly dossierCodes: Set<string>,
  ) {
    this.loop = this.poll();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async poll(): Promise<void> {
    while (this.running) {
      const jobs = await this.zeebe
        .activateJobs<Record<string, unknown>, Record<string, unknown>>({ type: USER_TASK, worker: 'workers-test-inbox', maxJobsToActivate: 16, timeout: 60_000, requestTimeout: 500 })
        .catch(() => []);
      for (const job of jobs) {
        const code = String(job.variables.dossierCode);
        const formKey = String(job.customHeaders['io.camunda.zeebe:formKey']);
        const reply = this.replies[formKey] ?? this.replies[job.elementId] ?? {};
        if (!this.dossierCodes.has(code)) {
          await this.zeebe.failJob({ jobKey: job.key, retries: job.retries, errorMessage: 'not this test', retryBackOff: 1_000 }).catch(() => undefined);
          continue;
        }
        (forms as Record<string, { outputs: { parse(v: unknown): unknown } }>)[formKey]?.outputs.parse(reply);
        await this.zeebe.completeJob({ jobKey: job.key, variables: reply as JobVariables });
        this.completed.push({ dossierCode: code, elementId: job.elementId });
      }
    }
  }
}

/** True once the process instance has ended (cancelling it answers NOT_FOUND); cancels it otherwise. */
export async function hasEnded(zeebe: ZeebeGrpcClient, processInstanceKey: string): Promise<boolean> {
  return zeebe.cancelProcessInstance(processInstanceKey).then(
    () => false,
    (error: { code?: number }) => error.code === 5,
  );
}
