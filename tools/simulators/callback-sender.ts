/**
 * How a simulated partner calls the product back: each attempt signed anew as the partner
 * (server/auth/partner-signature.ts: a repeated signature is refused as a replay), sent again
 * with exponential back-off while the product does not answer or answers 5xx (8 attempts),
 * counted in the simulator's `calls.callback` when the product answered. The police (answers)
 * and VNeID (ratings) simulators share it.
 */
import { signedHeaders, timestamps } from '../../server/auth/partner-signature';
import type { SimContext } from './sim-server';

export interface CallbackSender {
  deliver(callbackUrl: string, payload: object): void;
  /** Deliveries waiting for their time (answers not due yet, retries). */
  pending(): number;
  /** Forgets every waiting delivery (the simulator stops). */
  cancel(): void;
  /** Runs `send` after `ms`, unless cancelled. */
  later(ms: number, send: () => void): void;
}

const MAX_ATTEMPTS = 8;

export function createCallbackSender(options: { partnerId: string; apiKey: string; context: SimContext; fetchImpl?: typeof fetch }): CallbackSender {
  const { context } = options;
  const timers = new Set<NodeJS.Timeout>();
  const send = options.fetchImpl ?? fetch;
  const stamp = timestamps(() => context.now().getTime());
  const later = (ms: number, run: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
  };
  const attempt = async (callbackUrl: string, payload: object, n: number): Promise<void> => {
    try {
      const body = JSON.stringify(payload);
      const target = new URL(callbackUrl);
      const response = await send(callbackUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signedHeaders({ partnerId: options.partnerId, secret: options.apiKey }, 'POST', `${target.pathname}${target.search}`, body, stamp()) },
        body,
      });
      if (response.status >= 500 && n < MAX_ATTEMPTS) throw new Error(`callback answered ${response.status}`);
      context.calls.set('callback', (context.calls.get('callback') ?? 0) + 1);
    } catch {
      if (n >= MAX_ATTEMPTS) return;
      later(Math.min(30000, 250 * 2 ** n), () => void attempt(callbackUrl, payload, n + 1));
    }
  };
  return {
    deliver: (callbackUrl, payload) => void attempt(callbackUrl, payload, 1),
    pending: () => timers.size,
    cancel: () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
    later,
  };
}
