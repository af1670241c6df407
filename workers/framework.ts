/**
 * What a job worker is, and the one place that turns a handler's outcome into a Zeebe
 * command. A worker (`workers/<job type>.ts`) declares its job type, the zod schema of the
 * variables (and headers) it reads, and a handler that gets them validated, with injected
 * dependencies, and returns an explicit outcome:
 *
 *   export default defineWorker({
 *     type: 'lltp.notify.citizen',
 *     variables: z.object({ dossierCode }),
 *     headers: z.object({ notice: z.enum(NOTICES) }),
 *     async handler(ctx) { ...; return complete({}); },
 *   });
 *
 * - `complete(variables)`: validated against the contract's output schema (strict), then the
 *   job is completed;
 * - `bpmnError(code, message)`: only for codes the worker declares in `bpmnErrors` (codes the
 *   model catches); anything else is a programming error and fails the job;
 * - a throw: `PermanentFault` fails the job with no retries left (incident now); anything else
 *   is a technical fault: retries − 1 with exponential back-off, so retries run out into an
 *   incident. Invalid variables or headers are a technical fault naming the variable.
 *
 * Every job is a step of the timeline: started before the handler (start = the `activatedAt`
 * variable, else the injected clock) by the statement that also reads the dossier the handler
 * gets (`ctx.dossier`), `stepFinished` (actor `system`) once the handler succeeded; both
 * idempotent by element instance key.
 */
import type { Updateable } from 'kysely';
import { z } from 'zod';
import { jobTypes, startVariables, type JobType } from '../processes/contracts';
import type { CalendarPolicy } from '../server/calendar/policy';
import type { CalendarProvider } from '../server/calendar/provider';
import type { WorkingCalendars } from '../server/calendar/working-calendar';
import type { Config } from '../server/config';
import type { Db } from '../server/db';
import type { DossiersTable } from '../server/db/tables';
import type { Logger } from '../server/logger';
import type { Mailer } from '../server/mail';
import { OUTAGE_BACKOFF_MS, OutageLog, unavailableComponent, withDeadline } from '../server/outage';
import type { Dossier } from '../server/readmodel/dossier';
import { DuplicateInstanceError, parseEngineInstant, stepFinished, stepFinishedWritingDossier, stepStartedChecked, stepStartedReadingDossier, type TimelineDeps } from '../server/readmodel/timeline';
import type { ProcessCatalog } from '../server/sla/catalog';
import type { ZeebeGrpcClient } from '../server/zeebe';
import type { Adapters } from './adapters';
import { PermanentFault } from './faults';

export { PermanentFault, TechnicalFault } from './faults';

/** The dossier code, as every job carries it. */
export const dossierCode = startVariables.shape.dossierCode;

// --- dependencies --------------------------------------------------------------------------

export interface WorkerSettings {
  /** Base of the URLs external systems call back (`${publicBaseUrl}/api/callbacks/police`). */
  publicBaseUrl: string;
  /** The partner that must answer the police verification requests (POLICE_PARTNER_ID). */
  policePartnerId: string;
  /** Signer named in signing orders. */
  signer: string;
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
}

export interface WorkerDeps {
  db: Db;
  catalog: ProcessCatalog;
  calendars: CalendarProvider;
  policy: CalendarPolicy;
  adapters: Adapters;
  mailer: Mailer;
  clock: { now(): Date };
  logger: Logger;
  settings: WorkerSettings;
  /** Outages of the database, SMTP and Zeebe: one log line per component per 10 s while down. */
  outages: OutageLog;
}

export interface WorkerDepsInput {
  db: Db;
  catalog: ProcessCatalog;
  calendars: CalendarProvider;
  policy: CalendarPolicy;
  adapters: Adapters;
  mailer: Mailer;
  logger: Logger;
  config: Pick<Config, 'PUBLIC_BASE_URL' | 'POLICE_PARTNER_ID' | 'SIGNING_SIGNER' | 'WORKER_RETRY_BACKOFF_MS' | 'WORKER_RETRY_BACKOFF_MAX_MS'>;
  /** The product's clock (required: a default of the wall clock let a test's workers run on the real date while the test ran at its own instant). */
  clock: { now(): Date };
}

