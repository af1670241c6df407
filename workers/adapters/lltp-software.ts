/** Phần mềm quản lý LLTP dùng chung (Ministry of Justice): receives the pushed dossier. */
import { z } from 'zod';
import { postJson, type HttpSystem } from './http';

export interface LltpSoftwarePush {
  dossierCode: string;
  receiptNumber: string;
  formType: 1 | 2;
}

export interface LltpSoftwareAdapter {
  /** Pushes the dossier (step 4); a repeat with the same key returns the first id. */
  pushDossier(push: LltpSoftwarePush, idempotencyKey: string): Promise<{ lltpId: string; status: number }>;
}

const pushAnswer = z.object({ lltpId: z.string().min(1), status: z.number().int() });

export function httpLltpSoftware(target: Omit<HttpSystem, 'system'>): LltpSoftwareAdapter {
  const system: HttpSystem = { ...target, system: 'Phần mềm LLTP' };
  return {
    pushDossier: (push, key) => postJson(system, '/api/v1/dossiers', push, key, pushAnswer),
  };
}
