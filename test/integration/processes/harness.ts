/**
 * Driving process instances on the real broker until the real workers exist.
 *
 * How visited elements are observed without Operate: every job of every job type the models
 * use (service tasks, and job-worker user tasks under `io.camunda.zeebe:userTask`) is
 * activated here with `activateJobs`, recorded (element id, job type, headers, variables)
 * and completed with variables from the test's script or from a default that the contract
 * in processes/contracts.ts accepts (every completion is validated against it). Timers and
 * messages are seen through the jobs that follow them. Each driver owns one dossier (by
 * `dossierCode`, which call activities pass to the internal procedure); a job that one
 * driver's poller activates for another running driver's dossier is handled by that driver
 * at once (handing it back to the broker let two drivers bounce a job between them for
 * seconds), and a job of no running driver is handed back. Completion of an instance is
 * checked by cancelling it: the broker answers NOT_FOUND for an instance that has ended.
 *
 * "Nothing more happened" is checked after `settle()`: the broker processes what follows a
 * completed job up to the next wait state before it answers the completion (Zeebe's batch
 * processing), and settle waits until every job type's poller has asked for jobs again, so a
 * job the engine created by then has been seen. Timers fire when the broker checks due timers
 * after its clock moved: a test waits first for a job that the same move fires.
 */
import { randomBytes } from 'node:crypto';
import { forms, jobTypes, type ProcessChannel } from '../../../processes/contracts';
import { loadConfig } from '../../../server/config';
import { brokerReady, type ZeebeGrpcClient } from '../../../server/zeebe';
import { monotonicMs } from '../../support/clock';

export const USER_TASK_JOB_TYPE = 'io.camunda.zeebe:userTask';
export const JOB_TYPES = [USER_TASK_JOB_TYPE, ...Object.keys(jobTypes)];
export const NATIONAL_PROCESS_ID = 'quy-trinh-570-v20241001';
export const KHANH_HOA_PROCESS_ID = 'khanh-hoa-2799-v20241029';
const MANAGEMENT_URL = loadConfig().ZEEBE_MANAGEMENT_URL;

type JobVariables = Parameters<ZeebeGrpcClient['completeJob']>[0]['variables'];
type MessageVariables = Parameters<ZeebeGrpcClient['publishMessage']>[0]['variables'];

/** A long activation timeout, so that a held job survives moving the broker clock by days. */
const JOB_TIMEOUT_MS = 60 * 24 * 3_600_000;
/** How long a job of no running driver's dossier, handed back, waits before it can be activated again. */
const HAND_BACK_MS = 500;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface Job {
  key: string;
  type: string;
  elementId: string;
  bpmnProcessId: string;
  processInstanceKey: string;
  retries: number;
  customHeaders: Record<string, unknown>;
  variables: Record<string, unknown>;
}

export interface Visit {
  elementId: string;
  /** False when the job was gone before it could be completed (its element was cancelled). */
  completed: boolean;
  type: string;
  bpmnProcessId: string;
  headers: Record<string, unknown>;
  variables: Record<string, unknown>;
}

export interface ReplyContext {
  /** The broker's clock (it moves in timer tests). */
  now: Date;
  job: Job;
  /** Instants relative to the broker's clock, as ISO strings. */
  after: (ms: number) => string;
}

export const HOLD = Symbol('hold');
export type Reply = Record<string, unknown> | ((ctx: ReplyContext) => Record<string, unknown> | typeof HOLD) | typeof HOLD;
/** Replies by element id; an array gives one reply per visit of the element, in order. */
export type Script = Record<string, Reply | Reply[]>;

/** Fails fast, naming the broker, when it is not up (`npm run stack:up`). */
export async function requireBroker(): Promise<void> {
  if (!(await brokerReady(MANAGEMENT_URL))) {
    throw new Error(`The Zeebe broker is not ready at ${MANAGEMENT_URL}; start the local stack with \`npm run stack:up\`.`);
  }
}

export async function brokerNow(): Promise<Date> {
  const response = await fetch(new URL('/actuator/clock', MANAGEMENT_URL));
  if (!response.ok) throw new Error(`GET /actuator/clock answered ${response.status}`);
  const body = (await response.json()) as { epochMilli: number };
  return new Date(body.epochMilli);
}

/** A dossier code of its own for every test, in the format of the contract. */
export function uniqueDossierCode(): string {
  const agency = `T${randomBytes(4).toString('hex').toUpperCase()}.KHA`;
  return `${agency}-241104-${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`;
}

