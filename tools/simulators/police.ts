/**
 * Simulates the provincial police records office (Công an tỉnh, PV06): accepts verification
 * requests and answers later by calling the product's callback, after a number of working
 * hours (scaled by `msPerWorkingHour` for demos) or never, as the scenario says.
 */
import { z } from 'zod';
import { createCallbackSender } from './callback-sender';
import { createSimServer, effect, type SimServer } from './sim-server';

export const POLICE_RESULTS = ['noRecord', 'recordFound'] as const;

const Scenario = z.object({
  dossierCode: z.string().min(1),
  /** `null`: the police never answer. */
  answerAfterWorkingHours: z.number().min(0).nullable(),
  result: z.enum(POLICE_RESULTS).default('noRecord'),
  /** Deliver the answer this many times (tests of duplicate answers). */
  deliveries: z.number().int().min(1).max(5).default(1),
});
type Scenario = z.infer<typeof Scenario>;

export interface PoliceSimOptions {
  /** How the simulator authenticates to the product's callback: each call signed with this partner's secret. */
  partnerId: string;
  apiKey: string;
  msPerWorkingHour: number;
  defaultAnswerAfterWorkingHours: number;
  random?: () => number;
  /** The police system's clock (the test suite's clock in tests). */
  now?: () => Date;
  fetchImpl?: typeof fetch;
}

export function createPoliceSim(options: PoliceSimOptions): SimServer & { scenarios: Map<string, Scenario>; pending: () => number } {
  const sim = createSimServer('police', {}, options.random, options.now);
  const { app, context } = sim;
  const scenarios = new Map<string, Scenario>();
  const callbacks = createCallbackSender({ partnerId: options.partnerId, apiKey: options.apiKey, context, fetchImpl: options.fetchImpl });

  app.post('/_sim/scenarios', (req, res) => {
    const parsed = Scenario.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      return;
    }
    scenarios.set(parsed.data.dossierCode, parsed.data);
    res.json({ ok: true });
  });

  app.post(
    '/api/v1/verification-requests',
    effect(
      context,
      'request',
      z.object({ requestId: z.string().min(1), dossierCode: z.string().min(1), callbackUrl: z.url() }),
      (b) => b.requestId,
      (b) => {
        const scenario = scenarios.get(b.dossierCode) ?? {
          dossierCode: b.dossierCode,
          answerAfterWorkingHours: options.defaultAnswerAfterWorkingHours,
          result: 'noRecord' as const,
          deliveries: 1,
        };
        if (scenario.answerAfterWorkingHours !== null) {
          callbacks.later(scenario.answerAfterWorkingHours * options.msPerWorkingHour, () => {
            const payload = { requestId: b.requestId, dossierCode: b.dossierCode, result: scenario.result };
            for (let i = 0; i < scenario.deliveries; i += 1) callbacks.deliver(b.callbackUrl, payload);
          });
        }
        return { requestId: b.requestId, acceptedAt: context.now().toISOString() };
      },
    ),
  );

  const listen = sim.listen.bind(sim);
  return Object.assign(sim, {
    scenarios,
    pending: () => callbacks.pending(),
    async listen(port: number, host?: string) {
      const handle = await listen(port, host);
      return {
        url: handle.url,
        close: async () => {
          callbacks.cancel();
          await handle.close();
        },
      };
    },
  });
}