/** The mailer, telling the outage log when SMTP fails and when it answers again. */
function trackedMailer(mailer: Mailer, outages: OutageLog): Mailer {
  return {
    ...mailer,
    async send(mail) {
      const sent = await mailer.send(mail);
      outages.success('smtp');
      return sent;
    },
  };
}

/** Everything the handlers use, built once per process (tests pass their own local pieces). */
export function createWorkerDeps(input: WorkerDepsInput): WorkerDeps {
  const outages = new OutageLog(input.logger);
  return {
    db: input.db,
    catalog: input.catalog,
    calendars: input.calendars,
    policy: input.policy,
    adapters: input.adapters,
    mailer: trackedMailer(input.mailer, outages),
    clock: input.clock,
    logger: input.logger,
    outages,
    settings: {
      publicBaseUrl: input.config.PUBLIC_BASE_URL,
      policePartnerId: input.config.POLICE_PARTNER_ID,
      signer: input.config.SIGNING_SIGNER,
      retryBackoffMs: input.config.WORKER_RETRY_BACKOFF_MS,
      retryBackoffMaxMs: input.config.WORKER_RETRY_BACKOFF_MAX_MS,
    },
  };
}

// --- workers and outcomes ------------------------------------------------------------------

export type Outputs<T extends JobType> = z.infer<(typeof jobTypes)[T]['outputs']>;

/** Columns of the job's dossier a handler sets as its last write: written with the step's finish, in one statement. */
export type DossierWrite = Updateable<DossiersTable>;

export type Outcome<O> = { kind: 'complete'; variables: O; dossier?: DossierWrite } | { kind: 'bpmnError'; errorCode: string; message: string };

/**
 * The job is done with these outputs; `write.dossier`, the columns of the job's dossier that the
 * handler sets last, are written by the statement that finishes the step (once the outputs keep
 * the contract), so the job is acknowledged only after both are stored.
 */
export const complete = <O>(variables: O, write: { dossier?: DossierWrite } = {}): Outcome<O> => ({ kind: 'complete', variables, ...write });
export const bpmnError = <O = never>(errorCode: string, message: string): Outcome<O> => ({ kind: 'bpmnError', errorCode, message });

/** The job as the handler sees it (no variables: those come validated). */
export interface JobInfo {
  key: string;
  type: string;
  bpmnProcessId: string;
  processInstanceKey: string;
  elementId: string;
  elementInstanceKey: string;
  retries: number;
}

export interface JobContext<V, H> {
  variables: V;
  headers: H;
  job: JobInfo;
  dossierCode: string;
  deps: WorkerDeps;
  /** The calendar in force for this job. */
  calendars: WorkingCalendars;
  /** The injected clock, read once when the job was taken. */
  now: Date;
  /** When the element was activated (`activatedAt`), else `now`. */
  startedAt: Date;
  /**
   * The dossier as read with the step's start, just before the handler (null when the start took
   * its checked path): read it through `dossierOf(ctx)` (workers/dossier-support.ts).
   */
  dossier: Dossier | null;
  logger: Logger;
  /** Idempotency key of the step: `${dossierCode}:${elementId}` (steps that run once per dossier). */
  stepKey: string;
  /** Idempotency key of this activation: `${dossierCode}:${elementInstanceKey}` (steps that can repeat). */
  activationKey: string;
}

export interface Worker<T extends JobType = JobType, VS extends z.ZodType = z.ZodType, HS extends z.ZodType = z.ZodType> {
  type: T;
  /** Variables the handler reads; validated (unknown keys dropped). */
  variables: VS;
  headers?: HS;
  /** BPMN error codes the models catch for this job type. */
  bpmnErrors?: readonly string[];
  /** The outside system the handler calls (Vietnamese name): the recorded reason when the step ends after its due time. */
  system?: string;
  /** A word for the timeline's `outcome` (accept, signed, ...). */
  outcomeOf?: (outputs: Outputs<T>, variables: z.infer<VS>) => string | undefined;
  handler(ctx: JobContext<z.infer<VS>, z.infer<HS>>): Promise<Outcome<Outputs<T>>>;
}

export function defineWorker<T extends JobType, VS extends z.ZodType, HS extends z.ZodType = z.ZodObject<Record<string, never>>>(
  worker: Worker<T, VS, HS>,
): Worker<T, VS, HS> {
  return worker;
}

// --- running one job -----------------------------------------------------------------------

export interface ActivatedJob extends JobInfo {
  variables: Readonly<Record<string, unknown>>;
  customHeaders: Readonly<Record<string, unknown>>;
}

