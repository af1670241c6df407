/** Quá hạn bổ sung: kết thúc hồ sơ không giải quyết (outcome unsupplemented). Closing is a conditional update (only an open dossier), so a repeat changes nothing. */
import { z } from 'zod';
import { instant } from '../processes/contracts';
import { complete, defineWorker, dossierCode } from './framework';
import { closeDossier, iso } from './dossier-support';

export default defineWorker({
  type: 'lltp.dossier.close-unsupplemented',
  variables: z.object({ dossierCode, supplementDueAt: instant }),
  outcomeOf: () => 'unsupplemented',
  async handler(ctx) {
    const closedAt = await closeDossier(ctx, 'unsupplemented');
    return complete({ closedAt: iso(closedAt) });
  },
});
