/**
 * The task inbox: human steps arrive as jobs of type `io.camunda.zeebe:userTask`; the inbox
 * worker stores each as a task (and starts its step on the timeline) and leaves the job
 * activated; officers list, claim, release and complete tasks; completing validates the
 * decision against the form's contract (processes/contracts.ts), completes the job, finishes
 * the step and writes an audit entry. A task completed after its due time (working time on
 * its unit's calendar) needs the officer's reason for the delay (`lateReason`), kept on the
 * step for the inspectors.
 *
 * Separation of duties: an administrator's account (accounts, units, calendars, the monitor)
 * never claims or completes a task, since every task decides a dossier; and a task whose model
 * names an earlier step with `lltp:fourEyes.after` (the leader's approval after the head of
 * division's review) may not be claimed or completed by whoever did that step on the dossier,
 * whatever roles they hold.
 */
import { sql } from 'kysely';
import { forms } from '../../processes/contracts';
import { ApologyRuleError, checkApology } from '../apology/rules';
import { auditQuery } from '../audit';
import type { Principal } from '../auth/middleware';
import { describeIssues, freeText } from '../api/text';
import { retryTransient, type Db } from '../db';
import { toJson, type TaskCompletion } from '../db/tables';
import { classifyOpen } from '../calendar/status';
import type { DueSoonPolicy } from '../calendar/status';
import type { WorkingCalendars } from '../calendar/working-calendar';
import { statusLabels } from '../glossary';
import type { Logger } from '../logger';
import { findDossier } from '../readmodel/dossier';
import { stepId } from '../readmodel/step';
import { boundStepStartCtes, DuplicateInstanceError, finishStepsQuery, parseEngineInstant, stepStartedChecked, type TimelineDeps } from '../readmodel/timeline';
import { isBackPressure, OUTAGE_BACKOFF_MS, withDeadline, type OutageLog } from '../outage';
import type { FourEyesRule } from '../sla/catalog';
import type { ZeebeGrpcClient } from '../zeebe';
import { taskId, type Task, type TaskStatus } from './task';

export const USER_TASK_JOB_TYPE = 'io.camunda.zeebe:userTask';
/**
 * A user task's job, once its task is stored, stays activated this long; after that Zeebe hands
 * it out again and the task is refreshed.
 */
export const USER_TASK_JOB_TIMEOUT_MS = 7 * 24 * 3600 * 1000;
/**
 * Until its task is stored, a user task's job is activated for this long only (the inbox then
 * extends it to USER_TASK_JOB_TIMEOUT_MS). Zeebe may activate a job whose activation never reaches
 * the worker (the answer to a long poll lost as the poll ends: camunda/camunda#3631, #59354): such
 * a job comes back after this, not after seven days with no task in anyone's inbox.
 */
export const USER_TASK_ACTIVATION_TIMEOUT_MS = 60_000;

export type FormKey = keyof typeof forms;
const isFormKey = (key: string): key is FormKey => Object.hasOwn(forms, key);

export class InboxError extends Error {
  constructor(readonly status: 400 | 403 | 404 | 409, message: string) {
    super(message);
    this.name = 'InboxError';
  }
}

export interface InboxDeps {
  db: Db;
  stepSla: TimelineDeps['stepSla'];
  /** The earlier step whose actor may not do this one (`lltp:fourEyes.after` in the model), or null. */
  fourEyesAfter: (processId: string, elementId: string) => string | null;
  /**
   * All the models' four-eyes rules (ProcessCatalog.fourEyesRules), the same facts as
   * fourEyesAfter: given, a claim is one statement that checks them itself; absent, a transaction
   * that claims, then checks.
   */
  fourEyesRules?: readonly FourEyesRule[];
  calendars: () => Promise<WorkingCalendars>;
  dueSoon: DueSoonPolicy;
  zeebe: Pick<ZeebeGrpcClient, 'completeJob' | 'createWorker' | 'cancelProcessInstance' | 'updateJobTimeout'>;
  logger: Logger;
  /** Outages seen by the inbox worker (one log line per component per window). */
  outages: OutageLog;
  now: () => Date;
}

