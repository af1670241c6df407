/**
 * The police answer is due (`policeReminderAt`): remind the LLTP officers (first level of the
 * escalation chain of `awaitPoliceAnswer`) by one e-mail, recorded in `escalations`.
 */
import { z } from 'zod';
import { instant } from '../processes/contracts';
import { complete, defineWorker, dossierCode, TechnicalFault } from './framework';
import { planOf } from './dossier-support';
import { raiseEscalation } from './escalation-support';
import { AWAIT_POLICE_ANSWER } from './lltp.police.request-verification';

export default defineWorker({
  type: 'lltp.police.remind',
  system: 'Công an tỉnh (PV06)',
  variables: z.object({ dossierCode, verificationRequestedAt: instant, policeReminderAt: instant.optional() }),
  outcomeOf: () => 'reminded',
  async handler(ctx) {
    const step = planOf(ctx.deps, ctx.job.bpmnProcessId).steps[AWAIT_POLICE_ANSWER];
    const first = step?.escalation[0];
    if (!step || !first) throw new TechnicalFault(`process ${ctx.job.bpmnProcessId} has no escalation chain on ${AWAIT_POLICE_ANSWER}`);
    await raiseEscalation(ctx, {
      reason: 'police-reminder',
      step,
      roles: [first.role],
      dueAt: ctx.variables.policeReminderAt ? new Date(ctx.variables.policeReminderAt) : null,
      title: 'Đôn đốc: Công an chưa trả kết quả xác minh',
    });
    return complete({});
  },
});