const caseVariantOf = (variables: Record<string, unknown>): string =>
  variables.searchOutcome === 'noRecord' ? 'ordinary' : variables.verificationScope === 'extended' ? 'statutory' : 'verification';

/** Contract-valid default outputs per job type; apology, police and supplement instants far ahead. */
function defaultJobReply(ctx: ReplyContext): Record<string, unknown> {
  const now = ctx.now.toISOString();
  const deadlines = { statutoryDueAt: ctx.after(14 * DAY), targetDueAt: ctx.after(5 * DAY), apologyByAt: ctx.after(13 * DAY), apologyPromptAt: ctx.after(12 * DAY) };
  switch (ctx.job.type) {
    case 'lltp.intake.register':
      return { internalProcessId: KHANH_HOA_PROCESS_ID, clockStartedAt: now, ...deadlines, apologyIssued: false };
    case 'lltp.dossier.issue-refusal':
      return { refusedAt: now };
    case 'lltp.dossier.request-supplement':
      return { clockStoppedAt: now, supplementDueAt: ctx.after(20 * DAY) };
    case 'lltp.dossier.restart-clock':
      return { clockStartedAt: now, ...deadlines };
    case 'lltp.dossier.close-unsupplemented':
    case 'lltp.dossier.close-withdrawn':
      return { closedAt: now };
    case 'lltp.lltp-software.push':
      return { lltpSoftwareId: `LLTP-${ctx.job.key}` };
    case 'lltp.deadline.plan':
      return { caseVariant: caseVariantOf(ctx.job.variables), ...deadlines };
    case 'lltp.police.request-verification':
      return { verificationRequestedAt: now, policeReminderAt: ctx.after(10 * DAY), policeEscalationAt: ctx.after(11 * DAY) };
    case 'lltp.apology.issue':
      return { apologyIssued: true, returnDueAt: ctx.after(20 * DAY), apologyByAt: ctx.after(19 * DAY), apologyPromptAt: ctx.after(18 * DAY) };
    case 'lltp.sign.certificate':
      return { certificateNumber: `KHA-${ctx.job.key}`, signedAt: now };
    case 'lltp.return.result':
      return { returnedAt: now };
    case 'lltp.post.send-copy':
      return { postTrackingNumber: `VN${ctx.job.key}` };
    default:
      return {};
  }
}

/** Forms whose completion carries no decision get a default; decisions must be scripted. */
function defaultFormReply(formKey: string, ctx: ReplyContext): Record<string, unknown> | undefined {
  switch (formKey) {
    case 'lltp.form.accept-in-lltp':
    case 'lltp.form.record-verification':
    case 'lltp.form.draft-certificate':
    case 'lltp.form.approve-certificate':
      return {};
    case 'lltp.form.hand-over-copy':
      return { handedOverAt: ctx.now.toISOString() };
    default:
      return undefined;
  }
}

function formKeyOf(job: Job): string {
  const formKey = job.customHeaders['io.camunda.zeebe:formKey'];
  return typeof formKey === 'string' ? formKey : '';
}

function validate(job: Job, variables: Record<string, unknown>): void {
  if (job.type === USER_TASK_JOB_TYPE) {
    const formKey = formKeyOf(job);
    const form = (forms as Record<string, { outputs: { parse(v: unknown): unknown } }>)[formKey];
    if (!form) throw new Error(`${job.elementId}: unknown form ${formKey}`);
    form.outputs.parse(variables);
    return;
  }
  const contract = (jobTypes as Record<string, { outputs: { strict(): { parse(v: unknown): unknown } } }>)[job.type];
  if (!contract) throw new Error(`${job.elementId}: no contract for job type ${job.type}`);
  contract.outputs.strict().parse(variables);
}

/** The running drivers by dossier code. */
const drivers = new Map<string, ProcessDriver>();

export class ProcessDriver {
  readonly visits: Visit[] = [];
  private readonly visitCount = new Map<string, number>();
  private readonly held = new Map<string, Job>();
  private readonly errors: Error[] = [];
  private readonly waiters: (() => void)[] = [];
  /** By job type: when (monotonicMs) the poller's latest finished activation round had started. */
  private readonly roundsDone = new Map<string, number>();
  private running = true;
  private readonly loops: Promise<void>[];
  readonly instanceKeys: string[] = [];