interface UserTaskJob {
  key: string;
  processInstanceKey: string;
  bpmnProcessId: string;
  elementId: string;
  elementInstanceKey: string;
  customHeaders: Record<string, string>;
  variables: Record<string, unknown>;
}

/**
 * The variables a user task's job brings from the broker: the dossier, when the element was
 * activated, the internal procedure that governs the step, and every form's inputs (what a task
 * is shown with). The broker reads, converts and sends only these, not every variable of the
 * instance.
 */
export const USER_TASK_VARIABLES: readonly string[] = [
  ...new Set(['dossierCode', 'activatedAt', 'internalProcessId', ...Object.values(forms).flatMap((form) => form.inputs)]),
].sort();

/** What a task is shown with: the form's inputs among the job's variables, as text. */
function shownOf(formKey: FormKey, variables: Record<string, unknown>): Record<string, string> {
  const shown: Record<string, string> = {};
  for (const name of forms[formKey].inputs) {
    const value = variables[name];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') shown[name] = String(value);
  }
  return shown;
}

/**
 * Stores a user-task job as an inbox task (idempotent; a re-delivered job refreshes its job key)
 * and starts its step. One statement when the dossier is bound to the instance: the step's start
 * ({@link boundStepStartCtes}) and the task built from the step as stored, together. Otherwise
 * (that statement found nothing) the checked start, then the task.
 */
