/**
 * Simulators of the systems that only take an order and confirm it: digital signing, the
 * postal service, and citizen notifications. Each order carries an idempotency key; a repeat gets the first answer.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { createSimServer, effect, type SimServer } from './sim-server';

/** VNeID, which also plays the citizen who rates the result, has a file of its own. */
export { createVneidSim } from './vneid';

export function createSigningSim(random?: () => number, now?: () => Date): SimServer {
  const sim = createSimServer('signing', {}, random, now);
  sim.app.post(
    '/api/v1/signatures',
    effect(sim.context, 'sign', z.object({ documentId: z.string().min(1), digest: z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hex digest'), signer: z.string().min(1) }), (b) => b.documentId, (b) => ({
      signatureId: `SIG-${randomUUID()}`,
      documentId: b.documentId,
      signedAt: sim.context.now().toISOString(),
    })),
  );
  return sim;
}

export function createPostSim(random?: () => number, now?: () => Date): SimServer {
  const sim = createSimServer('post', {}, random, now);
  sim.app.post(
    '/api/v1/shipments',
    effect(sim.context, 'ship', z.object({ dossierCode: z.string().min(1), recipient: z.string().min(1), address: z.string().min(1) }), (b) => b.dossierCode, () => ({
      trackingNumber: `EL${String(Math.floor(sim.context.random() * 1e9)).padStart(9, '0')}VN`,
      acceptedAt: sim.context.now().toISOString(),
    })),
  );
  return sim;
}

export function createNotifySim(random?: () => number, now?: () => Date): SimServer {
  const sim = createSimServer('notify', {}, random, now);
  sim.app.post(
    '/api/v1/notifications',
    effect(sim.context, 'notify', z.object({ notificationId: z.string().min(1), dossierCode: z.string().min(1), kind: z.string().min(1) }), (b) => b.notificationId, (b) => ({
      id: b.notificationId,
      sentAt: sim.context.now().toISOString(),
    })),
  );
  return sim;
}
