/**
 * The one way the app talks to Zeebe: a gRPC client from `@camunda8/sdk`, configured from
 * our config module only (the SDK's own environment lookup is not relied on), plus the
 * broker's management endpoint for readiness and, in tests, the controlled clock.
 */
import { Camunda8 } from '@camunda8/sdk';
import type { ZeebeGrpcClient } from '@camunda8/sdk/dist/zeebe';
import type { Config } from './config';
import { ComponentUnavailableError, isBackPressure, isZeebeUnavailable, withDeadline } from './outage';

export type { ZeebeGrpcClient };

export type ZeebeConfig = Pick<
  Config,
  'ZEEBE_GRPC_ADDRESS' | 'ZEEBE_AUTH_STRATEGY' | 'ZEEBE_OAUTH_URL' | 'ZEEBE_CLIENT_ID' | 'ZEEBE_CLIENT_SECRET' | 'LOG_LEVEL'
>;

/**
 * Creates a Zeebe gRPC client; `grpc://` means plaintext, `grpcs://` TLS. `retries`: how often
 * the SDK tries a call again that the gateway could not take (3 by default, for the workers and
 * tools). The API passes 0: its caller is told 503 at once and sends the request again, instead
 * of waiting through the SDK's back-off (1 s, then 2 s) until the API's deadline.
 */
export function createZeebeClient(config: ZeebeConfig, options: { retries?: number } = {}): { camunda: Camunda8; zeebe: ZeebeGrpcClient } {
  const retries = options.retries ?? 3;
  const camunda = new Camunda8({
    ZEEBE_GRPC_ADDRESS: config.ZEEBE_GRPC_ADDRESS,
    ZEEBE_REST_ADDRESS: 'http://127.0.0.1:0', // not used: this product speaks gRPC only
    // The SDK retries a call the gateway could not take (unreachable, back-pressure, deadline):
    // a few times with a short back-off, never forever, so that no call hangs through an outage
    // (the default is to retry without end, logging every attempt). Its own log lines are off
    // unless debugging: outages are logged once per component by server/outage.ts.
    zeebeGrpcSettings: {
      ZEEBE_CLIENT_LOG_LEVEL: config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' ? 'ERROR' : 'NONE',
      ZEEBE_GRPC_CLIENT_RETRY: retries > 0,
      ZEEBE_GRPC_CLIENT_MAX_RETRIES: retries,
      ZEEBE_GRPC_CLIENT_MAX_RETRY_TIMEOUT_SECONDS: 2,
    },
    CAMUNDA_AUTH_STRATEGY: config.ZEEBE_AUTH_STRATEGY,
    CAMUNDA_LOG_LEVEL: config.LOG_LEVEL === 'silent' ? 'none' : 'warn',
    CAMUNDA_TOKEN_DISK_CACHE_DISABLE: true,
    ...(config.ZEEBE_AUTH_STRATEGY === 'OAUTH'
      ? { CAMUNDA_OAUTH_URL: config.ZEEBE_OAUTH_URL, ZEEBE_CLIENT_ID: config.ZEEBE_CLIENT_ID, ZEEBE_CLIENT_SECRET: config.ZEEBE_CLIENT_SECRET }
      : {}),
  });
  return { camunda, zeebe: camunda.getZeebeGrpcApiClient() };
}

/** The calls the API makes to Zeebe while a request waits. */
export type ApiZeebe = Pick<ZeebeGrpcClient, 'createProcessInstance' | 'publishMessage' | 'completeJob' | 'cancelProcessInstance'>;

/**
 * The API's calls to Zeebe, each within `deadlineMs`: an unreachable, overloaded or silent
 * gateway becomes a ComponentUnavailableError (503) instead of a request that hangs. A call
 * that timed out may still take effect at the broker: every caller is idempotent (intake binds
 * one process instance per dossier, messages carry ids, a task's completion is recorded first).
 *
 * Fail fast while degraded: after the gateway refused a call (unreachable, broker unavailable),
 * and until a call is answered, the deadline is `degradedDeadlineMs` (default 600 ms). A broker
 * that is starting takes connections before it answers them; at the full deadline each such
 * call waited it out (and more on a busy machine) to learn what the previous call already knew.
 *
 * Back-pressure is not an outage: a broker that refuses a command because it is busy or its
 * partitions are not ready (RESOURCE_EXHAUSTED: the command was not executed, so sending it
 * again is safe) is asked again after a short, growing pause within the short deadline, and
 * does not make the broker degraded.
 */
