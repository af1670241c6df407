/**
 * Simulates the Ministry of Justice's shared LLTP software (Phần mềm quản lý LLTP dùng chung):
 * receives pushed dossiers, records acceptance and status, and answers the database search
 * with an outcome chosen per dossier (`POST /_sim/scenarios`) or by configured shares.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { createSimServer, effect, type SimServer } from './sim-server';

export const SEARCH_OUTCOMES = ['noRecord', 'recordFound', 'needsVerification'] as const;
export type SearchOutcome = (typeof SEARCH_OUTCOMES)[number];

const Shares = z.object({ noRecord: z.number().min(0), recordFound: z.number().min(0), needsVerification: z.number().min(0) });

export function createLltpSoftwareSim(options: { random?: () => number; now?: () => Date; shares?: z.infer<typeof Shares> } = {}): SimServer & {
  scenarios: Map<string, SearchOutcome>;
} {
  const sim = createSimServer('lltp-software', {}, options.random, options.now);
  const { app, context } = sim;
  const scenarios = new Map<string, SearchOutcome>();
  let shares = options.shares ?? { noRecord: 0.75, recordFound: 0.05, needsVerification: 0.2 };
  const byLltpId = new Map<string, string>(); // lltpId -> dossierCode

  app.post('/_sim/scenarios', (req, res) => {
    const parsed = z.object({ dossierCode: z.string().min(1), searchOutcome: z.enum(SEARCH_OUTCOMES) }).safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      return;
    }
    scenarios.set(parsed.data.dossierCode, parsed.data.searchOutcome);
    res.json({ ok: true });
  });
  app.post('/_sim/shares', (req, res) => {
    const parsed = Shares.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      return;
    }
    shares = parsed.data;
    res.json(shares);
  });

  const pick = (dossierCode: string): SearchOutcome => {
    const fixed = scenarios.get(dossierCode);
    if (fixed) return fixed;
    const total = shares.noRecord + shares.recordFound + shares.needsVerification;
    let r = context.random() * total;
    for (const outcome of SEARCH_OUTCOMES) {
      r -= shares[outcome];
      if (r < 0) return outcome;
    }
    return 'noRecord';
  };

  app.post(
    '/api/v1/dossiers',
    effect(context, 'push', z.object({ dossierCode: z.string().min(1), receiptNumber: z.string().min(1), formType: z.union([z.literal(1), z.literal(2)]) }), (b) => b.dossierCode, (b) => {
      const lltpId = `LLTP-${randomUUID()}`;
      byLltpId.set(lltpId, b.dossierCode);
      return { lltpId, status: 3 };
    }),
  );
  app.post(
    '/api/v1/dossiers/:lltpId/search',
    effect(context, 'search', z.object({ dossierCode: z.string().min(1) }), (b) => b.dossierCode, (b) => ({ outcome: pick(b.dossierCode) })),
  );
  app.post(
    '/api/v1/dossiers/:lltpId/status',
    effect(
      context,
      'status',
      z.object({ dossierCode: z.string().min(1), status: z.union([z.literal(3), z.literal(4), z.literal(5)]) }),
      (b) => `${b.dossierCode}:${b.status}`,
      (b) => ({ dossierCode: b.dossierCode, status: b.status }),
    ),
  );
  return Object.assign(sim, { scenarios });
}
