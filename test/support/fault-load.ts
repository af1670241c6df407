/**
 * The load and the audit of the cluster fault suite (test/cluster): VNeID intakes every 300 ms,
 * each re-sent until accepted, and the one-stop officer claiming and completing "check the
 * dossier" tasks, spread over the API replicas as a load balancer would. A connection refused or
 * reset (a replica killed) is sent again to the next replica, as a balancer's redispatch does;
 * such answers are counted apart (status 0), never as HTTP answers. The audit counts what the
 * load lost (receipts never accepted, dossiers never started) and what it doubled.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { signIfPartner } from '../../server/auth/partner-signature';
import { formatInstant } from '../../server/calendar/civil-time';
import type { Db } from '../../server/db';
import { sampleVneidRequest, seededRandom } from '../../tools/simulators/sample-requests';
import { monotonicMs, testNowMs } from './clock';
import { uniqueId } from './unique';

export const PARTNER = { 'x-partner-id': 'mot-cua-tinh', 'x-api-key': 'fault-partner-key' };
export const PASSWORD = 'fault-password';

export interface Answer {
  at: number;
  status: number;
  ms: number;
  path: string;
  replica: number;
}

export interface Reply {
  status: number;
  body: Record<string, unknown>;
  ms: number;
  retryAfter?: string | null;
}

export async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = monotonicMs() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (monotonicMs() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** One HTTP call; status 0 when no answer came (connection refused or reset, 40 s without answer). */
export async function call(baseUrl: string, method: string, url: string, body: unknown, headers: Record<string, string>): Promise<Reply> {
  const started = monotonicMs();
  try {
    const sent = body === undefined ? undefined : JSON.stringify(body);
    const response = await fetch(`${baseUrl}${url}`, {
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

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The load of one phase over the API replicas' addresses. */
export class Load {
  readonly answers: Answer[] = [];
  readonly receipts: string[] = [];
  readonly accepted = new Map<string, string>();
  /** Answers so far by route and status (for a progress line while the phase runs). */
  readonly tally = new Map<string, number>();
  private running = true;
  private readonly clients: Promise<void>[] = [];
  private token = '';
  private next = 0;

  constructor(
    private readonly name: string,
    private readonly replicas: () => readonly string[],
  ) {}

  /** Round robin over the replicas; a call without answer goes to the next one at once. */
  private async send(path: string, method: string, url: string, body: unknown, headers: Record<string, string>): Promise<Reply> {
    const replicas = this.replicas();
    let reply: Reply = { status: 0, body: {}, ms: 0 };
    for (let tried = 0; tried < replicas.length; tried += 1) {
      const replica = (this.next += 1) % replicas.length;
      reply = await call(replicas[replica]!, method, url, body, headers);
      this.answers.push({ at: monotonicMs(), status: reply.status, ms: reply.ms, path, replica });
      const key = `${path} ${reply.status}`;
      this.tally.set(key, (this.tally.get(key) ?? 0) + 1);
      if (reply.status !== 0) return reply;
    }
    return reply;
  }

  async start(): Promise<void> {
    const login = await this.send('POST /api/auth/login', 'POST', '/api/auth/login', { username: 'motcua', password: PASSWORD }, {});
    this.token = String(login.body.token);
    let n = 0;
    const intakes = (async () => {
      while (this.running) {
        // at most 40 characters (the VNeID schema)
        const receipt = `BN-CL-${this.name.slice(0, 8)}-${uniqueId()}-${(n += 1)}`;
        this.receipts.push(receipt);
        this.clients.push(this.intake(receipt, n));
        await pause(300);
      }
    })();
    const inbox = (async () => {
      while (this.running) {
        await this.checkOne();
        await pause(200);
      }
    })();
    this.clients.push(intakes, inbox);
  }

  private async intake(receipt: string, seed: number): Promise<void> {
    const body = sampleVneidRequest({ receiptNumber: receipt, receivedAt: formatInstant(testNowMs()), random: seededRandom(seed) });
    const deadline = monotonicMs() + 180_000;
    while (monotonicMs() < deadline) {
      const answer = await this.send('POST /api/intake/vneid', 'POST', '/api/intake/vneid', body, PARTNER);
      if (answer.status === 200 || answer.status === 201) {
        this.accepted.set(receipt, String(answer.body.dossierCode));
        return;
      }
      await pause(1000);
    }
  }

  /** Claims and completes one open "check the dossier" task; each call re-sent on 503 until it answers. */
  private async checkOne(): Promise<void> {
    const headers = { authorization: `Bearer ${this.token}` };
    const list = await this.send('GET /api/tasks', 'GET', '/api/tasks', undefined, headers);
    const tasks = (list.body.tasks ?? []) as { id: string; formKey: string }[];
    const task = tasks.find((t) => t.formKey === 'lltp.form.check-dossier');
    if (!task) return;
    for (const step of ['claim', 'complete'] as const) {
      for (let attempt = 0; attempt < 60; attempt += 1) {
        const body = step === 'complete' ? { data: { intakeDecision: 'accept' } } : {};
        const answer = await this.send(`POST /api/tasks/:id/${step}`, 'POST', `/api/tasks/${task.id}/${step}`, body, headers);
        if (answer.status === 200) break;
        if (answer.status !== 503 && answer.status !== 0) return; // taken meanwhile, or gone: not this client's
        await pause(1000);
      }
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.clients);
  }
}

/** What the load left behind: receipts never accepted or whose dossier never started; doubles. */
export async function audit(db: Db, load: Load, log: (entry: object) => void): Promise<{ lost: number; duplicates: number }> {
  const missing = load.receipts.filter((r) => !load.accepted.has(r));
  const codes = [...load.accepted.values()];
  if (codes.length === 0) return { lost: missing.length, duplicates: 0 };
  // every accepted dossier gets its first step (the workers run it) within 90 s
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
  log({ missing, unstarted, perReceipt, instances, openTwice });
  return { lost: missing.length + unstarted.length, duplicates: perReceipt.length + instances.length + openTwice.length };
}

/** One figure: a JSON line on stdout and in .cache/test-results/<file>.jsonl. */
export function emitter(repo: string, file: string): (name: string, value: number) => void {
  return (name, value) => {
    const line = JSON.stringify({ name, value });
    process.stdout.write(`${line}\n`);
    mkdirSync(path.join(repo, '.cache/test-results'), { recursive: true });
    appendFileSync(path.join(repo, '.cache/test-results', file), `${line}\n`);
  };
}
