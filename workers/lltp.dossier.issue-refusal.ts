/** Phiếu từ chối (mẫu 03): kết thúc hồ sơ (outcome refused). The reason stays in the process, not in logs. Closing is a conditional update (only an open dossier), so a repeat changes nothing. */
import { z } from 'zod';
import { complete, defineWorker, dossierCode } from './framework';
import { closeDossier, iso } from './dossier-support';

export default defineWorker({
  type: 'lltp.dossier.issue-refusal',
  variables: z.object({ dossierCode, refusalReason: z.string().min(1) }),
  outcomeOf: () => 'refused',
  async handler(ctx) {
    const closedAt = await closeDossier(ctx, 'refused');
    return complete({ refusedAt: iso(closedAt) });
  },
});
