/**
 * Ký số: the e-certificate is signed by the signing service. What is signed is the digest of
 * a canonical descriptor of the certificate (dossier code, certificate number, form type,
 * agency): no personal data leaves for signing. The certificate number is derived from the
 * dossier code, so it is the same on every attempt; the order's key is `${dossierCode}:${elementId}`.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { complete, defineWorker, dossierCode } from './framework';
import { dossierOf, iso } from './dossier-support';

export const certificateNumberOf = (code: string): string => `LLTP-${code}`;

/** The canonical descriptor: fixed key order, no personal data. */
export function certificateDigest(descriptor: { dossierCode: string; certificateNumber: string; formType: number | null; agencyCode: string | null }): string {
  const canonical = JSON.stringify([descriptor.dossierCode, descriptor.certificateNumber, descriptor.formType, descriptor.agencyCode]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

export default defineWorker({
  type: 'lltp.sign.certificate',
  system: 'Dịch vụ ký số',
  variables: z.object({ dossierCode }),
  outcomeOf: () => 'signed',
  async handler(ctx) {
    const dossier = await dossierOf(ctx);
    const certificateNumber = certificateNumberOf(ctx.dossierCode);
    const digest = certificateDigest({ dossierCode: ctx.dossierCode, certificateNumber, formType: dossier.formType ?? null, agencyCode: dossier.agencyCode ?? null });
    const signature = await ctx.deps.adapters.signing.sign({ documentId: ctx.dossierCode, digest, signer: ctx.deps.settings.signer }, ctx.stepKey);
    const signedAt = new Date(signature.signedAt);
    return complete({ certificateNumber, signedAt: iso(signedAt) }, { dossier: { certificateNumber, signedAt, signatureId: signature.signatureId } });
  },
});
