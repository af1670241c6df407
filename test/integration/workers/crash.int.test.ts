/**
 * A worker process killed in the middle of a job (kill -9 while the LLTP software is still
 * answering): the broker gives the job again once its timeout has passed, and not before (the
 * other worker process is already polling well before then, so an early delivery would reach
 * it), that process takes it, the simulator counts one effect (same idempotency key) once it is
 * done with both calls, and the dossier goes on. Runs `node --import tsx server/main.ts workers`
 * as real child processes.
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
import { monotonicMs, testNow } from '../../support/clock';
import { eventually } from '../../support/wait';
import { requireBroker } from '../processes/harness';
import { startWorkerTestEnv, uniqueCode, type WorkerTestEnv } from './support';
import { UserTaskCompleter } from './user-tasks';

const ROOT = path.resolve(__dirname, '../../..');
/**
 * The job timeout of the worker processes: longer than a worker process takes to start and poll
 * (3-5 s measured on 2 cores), so that the second process waits for the job before it may come back.
 */
const JOB_TIMEOUT_MS = 10_000;
/**
 * The job's activation is not seen: the first call reaching the simulator is. The job was
 * activated before that call, by the first worker's time from activation to its HTTP call,
 * less the second worker's own (both processes' first job); this bounds that difference.
 */
const ACTIVATION_TO_CALL_SLACK_MS = 500;
/** How long the simulator holds the first push call: past the kill and past the second call. */
const HELD_CALL_MS = 15_000;

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
  const sim = env.sims['lltp-software'].sim.context;
  const pushCalls = (): number => sim.calls.get('push') ?? 0;
  await env.configure('lltp-software', { latencyMs: HELD_CALL_MS });
  const first = startWorkerProcess();
  await eventually(() => Promise.resolve(first.output.join('').includes('workers polling') ? true : undefined), 'the first worker process to poll', 30_000);
  const { processInstanceKey } = await zeebe.createProcessInstance({
    bpmnProcessId: 'quy-trinh-570-v20260701', // in force on the suite's day
    variables: { dossierCode: code, agencyCode: 'STP.KHA', receivedAt: testNow().toISOString(), paperCopy: 'none', channel: 'vneid' },
  });
  instances.push(processInstanceKey);

  // the first process is inside the push call (the simulator holds it); the simulator runs in
  // this process, so its count is read every 10 ms without a request
  await eventually(() => Promise.resolve(pushCalls() === 1 ? true : undefined), 'the first push call', 30_000, 10);
  const firstCallAt = monotonicMs();
  // the scripted inbox did the desk's check; from here the test looks for the next user task itself
  await inbox.stop();
  first.child.kill('SIGKILL');
  await env.configure('lltp-software', { latencyMs: 0 });

  const second = startWorkerProcess();
  const showOutput = (error: unknown): never => {
    console.error(`first worker process:\n${first.output.join('')}\nsecond worker process:\n${second.output.join('')}`);
    throw error;
  };
  await eventually(() => Promise.resolve(second.output.join('').includes('workers polling') ? true : undefined), 'the second worker process to poll', 30_000).catch(showOutput);
  const secondPollingAfterMs = monotonicMs() - firstCallAt;
  await eventually(() => Promise.resolve(pushCalls() === 2 ? true : undefined), 'the push delivered again', 60_000, 10).catch(showOutput);
  const redeliveredAfterMs = monotonicMs() - firstCallAt;
  console.info(`push call delivered again ${Math.round(redeliveredAfterMs)} ms after the first (job timeout ${JOB_TIMEOUT_MS} ms; the second process polled after ${Math.round(secondPollingAfterMs)} ms)`);
  // the second process was waiting for jobs while the first still held this one: a delivery
  // before the timeout would have reached it, so the measured delay is the broker's, not a start-up's
  expect(secondPollingAfterMs).toBeLessThan(JOB_TIMEOUT_MS - ACTIVATION_TO_CALL_SLACK_MS);
  expect(redeliveredAfterMs).toBeGreaterThanOrEqual(JOB_TIMEOUT_MS - ACTIVATION_TO_CALL_SLACK_MS);

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
  // the simulator is done with both calls (the killed process's held call ends HELD_CALL_MS after
  // it came): only then are its effects final
  const stats = await eventually(async () => {
    const now = await env.stats('lltp-software');
    return now.answered.push === 2 ? now : undefined;
  }, 'the simulator to be done with both push calls', HELD_CALL_MS + 15_000);
  expect(stats.calls.push).toBe(2);
  expect(stats.effects.push).toBe(1);
  expect(await env.db.selectFrom('steps').select('id').where('dossierCode', '=', code).where('elementId', '=', 'pushToLltpSoftware').execute()).toHaveLength(1);
  await stopChild(second.child);
}, 120_000);
