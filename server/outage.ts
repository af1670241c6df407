/**
 * Outages of the three components the product depends on (PostgreSQL, Zeebe, SMTP): one error
 * type the API answers with 503, a deadline for every outside call, and a quiet log that writes
 * at most one line per component per window while it is down and a summary when it is back.
 */
import { isDatabaseUnavailable } from './db';
import type { Logger } from './logger';

/** What a 503 asks the caller to wait before sending the same request again, in seconds. */
export const RETRY_AFTER_SECONDS = 5;

/** How long a job failed by an outage waits before it is tried again (its retries are kept: an outage is not the job's fault). */
export const OUTAGE_BACKOFF_MS = 5_000;

export type Component = 'postgres' | 'zeebe' | 'smtp';

/** The components as users read them (Vietnamese messages). */
export const componentNames: Record<Component, string> = {
  postgres: 'Cơ sở dữ liệu (PostgreSQL)',
  zeebe: 'Bộ máy quy trình (Zeebe)',
  smtp: 'Máy chủ thư (SMTP)',
};

/** A component could not be reached, or did not answer within its deadline. */
export class ComponentUnavailableError extends Error {
  constructor(
    readonly component: Component,
    cause: unknown,
  ) {
    super(`${component} unavailable: ${(cause as Error | undefined)?.message ?? String(cause)}`);
    this.name = 'ComponentUnavailableError';
  }
}

/** The Vietnamese answer of a 503: the component, and that the same request can be sent again. */
export function unavailableMessage(component: Component): string {
  return `${componentNames[component]} tạm thời không truy cập được; không có gì bị mất, vui lòng gửi lại yêu cầu sau ít giây.`;
}

/**
 * `operation` with a deadline: past `ms` the caller gets a ComponentUnavailableError (the call
 * itself may still finish later; callers whose calls have effects make them idempotent).
 */
export async function withDeadline<T>(component: Component, ms: number, operation: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new ComponentUnavailableError(component, new Error(`no answer within ${ms} ms`))), ms);
  });
  try {
    return await Promise.race([operation, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

const grpcCodeOf = (error: unknown): number | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'number') return code;
  const m = /^(\d+) [A-Z_]+:/.exec((error as Error | null)?.message ?? '');
  return m ? Number(m[1]) : undefined;
};

/**
 * The Zeebe gateway could not take the call: unreachable (14 UNAVAILABLE), no answer in time
 * (4 DEADLINE_EXCEEDED), back-pressure (8 RESOURCE_EXHAUSTED), cancelled by a closing channel
 * (1), the gateway's connection to a broker closed under the call (13 INTERNAL "Connection
 * RemoteClientConnection{…} was closed": a broker of a cluster killed, the partition's next leader
 * takes the call sent again, as after a deadline), or our own deadline.
 */
export function isZeebeUnavailable(error: unknown): boolean {
  if (error instanceof ComponentUnavailableError) return error.component === 'zeebe';
  const code = grpcCodeOf(error);
  if (code !== undefined && [1, 4, 8, 14].includes(code)) return true;
  const message = (error as Error | null)?.message ?? '';
  if (code === 13 && /Connection RemoteClientConnection\{.*\} was closed/.test(message)) return true;
  return /UNAVAILABLE|DEADLINE_EXCEEDED|RESOURCE_EXHAUSTED|Stream removed|No connection established/.test(message);
}

/** The broker refused a command because it is busy or not ready (gRPC RESOURCE_EXHAUSTED): not executed, safe to send again. */
export function isBackPressure(error: unknown): boolean {
  return grpcCodeOf(error) === 8 || /RESOURCE_EXHAUSTED/.test((error as Error | null)?.message ?? '');
}

/** The SMTP server could not be reached or did not answer (nodemailer's connection errors). */
export function isSmtpUnavailable(error: unknown): boolean {
  if (error instanceof ComponentUnavailableError) return error.component === 'smtp';
  const code = (error as { code?: unknown } | null)?.code;
  return ['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET'].includes(String(code));
}

/**
 * A log for outages that stays quiet: the first failure of a component is written at once, then
 * at most one line per `windowMs` (with the number of failures seen since), and one line with
 * the duration and the count when the component answers again.
 */
export class OutageLog {
  private readonly down = new Map<Component, { since: number; lastLine: number; failures: number; unlogged: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly options: { windowMs?: number; now?: () => number } = {},
  ) {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** Records a failure caused by `component` being unavailable; logs at most once per window. */
  failure(component: Component, error: unknown): void {
    const now = this.now();
    const state = this.down.get(component);
    const message = (error as Error | undefined)?.message ?? String(error);
    if (!state) {
      this.down.set(component, { since: now, lastLine: now, failures: 1, unlogged: 0 });
      this.logger.warn({ dependency: component, outage: 'started' }, `${component} unavailable: ${message}; backing off`);
      return;
    }
    state.failures += 1;
    state.unlogged += 1;
    if (now - state.lastLine >= (this.options.windowMs ?? 10_000)) {
      this.logger.warn({ dependency: component, outage: 'continuing', failures: state.failures, sinceLastLine: state.unlogged }, `${component} still unavailable after ${Math.round((now - state.since) / 1000)} s: ${message}`);
      state.lastLine = now;
      state.unlogged = 0;
    }
  }

  /** Records `error` as a failure of the component it says is unavailable, if any; that component, or null (not an outage). */
  record(error: unknown): Component | null {
    const down = unavailableComponent(error);
    if (down) this.failure(down, error);
    return down;
  }

  /** Records that `component` answered; ends its outage with one summary line. */
  success(component: Component): void {
    const state = this.down.get(component);
    if (!state) return;
    this.down.delete(component);
    this.logger.info({ dependency: component, outage: 'ended', failures: state.failures, seconds: Math.round((this.now() - state.since) / 1000) }, `${component} available again after ${Math.round((this.now() - state.since) / 1000)} s (${state.failures} failed calls)`);
  }

  /** True while `component` is known to be down. */
  isDown(component: Component): boolean {
    return this.down.has(component);
  }
}

/** Which component an error says is unavailable, if any. */
export function unavailableComponent(error: unknown): Component | null {
  if (error instanceof ComponentUnavailableError) return error.component;
  if (isDatabaseUnavailable(error)) return 'postgres';
  if (isZeebeUnavailable(error)) return 'zeebe';
  if (isSmtpUnavailable(error)) return 'smtp';
  return null;
}
