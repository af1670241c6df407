/**
 * Common frame of the external-system simulators: an Express server on loopback with
 * configurable latency and failure rate (`POST /_sim/config`), counters of side effects
 * (`GET /_sim/stats`) and idempotency by a key the caller sends, so tests can prove that a
 * retried job caused no duplicate external effect.
 */
import type { Server } from 'node:http';
import express, { type Express, type Request, type Response } from 'express';
import { z } from 'zod';

export const SimConfig = z.object({
  latencyMs: z.number().int().min(0).max(60000).default(0),
  failureRate: z.number().min(0).max(1).default(0),
});
export type SimConfig = z.infer<typeof SimConfig>;

export interface SimContext {
  config: SimConfig;
  /** Side effects done, by kind (e.g. `push`, `sign`); a repeated idempotency key does not count. */
  effects: Map<string, number>;
  /** Calls received, by kind, repeats included. */
  calls: Map<string, number>;
  /**
   * Calls the simulator is done with, by kind: answered (whatever the answer), even when the
   * caller has gone meanwhile. A test waits for `calls` and `answered` to match before it judges
   * `effects`: a call held by the configured latency may still be on its way to its effect.
   */
  answered: Map<string, number>;
  /** Remembered answers by idempotency key. */
  answers: Map<string, unknown>;
  random: () => number;
  /** The simulated system's clock (the test suite's clock in tests). */
  now: () => Date;
}

export interface SimServer {
  app: Express;
  context: SimContext;
  listen(port: number, host?: string): Promise<{ url: string; close: () => Promise<void> }>;
}

const bump = (map: Map<string, number>, key: string): void => {
  map.set(key, (map.get(key) ?? 0) + 1);
};

export function createSimServer(name: string, initial: Partial<SimConfig> = {}, random: () => number = Math.random, now: () => Date = () => new Date()): SimServer {
  const app = express();
  app.use(express.json({ limit: '1mb' }));
  const context: SimContext = { config: SimConfig.parse(initial), effects: new Map(), calls: new Map(), answered: new Map(), answers: new Map(), random, now };

  app.get('/_sim/stats', (_req, res) => {
    res.json({ name, config: context.config, effects: Object.fromEntries(context.effects), calls: Object.fromEntries(context.calls), answered: Object.fromEntries(context.answered) });
  });
  app.post('/_sim/config', (req, res) => {
    const parsed = SimConfig.partial().safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      return;
    }
    context.config = { ...context.config, ...parsed.data };
    res.json(context.config);
  });
  app.post('/_sim/reset', (_req, res) => {
    context.effects.clear();
    context.calls.clear();
    context.answered.clear();
    context.answers.clear();
    res.json({ ok: true });
  });

  return {
    app,
    context,
    async listen(port, host = '127.0.0.1') {
      const server: Server = await new Promise((resolve, reject) => {
        const s = app.listen(port, host, () => resolve(s));
        s.once('error', reject);
      });
      const address = server.address();
      const actualPort = typeof address === 'object' && address ? address.port : port;
      return {
        url: `http://${host}:${actualPort}`,
        close: () => new Promise<void>((resolve) => server.close(() => resolve())),
      };
    },
  };
}

/**
 * Wraps an effectful handler: waits the configured latency, fails with 503 at the configured
 * rate (before any effect), answers a repeated idempotency key with the first answer, and
 * counts the effect once.
 */
export function effect<B extends z.ZodType>(
  context: SimContext,
  kind: string,
  body: B,
  keyOf: (input: z.infer<B>) => string,
  run: (input: z.infer<B>, req: Request) => unknown,
) {
  return async (req: Request, res: Response): Promise<void> => {
    bump(context.calls, kind);
    try {
      await answer(req, res);
    } finally {
      bump(context.answered, kind);
    }
  };

  async function answer(req: Request, res: Response): Promise<void> {
    const parsed = body.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      return;
    }
    if (context.config.latencyMs > 0) await new Promise((r) => setTimeout(r, context.config.latencyMs));
    if (context.random() < context.config.failureRate) {
      res.status(503).json({ error: 'simulated outage' });
      return;
    }
    const key = `${kind}:${keyOf(parsed.data)}`;
    if (context.answers.has(key)) {
      res.json(context.answers.get(key));
      return;
    }
    const result = run(parsed.data, req);
    context.answers.set(key, result);
    bump(context.effects, kind);
    res.status(201).json(result);
  }
}
