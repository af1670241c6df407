/**
 * The fault suite (`npm run test:faults`): under a bounded load of VNeID intakes and inbox work,
 * the broker, the database, the SMTP server and the job workers are killed in turn (kill -9)
 * and started again. Clients behave as the one-stop system would: a 503 is sent again after a
 * pause until it is accepted. The workers and the SLA monitor run as processes of their own;
 * the monitor ticks every 2 s and mails alerts on the load's (late) dossiers, so the SMTP phase
 * also counts alert mails lost or sent twice. Printed, one JSON line per figure and component:
 * `faults.<component>.lost`, `.duplicates`, `.recovery_s`, `.non_503_errors`, `.max_503_ms`.
 * Targets: 0 lost, 0 duplicates, 0 answers other than 2xx/503 while the component is down, and
 * the system working again within 30 s of the component being healthy.
 */
import { signIfPartner } from '../../server/auth/partner-signature';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, createWriteStream, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { deployProcesses } from '../../processes/deploy';
import { startApi, type RunningApi } from '../../server/api/compose';
import { seedDemoAccounts } from '../../server/auth/seed';
import { loadConfig, type Config } from '../../server/config';
import { requireStack } from '../../server/health';
import { createLogger } from '../../server/logger';
import { processesDirOf } from '../../server/sla';
import { brokerReady, createZeebeClient } from '../../server/zeebe';
import { formatInstant } from '../../server/calendar/civil-time';
import { sampleVneidRequest, seededRandom } from '../../tools/simulators/sample-requests';
import { simulatorUrls, startSimulators, type RunningSimulators } from '../../tools/simulators/main';
import { suiteBrokerEnv, suiteClockEnv } from '../support/broker-clock';
import { monotonicMs, testClock, testNow, testNowMs } from '../support/clock';
import { offsetDossierCounters } from '../support/counters';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { uniqueId } from '../support/unique';

jest.setTimeout(20 * 60_000);

const REPO = path.resolve(__dirname, '../..');
const STACK = path.join(REPO, 'tools/stack/stack.sh');
const ARTIFACTS = path.join(REPO, '.cache/test-artifacts');
const PARTNER = { 'x-partner-id': 'mot-cua-tinh', 'x-api-key': 'fault-partner-key' };
const PASSWORD = 'fault-password';
const BASE_PORT = 47500;

type Target = 'zeebe' | 'postgres' | 'mailpit' | 'worker';

interface Answer {
  at: number;
  status: number;
  ms: number;
  path: string;
}

let testDb: TestDatabase;
let config: Config;
let api: RunningApi;
let sims: RunningSimulators;
let workers: ChildProcess | undefined;
let monitor: ChildProcess | undefined;
const workerLog = path.join(ARTIFACTS, 'faults-workers.log');
const monitorLog = path.join(ARTIFACTS, 'faults-monitor.log');
const MAILPIT = 'http://127.0.0.1:8025';

/** Runs stack.sh without blocking: the API under test lives in this process and must keep answering. */
function stack(...args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    // a broker (re)started by the suite runs on the suite's clock
    const child = spawn('bash', [STACK, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...suiteBrokerEnv() } });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`stack.sh ${args.join(' ')} failed (${String(code)}): ${output}`))));
  });
}

