/**
 * The paper copy goes to the citizen by post. The postal address is personal data: read from
 * the declaration with an audit entry (actor `system:lltp.post.send-copy`), sent only to the
 * postal service, never logged. The order's key is `${dossierCode}:${elementId}`.
 */
import { z } from 'zod';
import { readDeclaration } from '../server/readmodel/declaration';
import { complete, defineWorker, dossierCode, PermanentFault, TechnicalFault } from './framework';

export default defineWorker({
  type: 'lltp.post.send-copy',
  system: 'Bưu chính',
  variables: z.object({ dossierCode, certificateNumber: z.string().min(1) }),
  outcomeOf: () => 'posted',
  async handler(ctx) {
    const request = await readDeclaration(ctx.deps.db, ctx.dossierCode, { actor: 'system:lltp.post.send-copy', purpose: 'gửi bản giấy qua bưu chính', at: ctx.now });
    if (!request) throw new TechnicalFault(`dossier ${ctx.dossierCode} has no declaration in the read model`);
    const address = request.copies.postalAddress;
    if (!address) throw new PermanentFault(`dossier ${ctx.dossierCode}: the declaration has no postal address (copies.postalAddress)`);
    const shipment = await ctx.deps.adapters.post.ship({ dossierCode: ctx.dossierCode, recipient: request.declaration.fullName, address }, ctx.stepKey);
    await ctx.deps.db.updateTable('dossiers').set({ postTrackingNumber: shipment.trackingNumber }).where('code', '=', ctx.dossierCode).execute();
    return complete({ postTrackingNumber: shipment.trackingNumber });
  },
});
