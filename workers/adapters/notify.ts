/** Citizen notifications through VNeID (accepted, supplement request, refusal, apology, ...). */
import { z } from 'zod';
import { instant } from '../../processes/contracts';
import { postJson, type HttpSystem } from './http';

export interface Notification {
  /** `${dossierCode}:${elementInstanceKey}`: one notification per activation of a notify step. */
  notificationId: string;
  dossierCode: string;
  kind: string;
  /** A date the notice tells (YYYY-MM-DD): the new return date of an extension. */
  newReturnDate?: string;
  /** The legal reason the notice gives (no personal data). */
  reason?: string;
}

export interface NotifyAdapter {
  notify(notification: Notification): Promise<{ id: string; sentAt: string }>;
}

const notifyAnswer = z.object({ id: z.string().min(1), sentAt: instant });

export function httpNotify(target: Omit<HttpSystem, 'system'>): NotifyAdapter {
  const system: HttpSystem = { ...target, system: 'Thông báo VNeID' };
  return { notify: (n) => postJson(system, '/api/v1/notifications', n, n.notificationId, notifyAnswer) };
}
