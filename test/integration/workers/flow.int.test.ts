/**
 * The real workers on the real broker: the deployed models driven end to end by the workers
 * registered as in `server/main.ts workers` (user tasks completed by a test inbox), and a
 * job whose retries run out into an incident.
 */
import { deployProcesses } from '../../../processes/deploy';
import { loadConfig } from '../../../server/config';
import { createLogger } from '../../../server/logger';
import { findDossier } from '../../../server/readmodel/dossier';
import { createZeebeClient, type ZeebeGrpcClient } from '../../../server/zeebe';
import type { RunningWorker } from '../../../workers/framework';
import { registerWorkers } from '../../../workers/registry';
import { eventually } from '../../support/wait';
import { requireBroker } from '../processes/harness';
import { startWorkerTestEnv, uniqueCode, type WorkerTestEnv } from './support';
import { hasEnded, UserTaskCompleter } from './user-tasks';
import { testNow } from '../../support/clock';

/** The national version in force on the suite's day (Law 107/2025, from 1/7/2026). */
const NATIONAL = 'quy-trinh-570-v20260701';

let env: WorkerTestEnv;
let zeebe: ZeebeGrpcClient;
let running: RunningWorker[] = [];
let inbox: UserTaskCompleter;
const codes = new Set<string>();
const instances: string[] = [];

beforeAll(async () => {
  await requireBroker();
  zeebe = createZeebeClient({ ...loadConfig(), LOG_LEVEL: 'silent' }).zeebe;
  await deployProcesses(zeebe, createLogger({ level: 'silent' }));
  env = await startWorkerTestEnv('workers_flow');
  running = registerWorkers(zeebe, env.deps, { maxJobs: 8, jobTimeoutMs: 30_000, drainTimeoutMs: 5_000 });
  inbox = new UserTaskCompleter(
    zeebe,
    {
      'lltp.form.check-dossier': { intakeDecision: 'accept' },
      'lltp.form.search-records': { searchOutcome: 'noRecord' },
      'lltp.form.review-draft': { reviewDecision: 'approve' },
    },
    codes,
  );
}, 60_000);

afterAll(async () => {
  await inbox.stop();
  await Promise.all(running.map((w) => w.close()));
  for (const key of instances) await zeebe.cancelProcessInstance(key).catch(() => undefined);
  await zeebe.close();
  await env.stop();
}, 30_000);

async function start(code: string, paperCopy: 'none' | 'post' | 'desk'): Promise<string> {
  codes.add(code);
  await env.createDossier(code, { paperCopy });
  const { processInstanceKey } = await zeebe.createProcessInstance({
    bpmnProcessId: NATIONAL,
    variables: { dossierCode: code, agencyCode: 'STP.KHA', receivedAt: testNow().toISOString(), paperCopy, channel: 'vneid' },
  });
  instances.push(processInstanceKey);
  return processInstanceKey;
}