export async function receiveUserTask(deps: InboxDeps, job: UserTaskJob): Promise<Task> {
  const formKey = job.customHeaders['io.camunda.zeebe:formKey'] ?? '';
  if (!isFormKey(formKey)) throw new Error(`User task ${job.elementId} has unknown form ${formKey || '(none)'}`);
  const dossierCode = job.variables.dossierCode;
  if (typeof dossierCode !== 'string') throw new Error(`User task ${job.elementId} has no dossierCode variable`);
  const form = forms[formKey];
  const startedAt = parseEngineInstant(job.variables.activatedAt) ?? deps.now();
  const calendars = await deps.calendars();
  const timeline = { db: deps.db, stepSla: deps.stepSla, calendars: () => calendars };
  const internalProcessId = typeof job.variables.internalProcessId === 'string' ? job.variables.internalProcessId : null;
  const start = { dossierCode, processId: job.bpmnProcessId, processInstanceKey: job.processInstanceKey, elementId: job.elementId, elementInstanceKey: job.elementInstanceKey, startedAt, internalProcessId };
  const task = { id: taskId(job.elementInstanceKey), jobKey: job.key, formKey, title: form.title, role: form.role as string, startedAt, shown: toJson(shownOf(formKey, job.variables)) };
  const { rows } = await sql<Task>`
    WITH ${boundStepStartCtes(timeline, start)},
    task AS (
      INSERT INTO tasks (id, job_key, dossier_code, process_instance_key, process_id, element_id, element_name, form_key, title, role,
        unit_id, started_at, due_at, status, shown)
      SELECT ${task.id}, ${task.jobKey}, step.dossier_code, step.process_instance_key, step.process_id, step.element_id,
        coalesce(step.element_name, step.element_id), ${task.formKey}, ${task.title}, coalesce(step.role, ${task.role}),
        step.unit_id, ${task.startedAt}::timestamptz, step.due_at, 'open', ${task.shown}::jsonb
      FROM step
      ON CONFLICT (id) DO UPDATE SET job_key = excluded.job_key
      RETURNING *
    )
    SELECT * FROM task`.execute(deps.db);
  if (rows[0]) return rows[0];
  const step = await stepStartedChecked(timeline, start);
  return deps.db
    .insertInto('tasks')
    .values({
      ...task,
      dossierCode,
      processInstanceKey: job.processInstanceKey,
      processId: job.bpmnProcessId,
      elementId: job.elementId,
      elementName: step.elementName ?? job.elementId,
      role: step.role ?? task.role,
      unitId: step.unitId,
      dueAt: step.dueAt,
      status: 'open',
    })
    .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ jobKey: eb.ref('excluded.jobKey') })))
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Starts the inbox's job worker. */
export function startInboxWorker(deps: InboxDeps, options: { maxJobs?: number; activationTimeoutMs?: number } = {}): { close: () => Promise<void> } {
  const activationTimeoutMs = options.activationTimeoutMs ?? USER_TASK_ACTIVATION_TIMEOUT_MS;
  // the extension must land well within the activation it extends
  const holdDeadlineMs = Math.min(5000, Math.floor(activationTimeoutMs / 2));
  const worker = deps.zeebe.createWorker({
    taskType: USER_TASK_JOB_TYPE,
    timeout: activationTimeoutMs,
    fetchVariable: [...USER_TASK_VARIABLES],
    onConnectionError: () => deps.outages.failure('zeebe', new Error('the inbox poll lost its connection to the gateway')),
    onReady: () => deps.outages.success('zeebe'),
    maxJobsToActivate: options.maxJobs ?? 64,
    taskHandler: async (job) => {
      try {
        await receiveUserTask(deps, job as unknown as UserTaskJob);
        deps.outages.success('postgres');
        await holdUserTaskJob(deps, job.key, holdDeadlineMs);
        return job.forward();
      } catch (error) {
        if (error instanceof DuplicateInstanceError) {
          deps.logger.info({ jobKey: job.key, processInstanceKey: job.processInstanceKey, boundTo: error.boundTo }, 'duplicate process instance of the dossier: cancelling it');
          await deps.zeebe.cancelProcessInstance(job.processInstanceKey).catch(() => undefined);
          return job.forward();
        }
        const down = deps.outages.record(error);
        if (down) {
          // An outage is not the task's fault: keep its retries, back off, log once per window.
          // the SDK frees the job's slot whether or not the broker took the failure (never twice)
          return job.fail({ errorMessage: `${down} unavailable`, retries: job.retries, retryBackOff: OUTAGE_BACKOFF_MS }).catch(() => 'JOB_ACTION_ACKNOWLEDGEMENT' as const);
        }
        deps.logger.error({ err: error, jobKey: job.key, processInstanceKey: job.processInstanceKey, taskType: USER_TASK_JOB_TYPE }, 'user task not stored');
        return job.fail({ errorMessage: (error as Error).message, retries: job.retries - 1, retryBackOff: 5000 }).catch(() => 'JOB_ACTION_ACKNOWLEDGEMENT' as const);
      }
    },
  });
  // the SDK pauses a refused poll (1 s, doubling to 15 s): say so, or an inbox that waits looks idle
  worker.on('backoff', (pauseMs: number) => deps.logger.info({ taskType: USER_TASK_JOB_TYPE, pauseMs }, 'the broker refused the job poll: the next one waits'));
  return {
    close: async () => {
      await worker.close();
    },
  };
}

/**
 * The stored task's job stays activated for USER_TASK_JOB_TIMEOUT_MS. When the broker does not
 * take the extension (down, busy, no answer within `deadlineMs`), the job comes back after its
 * activation timeout and is stored again: the task keeps its claim, the extension is asked
 * again. A job already gone (NOT_FOUND: its element ended or was cancelled) needs nothing.
 */
async function holdUserTaskJob(deps: Pick<InboxDeps, 'zeebe' | 'logger' | 'outages'>, jobKey: string, deadlineMs: number): Promise<void> {
  try {
    await withDeadline('zeebe', deadlineMs, deps.zeebe.updateJobTimeout({ jobKey, timeout: USER_TASK_JOB_TIMEOUT_MS }));
    deps.outages.success('zeebe');
  } catch (error) {
    if (/NOT_FOUND/.test((error as Error).message)) return;
    // back-pressure is the broker busy, not down (as for the API's calls: server/zeebe.ts)
    if (!isBackPressure(error) && deps.outages.record(error)) return;
    deps.logger.warn({ jobKey, taskType: USER_TASK_JOB_TYPE }, `the user task's job was not extended, it comes back after its activation timeout: ${(error as Error).message}`);
  }
}

