/**
 * Health of the components the app depends on: the Zeebe broker, the read-model database
 * and the SMTP server. `checkStack` opens its own clients (start-up logs, tools, and the
 * integration tests' `requireStack()`, so that a stopped component fails them with a message
 * that names it); the API's /readyz answers from `processReadiness`, which asks through the
 * process's own clients.
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { loadConfig, type Config } from './config';
import { connectDatabase, redactUrl, type Db } from './db';
import type { Logger } from './logger';
import { createMailer, type Mailer } from './mail';
import { createZeebeClient } from './zeebe';

export interface ComponentCheck {
  component: 'Zeebe broker' | 'PostgreSQL' | 'SMTP server';
  address: string;
  ok: boolean;
  detail?: string;
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function check(component: ComponentCheck['component'], address: string, probe: () => Promise<void>): Promise<ComponentCheck> {
  try {
    await probe();
    return { component, address, ok: true };
  } catch (error) {
    return { component, address, ok: false, detail: (error as Error).message };
  }
}

export async function checkStack(config: Config = loadConfig()): Promise<ComponentCheck[]> {
  return Promise.all([
    check('Zeebe broker', config.ZEEBE_GRPC_ADDRESS, async () => {
      const { camunda, zeebe } = createZeebeClient(config);
      try {
        const topology = await withTimeout(zeebe.topology(), 5000, 'topology request');
        if (topology.brokers.length === 0) throw new Error('no broker in the topology');
      } finally {
        await camunda.closeAllClients();
      }
    }),
    check('PostgreSQL', redactUrl(config.DATABASE_URL), async () => {
      const database = await connectDatabase(config, { timeoutMs: 3000, max: 1 });
      await database.close();
    }),
    check('SMTP server', redactUrl(config.SMTP_URL), async () => {
      const mailer = createMailer(config, { timeoutMs: 3000 });
      try {
        await mailer.verify();
      } finally {
        mailer.close();
      }
    }),
  ]);
}

export function describeDown(checks: readonly ComponentCheck[]): string {
  return checks
    .filter((c) => !c.ok)
    .map((c) => `${c.component} at ${c.address} is not reachable (${c.detail ?? 'no answer'})`)
    .join('; ');
}

/** Throws, naming each component that is down, unless the whole stack answers. */
export async function requireStack(config: Config = loadConfig()): Promise<void> {
  const checks = await checkStack(config);
  if (checks.some((c) => !c.ok)) {
    throw new Error(`Local stack incomplete: ${describeDown(checks)}. Start it with \`npm run stack:up\`.`);
  }
}

export interface ProcessClients {
  /** The process's Zeebe client (its topology call). */
  zeebe: { topology(): Promise<{ brokers: readonly unknown[] }> };
  /** The process's database pool. */
  db: Db;
  /** The process's mailer. */
  mailer: Pick<Mailer, 'verify'>;
  /** Where each component is (for administrators and the log, never for anonymous callers). */
  addresses: { zeebe: string; database: string; smtp: string };
  logger: Logger;
  /** Deadline of each component's answer (default 2 s). */
  deadlineMs?: number;
  /** An answer is reused this long (default 1 s): a burst of calls makes one round of checks. */
  reuseMs?: number;
}

/**
 * Readiness through the process's own clients: the Zeebe topology through its client, `SELECT 1`
 * through its pool, EHLO through its mailer, each with a deadline; at most one round of checks at
 * a time, its answer reused for `reuseMs`. A component that goes down or comes back is logged
 * once, with the detail.
 */
export function processReadiness(clients: ProcessClients): () => Promise<ComponentCheck[]> {
  const deadlineMs = clients.deadlineMs ?? 2000;
  const reuseMs = clients.reuseMs ?? 1000;
  let last: { at: number; checks: ComponentCheck[] } | null = null;
  let running: Promise<ComponentCheck[]> | null = null;
  const wasDown = new Map<string, boolean>();
  const round = async (): Promise<ComponentCheck[]> => {
    const checks = await Promise.all([
      check('Zeebe broker', clients.addresses.zeebe, async () => {
        const topology = await withTimeout(clients.zeebe.topology(), deadlineMs, 'topology request');
        if (topology.brokers.length === 0) throw new Error('no broker in the topology');
      }),
      check('PostgreSQL', clients.addresses.database, async () => {
        await withTimeout(sql`SELECT 1`.execute(clients.db), deadlineMs, 'SELECT 1');
      }),
      check('SMTP server', clients.addresses.smtp, async () => {
        await withTimeout(clients.mailer.verify(), deadlineMs, 'EHLO');
      }),
    ]);
    for (const c of checks) {
      if (wasDown.get(c.component) === !c.ok) continue;
      if (!c.ok) clients.logger.warn({ dependency: c.component, endpoint: c.address, detail: c.detail }, 'readiness: not reachable');
      else if (wasDown.has(c.component)) clients.logger.info({ dependency: c.component, endpoint: c.address }, 'readiness: reachable again');
      wasDown.set(c.component, !c.ok);
    }
    return checks;
  };
  return async () => {
    if (last && performance.now() - last.at < reuseMs) return last.checks;
    running ??= round().then(
      (checks) => {
        last = { at: performance.now(), checks };
        running = null;
        return checks;
      },
      (error: unknown) => {
        running = null;
        throw error;
      },
    );
    return running;
  };
}
