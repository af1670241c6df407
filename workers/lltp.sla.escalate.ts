/**
 * Report up the escalation chain (header `reason`):
 * - `police-late`: the police answer is a level late (`policeEscalationAt`): the later levels
 *   of `awaitPoliceAnswer`'s chain (leader@1wd), due `policeReminderAt`;
 * - `apology-already-issued`: the promised return date is near again and no second apology is
 *   allowed: the role of `recordApology` and its chain (leader, supervisor), due the return date.
 */
import { z } from 'zod';
import { ESCALATION_REASONS, instant } from '../processes/contracts';
import type { EscalationLevel } from '../server/sla/spec';
import { complete, defineWorker, dossierCode, TechnicalFault } from './framework';
import { dossierOf, planOf } from './dossier-support';
import { raiseEscalation } from './escalation-support';
import { AWAIT_POLICE_ANSWER } from './lltp.police.request-verification';

const laterLevels = (levels: readonly EscalationLevel[]): string[] => {
  const later = levels.filter((l) => l.afterWorkingMinutes > 0).map((l) => l.role);
  return later.length > 0 ? later : levels.map((l) => l.role);
};

export default defineWorker({
  type: 'lltp.sla.escalate',
  variables: z.object({ dossierCode, policeReminderAt: instant.optional(), returnDueAt: instant.optional() }),
  headers: z.object({ reason: z.enum(ESCALATION_REASONS) }),
  outcomeOf: () => 'escalated',
  async handler(ctx) {
    const plan = planOf(ctx.deps, ctx.job.bpmnProcessId);
    if (ctx.headers.reason === 'police-late') {
      const step = plan.steps[AWAIT_POLICE_ANSWER];
      if (!step) throw new TechnicalFault(`process ${plan.processId} has no step ${AWAIT_POLICE_ANSWER}`);
      await raiseEscalation(ctx, {
        reason: ctx.headers.reason,
        step,
        roles: laterLevels(step.escalation),
        dueAt: ctx.variables.policeReminderAt ? new Date(ctx.variables.policeReminderAt) : null,
        title: 'Báo cáo lãnh đạo: Công an trả lời chậm',
      });
    } else {
      const step = plan.steps.recordApology;
      if (!step) throw new TechnicalFault(`process ${plan.processId} has no step recordApology`);
      const dossier = await dossierOf(ctx);
      const due = ctx.variables.returnDueAt ? new Date(ctx.variables.returnDueAt) : (dossier.appointmentAt ?? null);
      await raiseEscalation(ctx, {
        reason: ctx.headers.reason,
        step,
        roles: [step.role, ...step.escalation.map((l) => l.role).filter((r) => r !== step.role)],
        dueAt: due,
        title: 'Cảnh báo: hồ sơ sắp trễ ngày hẹn đã xin lỗi (không được xin lỗi lần hai)',
      });
    }
    return complete({});
  },
});