function mayWork(principal: Principal | undefined, task: Pick<Task, 'role' | 'unitId'>): principal is Extract<Principal, { kind: 'staff' }> {
  return principal?.kind === 'staff' && principal.roles.includes(task.role as never) && principal.unitId === task.unitId;
}

type Staff = Extract<Principal, { kind: 'staff' }>;

/** Administrators run the system, they do not decide dossiers: 403 before anything is looked up. */
export const ADMINISTRATOR_REFUSED =
  'Tài khoản quản trị hệ thống không được nhận hay hoàn thành công việc xử lý hồ sơ (tách bạch nhiệm vụ: quản trị tài khoản, đơn vị, lịch làm việc và giám sát, không quyết định hồ sơ).';

/** The staff principal who may work tasks: a processing role, and not an administrator's account. */
function worker(principal: Principal | undefined): Staff {
  if (principal?.kind !== 'staff' || !principal.roles.some((r) => TASK_ROLES.includes(r))) {
    if (principal?.kind === 'staff' && principal.roles.includes('administrator')) throw new InboxError(403, ADMINISTRATOR_REFUSED);
    throw new InboxError(403, 'Hộp việc dành cho cán bộ xử lý hồ sơ.');
  }
  if (principal.roles.includes('administrator')) throw new InboxError(403, ADMINISTRATOR_REFUSED);
  return principal;
}

/**
 * Four eyes: when the model names an earlier step for this task (`lltp:fourEyes.after`), the
 * user who did that step last on this process instance may not claim or complete this one.
 */
