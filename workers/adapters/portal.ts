/**
 * The national public-service portal (Cổng DVC quốc gia): the dossiers' status feed
 * (server/portal/feed.ts). Each status carries its event id, which is also the idempotency key:
 * the portal acknowledges a repeat without recording it twice. No personal data is sent.
 */
import { z } from 'zod';
import { instant } from '../../processes/contracts';
import { postJson, type HttpSystem } from './http';

export const PORTAL_STATUSES = ['received', 'inProgress', 'supplement', 'result', 'closed'] as const;
export type PortalStatusName = (typeof PORTAL_STATUSES)[number];

export interface PortalStatus {
  /** `<dossier code>:<outbox id>`: one per status change, stable across attempts. */
  eventId: string;
  dossierCode: string;
  status: PortalStatusName;
  /** The dossier's outcome, with `result` and `closed`. */
  outcome: string | null;
  /** When the status changed, ISO 8601 with an offset. */
  changedAt: string;
}

export interface PortalAdapter {
  sendStatus(status: PortalStatus): Promise<{ eventId: string; acknowledgedAt: string }>;
}

const acknowledgement = z.object({ eventId: z.string().min(1), acknowledgedAt: instant });

export function httpPortal(target: Omit<HttpSystem, 'system'>): PortalAdapter {
  const system: HttpSystem = { ...target, system: 'Cổng DVC quốc gia' };
  return { sendStatus: (status) => postJson(system, '/api/v1/dossier-statuses', status, status.eventId, acknowledgement) };
}
