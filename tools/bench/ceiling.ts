/**
 * bench:flow's ceiling: what the broker alone carries through the same models when every job is
 * done at once by a worker that does nothing.
 *
 * The ceiling models are copies of the national and internal models in force, under ids of the
 * run's own: process ids, job types and message names get the suffix `-ceiling-<run>`, and each
 * user task becomes a service task of the job type `io.camunda.zeebe:userTask-ceiling-<run>`
 * with its form key as a header (a job-worker user task is that same job on the broker). So the
 * no-op workers take only the jobs of these instances, and the ceiling counts only their
 * `lltp.return.result` jobs, whatever else runs on the broker.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { formatInstant } from '../../server/calendar/civil-time';
import type { Config } from '../../server/config';
import { parseEngineInstant } from '../../server/readmodel/timeline';
import { PROCESSES_DIR } from '../../server/sla';
import { createZeebeClient, type ZeebeGrpcClient } from '../../server/zeebe';
import { jobTypes, startVariables, type JobType } from '../../processes/contracts';
import { POLICE_ANSWER_MESSAGE } from '../../server/callbacks/police';
import { progressOf, secondsSince } from './support';

const USER_TASK = 'io.camunda.zeebe:userTask';
const progress = progressOf('bench:flow');

/** What the scripted officers (and the no-op user-task worker) decide on each form: the fast path. */
export const DECISIONS: Record<string, Record<string, unknown>> = {
  'lltp.form.check-dossier': { intakeDecision: 'accept' },
  'lltp.form.search-records': { searchOutcome: 'noRecord' },
  'lltp.form.review-draft': { reviewDecision: 'approve' },
};

export interface CeilingModels {
  national: string;
  internal: string;
  /** The job type a contract's job type has in the ceiling models. */
  jobType(type: string): string;
  /** The name a contract's message has in the ceiling models. */
  message(name: string): string;
}

/** The model file that declares `processId`. */
function modelOf(processId: string): string {
  const file = readdirSync(PROCESSES_DIR).find((f) => f.endsWith('.bpmn') && readFileSync(path.join(PROCESSES_DIR, f), 'utf8').includes(`<bpmn:process id="${processId}"`));
  if (!file) throw new Error(`no model in ${PROCESSES_DIR} declares ${processId}`);
  return readFileSync(path.join(PROCESSES_DIR, file), 'utf8');
}

/** A model under the run's ids (see the file's comment); fails if anything of the product's is left. */
export function ceilingModel(xml: string, processIds: readonly string[], suffix: string): string {
  let out = xml;
  for (const id of processIds) out = out.replaceAll(`"${id}"`, `"${id}${suffix}"`);
  out = out
    .replace(/(<zeebe:taskDefinition type=")([^"]+)"/g, `$1$2${suffix}"`)
    .replace(/<zeebe:formDefinition formKey="([^"]+)" \/>/g, `<zeebe:taskDefinition type="${USER_TASK}${suffix}" /><zeebe:taskHeaders><zeebe:header key="formKey" value="$1" /></zeebe:taskHeaders>`)
    .replace(/<zeebe:assignmentDefinition [^>]*\/>/g, '')
    .replaceAll('<bpmn:userTask ', '<bpmn:serviceTask ')
    .replaceAll('</bpmn:userTask>', '</bpmn:serviceTask>')
    .replace(/(<bpmn:message id="[^"]+" name=")([^"]+)"/g, `$1$2${suffix}"`);
  const left = [...out.matchAll(/<zeebe:taskDefinition type="([^"]+)"|<bpmn:message [^>]*name="([^"]+)"|<bpmn:(userTask) /g)]
    .map((m) => m[1] ?? m[2] ?? m[3] ?? '')
    .filter((name) => !name.endsWith(suffix));
  if (left.length > 0) throw new Error(`the ceiling model still has the product's ${left.join(', ')}`);
  return out;
}

/** Deploys the ceiling copies of the models in force (`national` calling `internal`) under the run's suffix. */
export async function deployCeilingModels(zeebe: ZeebeGrpcClient, ids: { national: string; internal: string }, run: string): Promise<CeilingModels> {
  const suffix = `-ceiling-${run}`;
  const processIds = [ids.national, ids.internal];
  await zeebe.deployResources(processIds.map((id) => ({ name: `${id}${suffix}.bpmn`, process: Buffer.from(ceilingModel(modelOf(id), processIds, suffix)) })));
  return { national: `${ids.national}${suffix}`, internal: `${ids.internal}${suffix}`, jobType: (type) => `${type}${suffix}`, message: (name) => `${name}${suffix}` };
}

