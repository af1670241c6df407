/**
 * The complete supplement arrived: the stopped interval ends, the clock restarts from zero
 * (channel rules applied to `supplementedAt`) and every deadline is computed again, the
 * appointment with them, in one transaction. Deterministic in `supplementedAt`, so a repeat
 * writes the same.
 */
import { z } from 'zod';
import { instant } from '../processes/contracts';
import { clockStartFor } from '../server/calendar/clock';
import { complete, defineWorker, dossierCode } from './framework';
import { CHECK_AT_NEXT_TICK } from '../server/readmodel/dossier';
import { recordDeadlineChange } from '../server/readmodel/deadline-history';
import { apologyPromptAt, deadlinesOf, dossierOf, iso } from './dossier-support';

export default defineWorker({
  type: 'lltp.dossier.restart-clock',
  variables: z.object({ dossierCode, supplementedAt: instant }),
  async handler(ctx) {
    const dossier = await dossierOf(ctx);
    const supplementedAt = new Date(ctx.variables.supplementedAt);
    const calendar = ctx.calendars.forUnit(dossier.unitId);
    const stoppedIntervals = dossier.stoppedIntervals.map((s) => (s.to === null ? { ...s, to: supplementedAt < s.from ? s.from : supplementedAt } : s));
    const clockStartAt = clockStartFor(calendar, supplementedAt, dossier.channel, ctx.deps.policy.intake);
    const deadlines = deadlinesOf(ctx, { ...dossier, clockStartAt, stoppedIntervals }, dossier);
    await ctx.deps.db.transaction().execute(async (tx) => {
      const ending = stoppedIntervals.find((_s, i) => dossier.stoppedIntervals[i]?.to === null);
      // dated when the stop ends (the supplement's arrival), as the stop itself is
      if (dossier.status === 'open' && ending?.to) {
        await recordDeadlineChange(tx, { dossierCode: ctx.dossierCode, changeId: `restart:${ctx.job.elementInstanceKey}`, cause: 'restart', at: ending.to, before: dossier });
      }
      for (const stop of stoppedIntervals) {
        await tx.updateTable('clockStops').set({ endedAt: stop.to }).where('dossierCode', '=', ctx.dossierCode).where('startedAt', '=', stop.from).where('endedAt', 'is', null).execute();
      }
      await tx
        .updateTable('dossiers')
        .set({
          clockStartAt,
          statutoryDueAt: deadlines.statutoryDueAt,
          targetDueAt: deadlines.targetDueAt,
          apologyByAt: deadlines.apologyByAt,
          appointmentAt: deadlines.statutoryDueAt,
          deadlinesEstimated: deadlines.estimated,
          calendarVersion: ctx.calendars.version,
          nextCheckAt: CHECK_AT_NEXT_TICK,
        })
        .where('code', '=', ctx.dossierCode)
        .where('status', '=', 'open')
        .execute();
    });
    return complete({
      clockStartedAt: iso(clockStartAt),
      statutoryDueAt: iso(deadlines.statutoryDueAt),
      targetDueAt: iso(deadlines.targetDueAt),
      apologyByAt: iso(deadlines.apologyByAt),
      apologyPromptAt: iso(apologyPromptAt(ctx, dossier, deadlines.apologyByAt)),
    });
  },
});
