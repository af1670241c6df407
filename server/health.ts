/**
 * Health of the components the app depends on: the Zeebe broker, the read-model database
 * and the SMTP server. The API's /readyz answers from `checkStack`, and integration tests
 * call `requireStack()` first so that a stopped component fails them with a message that
 * names it (never a silent skip or a confusing timeout).
 */
import { loadConfig, type Config } from './config';
import { connectDatabase, redactUrl } from './db';
import { createMailer } from './mail';
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
