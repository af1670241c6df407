/**
 * Bước 2: the dossier arrives in the one-stop system. The intake API has written the dossier
 * (clock start and deadlines computed on receipt); this step picks the internal procedure in
 * force for the agency on the receipt date and hands the deadlines to the process.
 */
import { z } from 'zod';
import { startVariables } from '../processes/contracts';
import { complete, defineWorker, dossierCode } from './framework';
import { apologyPromptAt, deadlinesOf, dossierOf, iso } from './dossier-support';

export default defineWorker({
  type: 'lltp.intake.register',
  variables: z.object({ dossierCode, agencyCode: startVariables.shape.agencyCode, receivedAt: startVariables.shape.receivedAt }),
  async handler(ctx) {
    const dossier = await dossierOf(ctx);
    const { internalProcessId } = ctx.deps.catalog.processesFor(ctx.variables.agencyCode, new Date(ctx.variables.receivedAt));
    let { statutoryDueAt, targetDueAt, apologyByAt } = dossier;
    if (!statutoryDueAt || !targetDueAt || !apologyByAt) {
      ({ statutoryDueAt, targetDueAt, apologyByAt } = deadlinesOf(ctx, dossier, dossier));
    }
    return complete({
      internalProcessId,
      clockStartedAt: iso(dossier.clockStartAt),
      statutoryDueAt: iso(statutoryDueAt),
      targetDueAt: iso(targetDueAt),
      apologyByAt: iso(apologyByAt),
      apologyPromptAt: iso(apologyPromptAt(ctx, dossier, apologyByAt)),
      apologyIssued: false as const,
    });
  },
});
