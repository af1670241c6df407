/**
 * Phiếu yêu cầu bổ sung (mẫu 02): the dossier's clock stops while the citizen supplements,
 * and the citizen has `lltp:deadline.supplementWait` working time to do it. Idempotent: the
 * stop is pushed only when the clock is running (optimistic on the number of intervals); a
 * repeat finds the open interval and answers from it.
 */
import { z } from 'zod';
import { complete, defineWorker, dossierCode, TechnicalFault } from './framework';
import { iso, loadDossier, namedDeadline, planOf } from './dossier-support';

export default defineWorker({
  type: 'lltp.dossier.request-supplement',
  variables: z.object({ dossierCode, missingItems: z.array(z.string().min(1)).min(1) }),
  outcomeOf: () => 'supplement',
  async handler(ctx) {
    const { dossiers } = ctx.deps.models;
    let dossier = await loadDossier(ctx.deps, ctx.dossierCode);
    let open = dossier.stoppedIntervals.find((s) => s.to === null);
    if (!open) {
      await dossiers.updateOne(
        { code: ctx.dossierCode, stoppedIntervals: { $size: dossier.stoppedIntervals.length } },
        { $push: { stoppedIntervals: { from: ctx.now, to: null, reason: 'supplement' } }, $set: { statutoryDueAt: null, targetDueAt: null, apologyByAt: null } },
      );
      dossier = await loadDossier(ctx.deps, ctx.dossierCode);
      open = dossier.stoppedIntervals.find((s) => s.to === null);
      if (!open) throw new TechnicalFault(`dossier ${ctx.dossierCode}: the clock could not be stopped (changed concurrently)`);
    }
    const wait = namedDeadline(planOf(ctx.deps, ctx.job.bpmnProcessId), 'supplementWait');
    const due = ctx.calendars.forUnit(dossier.unitId).add(open.from, wait);
    return complete({ clockStoppedAt: iso(open.from), supplementDueAt: iso(due.dueAt) });
  },
});