async function checkFourEyes(deps: InboxDeps, db: Pick<Db, 'selectFrom'>, task: Task, username: string): Promise<void> {
  const after = deps.fourEyesAfter(task.processId, task.elementId);
  if (!after) return;
  const earlier = await db
    .selectFrom('tasks')
    .select(['completedBy', 'elementName'])
    .where('dossierCode', '=', task.dossierCode)
    .where('processInstanceKey', '=', task.processInstanceKey)
    .where('elementId', '=', after)
    .where('status', '=', 'completed')
    .orderBy('completedAt', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (earlier?.completedBy === username) {
    throw new InboxError(
      403,
      `Nguyên tắc bốn mắt: bạn đã làm bước "${earlier.elementName}" của hồ sơ ${task.dossierCode}, nên bước "${task.elementName}" phải do người khác nhận và hoàn thành.`,
    );
  }
}

export interface TaskView extends Omit<Task, 'startedAt' | 'dueAt' | 'completedAt'> {
  startedAt: string;
  dueAt: string;
  completedAt: string | null;
  /** onTrack / dueSoon / overdue for open tasks. */
  dueStatus: string | null;
  dueStatusLabel: string | null;
}

async function view(deps: InboxDeps, task: Task): Promise<TaskView> {
  let dueStatus: string | null = null;
  if (task.status === 'open' || task.status === 'claimed') {
    const calendars = await deps.calendars();
    const allotment = Math.max(1, calendars.forUnit(task.unitId).between(task.startedAt, task.dueAt));
    dueStatus = classifyOpen(calendars.forUnit(task.unitId), { dueAt: task.dueAt, allotmentMinutes: allotment }, deps.now(), deps.dueSoon).status;
  }
  return {
    ...task,
    startedAt: task.startedAt.toISOString(),
    dueAt: task.dueAt.toISOString(),
    completedAt: task.completedAt ? task.completedAt.toISOString() : null,
    dueStatus,
    dueStatusLabel: dueStatus ? statusLabels[dueStatus as keyof typeof statusLabels] : null,
  };
}

/** Open and claimed tasks the user may work on: their roles, their unit; earliest due first. */
export async function listTasks(deps: InboxDeps, principal: Principal | undefined): Promise<TaskView[]> {
  if (principal?.kind !== 'staff') throw new InboxError(403, 'Hộp việc dành cho cán bộ.');
  const active: TaskStatus[] = ['open', 'claimed'];
  // an administrator's account sees no task (it may not work one) unless it also holds a task role
  const tasks = await deps.db
    .selectFrom('tasks')
    .selectAll()
    .where('status', 'in', active)
    .where('role', 'in', principal.roles as string[])
    .where('unitId', '=', principal.unitId)
    .orderBy('dueAt')
    .limit(500)
    .execute();
  return Promise.all(tasks.map((t) => view(deps, t)));
}

/** The roles that work tasks (the forms' roles). */
const TASK_ROLES: readonly string[] = [...new Set(Object.values(forms).map((f) => f.role as string))];

/**
 * A task the principal may work on. The role is checked before anything is looked up, and a
 * task of another role or unit is answered like one that does not exist: the answer tells
 * nothing about tasks the caller may not see.
 */
async function load(deps: InboxDeps, principal: Principal | undefined, id: string): Promise<Task> {
  worker(principal);
  const task = await deps.db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
  if (!task || !mayWork(principal, task)) throw new InboxError(404, 'Không có công việc này trong hộp việc của bạn.');
  return task;
}

/**
 * Claims a task for the officer: one conditional update (the task open, or claimed by them
 * already, of their role and unit, and not forbidden to them by its four-eyes rule: the rules are
 * checked inside the statement); only when the update changes nothing is the task read, to say
 * why (404, 403 or 409 naming the holder). Without `fourEyesRules`, the update and the check run
 * in a transaction that is rolled back on a 403.
 */
export async function claimTask(deps: InboxDeps, principal: Principal | undefined, id: string): Promise<TaskView> {
  const staff = worker(principal);
  const claimed = deps.fourEyesRules ? await claimChecked(deps.db, deps.fourEyesRules, staff, id) : await claimThenCheck(deps, staff, id);
  if (claimed) return view(deps, claimed);
  const task = await load(deps, principal, id);
  const mine = task.status === 'open' || (task.status === 'claimed' && task.claimedBy === staff.username);
  // the claim statement left alone a task this officer could otherwise take: its four-eyes rule (403)
  if (mine) {
    await checkFourEyes(deps, deps.db, task, staff.username);
    throw new InboxError(409, 'Công việc vừa thay đổi trạng thái; hãy tải lại hộp việc.');
  }
  throw new InboxError(409, task.status === 'claimed' ? `Công việc đã được ${task.claimedBy ?? 'người khác'} nhận.` : 'Công việc đã kết thúc.');
}

/** The claim's conditional update: the task open (or claimed by them already), of their role and unit. */
function claimQuery(db: Pick<Db, 'updateTable'>, { username, roles, unitId }: Staff, id: string) {
  return db
    .updateTable('tasks')
    .set({ status: 'claimed', claimedBy: username })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('status', '=', 'open'), eb.and([eb('status', '=', 'claimed'), eb('claimedBy', '=', username)])]))
    .where('role', 'in', roles as string[])
    .where('unitId', '=', unitId);
}

/**
 * The claim in one statement: the conditional update, which also leaves the task alone when one
 * of `rules` names it and the officer did the earlier step last on the same process instance.
 */
async function claimChecked(db: Db, rules: readonly FourEyesRule[], staff: Staff, id: string): Promise<Task | undefined> {
  const query = claimQuery(db, staff, id);
  return query.where(fourEyesAllow(rules, staff.username)).returningAll().executeTakeFirst();
}

/**
 * SQL on `tasks`: true unless one of `rules` names the task and `username` did the earlier step
 * last on the same process instance (the four-eyes check inside a claim's or a completion's statement).
 */
