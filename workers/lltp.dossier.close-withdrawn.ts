/** Công dân rút hồ sơ: kết thúc hồ sơ (outcome withdrawn). Closing is a conditional update (only an open dossier), so a repeat changes nothing. */
import { z } from 'zod';
import { instant } from '../processes/contracts';
import { complete, defineWorker, dossierCode } from './framework';
import { closeDossier, iso } from './dossier-support';

export default defineWorker({
  type: 'lltp.dossier.close-withdrawn',
  variables: z.object({ dossierCode, withdrawnAt: instant }),
  outcomeOf: () => 'withdrawn',
  async handler(ctx) {
    const closedAt = await closeDossier(ctx, 'withdrawn');
    return complete({ closedAt: iso(closedAt) });
  },
});
