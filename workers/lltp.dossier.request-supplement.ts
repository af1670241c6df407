/**
 * Phiếu yêu cầu bổ sung (mẫu 02): the dossier's clock stops while the citizen supplements,
 * and the citizen has `lltp:deadline.supplementWait` working time to do it. Idempotent: a
 * dossier has at most one running stop (a unique index on `clock_stops`), so a repeat finds
 * the open stop and answers from it.
 */
import { z } from 'zod';
import { complete, defineWorker, dossierCode, TechnicalFault } from './framework';
import { recordDeadlineChange } from '../server/readmodel/deadline-history';
import { CHECK_AT_NEXT_TICK } from '../server/readmodel/dossier';
import { dossierOf, iso, loadDossier, namedDeadline, planOf } from './dossier-support';

export default defineWorker({
  type: 'lltp.dossier.request-supplement',
  variables: z.object({ dossierCode, missingItems: z.array(z.string().min(1)).min(1) }),
  outcomeOf: () => 'supplement',
  async handler(ctx) {
    let dossier = await dossierOf(ctx);
    let open = dossier.stoppedIntervals.find((s) => s.to === null);
    if (!open) {
      await ctx.deps.db.transaction().execute(async (tx) => {
        const stopped = await tx
          .insertInto('clockStops')
          .values({ dossierCode: ctx.dossierCode, startedAt: ctx.now, endedAt: null, reason: 'supplement' })
          .onConflict((oc) => oc.column('dossierCode').where('endedAt', 'is', null).doNothing())
          .returning('startedAt')
          .executeTakeFirst();
        if (stopped) {
          await recordDeadlineChange(tx, { dossierCode: ctx.dossierCode, changeId: `supplement:${ctx.job.elementInstanceKey}`, cause: 'supplement', at: ctx.now, before: dossier });
          await tx
            .updateTable('dossiers')
            .set({ statutoryDueAt: null, targetDueAt: null, apologyByAt: null, nextCheckAt: CHECK_AT_NEXT_TICK })
            .where('code', '=', ctx.dossierCode)
            .execute();
        }
      });
      dossier = await loadDossier(ctx.deps, ctx.dossierCode);
      open = dossier.stoppedIntervals.find((s) => s.to === null);
      if (!open) throw new TechnicalFault(`dossier ${ctx.dossierCode}: the clock could not be stopped (changed concurrently)`);
    }
    const wait = namedDeadline(planOf(ctx.deps, ctx.job.bpmnProcessId), 'supplementWait');
    const due = ctx.calendars.forUnit(dossier.unitId).add(open.from, wait);
    return complete({ clockStoppedAt: iso(open.from), supplementDueAt: iso(due.dueAt) });
  },
});