  constructor(
    private readonly zeebe: ZeebeGrpcClient,
    readonly dossierCode: string,
    private readonly script: Script = {},
  ) {
    drivers.set(dossierCode, this);
    this.loops = JOB_TYPES.map((type) => this.poll(type));
  }

  /** Element ids of the jobs handled so far, in order. */
  get visited(): string[] {
    return this.visits.map((v) => v.elementId);
  }

  async start(bpmnProcessId: string, variables: Record<string, unknown> = {}): Promise<string> {
    const response = await this.zeebe.createProcessInstance({ bpmnProcessId, variables: { dossierCode: this.dossierCode, ...variables } });
    this.instanceKeys.push(response.processInstanceKey);
    return response.processInstanceKey;
  }

  /**
   * Starts the national process as the intake API does: dossier code, agency, receipt time,
   * paper copy, channel (`vneid`: every dossier, ordinary ones too, goes to the police at step 7).
   */
  async startNational(paperCopy: 'none' | 'post' | 'desk' = 'none', channel: ProcessChannel = 'vneid'): Promise<string> {
    return this.start(NATIONAL_PROCESS_ID, { agencyCode: 'STP.KHA', receivedAt: (await brokerNow()).toISOString(), paperCopy, channel });
  }

  /** The police's answer to step 7 (message `lltp.police.verification-answered`), once the request has gone. */
  async answerPolice(): Promise<void> {
    await this.waitFor('requestPoliceVerification');
    await this.publish('lltp.police.verification-answered', { policeAnsweredAt: (await brokerNow()).toISOString() });
  }

