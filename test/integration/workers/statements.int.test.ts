/**
 * The steps and tasks path in few statements (issue 26: bench:flow's statements per dossier),
 * with the same guarantees: a user-task job stores its step and its task in one statement, and
 * a delivery of the same job again writes one step and one task still (the newer job key kept,
 * the officer's claim left alone); the first job of an instance not bound yet takes the checked
 * path, and a duplicate instance's job writes nothing; an automated job's step start reads the
 * dossier its handler needs in the same statement, and its finish writes the handler's columns.
 */
import { randomInt } from 'node:crypto';
import type { KyselyPlugin } from 'kysely';
import type { Principal } from '../../../server/auth/middleware';
import type { Db } from '../../../server/db';
import { DEFAULT_DUE_SOON_POLICY } from '../../../server/calendar/status';
import { claimTask, receiveUserTask, type InboxDeps } from '../../../server/inbox/inbox';
import { createLogger } from '../../../server/logger';
import { OutageLog } from '../../../server/outage';
import { DuplicateInstanceError } from '../../../server/readmodel/timeline';
import { processJob } from '../../../workers/framework';
import { workers } from '../../../workers/registry';
import { testClock, testNow } from '../../support/clock';
import { startWorkerTestEnv, uniqueCode, type WorkerTestEnv } from './support';

const NATIONAL = 'quy-trinh-570-v20260701';
const KHANH_HOA = 'khanh-hoa-2799-v20241029';

let env: WorkerTestEnv;
beforeAll(async () => {
  env = await startWorkerTestEnv('workers_statements');
}, 60_000);
afterAll(async () => {
  await env.stop();
});

/**
 * The database, counting the statements sent through it: by their results (a query builder
 * nested in a statement, a `WITH` part, passes through transformQuery too).
 */
function counted(db: Db): { db: Db; statements: () => number } {
  let sent = 0;
  const counter: KyselyPlugin = {
    transformQuery: (args) => args.node,
    transformResult: (args) => {
      sent += 1;
      return Promise.resolve(args.result);
    },
  };
  return { db: db.withPlugin(counter), statements: () => sent };
}

function inboxDeps(db: Db): InboxDeps {
  const logger = createLogger({ level: 'silent' });
  return {
    db,
    stepSla: (processId, elementId, internalProcessId) => env.deps.catalog.stepSla(processId, elementId, internalProcessId),
    fourEyesAfter: (processId, elementId) => env.deps.catalog.fourEyesAfter(processId, elementId),
    fourEyesRules: env.deps.catalog.fourEyesRules(),
    calendars: () => env.deps.calendars.current(),
    dueSoon: DEFAULT_DUE_SOON_POLICY,
    // receiving and claiming never call the engine
    zeebe: { completeJob: () => Promise.reject(new Error('not used')), cancelProcessInstance: () => Promise.reject(new Error('not used')), createWorker: () => { throw new Error('not used'); }, updateJobTimeout: () => Promise.reject(new Error('not used')) },
    logger,
    outages: new OutageLog(logger),
    now: testClock(),
  };
}

let keySeq = randomInt(1_000_000, 9_000_000);
const nextKey = (): string => String((keySeq += 1));

/** The job of step 3 (checkDossier) of the dossier's instance. */
function checkDossierJob(code: string, processInstanceKey: string, elementInstanceKey = nextKey()) {
  return {
    key: nextKey(),
    processInstanceKey,
    bpmnProcessId: NATIONAL,
    elementId: 'checkDossier',
    elementInstanceKey,
    customHeaders: { 'io.camunda.zeebe:formKey': 'lltp.form.check-dossier' },
    variables: { dossierCode: code, activatedAt: `${testNow().toISOString()}[Etc/UTC]`, internalProcessId: KHANH_HOA },
  };
}

/** A dossier written as intake writes it, bound to its process instance as intake binds it. */
async function boundDossier(code: string, processInstanceKey: string): Promise<void> {
  await env.createDossier(code);
  await env.db.updateTable('dossiers').set({ processInstanceKey }).where('code', '=', code).execute();
}

