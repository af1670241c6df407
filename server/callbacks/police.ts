/**
 * `POST /api/callbacks/police`: the police's answer to a verification request (bước 7→8).
 * The answer is published to Zeebe as message `lltp.police.verification-answered`, correlated
 * by dossier code, with the request id as message id: Zeebe drops a second publication with
 * the same id, so an answer delivered twice is recorded once. The read model keeps the first
 * answer (conditional update) and closes the waiting step of the timeline.
 */
import { Router } from 'express';
import { z } from 'zod';
import { audit } from '../audit';
import { authenticate, requireScope } from '../auth/middleware';
import type { AuthDeps } from '../auth/models';
import type { Db } from '../db';
import { IDS } from '../api/ids';
import { describeIssues, nfcText } from '../api/text';
import { finishSteps } from '../readmodel/timeline';
import { isDuplicateMessage, type ZeebeGrpcClient } from '../zeebe';

export const POLICE_ANSWER_MESSAGE = 'lltp.police.verification-answered';

export const PoliceAnswer = z.strictObject({
  requestId: nfcText(100),
  dossierCode: z.string().regex(IDS.dossierCode.pattern, 'must be a dossier code'),
  result: z.enum(['noRecord', 'recordFound']),
  answeredAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with an offset' }),
});

export interface PoliceCallbackDeps {
  zeebe: Pick<ZeebeGrpcClient, 'publishMessage'>;
  db: Db;
  auth: AuthDeps;
  now: () => Date;
}

export function policeCallbackRoutes(deps: PoliceCallbackDeps): Router {
  const router = Router();
  router.post('/police', authenticate(deps.auth), requireScope('callback:police'), async (req, res) => {
    const parsed = PoliceAnswer.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: describeIssues(parsed.error) });
      return;
    }
    const answer = parsed.data;
    const dossier = await deps.db.selectFrom('dossiers').select('code').where('code', '=', answer.dossierCode).executeTakeFirst();
    if (!dossier) {
      res.status(404).json({ error: `Không có hồ sơ ${answer.dossierCode}.` });
      return;
    }
    const answeredAt = new Date(answer.answeredAt);
    await deps.zeebe.publishMessage({
      name: POLICE_ANSWER_MESSAGE,
      correlationKey: answer.dossierCode,
      messageId: answer.requestId,
      timeToLive: 7 * 24 * 3600 * 1000,
      variables: { policeAnsweredAt: answer.answeredAt, policeResult: answer.result },
    }).catch((error: unknown) => {
      if (!isDuplicateMessage(error)) throw error;
    });
    const first = await deps.db.transaction().execute(async (tx) => {
      const recorded = await tx
        .updateTable('dossiers')
        .set({ policeRequestId: answer.requestId, policeResult: answer.result, policeAnsweredAt: answeredAt, policeReceivedAt: deps.now() })
        .where('code', '=', answer.dossierCode)
        .where('policeResult', 'is', null)
        .executeTakeFirst();
      if (Number(recorded.numUpdatedRows) === 0) return false;
      await finishSteps(tx, { dossierCode: answer.dossierCode, elementId: 'awaitPoliceAnswer' }, {
        finishedAt: answeredAt,
        actor: 'partner:ca-pv06',
        outcome: answer.result,
        lateReason: { text: 'Chờ hệ thống ngoài: Công an tỉnh (PV06) trả lời kết quả xác minh', source: 'system' },
      });
      await audit(tx, { at: deps.now(), actor: 'partner:ca-pv06', action: 'police.answer', dossierCode: answer.dossierCode, detail: `yêu cầu ${answer.requestId}` });
      return true;
    });
    res.status(202).json({ accepted: true, duplicate: !first });
  });
  return router;
}