/** Variables each job type completes with: what its contract's output schema accepts, at the engine's instant of the job. */
function noopOutputs(type: JobType, internalProcessId: string, activatedAt: unknown): Record<string, unknown> {
  const at = (parseEngineInstant(activatedAt) ?? new Date(0)).getTime();
  const instant = formatInstant(at);
  const far = formatInstant(at + 60 * 86_400_000);
  const deadlines = { statutoryDueAt: far, targetDueAt: far, apologyByAt: far, apologyPromptAt: far };
  const outputs: Record<JobType, () => Record<string, unknown>> = {
    'lltp.intake.register': () => ({ internalProcessId, clockStartedAt: instant, ...deadlines, apologyIssued: false }),
    'lltp.notify.citizen': () => ({}),
    'lltp.dossier.issue-refusal': () => ({ refusedAt: instant }),
    'lltp.dossier.request-supplement': () => ({ clockStoppedAt: instant, supplementDueAt: far }),
    'lltp.dossier.restart-clock': () => ({ clockStartedAt: instant, ...deadlines }),
    'lltp.dossier.close-unsupplemented': () => ({ closedAt: instant }),
    'lltp.lltp-software.push': () => ({ lltpSoftwareId: 'NOOP' }),
    'lltp.deadline.plan': () => ({ caseVariant: 'ordinary', ...deadlines }),
    'lltp.police.request-verification': () => ({ verificationRequestedAt: instant, policeReminderAt: far, policeEscalationAt: far }),
    'lltp.police.remind': () => ({}),
    'lltp.sla.escalate': () => ({}),
    'lltp.apology.issue': () => ({ apologyIssued: true, returnDueAt: far, apologyByAt: far, apologyPromptAt: far }),
    'lltp.sign.certificate': () => ({ certificateNumber: 'NOOP-1', signedAt: instant }),
    'lltp.return.result': () => ({ returnedAt: instant }),
    'lltp.post.send-copy': () => ({ postTrackingNumber: 'NOOP' }),
    'lltp.dossier.close-withdrawn': () => ({ closedAt: instant }),
  };
  const variables = outputs[type]();
  jobTypes[type].outputs.strict().parse(variables);
  return variables;
}

export interface CeilingRun {
  warmup: number;
  dossiers: number;
  concurrency: number;
  timeoutMs: number;
  agencyCode: string;
  /** The instant the one-stop system received a dossier (the broker's clock). */
  receivedAt: () => string;
}

/** Starts `count` ceiling instances, `concurrency` at a time. */
async function startInstances(zeebe: ZeebeGrpcClient, models: CeilingModels, options: CeilingRun, label: string, count: number): Promise<void> {
  let next = 0;
  const one = async (): Promise<void> => {
    for (let i = next++; i < count; i = next++) {
      const dossierCode = `NOOP.${label}-${String(Math.floor(i / 10000)).padStart(6, '0')}-${String(i % 10000).padStart(4, '0')}`;
      const variables = startVariables.parse({ dossierCode, agencyCode: options.agencyCode, receivedAt: options.receivedAt(), paperCopy: 'none', channel: 'vneid' });
      await zeebe.createProcessInstance({ bpmnProcessId: models.national, variables });
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, count) }, one));
}

/** Instances per second the broker carries through the ceiling models: after `warmup` instances, `dossiers` of them. */
export async function measureCeiling(config: Config, models: CeilingModels, options: CeilingRun, run: number): Promise<number> {
  const { camunda, zeebe } = createZeebeClient(config);
  let returned = 0;
  let onReturned: (() => void) | null = null;
  const worker = (
    taskType: string,
    complete: (variables: Record<string, unknown>, headers: Record<string, unknown>) => Record<string, unknown>,
    counts = false,
    after?: (variables: Record<string, unknown>) => Promise<unknown>,
  ) =>
    zeebe.createWorker({
      taskType,
      maxJobsToActivate: config.WORKER_MAX_JOBS,
      timeout: config.WORKER_JOB_TIMEOUT_MS,
      pollInterval: 100,
      taskHandler: async (job) => {
        const result = await job.complete(complete(job.variables, job.customHeaders) as never);
        await after?.(job.variables);
        if (counts) {
          returned += 1;
          onReturned?.();
        }
        return result;
      },
    });
  // Every VNeID dossier (ordinary ones too) waits for the police at step 7: the answer comes at once.
  const answerPolice = (variables: Record<string, unknown>) =>
    zeebe.publishMessage({
      name: models.message(POLICE_ANSWER_MESSAGE),
      correlationKey: String(variables.dossierCode),
      messageId: `${String(variables.dossierCode)}:police`,
      timeToLive: 60_000,
      variables: { policeAnsweredAt: formatInstant(Date.now()) },
    });
  const workers = [
    ...(Object.keys(jobTypes) as JobType[]).map((type) =>
      worker(models.jobType(type), (v) => noopOutputs(type, models.internal, v.activatedAt), type === 'lltp.return.result', type === 'lltp.police.request-verification' ? answerPolice : undefined),
    ),
    worker(models.jobType(USER_TASK), (_, headers) => DECISIONS[String(headers.formKey)] ?? {}),
  ];
  const waitReturned = (count: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`ceiling run ${run}: only ${returned} of ${count} instances returned`)), options.timeoutMs);
      const check = (): void => {
        if (returned < count) return;
        clearTimeout(timer);
        onReturned = null;
        resolve();
      };
      onReturned = check;
      check();
    });
  try {
    await startInstances(zeebe, models, options, `W${run}`, options.warmup);
    await waitReturned(options.warmup);
    const started = performance.now();
    await startInstances(zeebe, models, options, `R${run}`, options.dossiers);
    await waitReturned(options.warmup + options.dossiers);
    const seconds = secondsSince(started);
    progress(`  ceiling run ${run}: ${options.dossiers} instances in ${seconds.toFixed(1)} s`);
    return options.dossiers / seconds;
  } finally {
    await Promise.all(workers.map((w) => w.close()));
    await camunda.closeAllClients();
  }
}
