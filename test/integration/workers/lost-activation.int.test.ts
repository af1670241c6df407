/**
 * A user task whose activation never reached the inbox: Zeebe activated the job, and the answer
 * was lost on its way (camunda/camunda#3631, #59354; seen in CI on 7 December 2026 as a check task
 * that never came). Played here by an inbox whose first delivery of the job is dropped unseen, on
 * the real broker and database: the job comes back after the inbox's activation timeout and its
 * task is stored then; once stored, the job is held (its timeout extended to seven days) and not
 * handed out again at the next activation timeout.
 */
import { DEFAULT_DUE_SOON_POLICY } from '../../../server/calendar/status';
import { loadConfig } from '../../../server/config';
import { startInboxWorker, type InboxDeps } from '../../../server/inbox/inbox';
import { createLogger } from '../../../server/logger';
import { OutageLog } from '../../../server/outage';
import { createZeebeClient, type ZeebeGrpcClient } from '../../../server/zeebe';
import { deployProcesses } from '../../../processes/deploy';
import { monotonicMs, testClock, testNowMs } from '../../support/clock';
import { eventually } from '../../support/wait';
import { startWorkerTestEnv, uniqueCode, type WorkerTestEnv } from './support';

const NATIONAL = 'quy-trinh-570-v20260701'; // in force on the suite's day
const KHANH_HOA = 'khanh-hoa-2799-v20241029';
const ACTIVATION_TIMEOUT_MS = 5_000;

let env: WorkerTestEnv;
let zeebe: ZeebeGrpcClient;
let closeClients: () => Promise<void>;
beforeAll(async () => {
  const { camunda, zeebe: client } = createZeebeClient({ ...loadConfig(), LOG_LEVEL: 'silent' });
  zeebe = client;
  closeClients = () => camunda.closeAllClients();
  await deployProcesses(zeebe, createLogger({ level: 'silent' }));
  env = await startWorkerTestEnv('workers_lost_activation');
}, 60_000);
afterAll(async () => {
  await closeClients?.();
  await env?.stop();
});

test('a user-task job whose activation was lost comes back after the activation timeout and is stored; the stored task\'s job is then held, not handed out again', async () => {
  const code = uniqueCode();
  await env.createDossier(code);
  /** Deliveries of this dossier's job to the inbox, in the order they came. */
  const deliveries: { key: string; atMs: number }[] = [];
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
  const deps: InboxDeps = {
    db: env.db,
    stepSla: (processId, elementId, internalProcessId) => env.deps.catalog.stepSla(processId, elementId, internalProcessId),
    fourEyesAfter: (processId, elementId) => env.deps.catalog.fourEyesAfter(processId, elementId),
    fourEyesRules: env.deps.catalog.fourEyesRules(),
    calendars: () => env.deps.calendars.current(),
    dueSoon: DEFAULT_DUE_SOON_POLICY,
    zeebe: {
      completeJob: (request) => zeebe.completeJob(request),
      cancelProcessInstance: (key) => zeebe.cancelProcessInstance(key),
      updateJobTimeout: (request) => zeebe.updateJobTimeout(request),
      // the broker's real worker, whose first delivery of this dossier's job is lost before the inbox sees it
      createWorker: ((config: Parameters<ZeebeGrpcClient['createWorker']>[0]) =>
        zeebe.createWorker({
          ...config,
          taskHandler: (job, worker) => {
            // other files' user tasks left on the shared broker are not this test's
            if ((job.variables as { dossierCode?: unknown }).dossierCode !== code) return job.forward();
            deliveries.push({ key: job.key, atMs: monotonicMs() });
            return deliveries.length === 1 ? job.forward() : config.taskHandler(job as never, worker);
          },
        })) as ZeebeGrpcClient['createWorker'],
    },
    logger,
    outages: new OutageLog(logger),
    now: testClock(),
  };
  const inbox = startInboxWorker(deps, { activationTimeoutMs: ACTIVATION_TIMEOUT_MS });
  const { processInstanceKey } = await zeebe.createProcessInstance({
    bpmnProcessId: NATIONAL,
    // what the steps before it would have set: the internal procedure, the apology timer on the check (far away)
    variables: { dossierCode: code, internalProcessId: KHANH_HOA, apologyPromptAt: new Date(testNowMs() + 30 * 24 * 3600_000).toISOString() },
    startInstructions: [{ elementId: 'checkDossier' }],
  });
  try {
    const task = await eventually(
      () => env.db.selectFrom('tasks').select(['jobKey', 'formKey', 'status']).where('dossierCode', '=', code).executeTakeFirst(),
      `the check task of ${code}, its first activation lost`,
      ACTIVATION_TIMEOUT_MS + 25_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; deliveries ${JSON.stringify(deliveries)}; the inbox's log: ${lines.join('')}`);
    });
    expect(task).toMatchObject({ formKey: 'lltp.form.check-dossier', status: 'open' });
    expect(deliveries).toHaveLength(2);
    expect(deliveries[1]!.key).toBe(deliveries[0]!.key);
    expect(task.jobKey).toBe(deliveries[0]!.key);
    // the job came back only when the lost activation timed out
    expect(deliveries[1]!.atMs - deliveries[0]!.atMs).toBeGreaterThanOrEqual(ACTIVATION_TIMEOUT_MS - 500);

    // stored, the job is held: another activation timeout and more pass without a delivery
    await new Promise((resolve) => setTimeout(resolve, ACTIVATION_TIMEOUT_MS + 4_000));
    expect(deliveries).toHaveLength(2);
    // held by the extension the inbox asked for, which the broker took
    expect(lines.join('')).not.toMatch(/was not extended/);
  } finally {
    await inbox.close();
    await zeebe.cancelProcessInstance(processInstanceKey).catch(() => undefined);
  }
}, 60_000);