export function boundedZeebe(zeebe: ApiZeebe, deadlineMs: number, options: { degradedDeadlineMs?: number; backPressurePauseMs?: number } = {}): ApiZeebe {
  const degradedDeadlineMs = Math.min(deadlineMs, options.degradedDeadlineMs ?? 600);
  const firstPauseMs = options.backPressurePauseMs ?? 50;
  let degraded = false;
  const bounded = <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const startedAt = Date.now();
      const endsAt = startedAt + (degraded ? degradedDeadlineMs : deadlineMs);
      // a busy broker is asked again only within the short deadline: its 503 comes early
      const busyEndsAt = Math.min(endsAt, startedAt + degradedDeadlineMs);
      for (let pause = firstPauseMs; ; pause = Math.min(pause * 2, 400)) {
        try {
          const result = await withDeadline('zeebe', Math.max(1, endsAt - Date.now()), call(...args));
          // the SDK resolves null when its channel is closing
          if (result === null) throw new ComponentUnavailableError('zeebe', new Error('the gRPC channel is closed'));
          degraded = false;
          return result;
        } catch (error) {
          // Our own deadline passing leaves the state as it is: a healthy broker slow under a
          // burst must not be cut short, and a starting one stays degraded until it answers.
          if (error instanceof ComponentUnavailableError) throw error;
          if (isBackPressure(error)) {
            const wait = pause * (0.5 + Math.random() / 2);
            if (Date.now() + wait < busyEndsAt) {
              await new Promise((resolve) => setTimeout(resolve, wait));
              continue;
            }
            throw new ComponentUnavailableError('zeebe', error);
          }
          if (isZeebeUnavailable(error)) {
            degraded = true;
            throw new ComponentUnavailableError('zeebe', error);
          }
          degraded = false; // the broker answered (a business error)
          throw error;
        }
      }
    };
  const api: ApiZeebe = {
    createProcessInstance: bounded(zeebe.createProcessInstance.bind(zeebe)),
    publishMessage: bounded(zeebe.publishMessage.bind(zeebe)),
    completeJob: bounded(zeebe.completeJob.bind(zeebe)),
    cancelProcessInstance: bounded(zeebe.cancelProcessInstance.bind(zeebe)),
  };
  return api;
}

/** The broker's controlled clock (`ZEEBE_CLOCK_CONTROLLED=true`), for time-travel tests. */
export class BrokerClock {
  constructor(private readonly managementUrl: string) {}

  /** Moves the engine clock forward by `ms` milliseconds from where it is. */
  async advance(ms: number): Promise<void> {
    await this.call('POST', '/actuator/clock/add', { offsetMilli: ms });
  }

  /** Pins the engine clock at an instant. */
  async pin(at: Date): Promise<void> {
    await this.call('POST', '/actuator/clock/pin', { epochMilli: at.getTime() });
  }

  /** Gives the engine its system clock back. */
  async reset(): Promise<void> {
    await this.call('DELETE', '/actuator/clock');
  }

  /** The engine clock's current instant, in epoch milliseconds. */
  async nowMs(): Promise<number> {
    const body = (await (await this.call('GET', '/actuator/clock')).json()) as { epochMilli?: unknown };
    if (typeof body.epochMilli !== 'number') throw new Error(`Zeebe clock GET /actuator/clock answered without epochMilli: ${JSON.stringify(body)}`);
    return body.epochMilli;
  }

  private async call(method: string, path: string, body?: unknown): Promise<Response> {
    const response = await fetch(new URL(path, this.managementUrl), {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!response.ok) {
      throw new Error(`Zeebe clock ${method} ${path} answered ${response.status}: is the broker started with ZEEBE_CLOCK_CONTROLLED=true?`);
    }
    return response;
  }
}

/** True when the broker's management endpoint reports ready. */
export async function brokerReady(managementUrl: string): Promise<boolean> {
  try {
    const response = await fetch(new URL('/actuator/health/readiness', managementUrl));
    return response.ok;
  } catch {
    return false;
  }
}

/** True for the broker's answer to a message whose id was already published (a harmless repeat). */
export function isDuplicateMessage(error: unknown): boolean {
  return /ALREADY_EXISTS/.test((error as Error | undefined)?.message ?? '');
}
