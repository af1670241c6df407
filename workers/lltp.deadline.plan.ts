/**
 * After step 6 the case variant is known: no record → ordinary; verification in the province →
 * verification; extended (several provinces, abroad, a foreigner, expungement) → statutory.
 * The terms are the national procedure version's (`lltp:target.<variant>`,
 * `lltp:deadline.statutoryExtended` for the statutory variant, else the statutory days the
 * dossier was received with), and the deadlines are computed again on the dossier's clock.
 * After an apology, the promised return date and its apology-by instant stay.
 */
import { z } from 'zod';
import { forms, instant } from '../processes/contracts';
import type { CaseVariant } from '../server/sla';
import { dossierTermsOf } from '../server/sla';
import { complete, defineWorker, dossierCode } from './framework';
import { apologyPromptAt, deadlinesOf, iso, loadDossier, planOf, updateOpenDossier } from './dossier-support';

const searchOutcomes = forms['lltp.form.search-records'].outputs;

export function caseVariantOf(search: z.infer<typeof searchOutcomes>): CaseVariant {
  if (search.searchOutcome === 'noRecord') return 'ordinary';
  return search.verificationScope === 'extended' ? 'statutory' : 'verification';
}

export default defineWorker({
  type: 'lltp.deadline.plan',
  variables: z
    .object({ dossierCode, clockStartedAt: instant, apologyIssued: z.boolean(), returnDueAt: instant.optional() })
    .and(searchOutcomes),
  outcomeOf: (outputs) => outputs.caseVariant,
  async handler(ctx) {
    const dossier = await loadDossier(ctx.deps, ctx.dossierCode);
    const caseVariant = caseVariantOf(ctx.variables);
    const terms = dossierTermsOf(planOf(ctx.deps, ctx.job.bpmnProcessId), caseVariant, caseVariant === 'statutory');
    const statutoryWorkingDays = caseVariant === 'statutory' ? terms.statutoryWorkingDays : dossier.statutoryWorkingDays;
    const { targetWorkingDays } = terms;
    const deadlines = deadlinesOf(ctx, dossier, { statutoryWorkingDays, targetWorkingDays, apologyLeadMinutes: dossier.apologyLeadMinutes });
    const apologized = ctx.variables.apologyIssued || Boolean(dossier.apology);
    // After an apology the new return date governs: keep it and its apology-by instant.
    const apologyByAt = apologized && dossier.apologyByAt ? dossier.apologyByAt : deadlines.apologyByAt;
    await updateOpenDossier(ctx, {
      caseVariant,
      variant: caseVariant === 'ordinary' ? 'ordinary' : 'verification',
      statutoryWorkingDays,
      targetWorkingDays,
      statutoryDueAt: deadlines.statutoryDueAt,
      targetDueAt: deadlines.targetDueAt,
      apologyByAt,
      deadlinesEstimated: deadlines.estimated,
      calendarVersion: ctx.calendars.version,
      ...(apologized ? {} : { appointmentAt: deadlines.statutoryDueAt }),
    });
    return complete({ caseVariant, statutoryDueAt: iso(deadlines.statutoryDueAt), targetDueAt: iso(deadlines.targetDueAt), apologyByAt: iso(apologyByAt), apologyPromptAt: iso(apologyPromptAt(ctx, dossier, apologyByAt)) });
  },
});
