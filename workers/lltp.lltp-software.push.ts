/**
 * Bước 4: push the dossier to the shared LLTP software. The order carries the idempotency
 * key `${dossierCode}:${elementId}`; the LLTP id is stored on the dossier.
 */
import { z } from 'zod';
import { complete, defineWorker, dossierCode, PermanentFault } from './framework';
import { dossierOf } from './dossier-support';

export default defineWorker({
  type: 'lltp.lltp-software.push',
  system: 'Phần mềm quản lý lý lịch tư pháp',
  variables: z.object({ dossierCode }),
  outcomeOf: () => 'pushed',
  async handler(ctx) {
    const dossier = await dossierOf(ctx);
    if (!dossier.receiptNumber || (dossier.formType !== 1 && dossier.formType !== 2)) {
      throw new PermanentFault(`dossier ${ctx.dossierCode} has no receiptNumber or formType: intake must record them`);
    }
    const pushed = await ctx.deps.adapters.lltpSoftware.pushDossier({ dossierCode: ctx.dossierCode, receiptNumber: dossier.receiptNumber, formType: dossier.formType }, ctx.stepKey);
    return complete({ lltpSoftwareId: pushed.lltpId }, { dossier: { lltpSoftwareId: pushed.lltpId } });
  },
});