export type JobAction =
  | { action: 'complete'; variables: Record<string, unknown> }
  | { action: 'error'; errorCode: string; errorMessage: string }
  | { action: 'fail'; errorMessage: string; retries: number; retryBackOff: number }
  /** The job belongs to a duplicate process instance of its dossier: cancel that instance. */
  | { action: 'cancelInstance'; reason: string };

/** Retries the models give their service tasks (`zeebe:taskDefinition retries="3"`). */
export const MODEL_RETRIES = 3;

/** Back-off before the next attempt: base × 2^(failures so far − 1), at most `max`. */
export function retryBackoff(retriesBefore: number, settings: Pick<WorkerSettings, 'retryBackoffMs' | 'retryBackoffMaxMs'>): number {
  const failures = Math.max(1, MODEL_RETRIES - retriesBefore + 1);
  return Math.min(settings.retryBackoffMaxMs, settings.retryBackoffMs * 2 ** (failures - 1));
}

function describeIssues(what: string, error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const name = issue.path.map(String).join('.') || '(all)';
      const missing = issue.code === 'invalid_type' && issue.input === undefined;
      return `${what} ${name} ${missing ? 'is missing' : issue.message}`;
    })
    .join('; ');
}

class InvalidJobError extends Error {
  override name = 'InvalidJobError';
}

/** The logger of one job: every line tagged; never variables (they may name people). */
export function jobLogger(logger: Logger, job: JobInfo, dossier: string | undefined): Logger {
  return logger.child({ dossierCode: dossier, processInstanceKey: job.processInstanceKey, jobKey: job.key, taskType: job.type, elementId: job.elementId });
}

/** The reason recorded when an automated step that waits on an outside system ends late (kept only if it is late). */
export function systemLateReason(system: string, retriesLeft: number): { text: string; source: 'system' } {
  const attempts = Math.max(1, MODEL_RETRIES - retriesLeft + 1);
  return { text: `Chờ hệ thống ngoài: ${system}${attempts > 1 ? ` (lần gọi thứ ${attempts})` : ''}`, source: 'system' };
}

