/** Công an tỉnh (PV06): takes a verification request and answers later through our callback. */
import { z } from 'zod';
import { instant } from '../../processes/contracts';
import { postJson, type HttpSystem } from './http';

export interface VerificationRequest {
  /** `${dossierCode}:police`: the idempotency key, echoed in the callback (message id). */
  requestId: string;
  dossierCode: string;
  callbackUrl: string;
}

export interface PoliceAdapter {
  requestVerification(request: VerificationRequest): Promise<{ requestId: string; acceptedAt: string }>;
}

const requestAnswer = z.object({ requestId: z.string().min(1), acceptedAt: instant });

export function httpPolice(target: Omit<HttpSystem, 'system'>): PoliceAdapter {
  const system: HttpSystem = { ...target, system: 'Công an tỉnh (PV06)' };
  return {
    requestVerification: (request) => postJson(system, '/api/v1/verification-requests', request, request.requestId, requestAnswer),
  };
}
