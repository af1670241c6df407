/**
 * Step 6 → 7: the verification request goes to the provincial police (PV06) with requestId
 * `${dossierCode}:police` and our callback URL. The request is recorded in `police_requests`
 * (dossier, the partner that must answer, when it was sent) before it leaves, so the answer can
 * never arrive before its request is known; the callback accepts only an answer to a request
 * recorded there, keeps its content there and publishes `lltp.police.verification-answered`
 * (correlation key dossierCode, message id requestId) with nothing but the instant it came.
 * The reminder instant is the due time of `awaitPoliceAnswer` (start + its allotment for the
 * case variant, on its unit's calendar); the escalation instant adds the first escalation
 * level that comes later (e.g. `leader@1wd`), or one working day. Step 7 (`awaitPoliceAnswer`)
 * starts in the timeline with the request, with the allotment of the dossier's variant (an
 * ordinary VNeID dossier: `lltp:sla.allotment.ordinary`); the callback closes it.
 */
import { z } from 'zod';
import { jobTypes } from '../processes/contracts';
import { stepDueAt } from '../server/calendar/deadlines';
import { stepStarted } from '../server/readmodel/timeline';
import { complete, defineWorker, dossierCode, TechnicalFault } from './framework';
import { iso, planOf } from './dossier-support';

export const AWAIT_POLICE_ANSWER = 'awaitPoliceAnswer';
export const policeRequestId = (code: string): string => `${code}:police`;
/**
 * The timeline key of step 7 (`awaitPoliceAnswer`, a receive task: no job of its own), derived
 * from the request's element instance: one step 7 per request, recorded once however many times
 * the request job is delivered.
 */
export const policeStepKey = (requestElementInstanceKey: string): string => `${requestElementInstanceKey}:${AWAIT_POLICE_ANSWER}`;

export default defineWorker({
  type: 'lltp.police.request-verification',
  system: 'Công an tỉnh (PV06)',
  variables: z.object({ dossierCode, caseVariant: jobTypes['lltp.deadline.plan'].outputs.shape.caseVariant }),
  outcomeOf: () => 'requested',
  async handler(ctx) {
    const awaitStep = planOf(ctx.deps, ctx.job.bpmnProcessId).steps[AWAIT_POLICE_ANSWER];
    if (!awaitStep) throw new TechnicalFault(`process ${ctx.job.bpmnProcessId} has no step ${AWAIT_POLICE_ANSWER}`);
    // Step 7 in the timeline, opened before the request goes (the answer closes it, however fast it comes).
    await stepStarted(
      { db: ctx.deps.db, calendars: () => ctx.calendars, stepSla: (processId, elementId, internal) => ctx.deps.catalog.stepSla(processId, elementId, internal) },
      {
        dossierCode: ctx.dossierCode,
        processId: ctx.job.bpmnProcessId,
        processInstanceKey: ctx.job.processInstanceKey,
        elementId: AWAIT_POLICE_ANSWER,
        elementInstanceKey: policeStepKey(ctx.job.elementInstanceKey),
        startedAt: ctx.now,
        internalProcessId: null,
      },
    );
    const requestId = policeRequestId(ctx.dossierCode);
    await ctx.deps.db
      .insertInto('policeRequests')
      .values({ requestId, dossierCode: ctx.dossierCode, partnerId: ctx.deps.settings.policePartnerId, sentAt: ctx.now })
      .onConflict((oc) => oc.column('requestId').doNothing())
      .execute();
    await ctx.deps.adapters.police.requestVerification({
      requestId,
      dossierCode: ctx.dossierCode,
      callbackUrl: new URL('/api/callbacks/police', ctx.deps.settings.publicBaseUrl).toString(),
    });
    const requestedAt = ctx.now;
    const calendar = ctx.calendars.forUnit(awaitStep.unit);
    const reminder = stepDueAt(calendar, requestedAt, awaitStep.allotments[ctx.variables.caseVariant]);
    const later = awaitStep.escalation.find((level) => level.afterWorkingMinutes > 0);
    const escalation = calendar.add(reminder.dueAt, later?.afterWorkingMinutes ?? ctx.deps.policy.deadlines.workingDayMinutes);
    return complete({ verificationRequestedAt: iso(requestedAt), policeReminderAt: iso(reminder.dueAt), policeEscalationAt: iso(escalation.dueAt) });
  },
});