function fourEyesAllow(rules: readonly FourEyesRule[], username: string) {
  if (rules.length === 0) return sql<boolean>`true`;
  const ruleRows = sql.join(rules.map((r) => sql`(${r.processId}, ${r.elementId}, ${r.after})`));
  return sql<boolean>`NOT EXISTS (
    SELECT 1 FROM (VALUES ${ruleRows}) AS four_eyes (process_id, element_id, earlier_element_id)
    WHERE four_eyes.process_id = tasks.process_id AND four_eyes.element_id = tasks.element_id
      AND (SELECT earlier.completed_by FROM tasks earlier
           WHERE earlier.dossier_code = tasks.dossier_code AND earlier.process_instance_key = tasks.process_instance_key
             AND earlier.element_id = four_eyes.earlier_element_id AND earlier.status = 'completed'
           ORDER BY earlier.completed_at DESC LIMIT 1) = ${username})`;
}

/** The claim as a transaction: the conditional update, then the four-eyes check, rolled back on a 403. */
async function claimThenCheck(deps: InboxDeps, staff: Staff, id: string): Promise<Task | undefined> {
  return deps.db.transaction().execute(async (trx) => {
    const row = await claimQuery(trx, staff, id).returningAll().executeTakeFirst();
    if (row) await checkFourEyes(deps, trx, row, staff.username);
    return row;
  });
}

/**
 * Gives a claimed task back. An administrator's account may give back a task it still holds
 * (claimed before administrators were kept out of the inbox), so that it does not stay stuck.
 */
export async function releaseTask(deps: InboxDeps, principal: Principal | undefined, id: string): Promise<TaskView> {
  const holdsOnly = principal?.kind === 'staff' && principal.roles.includes('administrator');
  const taskId = holdsOnly ? id : (await load(deps, principal, id)).id;
  const username = (principal as Staff).username;
  const released = await deps.db
    .updateTable('tasks')
    .set({ status: 'open', claimedBy: null })
    .where('id', '=', taskId)
    .where('status', '=', 'claimed')
    .where('claimedBy', '=', username)
    .returningAll()
    .executeTakeFirst();
  if (!released) {
    if (holdsOnly) throw new InboxError(403, ADMINISTRATOR_REFUSED);
    throw new InboxError(409, 'Chỉ người đã nhận công việc mới trả lại được.');
  }
  return view(deps, released);
}

/** The leader's apology form is checked against the dossier before the process moves on. */
async function checkApologyForm(deps: InboxDeps, dossierCode: string, newReturnDate: string): Promise<void> {
  const dossier = await findDossier(deps.db, dossierCode);
  if (!dossier) throw new InboxError(404, `Không có hồ sơ ${dossierCode}.`);
  try {
    checkApology(dossier, { newReturnDate }, (await deps.calendars()).forUnit(dossier.unitId), deps.now());
  } catch (error) {
    if (error instanceof ApologyRuleError) throw new InboxError(error.status, error.message);
    throw error;
  }
}

const DECISION_FIELDS = ['intakeDecision', 'searchOutcome', 'reviewDecision'] as const;

/** The longest reason for a delay an officer may give. */
export const LATE_REASON_MAX = 2000;
const lateReasonText = freeText(LATE_REASON_MAX).optional();

/** The officer's reason as given (NFC, trimmed, bounded, printable), undefined when none. */
function givenLateReason(given: unknown): string | undefined {
  const parsed = lateReasonText.safeParse(given);
  if (!parsed.success) throw new InboxError(400, `${describeIssues(parsed.error, ['lateReason'])} (lý do chậm: chuỗi ký tự, tối đa ${LATE_REASON_MAX} ký tự)`);
  return parsed.data === '' ? undefined : parsed.data;
}

/**
 * The officer's reason, required when the task is completed after its due time: working
 * minutes on the unit's calendar between the step's due instant and now, for a timed step.
 */
