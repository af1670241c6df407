/**
 * VNeID and the national public-service portal: the result of a dossier goes back there (step 10).
 * The notice that carries the result asks the citizen to rate the handling: VNeID relays the
 * rating to `ratingCallbackUrl` (server/callbacks/vneid.ts).
 */
import { z } from 'zod';
import { instant } from '../../processes/contracts';
import { postJson, type HttpSystem } from './http';

export interface ResultReturn {
  dossierCode: string;
  certificateNumber: string;
  outcome: 'issued' | 'refused' | 'withdrawn';
  /** Where VNeID posts the citizen's rating of the handling (`…/api/callbacks/vneid/rating`); none: no rating asked. */
  ratingCallbackUrl?: string;
}

export interface VneidAdapter {
  returnResult(result: ResultReturn, idempotencyKey: string): Promise<{ dossierCode: string; receivedAt: string }>;
}

const returnAnswer = z.object({ dossierCode: z.string().min(1), receivedAt: instant });

export function httpVneid(target: Omit<HttpSystem, 'system'>): VneidAdapter {
  const system: HttpSystem = { ...target, system: 'VNeID' };
  return { returnResult: (result, key) => postJson(system, '/api/v1/results', result, key, returnAnswer) };
}
