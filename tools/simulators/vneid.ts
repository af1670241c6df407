/**
 * Simulates VNeID receiving a dossier's result (step 10) and the citizen who reads the notice
 * that carries it: when the result asks for a rating (`ratingCallbackUrl`) and the simulator
 * knows how to call the product back (`rating` options), the citizen rates the handling after
 * `afterMs`: `satisfied`, `neutral` or `dissatisfied`, as set for the dossier
 * (`POST /_sim/ratings {dossierCode, rating | null, deliveries}`; null: never rates) or else
 * chosen from the dossier code alone by the configured shares (the same dossier always gets the
 * same rating). VNeID relays it signed as its partner, event id `rating:<dossier code>` at every
 * delivery (a repeated delivery is the same rating).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { createCallbackSender } from './callback-sender';
import { createSimServer, effect, type SimServer } from './sim-server';

export const RATINGS = ['satisfied', 'neutral', 'dissatisfied'] as const;
export type Rating = (typeof RATINGS)[number];

const RatingScenario = z.strictObject({
  dossierCode: z.string().min(1),
  rating: z.enum(RATINGS).nullable(),
  /** Deliver the rating this many times (tests of duplicate deliveries). */
  deliveries: z.number().int().min(1).max(5).default(1),
});
type RatingScenario = z.infer<typeof RatingScenario>;

const Shares = z.strictObject({ satisfied: z.number().min(0), neutral: z.number().min(0), dissatisfied: z.number().min(0) });
export type RatingShares = z.infer<typeof Shares>;
export const DEFAULT_RATING_SHARES: RatingShares = { satisfied: 0.8, neutral: 0.15, dissatisfied: 0.05 };

export interface VneidRatingOptions {
  /** How the simulator signs its calls to the product (partner VNEID_PARTNER_ID, its secret). */
  partnerId: string;
  apiKey: string;
  /** Real milliseconds between the result's arrival and the citizen's rating. */
  afterMs: number;
  shares?: RatingShares;
  fetchImpl?: typeof fetch;
}

/** The rating the citizen of this dossier gives when no scenario says otherwise: a function of the code alone. */
export function ratingOf(dossierCode: string, shares: RatingShares = DEFAULT_RATING_SHARES): Rating {
  const total = shares.satisfied + shares.neutral + shares.dissatisfied;
  const hash = createHash('sha256').update(dossierCode).digest();
  let r = (hash.readUInt32BE(0) / 0x100000000) * total;
  for (const rating of RATINGS) {
    r -= shares[rating];
    if (r < 0) return rating;
  }
  return 'satisfied';
}

const ResultOrder = z.object({
  dossierCode: z.string().min(1),
  certificateNumber: z.string().min(1),
  outcome: z.enum(['issued', 'refused', 'withdrawn']),
  ratingCallbackUrl: z.url().optional(),
});

export function createVneidSim(random?: () => number, now?: () => Date, rating?: VneidRatingOptions): SimServer & { pending: () => number } {
  const sim = createSimServer('vneid', {}, random, now);
  const { app, context } = sim;
  const scenarios = new Map<string, RatingScenario>();
  let shares = rating?.shares ?? DEFAULT_RATING_SHARES;
  const callbacks = rating ? createCallbackSender({ partnerId: rating.partnerId, apiKey: rating.apiKey, context, fetchImpl: rating.fetchImpl }) : undefined;

  const badRequest = (res: import('express').Response, error: z.ZodError): void => {
    res.status(400).json({ error: error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
  };
  app.post('/_sim/ratings', (req, res) => {
    const parsed = RatingScenario.safeParse(req.body);
    if (!parsed.success) return badRequest(res, parsed.error);
    scenarios.set(parsed.data.dossierCode, parsed.data);
    res.json({ ok: true });
  });
  app.post('/_sim/rating-shares', (req, res) => {
    const parsed = Shares.safeParse(req.body);
    if (!parsed.success) return badRequest(res, parsed.error);
    shares = parsed.data;
    res.json(shares);
  });

  const rate = (order: z.infer<typeof ResultOrder>): void => {
    if (!callbacks || !rating || !order.ratingCallbackUrl) return;
    const scenario = scenarios.get(order.dossierCode) ?? { dossierCode: order.dossierCode, rating: ratingOf(order.dossierCode, shares), deliveries: 1 };
    const given = scenario.rating;
    if (given === null) return;
    const url = order.ratingCallbackUrl;
    callbacks.later(rating.afterMs, () => {
      const payload = { eventId: `rating:${order.dossierCode}`, dossierCode: order.dossierCode, rating: given };
      for (let i = 0; i < scenario.deliveries; i += 1) callbacks.deliver(url, payload);
    });
  };

  app.post(
    '/api/v1/results',
    effect(context, 'return', ResultOrder, (b) => `${b.dossierCode}:${b.outcome}`, (b) => {
      rate(b);
      return { dossierCode: b.dossierCode, receivedAt: context.now().toISOString() };
    }),
  );

  const listen = sim.listen.bind(sim);
  return Object.assign(sim, {
    pending: () => callbacks?.pending() ?? 0,
    async listen(port: number, host?: string) {
      const handle = await listen(port, host);
      return {
        url: handle.url,
        close: async () => {
          callbacks?.cancel();
          await handle.close();
        },
      };
    },
  });
}