async function lateReasonFor(deps: InboxDeps, task: Task, at: Date, reason: string | undefined): Promise<string | undefined> {
  if (at <= task.dueAt) return reason;
  const step = await deps.db.selectFrom('steps').select('allotmentMinutes').where('id', '=', stepId(task.id.replace(/^task:/, ''))).executeTakeFirst();
  if (!step || step.allotmentMinutes === 0) return reason;
  const lateMinutes = (await deps.calendars()).forUnit(task.unitId).between(task.dueAt, at);
  if (lateMinutes > 0 && !reason) {
    throw new InboxError(400, `lateReason: công việc đã quá hạn ${lateMinutes} phút làm việc; hãy nêu lý do chậm (lateReason) để hoàn thành.`);
  }
  return reason;
}

/**
 * Records the officer's completion in one statement where the flow allows, with what the
 * checked path ({@link recordCompletionChecked}) would check: the task claimed by the officer
 * with no completion recorded yet, of their role and unit, its form one whose outputs the data
 * satisfy (each candidate form's completion is computed beforehand, the statement picks the
 * task's), on time or with the officer's reason, and not forbidden by its four-eyes rule. The
 * apology's form (checked against the dossier) and a deployment without `fourEyesRules` always
 * take the checked path. Returns the task with its completion, or undefined: the checked path
 * then says why, or records what this statement could not judge (a late task whose delay is no
 * working time, say).
 */
async function recordCompletionAtOnce(deps: InboxDeps, staff: Staff, id: string, data: unknown, given: string | undefined): Promise<Task | undefined> {
  if (!deps.fourEyesRules) return undefined;
  const at = deps.now();
  const candidates: [FormKey, TaskCompletion][] = [];
  for (const [key, form] of Object.entries(forms) as [FormKey, (typeof forms)[FormKey]][]) {
    if (key === 'lltp.form.apology' || !staff.roles.includes(form.role)) continue;
    const parsed = form.outputs.safeParse(data ?? {});
    if (parsed.success) candidates.push([key, { variables: parsed.data, lateReason: given ?? null, at: at.toISOString(), by: staff.username }]);
  }
  if (candidates.length === 0) return undefined;
  const byForm = sql.join(candidates.map(([key, completion]) => sql`WHEN ${key} THEN ${toJson(completion)}::jsonb`), sql` `);
  return deps.db
    .updateTable('tasks')
    .set({ completion: sql`CASE form_key ${byForm} END` })
    .where('id', '=', id)
    .where('status', '=', 'claimed')
    .where('claimedBy', '=', staff.username)
    .where('completion', 'is', null)
    .where('role', 'in', staff.roles as string[])
    .where('unitId', '=', staff.unitId)
    .where('formKey', 'in', candidates.map(([key]) => key))
    .$if(given === undefined, (qb) => qb.where('dueAt', '>=', at))
    .where(fourEyesAllow(deps.fourEyesRules, staff.username))
    .returningAll()
    .executeTakeFirst();
}

/**
 * The checked path of recording a completion: the task read, the officer's right to complete it,
 * its four-eyes rule, the form's data, the delay's reason and the apology's rules checked one by
 * one (each refusal names its reason), then the completion recorded, unless an earlier attempt by
 * the same officer recorded one already: that one is sent again. Returns the task as read, the
 * completion to send, and whether it was recorded earlier.
 */