test('a dossier with no record runs to its end: every service task done by its worker, each step in the timeline once', async () => {
  const code = uniqueCode();
  const before = { push: (await env.stats('lltp-software')).effects.push ?? 0, sign: (await env.stats('signing')).effects.sign ?? 0, ship: (await env.stats('post')).effects.ship ?? 0 };
  const key = await start(code, 'post');
  // A VNeID dossier goes to the police even with no record: the request leaves, step 7 opens; the
  // answer is published here as the callback endpoint (not running in this test) would.
  await eventually(
    async () => env.db.selectFrom('steps').select('id').where('dossierCode', '=', code).where('elementId', '=', 'requestPoliceVerification').where('finishedAt', 'is not', null).executeTakeFirst(),
    'the police request',
    60_000,
  );
  await zeebe.publishMessage({ name: 'lltp.police.verification-answered', correlationKey: code, messageId: `${code}:police`, timeToLive: 60_000, variables: { policeAnsweredAt: testNow().toISOString() } });
  await eventually(async () => ((await findDossier(env.db, code))?.postTrackingNumber ? true : undefined), 'the paper copy posted', 60_000);
  await eventually(async () => ((await hasEnded(zeebe, key)) ? true : undefined), 'the process instance to end', 10_000);
  const dossier = await findDossier(env.db, code);
  expect(dossier).toMatchObject({ status: 'closed', outcome: 'issued', caseVariant: 'ordinary' });
  const steps = await env.db.selectFrom('steps').selectAll().where('dossierCode', '=', code).execute();
  const step7 = steps.filter((s) => s.elementId === 'awaitPoliceAnswer');
  expect(step7).toEqual([expect.objectContaining({ unitId: 'ca-pv06', allotmentMinutes: 360, caseVariant: 'ordinary' })]); // closed by the police callback (not here)
  const serviceSteps = steps.filter((s) => s.elementId !== 'awaitPoliceAnswer');
  expect(serviceSteps.map((s) => s.elementId).sort()).toEqual(['notifyAccepted', 'planDeadlines', 'pushToLltpSoftware', 'registerDossier', 'requestPoliceVerification', 'returnResult', 'sendCopyByPost', 'signCertificate'].sort());
  expect(serviceSteps.every((s) => s.finishedAt instanceof Date && s.actor === 'system')).toBe(true);
  expect((await env.stats('lltp-software')).effects.push).toBe(before.push + 1);
  expect((await env.stats('signing')).effects.sign).toBe(before.sign + 1);
  expect((await env.stats('post')).effects.ship).toBe(before.ship + 1);
  expect(inbox.completed.filter((c) => c.dossierCode === code).map((c) => c.elementId)).toEqual(['checkDossier', 'acceptInLltpSoftware', 'searchRecords', 'recordVerification', 'draftCertificate', 'reviewDraft', 'approveCertificate']);
}, 90_000);

test('retries running out raise an incident: the LLTP software down, three attempts with back-off, then retries 0', async () => {
  const code = uniqueCode();
  await env.configure('lltp-software', { failureRate: 1 });
  try {
    const callsBefore = (await env.stats('lltp-software')).calls.push ?? 0;
    const key = await start(code, 'none');
    const last = await eventually(
      () => Promise.resolve(env.logs.find((l) => l.dossierCode === code && l.taskType === 'lltp.lltp-software.push' && l.msg.startsWith('job failed') && l.retries === 0)),
      'the last failure (retries 0)',
      60_000,
    );
    expect(last.msg).toMatch(/Phần mềm LLTP: POST \/api\/v1\/dossiers answered 503/);
    const failures = env.logs.filter((l) => l.dossierCode === code && l.taskType === 'lltp.lltp-software.push' && l.msg.startsWith('job failed'));
    expect(failures.map((l) => [l.retries, l.retryBackOff])).toEqual([
      [2, 200],
      [1, 400],
      [0, 0],
    ]);
    // No fourth attempt: an incident waits for an operator. The worker's chance to take the job
    // again has come once it has taken a newer push job (the broker gives the older first): a
    // sentinel dossier, started now with the LLTP software up, through its push.
    await env.configure('lltp-software', { failureRate: 0 });
    const sentinel = uniqueCode();
    await start(sentinel, 'none');
    await eventually(
      async () => env.db.selectFrom('steps').select('id').where('dossierCode', '=', sentinel).where('elementId', '=', 'pushToLltpSoftware').where('finishedAt', 'is not', null).executeTakeFirst(),
      'the sentinel dossier\'s push',
      60_000,
    );
    expect((await env.stats('lltp-software')).calls.push).toBe(callsBefore + 3 + 1); // three attempts, then the sentinel's one
    expect(await hasEnded(zeebe, key)).toBe(false); // still there (the check cancelled it)
  } finally {
    await env.configure('lltp-software', { failureRate: 0 });
  }
}, 90_000);