/** An app role as its own process (as in production) on the suite's clock, logging to the artifacts folder. */
function startRole(role: 'workers' | 'monitor', log: string, extraEnv: Record<string, string>): ChildProcess {
  const out = createWriteStream(log, { flags: 'a' });
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', role], {
    cwd: REPO,
    env: {
      ...process.env,
      ...simulatorUrls(BASE_PORT),
      DATABASE_URL: testDb.url,
      LOG_LEVEL: 'info',
      NODE_ENV: 'test',
      PUBLIC_BASE_URL: api.url,
      ...suiteClockEnv(),
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  return child;
}

function startWorkers(): void {
  workers = startRole('workers', workerLog, { WORKER_JOB_TIMEOUT_MS: '8000', WORKER_LONG_POLL_MS: '5000', WORKER_RETRY_BACKOFF_MS: '500' });
}

/**
 * The SLA monitor, ticking every 2 s and sending at any hour: the SMTP phase's dossiers (received
 * 25 days before the suite's instant) are late, so every tick raises alerts whose mails go out
 * through SMTP — the mail the SMTP phase must not lose nor send twice.
 */
function startMonitor(): void {
  monitor = startRole('monitor', monitorLog, {
    MONITOR_CRON: '*/2 * * * * *',
    MONITOR_REQUEST_POLL_MS: '1000',
    MONITOR_SEND_OUTSIDE_HOURS: 'true',
    MONITOR_MAIL_RETRY_MS: '500',
    MONITOR_MAIL_RETRY_MAX_MS: '2000',
    MONITOR_MAIL_MAX_ATTEMPTS: '1000',
  });
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = monotonicMs() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (monotonicMs() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function call(method: string, url: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; body: Record<string, unknown>; ms: number; retryAfter?: string | null }> {
  const started = monotonicMs();
  try {
    const sent = body === undefined ? undefined : JSON.stringify(body);
    const response = await fetch(`${api.url}${url}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...signIfPartner(headers, method, url, sent, () => testNowMs()) },
      body: sent,
      signal: AbortSignal.timeout(40_000),
    });
    const text = await response.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      parsed = { text };
    }
    return { status: response.status, body: parsed, ms: monotonicMs() - started, retryAfter: response.headers.get('retry-after') };
  } catch {
    return { status: 0, body: {}, ms: monotonicMs() - started };
  }
}

/** The load of one phase: intakes every 300 ms (each re-sent on 503 until accepted) and the one-stop officer's checks. */
class Load {
  readonly answers: Answer[] = [];
  readonly receipts: string[] = [];
  readonly accepted = new Map<string, string>();
  readonly acceptedAt = new Map<string, number>();
  private running = true;
  private readonly clients: Promise<void>[] = [];
  private token = '';

  constructor(
    private readonly name: string,
    private readonly receivedAt = formatInstant(testNowMs()),
  ) {}

  async start(): Promise<void> {
    const login = await call('POST', '/api/auth/login', { username: 'motcua', password: PASSWORD }, {});
    this.token = String(login.body.token);
    let n = 0;
    const intakes = (async () => {
      while (this.running) {
        const receipt = `BN-FAULT-${this.name}-${uniqueId()}-${(n += 1)}`;
        this.receipts.push(receipt);
        this.clients.push(this.intake(receipt, n));
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    })();
    const inbox = (async () => {
      while (this.running) {
        await this.checkOne();
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    this.clients.push(intakes, inbox);
  }

  /** The first 503 of each route: what the caller was told. */
  readonly refusals = new Map<string, { body: Record<string, unknown>; retryAfter?: string | null }>();

  private record(path: string, status: number, ms: number, answer?: { body: Record<string, unknown>; retryAfter?: string | null }): void {
    if (status === 503 && answer && !this.refusals.has(path)) this.refusals.set(path, { body: answer.body, retryAfter: answer.retryAfter });
    this.answers.push({ at: monotonicMs(), status, ms, path });
  }

  private async intake(receipt: string, seed: number): Promise<void> {
    const body = sampleVneidRequest({ receiptNumber: receipt, receivedAt: this.receivedAt, random: seededRandom(seed) });
    const deadline = monotonicMs() + 180_000;
    while (monotonicMs() < deadline) {
      const answer = await call('POST', '/api/intake/vneid', body, PARTNER);
      this.record('POST /api/intake/vneid', answer.status, answer.ms, answer);
      if (answer.status === 200 || answer.status === 201) {
        this.accepted.set(receipt, String(answer.body.dossierCode));
        this.acceptedAt.set(String(answer.body.dossierCode), monotonicMs());
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  /** Claims and completes one open "check the dossier" task; each call re-sent on 503 until it answers. */
  private async checkOne(): Promise<void> {
    const headers = { authorization: `Bearer ${this.token}` };
    const list = await call('GET', '/api/tasks', undefined, headers);
    this.record('GET /api/tasks', list.status, list.ms, list);
    const tasks = (list.body.tasks ?? []) as { id: string; formKey: string; status: string }[];
    const task = tasks.find((t) => t.formKey === 'lltp.form.check-dossier');
    if (!task) return;
    for (const step of ['claim', 'complete'] as const) {
      for (let attempt = 0; attempt < 60; attempt += 1) {
        const answer = await call('POST', `/api/tasks/${task.id}/${step}`, step === 'complete' ? { data: { intakeDecision: 'accept' } } : {}, headers);
        this.record(`POST /api/tasks/:id/${step}`, answer.status, answer.ms, answer);
        if (answer.status === 200) break;
        if (answer.status !== 503 && answer.status !== 0) return; // taken meanwhile, or gone: not this client's
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.clients);
  }
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  // this run's workers only (the log test reads it whole)
  rmSync(workerLog, { force: true });
  rmSync(monitorLog, { force: true });
  // A broker of its own: the instances other test files left in the shared broker (their
  // databases dropped) would hand the workers thousands of jobs of unknown dossiers.
  await stack('reset-zeebe');
  await until('the broker ready after its reset', () => brokerReady(loadConfig(process.env).ZEEBE_MANAGEMENT_URL), 180_000);
  await requireStack(loadConfig(process.env));
  testDb = await createTestDatabase('faults');
  const env = {
    ...process.env,
    DATABASE_URL: testDb.url,
    HTTP_PORT: '0',
    LOG_LEVEL: 'silent',
    NODE_ENV: 'test',
    DEMO_PASSWORD: PASSWORD,
    DEMO_PARTNER_KEY: PARTNER['x-api-key'],
    ...simulatorUrls(BASE_PORT),
    SIM_POLICE_MS_PER_WORKING_HOUR: '100',
    DATABASE_POOL_MAX: '20',
  };
  config = loadConfig(env);
  const logger = createLogger({ level: 'silent' });
  const { camunda, zeebe } = createZeebeClient(config);
  await deployProcesses(zeebe, logger, { dir: processesDirOf(config) });
  await camunda.closeAllClients();
  await offsetDossierCounters(testDb.database.db);
  await seedDemoAccounts(testDb.database.db, { nodeEnv: config.NODE_ENV, password: PASSWORD, partnerKey: PARTNER['x-api-key'], now: testClock() });
  api = await startApi(config, logger, { now: testClock() });
  config = loadConfig({ ...env, PUBLIC_BASE_URL: api.url });
  sims = await startSimulators(config, { now: testClock() });
  startWorkers();
  startMonitor();
}, 180_000);

afterAll(async () => {
  workers?.kill('SIGKILL');
  monitor?.kill('SIGKILL');
  await api?.stop().catch(() => undefined);
  await sims?.close().catch(() => undefined);
  if (process.env.LLTP_FAULTS_KEEP_DB === '1') process.stdout.write(`faults: database kept: ${testDb?.url}\n`);
  else await testDb?.drop().catch(() => undefined);
});

const healthy: Record<Target, () => Promise<boolean>> = {
  zeebe: () => brokerReady(config.ZEEBE_MANAGEMENT_URL),
  postgres: async () => (await testDb.database.db.selectFrom('dossiers').select('code').limit(1).execute(), true),
  mailpit: async () => (await fetch(`${MAILPIT}/api/v1/info`)).ok,
  worker: () => Promise.resolve(true),
};

async function kill(target: Target): Promise<void> {
  if (target === 'worker') workers?.kill('SIGKILL');
  else await stack('kill', target);
}

async function restart(target: Target): Promise<void> {
  if (target === 'worker') startWorkers();
  else await stack('start', target);
}

/** The system works again: a new intake is accepted and its process reaches the first human step. */
async function working(name: string): Promise<{ acceptedS: number }> {
  const began = monotonicMs();
  const body = sampleVneidRequest({ receiptNumber: `BN-FAULT-PROBE-${name}-${uniqueId()}`, receivedAt: formatInstant(testNowMs()), random: seededRandom(1) });
  let code = '';
  await until('a probe intake accepted', async () => {
    const answer = await call('POST', '/api/intake/vneid', body, PARTNER);
    code = typeof answer.body.dossierCode === 'string' ? answer.body.dossierCode : '';
    return answer.status === 201 || answer.status === 200;
  }, 120_000);
  const acceptedS = (monotonicMs() - began) / 1000;
  await until('the probe dossier at its first human step', async () => {
    const task = await testDb.database.db.selectFrom('tasks').select('id').where('dossierCode', '=', code).executeTakeFirst();
    return Boolean(task);
  }, 120_000);
  return { acceptedS };
}

/** Mail flows again: Mailpit received a message after the server came back (it was emptied before the phase). */
async function mailFlowing(): Promise<void> {
  await until('an alert mail delivered after the SMTP server came back', async () => {
    const response = await fetch(`${MAILPIT}/api/v1/messages?limit=1`);
    const body = (await response.json()) as { messages: { Created: string }[] };
    return body.messages.length > 0;
  }, 120_000);
}

/**
 * The alert mails of the SMTP phase: every alert that was pending when the phase began or was
 * raised during it is sent (or superseded: its step finished first) once the server is back —
 * none failed, none left pending, none recorded as sent that Mailpit never received — and no
 * Message-ID arrived twice.
 */
async function mailAudit(since: Date): Promise<{ lost: number; duplicates: number; sent: number; retried: number }> {
  const db = testDb.database.db;
  const ofPhase = db.selectFrom('alerts').where((eb) => eb.or([eb('sentAt', 'is', null), eb('sentAt', '>=', since)]));
  await until('every alert mail of the phase delivered', async () => {
    const pending = await ofPhase.select(db.fn.countAll<number>().as('n')).where('deliveryStatus', '=', 'pending').executeTakeFirstOrThrow();
    return Number(pending.n) === 0;
  }, 90_000).catch(() => undefined);
  const alerts = await ofPhase.select(['id', 'deliveryStatus', 'messageId', 'attempts']).execute();
  const response = await fetch(`${MAILPIT}/api/v1/messages?limit=5000`);
  const received = ((await response.json()) as { messages: { MessageID: string }[] }).messages.map((m) => m.MessageID.replace(/^<|>$/g, ''));
  const times = new Map<string, number>();
  for (const id of received) times.set(id, (times.get(id) ?? 0) + 1);
  const sent = alerts.filter((a) => a.deliveryStatus === 'sent');
  const unsent = alerts.filter((a) => a.deliveryStatus === 'pending' || a.deliveryStatus === 'failed');
  const neverArrived = sent.filter((a) => !times.has(a.messageId.replace(/^<|>$/g, '')));
  const twice = sent.filter((a) => (times.get(a.messageId.replace(/^<|>$/g, '')) ?? 0) > 1);
  appendFileSync(path.join(ARTIFACTS, 'faults-answers.jsonl'), `${JSON.stringify({ mail: { alerts: alerts.length, sent: sent.length, unsent: unsent.map((a) => a.id), neverArrived: neverArrived.map((a) => a.id), twice: twice.map((a) => a.id) } })}\n`);
  return { lost: unsent.length + neverArrived.length, duplicates: twice.length, sent: sent.length, retried: sent.filter((a) => a.attempts > 1).length };
}

function emit(name: string, value: number): void {
  const line = JSON.stringify({ name, value });
  process.stdout.write(`${line}\n`);
  mkdirSync(path.join(REPO, '.cache/test-results'), { recursive: true });
  appendFileSync(path.join(REPO, '.cache/test-results/faults.jsonl'), `${line}\n`);
}

/** What the load left behind: receipts never accepted or without a dossier, a process instance, a first step; doubles. */
async function audit(load: Load): Promise<{ lost: number; duplicates: number }> {
  const db = testDb.database.db;
  const missing = load.receipts.filter((r) => !load.accepted.has(r));
  const codes = [...load.accepted.values()];
  if (codes.length === 0) return { lost: missing.length, duplicates: 0 };
  // every accepted dossier gets its first step (the workers run it) within a minute
  let unstarted: string[] = codes;
  await until('every accepted dossier started', async () => {
    const rows = await db.selectFrom('dossiers').innerJoin('steps', 'steps.dossierCode', 'dossiers.code').select('dossiers.code').where('dossiers.code', 'in', codes).where('dossiers.processInstanceKey', 'is not', null).groupBy('dossiers.code').execute();
    const started = new Set(rows.map((r) => r.code));
    unstarted = codes.filter((c) => !started.has(c));
    return unstarted.length === 0;
  }, 90_000).catch(() => undefined);
  const perReceipt = await db.selectFrom('dossiers').select(['receiptNumber', db.fn.countAll<number>().as('n')]).where('receiptNumber', 'in', load.receipts).groupBy('receiptNumber').having(db.fn.countAll(), '>', 1).execute();
  const instances = await db
    .selectFrom('steps')
    .innerJoin('dossiers', 'dossiers.code', 'steps.dossierCode')
    .select(['steps.dossierCode', db.fn.count<number>('steps.processInstanceKey').distinct().as('n')])
    .where('steps.dossierCode', 'in', codes)
    .whereRef('steps.processId', '=', 'dossiers.processId')
    .groupBy('steps.dossierCode')
    .having(db.fn.count('steps.processInstanceKey').distinct(), '>', 1)
    .execute();
  const openTwice = await db
    .selectFrom('tasks')
    .select(['dossierCode', 'elementId', db.fn.countAll<number>().as('n')])
    .where('dossierCode', 'in', codes)
    .where('status', 'in', ['open', 'claimed'])
    .groupBy(['dossierCode', 'elementId'])
    .having(db.fn.countAll(), '>', 1)
    .execute();
  if (unstarted.length > 0) {
    const rows = await db.selectFrom('dossiers').select(['code', 'processInstanceKey']).where('code', 'in', unstarted).execute();
    appendFileSync(path.join(ARTIFACTS, 'faults-answers.jsonl'), `${JSON.stringify({ unstarted: rows.map((r) => ({ ...r, acceptedAt: load.acceptedAt.get(r.code) })) })}\n`);
  }
  return { lost: missing.length + unstarted.length, duplicates: perReceipt.length + instances.length + openTwice.length };
}

test.each<[Target]>([['zeebe'], ['postgres'], ['mailpit'], ['worker']])('kill -9 %s under load: nothing lost, nothing doubled, 503 while down, working again within 30 s', async (target) => {
  const component = target === 'mailpit' ? 'smtp' : target;
  const mailSince = testNow();
  // the SMTP phase counts its mails in an empty Mailpit
  if (target === 'mailpit') expect((await fetch(`${MAILPIT}/api/v1/messages`, { method: 'DELETE' })).ok).toBe(true);
  // The SMTP phase's dossiers were received 25 days ago: late from the start, so every monitor
  // tick has alert mails to send while the server is down.
  const load = target === 'mailpit' ? new Load(target, formatInstant(testNowMs(-25 * 86_400_000))) : new Load(target);
  // this process hosts the API under test and the load: its own stalls show in the answer times
  const loop = monitorEventLoopDelay({ resolution: 20 });
  loop.enable();
  await load.start();
  let killedAt = 0;
  let healthyAt = 0;
  let recoverySeconds = Infinity;
  let probeAcceptedS = Infinity;
  try {
    await new Promise((resolve) => setTimeout(resolve, 4000));
    killedAt = monotonicMs();
    await kill(target);
    await new Promise((resolve) => setTimeout(resolve, 8000));
    await restart(target);
    await until(`${target} healthy again`, healthy[target], 180_000);
    healthyAt = monotonicMs();
    probeAcceptedS = (await working(target)).acceptedS;
    if (target === 'mailpit') await mailFlowing();
    recoverySeconds = (monotonicMs() - healthyAt) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 3000));
  } finally {
    loop.disable();
    await load.stop();
  }
  const during = load.answers.filter((a) => a.at >= killedAt && a.at <= healthyAt);
  const non503 = during.filter((a) => !(a.status >= 200 && a.status < 300) && a.status !== 503);
  appendFileSync(path.join(ARTIFACTS, 'faults-answers.jsonl'), `${JSON.stringify({ target, killedAt, healthyAt, non503, slowest503: during.filter((a) => a.status === 503).sort((a, b) => b.ms - a.ms).slice(0, 5), unaccepted: load.receipts.filter((r) => !load.accepted.has(r)) })}\n`);
  const max503 = Math.max(0, ...during.filter((a) => a.status === 503).map((a) => a.ms));
  const dossiers = await audit(load);
  const mail = target === 'mailpit' ? await mailAudit(mailSince) : { lost: 0, duplicates: 0, sent: 0, retried: 0 };
  const lost = dossiers.lost + mail.lost;
  const duplicates = dossiers.duplicates + mail.duplicates;
  emit(`faults.${component}.lost`, lost);
  emit(`faults.${component}.duplicates`, duplicates);
  if (target === 'mailpit') {
    emit('faults.smtp.mails_sent', mail.sent);
    emit('faults.smtp.mails_retried', mail.retried);
    // the outage was felt by mail: some alert had to be sent again after the server came back
    expect(mail.retried).toBeGreaterThan(0);
  }
  // the app's processes outlive every outage (the worker phase kills and restarts the workers)
  expect({ workers: workers?.exitCode ?? null, monitor: monitor?.exitCode ?? null }).toEqual({ workers: null, monitor: null });
  emit(`faults.${component}.recovery_s`, Math.round(recoverySeconds * 10) / 10);
  // how recovery_s divides: the outage itself (kill to healthy, 8 s of it the test's wait), then the probe intake accepted
  emit(`faults.${component}.down_s`, Math.round((healthyAt - killedAt) / 100) / 10);
  emit(`faults.${component}.probe_accepted_s`, Math.round(probeAcceptedS * 10) / 10);
  emit(`faults.${component}.non_503_errors`, non503.length);
  emit(`faults.${component}.max_503_ms`, max503);
  emit(`faults.${component}.requests`, load.answers.length);
  emit(`faults.${component}.max_event_loop_delay_ms`, Math.round(loop.max / 1e6));
  expect({ lost, duplicates, non503: non503.map((a) => a.status) }).toEqual({ lost: 0, duplicates: 0, non503: [] });
  // every 503 said which component, in Vietnamese, with Retry-After, and no driver's error text
  for (const [route, refusal] of load.refusals) {
    expect({ route, component: refusal.body.component, retryAfter: refusal.retryAfter }).toEqual({ route, component, retryAfter: '5' });
    expect(String(refusal.body.error)).toMatch(/Bộ máy quy trình|Cơ sở dữ liệu|cơ sở dữ liệu|Máy chủ thư/);
    expect(String(refusal.body.error)).not.toMatch(/UNAVAILABLE|RESOURCE_EXHAUSTED|ECONNREFUSED|DEADLINE/);
  }
  if (target === 'zeebe' || target === 'postgres') expect(load.refusals.has('POST /api/intake/vneid')).toBe(true);
  expect(recoverySeconds).toBeLessThanOrEqual(30);
  expect(max503).toBeLessThanOrEqual(2000);
});

test.each<[string, () => string]>([
  ['workers', () => workerLog],
  ['monitor', () => monitorLog],
])('the %s logged outages quietly: at most one line per component per 10 s while down, and a line when each came back', (role, log) => {
  const entries = readFileSync(log(), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: string; time: string; dependency?: string; outage?: 'started' | 'continuing' | 'ended' });
  const warnings = entries.filter((e) => ['warn', 'error', 'fatal'].includes(e.level));
  emit(`faults.${role}_log_lines`, warnings.length);
  // not thousands of lines: a few per outage, whatever the load
  expect(warnings.length).toBeLessThan(100);
  const outages = entries.filter((e) => e.outage);
  expect(outages.some((e) => e.dependency === (role === 'workers' ? 'zeebe' : 'smtp') && e.outage === 'started')).toBe(true);
  for (const dependency of new Set(outages.map((e) => e.dependency))) {
    const lines = outages.filter((e) => e.dependency === dependency);
    // every outage window: started, then at most one line per 10 s, then ended
    lines.forEach((line, i) => {
      const previous = lines[i - 1];
      if (line.outage === 'started') expect({ dependency, previous: previous?.outage ?? 'none' }).toEqual({ dependency, previous: previous ? 'ended' : 'none' });
      else expect({ dependency, previous: previous?.outage === 'ended' ? 'ended' : 'open' }).toEqual({ dependency, previous: 'open' });
      if (line.outage === 'continuing') expect(Date.parse(line.time) - Date.parse(previous!.time)).toBeGreaterThanOrEqual(10_000);
    });
    expect({ dependency, last: lines.at(-1)?.outage }).toEqual({ dependency, last: 'ended' });
  }
});
