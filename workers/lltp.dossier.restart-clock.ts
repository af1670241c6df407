/**
 * The complete supplement arrived: the stopped interval ends, the clock restarts from zero
 * (channel rules applied to `supplementedAt`) and every deadline is computed again, the
 * appointment with them. Deterministic in `supplementedAt`, so a repeat writes the same.
 */
import { z } from 'zod';
import { instant } from '../processes/contracts';
import { clockStartFor } from '../server/calendar/clock';
import { complete, defineWorker, dossierCode } from './framework';
import { deadlinesOf, iso, loadDossier } from './dossier-support';

export default defineWorker({
  type: 'lltp.dossier.restart-clock',
  variables: z.object({ dossierCode, supplementedAt: instant }),
  async handler(ctx) {
    const dossier = await loadDossier(ctx.deps, ctx.dossierCode);
    const supplementedAt = new Date(ctx.variables.supplementedAt);
    const calendar = ctx.calendars.forUnit(dossier.unitId);
    const stoppedIntervals = dossier.stoppedIntervals.map((s) => (s.to === null ? { ...s, to: supplementedAt < s.from ? s.from : supplementedAt } : s));
    const clockStartAt = clockStartFor(calendar, supplementedAt, dossier.channel, ctx.deps.policy.intake);
    const deadlines = deadlinesOf(ctx, { ...dossier, clockStartAt, stoppedIntervals }, dossier);
    await ctx.deps.models.dossiers.updateOne(
      { code: ctx.dossierCode, status: 'open' },
      {
        $set: {
          stoppedIntervals,
          clockStartAt,
          statutoryDueAt: deadlines.statutoryDueAt,
          targetDueAt: deadlines.targetDueAt,
          apologyByAt: deadlines.apologyByAt,
          appointmentAt: deadlines.statutoryDueAt,
          deadlinesEstimated: deadlines.estimated,
          calendarVersion: ctx.calendars.version,
        },
      },
    );
    return complete({
      clockStartedAt: iso(clockStartAt),
      statutoryDueAt: iso(deadlines.statutoryDueAt),
      targetDueAt: iso(deadlines.targetDueAt),
      apologyByAt: iso(deadlines.apologyByAt),
    });
  },
});
