/**
 * Bước 10: the e-certificate goes back to VNeID and the national portal; then the dossier is
 * closed (outcome issued). The order's key is `${dossierCode}:${elementId}`; closing only
 * touches an open dossier. The VNeID notice that carries the result asks the citizen to rate the
 * handling; the rating comes back to `/api/callbacks/vneid/rating` (server/callbacks/vneid.ts).
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
    const ratingCallbackUrl = new URL('/api/callbacks/vneid/rating', ctx.deps.settings.publicBaseUrl).toString();
    await ctx.deps.adapters.vneid.returnResult({ dossierCode: ctx.dossierCode, certificateNumber: ctx.variables.certificateNumber, outcome: 'issued', ratingCallbackUrl }, ctx.stepKey);
    const finishedAt = await closeDossier(ctx, 'issued');
    return complete({ returnedAt: iso(finishedAt) });
  },
});