const stepsOf = (code: string) => env.db.selectFrom('steps').selectAll().where('dossierCode', '=', code).execute();
const tasksOf = (code: string) => env.db.selectFrom('tasks').selectAll().where('dossierCode', '=', code).execute();
const officer: Principal = { kind: 'staff', username: 'motcua', displayName: 'Cán bộ một cửa', roles: ['oneStopOfficer'], unitId: 'stp-mot-cua' };

test('a user-task job stores its step and its task in one statement; delivered again (a new job key): one step, one task, the newer key, the claim kept', async () => {
  const code = uniqueCode();
  const instance = nextKey();
  await boundDossier(code, instance);
  const { db, statements } = counted(env.db);
  const deps = inboxDeps(db);
  const first = checkDossierJob(code, instance);
  const task = await receiveUserTask(deps, first);
  expect(statements()).toBe(1);
  expect(task).toMatchObject({ id: `task:${first.elementInstanceKey}`, jobKey: first.key, status: 'open', role: 'oneStopOfficer', unitId: 'stp-mot-cua' });
  const [step] = await stepsOf(code);
  expect(task.dueAt).toEqual(step?.dueAt);
  expect(task.startedAt).toEqual(step?.startedAt);
  expect((await env.db.selectFrom('dossiers').select('currentElementId').where('code', '=', code).executeTakeFirstOrThrow()).currentElementId).toBe('checkDossier');

  await claimTask(deps, officer, task.id);
  const again = { ...first, key: nextKey() };
  const before = statements();
  const replayed = await receiveUserTask(deps, again);
  expect(statements() - before).toBe(1);
  expect(replayed).toMatchObject({ id: task.id, jobKey: again.key, status: 'claimed', claimedBy: 'motcua', dueAt: task.dueAt });
  expect(await stepsOf(code)).toHaveLength(1);
  expect(await tasksOf(code)).toHaveLength(1);
});

test('the first user-task job of an instance not bound yet binds the dossier (checked path); a job of a second instance of the dossier writes nothing', async () => {
  const code = uniqueCode();
  await env.createDossier(code);
  const deps = inboxDeps(env.db);
  const instance = nextKey();
  const task = await receiveUserTask(deps, checkDossierJob(code, instance));
  expect(task).toMatchObject({ status: 'open', processInstanceKey: instance });
  expect((await env.db.selectFrom('dossiers').select('processInstanceKey').where('code', '=', code).executeTakeFirstOrThrow()).processInstanceKey).toBe(instance);
  await expect(receiveUserTask(deps, checkDossierJob(code, nextKey()))).rejects.toBeInstanceOf(DuplicateInstanceError);
  expect(await stepsOf(code)).toHaveLength(1);
  expect(await tasksOf(code)).toHaveLength(1);
});

test("an automated job of a bound dossier in two statements: its step started with its dossier read, then the step finished with the handler's write", async () => {
  const code = uniqueCode();
  const instance = nextKey();
  await boundDossier(code, instance);
  const { db, statements } = counted(env.db);
  const worker = workers.find((w) => w.type === 'lltp.lltp-software.push');
  if (!worker) throw new Error('no worker for lltp.lltp-software.push');
  const job = {
    key: nextKey(),
    type: worker.type,
    bpmnProcessId: NATIONAL,
    processInstanceKey: instance,
    elementId: 'pushToLltpSoftware',
    elementInstanceKey: nextKey(),
    retries: 3,
    variables: { dossierCode: code, activatedAt: `${testNow().toISOString()}[Etc/UTC]`, internalProcessId: KHANH_HOA },
    customHeaders: {},
  };
  const action = await processJob(worker, job, { ...env.deps, db });
  expect(action.action).toBe('complete');
  expect(statements()).toBe(2);
  const steps = await stepsOf(code);
  expect(steps).toHaveLength(1);
  expect(steps[0]).toMatchObject({ elementId: 'pushToLltpSoftware', actor: 'system' });
  expect(steps[0]?.finishedAt).toBeInstanceOf(Date);
  expect((await env.db.selectFrom('dossiers').select('lltpSoftwareId').where('code', '=', code).executeTakeFirstOrThrow()).lltpSoftwareId).toBeTruthy();
});
