/**
 * A notice to the citizen through VNeID; the kind is the task's header `notice`. One
 * notification per activation: `${dossierCode}:${elementInstanceKey}`.
 */
import { z } from 'zod';
import { NOTICES } from '../processes/contracts';
import { complete, defineWorker, dossierCode } from './framework';

export default defineWorker({
  type: 'lltp.notify.citizen',
  system: 'Dịch vụ thông báo',
  variables: z.object({ dossierCode }),
  headers: z.object({ notice: z.enum(NOTICES) }),
  outcomeOf: () => 'notified',
  async handler(ctx) {
    await ctx.deps.adapters.notify.notify({ notificationId: ctx.activationKey, dossierCode: ctx.dossierCode, kind: ctx.headers.notice });
    return complete({});
  },
});