  /** Waits until the element's job has been completed (or held) `count` times. */
  async waitFor(elementId: string, count = 1, timeoutMs = 20_000): Promise<Visit> {
    const deadline = monotonicMs() + timeoutMs;
    for (;;) {
      this.throwErrors();
      const visits = this.visits.filter((v) => v.elementId === elementId);
      const visit = visits[count - 1];
      if (visit) return visit;
      if (monotonicMs() > deadline) throw new Error(`${elementId} not visited ${count} time(s) within ${timeoutMs} ms; visited: ${this.visited.join(', ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Completes a job held by a `HOLD` reply. */
  async release(elementId: string, variables: Record<string, unknown> = {}): Promise<void> {
    const job = this.held.get(elementId);
    if (!job) throw new Error(`no held job for ${elementId}`);
    validate(job, variables);
    this.held.delete(elementId);
    const completed = await this.complete(job, variables);
    if (!completed) throw new Error(`held job of ${elementId} no longer exists`);
    const visit = [...this.visits].reverse().find((v) => v.elementId === elementId);
    if (visit) visit.completed = true;
  }

  async publish(name: string, variables: Record<string, unknown>): Promise<void> {
    // Buffered for a while, as adapters publish: it correlates as soon as the instance subscribes.
    await this.zeebe.publishMessage({ name, correlationKey: this.dossierCode, variables: variables as MessageVariables, timeToLive: 30_000 });
  }

  /**
   * Waits until the broker has had every chance to hand this driver the jobs that exist now:
   * each job type's poller of every running driver (another driver's poller may have activated a
   * job of this dossier) has finished an activation round that started after this call and
   * handled what it got. Then `visits` holds every job of this dossier the engine had created by
   * this call: a "nothing more happened" check after it can fail.
   */
  async settle(timeoutMs = 10_000): Promise<void> {
    const from = monotonicMs();
    const deadline = monotonicMs() + timeoutMs;
    const behind = (): string[] =>
      [...drivers.values()].flatMap((driver) =>
        JOB_TYPES.filter((type) => (driver.roundsDone.get(type) ?? Number.NEGATIVE_INFINITY) < from).map((type) => `${type} (${driver.dossierCode})`),
      );
    while (behind().length > 0) {
      this.throwErrors();
      if (monotonicMs() > deadline) throw new Error(`the pollers of ${behind().join(', ')} did not ask the broker for jobs again within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    this.throwErrors();
  }

  /**
   * Asserts that every instance this driver started has ended: nothing is left to cancel.
   * Settles first, so that a job the engine still created is seen (and fails the caller's
   * check of the visited elements) rather than cancelled unseen.
   */
  async expectEnded(): Promise<void> {
    await this.settle();
    for (const key of this.instanceKeys) {
      const outcome = await this.zeebe.cancelProcessInstance(key).then(
        () => 'was still active (cancelled now)',
        (error: Error & { code?: number }) => (error.code === 5 ? 'ended' : `cancel failed: ${error.message}`),
      );
      if (outcome !== 'ended') throw new Error(`process instance ${key} ${outcome}; visited: ${this.visited.join(', ')}`);
    }
  }

  /** Stops polling and cancels what is still running (after a failed test). */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    if (drivers.get(this.dossierCode) === this) drivers.delete(this.dossierCode);
    for (const key of this.instanceKeys) await this.zeebe.cancelProcessInstance(key).catch(() => undefined);
  }

  private throwErrors(): void {
    const error = this.errors[0];
    if (error) throw error;
  }

  private async poll(type: string): Promise<void> {
    while (this.running) {
      const roundStartedAt = monotonicMs();
      let jobs: Job[];
      try {
        jobs = await this.zeebe.activateJobs<Record<string, unknown>, Record<string, unknown>>({
          type,
          worker: `test-${this.dossierCode}`,
          maxJobsToActivate: 16,
          timeout: JOB_TIMEOUT_MS,
          requestTimeout: 500,
        });
      } catch (error) {
        if (this.running) this.errors.push(error as Error);
        return;
      }
      for (const job of jobs) {
        // an error fails this driver's test (throwErrors) but does not stop the poller: other
        // drivers' settle() waits on its rounds
        await this.dispatch(job).catch((error: unknown) => {
          this.errors.push(error as Error);
        });
      }
      this.roundsDone.set(type, roundStartedAt);
    }
  }

  /** Gives a job to the driver of its dossier, or hands it back when no running driver owns it. */
  private async dispatch(job: Job): Promise<void> {
    const owner = drivers.get(String(job.variables.dossierCode));
    if (owner === undefined || !owner.running) {
      await this.zeebe.failJob({ jobKey: job.key, retries: job.retries, errorMessage: 'no running test owns this dossier', retryBackOff: HAND_BACK_MS }).catch((error: unknown) => {
        // The job is no longer ours to hand back: it ended (5 NOT_FOUND), or its activation ran
        // out when a test moved the broker's clock and another poller took or failed it first
        // (9 FAILED_PRECONDITION, "it is in state 'FAILED'"; seen at 2026-12-31 16:30 under load).
        // Either way the broker has it; anything else stops this poller's round with the error.
        const code = (error as { code?: number }).code;
        if (code !== 5 && code !== 9) throw error;
      });
      return;
    }
    try {
      await owner.handle(job);
    } catch (error) {
      owner.errors.push(error as Error);
    }
  }

  private async handle(job: Job): Promise<void> {
    const visit = this.visitCount.get(job.elementId) ?? 0;
    this.visitCount.set(job.elementId, visit + 1);
    const record: Visit = { elementId: job.elementId, completed: false, type: job.type, bpmnProcessId: job.bpmnProcessId, headers: job.customHeaders, variables: job.variables };

    const now = await brokerNow();
    const ctx: ReplyContext = { now, job, after: (ms) => new Date(now.getTime() + ms).toISOString() };
    const scripted = this.script[job.elementId];
    const reply = Array.isArray(scripted) ? scripted[visit] : scripted;
    let variables: Record<string, unknown> | typeof HOLD | undefined;
    if (reply === HOLD) variables = HOLD;
    else if (typeof reply === 'function') variables = reply(ctx);
    else if (reply) variables = reply;
    else if (job.type === USER_TASK_JOB_TYPE) variables = defaultFormReply(formKeyOf(job), ctx);
    else variables = defaultJobReply(ctx);
    if (variables === undefined) throw new Error(`${job.elementId} (visit ${visit + 1}) is a decision: the test must script it`);
    if (variables === HOLD) {
      this.held.set(job.elementId, job);
    } else {
      validate(job, variables);
      record.completed = await this.complete(job, variables);
    }
    // Recorded once the job is completed (or held), so that waitFor(x) means x is done.
    this.visits.push(record);
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Completes a job; false when the job no longer exists (an interrupting event cancelled its element). */
  private async complete(job: Job, variables: Record<string, unknown>): Promise<boolean> {
    try {
      await this.zeebe.completeJob({ jobKey: job.key, variables: variables as JobVariables });
      return true;
    } catch (error) {
      if ((error as { code?: number }).code === 5) return false;
      throw error;
    }
  }
}

export const time = { HOUR, DAY };
