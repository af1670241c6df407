/** Digital signing of the e-certificate (chữ ký số của người có thẩm quyền và của cơ quan). */
import { z } from 'zod';
import { instant } from '../../processes/contracts';
import { postJson, type HttpSystem } from './http';

export interface SignatureOrder {
  documentId: string;
  /** SHA-256 (hex) of the document descriptor; no personal data leaves for signing. */
  digest: string;
  signer: string;
}

export interface SigningAdapter {
  sign(order: SignatureOrder, idempotencyKey: string): Promise<{ signatureId: string; documentId: string; signedAt: string }>;
}

const signAnswer = z.object({ signatureId: z.string().min(1), documentId: z.string().min(1), signedAt: instant });

export function httpSigning(target: Omit<HttpSystem, 'system'>): SigningAdapter {
  const system: HttpSystem = { ...target, system: 'Dịch vụ ký số' };
  return { sign: (order, key) => postJson(system, '/api/v1/signatures', order, key, signAnswer) };
}