/** Runs one job through a worker and says what to tell the broker. Never throws. */
export async function processJob(worker: Worker, job: ActivatedJob, deps: WorkerDeps): Promise<JobAction> {
  const rawCode = typeof job.variables.dossierCode === 'string' ? job.variables.dossierCode : undefined;
  const logger = jobLogger(deps.logger, job, rawCode);
  try {
    const variables = worker.variables.safeParse(job.variables);
    if (!variables.success) throw new InvalidJobError(`${job.type}: ${describeIssues('variable', variables.error)}`);
    const headers = (worker.headers ?? z.object({})).safeParse(job.customHeaders);
    if (!headers.success) throw new InvalidJobError(`${job.type}: ${describeIssues('header', headers.error)}`);
    const code = dossierCode.parse(job.variables.dossierCode);

    const now = deps.clock.now();
    const startedAt = parseEngineInstant(job.variables.activatedAt) ?? now;
    const calendars = await deps.calendars.current();
    const timeline: TimelineDeps = {
      db: deps.db,
      calendars: () => calendars,
      stepSla: (processId, elementId, internalProcessId) => deps.catalog.stepSla(processId, elementId, internalProcessId),
    };
    const internalProcessId = typeof job.variables.internalProcessId === 'string' ? job.variables.internalProcessId : null;
    const start = { dossierCode: code, processId: job.bpmnProcessId, processInstanceKey: job.processInstanceKey, elementId: job.elementId, elementInstanceKey: job.elementInstanceKey, startedAt, internalProcessId };
    // one statement starts the step and reads the dossier for the handler; else the checked start
    const dossier = await stepStartedReadingDossier(timeline, start);
    if (!dossier) await stepStartedChecked(timeline, start);

    const outcome = await worker.handler({
      variables: variables.data,
      headers: headers.data,
      job: { key: job.key, type: job.type, bpmnProcessId: job.bpmnProcessId, processInstanceKey: job.processInstanceKey, elementId: job.elementId, elementInstanceKey: job.elementInstanceKey, retries: job.retries },
      dossierCode: code,
      deps,
      calendars,
      now,
      startedAt,
      dossier,
      logger,
      stepKey: `${code}:${job.elementId}`,
      activationKey: `${code}:${job.elementInstanceKey}`,
    });

    if (outcome.kind === 'bpmnError') {
      if (!worker.bpmnErrors?.includes(outcome.errorCode)) {
        throw new PermanentFault(`${job.type}: BPMN error ${outcome.errorCode} is not caught by the model (${outcome.message})`);
      }
      await stepFinished(timeline, { elementInstanceKey: job.elementInstanceKey, finishedAt: deps.clock.now(), actor: 'system', outcome: outcome.errorCode });
      logger.info({ errorCode: outcome.errorCode }, 'job ended with a BPMN error');
      return { action: 'error', errorCode: outcome.errorCode, errorMessage: outcome.message };
    }
    const contract = jobTypes[worker.type].outputs.strict();
    const outputs = contract.safeParse(outcome.variables);
    if (!outputs.success) throw new Error(`${job.type}: the worker's outputs break the contract: ${describeIssues('output', outputs.error)}`);
    const end = {
      elementInstanceKey: job.elementInstanceKey,
      finishedAt: deps.clock.now(),
      actor: 'system',
      ...(worker.outcomeOf ? { outcome: worker.outcomeOf(outputs.data, variables.data) ?? undefined } : {}),
      ...(worker.system ? { lateReason: systemLateReason(worker.system, job.retries) } : {}),
    };
    await (outcome.dossier ? stepFinishedWritingDossier(timeline, end, code, outcome.dossier) : stepFinished(timeline, end));
    logger.info('job completed');
    deps.outages.success('postgres');
    return { action: 'complete', variables: outputs.data };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof DuplicateInstanceError) {
      // expected after a start whose answer was lost (an outage): self-healing, not a warning
      logger.info({ boundTo: error.boundTo }, 'duplicate process instance of the dossier: cancelling it');
      return { action: 'cancelInstance', reason: message };
    }
    const down = deps.outages.record(error);
    if (down) {
      // Back off, quietly: the job keeps its retries and comes back after the back-off.
      return { action: 'fail', errorMessage: `${down} unavailable: ${message}`, retries: job.retries, retryBackOff: OUTAGE_BACKOFF_MS };
    }
    if (error instanceof PermanentFault) {
      logger.error({ fault: 'permanent' }, `job failed, incident raised: ${message}`);
      return { action: 'fail', errorMessage: message, retries: 0, retryBackOff: 0 };
    }
    const retries = Math.max(0, job.retries - 1);
    const retryBackOff = retries > 0 ? retryBackoff(job.retries, deps.settings) : 0;
    logger.warn({ fault: 'technical', retries, retryBackOff }, `job failed: ${message}`);
    return { action: 'fail', errorMessage: message, retries, retryBackOff };
  }
}

// --- registering with Zeebe ----------------------------------------------------------------

export interface RunningWorker {
  type: string;
  /** Stops polling and waits for in-flight jobs, at most `drainTimeoutMs`. */
  close(): Promise<void>;
}

export interface WorkerRunOptions {
  maxJobs: number;
  /** How long a job stays with this worker before the broker gives it to another. */
  jobTimeoutMs: number;
  drainTimeoutMs: number;
  /** How long one activation request waits (long polling). */
  longPollMs?: number;
  /** Worker name reported to the broker. */
  name?: string;
}

/** Variables processJob reads itself, beside the worker's own: the dossier, the step's start, the internal process. */
const FRAMEWORK_VARIABLES = ['dossierCode', 'activatedAt', 'internalProcessId'] as const;

/** The variable names a schema reads (objects, their intersections and unions); undefined when it cannot tell. */
function schemaNames(schema: z.ZodType): string[] | undefined {
  if (schema instanceof z.ZodObject) return Object.keys(schema.shape);
  if (schema instanceof z.ZodIntersection) {
    const left = schemaNames(schema.def.left as z.ZodType);
    const right = schemaNames(schema.def.right as z.ZodType);
    return left && right ? [...left, ...right] : undefined;
  }
  if (schema instanceof z.ZodUnion) {
    const names = (schema.options as z.ZodType[]).map(schemaNames);
    return names.every((n) => n !== undefined) ? names.flat() : undefined;
  }
  return undefined;
}

/**
 * The variables a job of this worker needs from the broker: those its schema reads and those
 * processJob reads, or undefined (all of them) for a schema whose names cannot be told. The
 * broker then reads, converts and sends only these, not every variable of the instance.
 */
