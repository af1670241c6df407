/** Bưu chính công ích: ships the paper copy to the citizen. */
import { z } from 'zod';
import { instant } from '../../processes/contracts';
import { postJson, type HttpSystem } from './http';

export interface ShipmentOrder {
  dossierCode: string;
  recipient: string;
  address: string;
}

export interface PostAdapter {
  ship(order: ShipmentOrder, idempotencyKey: string): Promise<{ trackingNumber: string; acceptedAt: string }>;
}

const shipAnswer = z.object({ trackingNumber: z.string().min(1), acceptedAt: instant });

export function httpPost(target: Omit<HttpSystem, 'system'>): PostAdapter {
  const system: HttpSystem = { ...target, system: 'Bưu chính' };
  return { ship: (order, key) => postJson(system, '/api/v1/shipments', order, key, shipAnswer) };
}
