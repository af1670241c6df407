/**
 * A worker process killed in the middle of a job (kill -9 while the LLTP software is still
 * answering): the broker gives the job again once its timeout has passed, another worker
 * process takes it, the simulator counts one effect (same idempotency key), and the
 * dossier goes on. Runs `node --import tsx server/main.ts workers` as real child processes.
 *
 * Zeebe 8.5 with ZEEBE_CLOCK_CONTROLLED=true stops handing out timed-out jobs again for as
 * long as its clock was once moved forward and then reset; tools/jest-sequencer.cjs runs the
 * files that move the clock after this one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { deployProcesses } from '../../../processes/deploy';
import { loadConfig } from '../../../server/config';
import { createLogger } from '../../../server/logger';
import { createZeebeClient, type ZeebeGrpcClient } from '../../../server/zeebe';
import { eventually } from '../../support/wait';
import { requireBroker } from '../processes/harness';
import { startWorkerTestEnv, uniqueCode, type WorkerTestEnv } from './support';
import { UserTaskCompleter } from './user-tasks';

const ROOT = path.resolve(__dirname, '../../..');
const JOB_TIMEOUT_MS = 3_000;

let env: WorkerTestEnv;
let zeebe: ZeebeGrpcClient;
let inbox: UserTaskCompleter;
const children: ChildProcess[] = [];
const codes = new Set<string>();
const instances: string[] = [];

function startWorkerProcess(): { child: ChildProcess; output: string[] } {
  const output: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', 'workers'], {
    cwd: ROOT,
    env: env.childEnv({ WORKER_JOB_TIMEOUT_MS: String(JOB_TIMEOUT_MS), WORKER_DRAIN_TIMEOUT_MS: '2000' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  children.push(child);
  return { child, output };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 8_000))]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

beforeAll(async () => {
  await requireBroker();
  zeebe = createZeebeClient({ ...loadConfig(), LOG_LEVEL: 'silent' }).zeebe;
  await deployProcesses(zeebe, createLogger({ level: 'silent' }));
  env = await startWorkerTestEnv('workers_crash');
  inbox = new UserTaskCompleter(zeebe, { 'lltp.form.check-dossier': { intakeDecision: 'accept' } }, codes);
}, 60_000);

afterAll(async () => {
  for (const child of children) await stopChild(child);
  await inbox.stop();
  for (const key of instances) await zeebe.cancelProcessInstance(key).catch(() => undefined);
  await zeebe.close();
  await env.stop();
}, 40_000);

const maybe = test;

maybe('kill -9 during the LLTP push: the job comes back after its timeout, one effect, the dossier goes on', async () => {
  const code = uniqueCode();
  codes.add(code);
  await env.createDossier(code);
  await env.configure('lltp-software', { latencyMs: 20_000 });
  const first = startWorkerProcess();
  await eventually(() => Promise.resolve(first.output.join('').includes('workers polling') ? true : undefined), 'the first worker process to poll', 30_000);
  const { processInstanceKey } = await zeebe.createProcessInstance({
    bpmnProcessId: 'quy-trinh-570-v20241001',
    variables: { dossierCode: code, agencyCode: 'STP.KHA', receivedAt: new Date().toISOString(), paperCopy: 'none' },
  });
  instances.push(processInstanceKey);

  // the first process is inside the push call (the simulator holds it for 20 s)
  await eventually(async () => ((await env.stats('lltp-software')).calls.push === 1 ? true : undefined), 'the first push call', 30_000);
  // the scripted inbox did the desk's check; from here the test looks for the next user task itself
  await inbox.stop();
  first.child.kill('SIGKILL');
  const killedAt = Date.now();
  await env.configure('lltp-software', { latencyMs: 0 });

  const second = startWorkerProcess();
  await eventually(async () => ((await env.stats('lltp-software')).calls.push === 2 ? true : undefined), 'the push delivered again', 60_000).catch((error: unknown) => {
    console.error(`first worker process:\n${first.output.join('')}\nsecond worker process:\n${second.output.join('')}`);
    throw error;
  });
  const redeliveredAfterMs = Date.now() - killedAt;
  console.info(`job delivered again ${redeliveredAfterMs} ms after kill -9 (job timeout ${JOB_TIMEOUT_MS} ms)`);

  // the process went on to step 5 (accept in the LLTP software), with the id of the one push
  const step = await eventually(
    async () => env.db.selectFrom('steps').selectAll().where('dossierCode', '=', code).where('elementId', '=', 'pushToLltpSoftware').where('finishedAt', 'is not', null).executeTakeFirst(),
    'the push step finished',
    30_000,
  );
  expect(step.actor).toBe('system');
  const jobs = await eventually(async () => {
    const found = await zeebe.activateJobs<Record<string, unknown>, Record<string, unknown>>({ type: 'io.camunda.zeebe:userTask', worker: 'crash-test', maxJobsToActivate: 32, timeout: 5_000, requestTimeout: 1_000 });
    const mine = found.filter((j) => j.variables.dossierCode === code && j.elementId === 'acceptInLltpSoftware');
    return mine.length > 0 ? mine : undefined;
  }, 'the dossier at acceptInLltpSoftware', 30_000);
  expect(jobs[0]?.variables.lltpSoftwareId).toMatch(/^LLTP-/);
  const stats = await env.stats('lltp-software');
  // wait for the first (killed) call's held answer to be counted by the simulator too
  await new Promise((r) => setTimeout(r, 500));
  expect(stats.calls.push).toBe(2);
  expect((await env.stats('lltp-software')).effects.push).toBe(1);
  expect(await env.db.selectFrom('steps').select('id').where('dossierCode', '=', code).where('elementId', '=', 'pushToLltpSoftware').execute()).toHaveLength(1);
  expect(redeliveredAfterMs).toBeGreaterThan(0);
  await stopChild(second.child);
}, 120_000);