export function fetchedVariables(worker: Pick<Worker, 'variables'>): string[] | undefined {
  const names = schemaNames(worker.variables);
  return names ? [...new Set([...FRAMEWORK_VARIABLES, ...names])].sort() : undefined;
}

/** Polls the broker for the worker's job type and applies each job's action. */
export function runWorker(zeebe: ZeebeGrpcClient, worker: Worker, deps: WorkerDeps, options: WorkerRunOptions): RunningWorker {
  const fetchVariable = fetchedVariables(worker);
  const zbWorker = zeebe.createWorker({
    taskType: worker.type,
    id: options.name ?? `lltp-${worker.type}-${process.pid}`,
    maxJobsToActivate: options.maxJobs,
    timeout: options.jobTimeoutMs,
    pollInterval: 300,
    longPoll: options.longPollMs ?? 10_000,
    ...(fetchVariable ? { fetchVariable } : {}),
    taskHandler: async (job) => {
      const activated: ActivatedJob = {
        key: job.key,
        type: job.type,
        bpmnProcessId: job.bpmnProcessId,
        processInstanceKey: job.processInstanceKey,
        elementId: job.elementId,
        elementInstanceKey: job.elementInstanceKey,
        retries: job.retries,
        variables: job.variables,
        customHeaders: job.customHeaders,
      };
      const action = await processJob(worker, activated, deps);
      try {
        if (action.action === 'cancelInstance') {
          // Bounded like every outside call. The SDK frees a job's slot only when the job is
          // completed, failed, errored or forwarded: the cancel removes the job at the broker,
          // so the slot is released with forward() whatever the cancel's outcome (a job whose
          // cancel failed comes back after its timeout). Without it every cancelled duplicate
          // kept a slot until the worker stopped polling altogether.
          try {
            await withDeadline('zeebe', 2000, zeebe.cancelProcessInstance(job.processInstanceKey)).catch((error: unknown) => {
              if (!/NOT_FOUND/.test((error as Error).message)) throw error;
            });
          } finally {
            job.forward();
          }
          return 'JOB_ACTION_ACKNOWLEDGEMENT' as const;
        }
        const acknowledged = await (action.action === 'complete'
          ? job.complete(action.variables as never)
          : action.action === 'error'
            ? job.error({ errorCode: action.errorCode, errorMessage: action.errorMessage, variables: {} })
            : job.fail({ errorMessage: action.errorMessage, retries: action.retries, retryBackOff: action.retryBackOff }));
        deps.outages.success('zeebe');
        return acknowledged;
      } catch (error) {
        if (unavailableComponent(error) === 'zeebe') {
          // The broker is down: the job comes back after its timeout; one line per outage window.
          deps.outages.failure('zeebe', error);
          return 'JOB_ACTION_ACKNOWLEDGEMENT' as const;
        }
        // The job is gone (its element was cancelled) or the broker is unreachable: the broker
        // gives the job again after its timeout if it still exists.
        jobLogger(deps.logger, activated, typeof job.variables.dossierCode === 'string' ? job.variables.dossierCode : undefined).warn(
          { action: action.action },
          `could not report the job's outcome to the broker: ${error instanceof Error ? error.message : String(error)}`,
        );
        return 'JOB_ACTION_ACKNOWLEDGEMENT' as const;
      }
    },
    onConnectionError: () => deps.outages.failure('zeebe', new Error('the job poll lost its connection to the gateway')),
    onReady: () => deps.outages.success('zeebe'),
  });
  // The SDK pauses a poll the broker refused (back-pressure, an internal error, authentication) for 1 s, then
  // twice as long each time until a job comes, up to 15 s: say so, or a worker that waits looks idle.
  zbWorker.on('backoff', (pauseMs: number) => deps.logger.info({ taskType: worker.type, pauseMs }, 'the broker refused the job poll: the next one waits'));
  return {
    type: worker.type,
    async close() {
      let timer: NodeJS.Timeout | undefined;
      const drained = await Promise.race([
        zbWorker.close(options.drainTimeoutMs).then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), options.drainTimeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (!drained) deps.logger.warn({ taskType: worker.type, drainTimeoutMs: options.drainTimeoutMs }, 'in-flight jobs not finished before the drain timeout; the broker gives them again');
    },
  };
}
