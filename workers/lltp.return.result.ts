/**
 * Bước 10: the e-certificate goes back to VNeID and the national portal; then the dossier is
 * closed (outcome issued). The order's key is `${dossierCode}:${elementId}`; closing only
 * touches an open dossier.
 */
import { z } from 'zod';
import { complete, defineWorker, dossierCode } from './framework';
import { closeDossier, iso } from './dossier-support';

export default defineWorker({
  type: 'lltp.return.result',
  system: 'VNeID (trả kết quả)',
  variables: z.object({ dossierCode, certificateNumber: z.string().min(1) }),
  outcomeOf: () => 'issued',
  async handler(ctx) {
    await ctx.deps.adapters.vneid.returnResult({ dossierCode: ctx.dossierCode, certificateNumber: ctx.variables.certificateNumber, outcome: 'issued' }, ctx.stepKey);
    const finishedAt = await closeDossier(ctx, 'issued');
    return complete({ returnedAt: iso(finishedAt) });
  },
});