async function recordCompletionChecked(
  deps: InboxDeps,
  principal: Principal | undefined,
  id: string,
  data: unknown,
  given: string | undefined,
): Promise<{ task: Task; completion: TaskCompletion; earlier: boolean } | { done: Task }> {
  const task = await load(deps, principal, id);
  const username = (principal as Staff).username;
  if (task.status === 'completed') {
    if (task.completedBy === username) return { done: task };
    throw new InboxError(409, 'Công việc đã hoàn thành.');
  }
  if (task.status !== 'claimed' || task.claimedBy !== username) throw new InboxError(409, 'Hãy nhận công việc trước khi hoàn thành.');
  await checkFourEyes(deps, deps.db, task, username);
  const earlier = task.completion;
  if (earlier && earlier.by === username) return { task, completion: earlier, earlier: true };
  const form = forms[task.formKey as FormKey];
  const parsed = form.outputs.safeParse(data ?? {});
  if (!parsed.success) {
    throw new InboxError(400, `Dữ liệu không hợp lệ: ${describeIssues(parsed.error, ['data'])}`);
  }
  const variables = parsed.data as Record<string, unknown>;
  const at = deps.now();
  const reason = await lateReasonFor(deps, task, at, given);
  if (task.formKey === 'lltp.form.apology') await checkApologyForm(deps, task.dossierCode, variables.newReturnDate as string);
  const completion: TaskCompletion = { variables, lateReason: reason ?? null, at: at.toISOString(), by: username };
  const recorded = await deps.db
    .updateTable('tasks')
    .set({ completion: toJson(completion) })
    .where('id', '=', task.id)
    .where('status', '=', 'claimed')
    .where('claimedBy', '=', username)
    .returning('id')
    .executeTakeFirst();
  if (!recorded) throw new InboxError(409, 'Công việc vừa thay đổi trạng thái; hãy tải lại hộp việc.');
  return { task, completion, earlier: false };
}

/**
 * Completes a claimed task with the form's data (and, if late, the reason). The completion is
 * recorded on the task first (one statement where the flow allows: {@link recordCompletionAtOnce}),
 * then the job is completed in Zeebe, then the step, the task and the audit entry are written in
 * one statement. Any of the three may meet an outage (503): the same request sent again carries
 * on from where it stopped, with what Zeebe was given, and a repeat after success answers the
 * completed task.
 */
export async function completeTask(deps: InboxDeps, principal: Principal | undefined, id: string, data: unknown, lateReason?: unknown): Promise<TaskView> {
  const given = givenLateReason(lateReason);
  const staff = worker(principal);
  const username = staff.username;
  const atOnce = await recordCompletionAtOnce(deps, staff, id, data, given);
  const recorded = atOnce?.completion
    ? { task: atOnce, completion: atOnce.completion, earlier: false }
    : await recordCompletionChecked(deps, principal, id, data, given);
  if ('done' in recorded) return view(deps, recorded.done);
  const { task, completion } = recorded;
  const earlier = recorded.earlier;
  try {
    await deps.zeebe.completeJob({ jobKey: task.jobKey, variables: completion.variables as Parameters<InboxDeps['zeebe']['completeJob']>[0]['variables'] });
  } catch (error) {
    const message = (error as Error).message;
    if (!/NOT_FOUND|not found/i.test(message)) throw error;
    if (!earlier) {
      await deps.db.updateTable('tasks').set({ status: 'cancelled' }).where('id', '=', task.id).where('status', '<>', 'completed').execute();
      throw new InboxError(409, 'Công việc không còn trong quy trình (hồ sơ đã rút, đã hết hạn hoặc đã được xử lý).');
    }
    // An earlier attempt of this completion reached Zeebe; only the read model is behind.
  }
  const at = new Date(completion.at);
  const decision = DECISION_FIELDS.map((f) => completion.variables[f]).find((v): v is string => typeof v === 'string') ?? 'done';
  const reason = completion.lateReason;
  const completed = await retryTransient(
    () =>
      deps.db
        .with('step', () => finishStepsQuery(deps.db, { id: stepId(task.id.replace(/^task:/, '')) }, { finishedAt: at, actor: username, outcome: decision, ...(reason ? { lateReason: { text: reason, source: 'officer' as const } } : {}) }))
        .with('entry', () => auditQuery(deps.db, { at, actor: username, action: 'task.complete', dossierCode: task.dossierCode, detail: `${task.elementId}: ${decision}` }))
        .updateTable('tasks')
        .set({ status: 'completed', completedAt: at, completedBy: username, decision })
        .where('id', '=', task.id)
        .returningAll()
        .executeTakeFirstOrThrow(),
    { attempts: 2, firstPauseMs: 200 },
  );
  return view(deps, completed);
}
