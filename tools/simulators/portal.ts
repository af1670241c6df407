/**
 * Simulates the national public-service portal (Cổng DVC quốc gia) receiving the dossiers'
 * status feed: each status is acknowledged once by its event id (a repeat gets the first
 * acknowledgement and is not recorded again), and kept in the order received per dossier
 * (`GET /_sim/dossiers/:code/statuses`), so tests can prove that nothing was lost, duplicated
 * or reordered. An outage is `POST /_sim/config {"failureRate": 1}` (503 before any effect).
 */
import { z } from 'zod';
import { createSimServer, effect, type SimServer } from './sim-server';

const Status = z.object({
  eventId: z.string().min(1),
  dossierCode: z.string().min(1),
  status: z.enum(['received', 'inProgress', 'supplement', 'result', 'closed']),
  outcome: z.string().min(1).nullable(),
  changedAt: z.iso.datetime({ offset: true }),
});

export interface ReceivedStatus {
  eventId: string;
  status: string;
  outcome: string | null;
  changedAt: string;
  acknowledgedAt: string;
}

export function createPortalSim(random?: () => number, now?: () => Date): SimServer & { statuses: Map<string, ReceivedStatus[]> } {
  const sim = createSimServer('portal', {}, random, now);
  const statuses = new Map<string, ReceivedStatus[]>();
  sim.app.get('/_sim/dossiers/:code/statuses', (req, res) => {
    res.json({ dossierCode: req.params.code, statuses: statuses.get(req.params.code) ?? [] });
  });
  sim.app.post(
    '/api/v1/dossier-statuses',
    effect(sim.context, 'status', Status, (b) => b.eventId, (b) => {
      const acknowledgedAt = sim.context.now().toISOString();
      const list = statuses.get(b.dossierCode) ?? [];
      list.push({ eventId: b.eventId, status: b.status, outcome: b.outcome, changedAt: b.changedAt, acknowledgedAt });
      statuses.set(b.dossierCode, list);
      return { eventId: b.eventId, acknowledgedAt };
    }),
  );
  return Object.assign(sim, { statuses });
}
