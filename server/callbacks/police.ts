/**
 * `POST /api/callbacks/police`: the police's answer to a verification request (bước 7→8).
 *
 * The answer must name a request the product sent (`police_requests`, written by the
 * police-request worker before the request left), for the dossier it was sent for, from the
 * partner it was sent to, while the dossier waits for it (request not yet answered, dossier
 * open); otherwise 404/409/403 naming the problem, and nothing is recorded or published. The
 * answer's time is when the product received it (its own clock), never the caller's word.
 *
 * The answer's content (`result`) stays in PostgreSQL (`police_requests`, the dossier's row);
 * the engine is told only that the answer came, and when (message
 * `lltp.police.verification-answered`, correlated by dossier code, message id = request id,
 * variable `policeAnsweredAt`): no criminal-record fact travels in process variables.
 *
 * Idempotent: the answer is recorded first (one statement: the checks, the claim and the
 * records), then published, then marked published. The same answer again: 200, published only if the first delivery stopped
 * before it was; a different answer to an answered request: 409.
 */
import { Router } from 'express';
import { sql, type Selectable } from 'kysely';
import { z } from 'zod';
import { authenticate, requireScope } from '../auth/middleware';
import type { AuthDeps } from '../auth/models';
import type { Db } from '../db';
import type { PoliceRequestsTable } from '../db/tables';
import { IDS } from '../api/ids';
import { describeIssues, nfcText, shown } from '../api/text';
import { finishStepsQuery } from '../readmodel/timeline';
import { isDuplicateMessage, type ZeebeGrpcClient } from '../zeebe';

export const POLICE_ANSWER_MESSAGE = 'lltp.police.verification-answered';

/** How long Zeebe keeps an answer for a dossier whose waiting step has not opened yet (the worker records the request just before it completes its job). */
const ANSWER_TTL_MS = 3600 * 1000;

export const PoliceAnswer = z.strictObject({
  requestId: nfcText(100),
  dossierCode: z.string().regex(IDS.dossierCode.pattern, 'must be a dossier code'),
  result: z.enum(['noRecord', 'recordFound']),
});

export interface PoliceCallbackDeps {
  zeebe: Pick<ZeebeGrpcClient, 'publishMessage'>;
  db: Db;
  auth: AuthDeps;
  now: () => Date;
}

type Answer = z.infer<typeof PoliceAnswer>;

/**
 * Publishes the answer once per request: the message id is the request's id and the instant it
 * was sent, so a replay is a duplicate the broker drops. The id alone is not enough: a dossier
 * code is unique in one database, but the broker can outlive it (a database restored from a
 * backup, or test files that each number their dossiers from 0001 on one broker), and a second
 * request of the same code would be dropped as a duplicate for the first answer's time to live.
 */
async function publishAnswer(deps: PoliceCallbackDeps, answer: Answer, request: { sentAt: Date }, receivedAt: Date): Promise<void> {
  await deps.zeebe
    .publishMessage({
      name: POLICE_ANSWER_MESSAGE,
      correlationKey: answer.dossierCode,
      messageId: `${answer.requestId}@${request.sentAt.toISOString()}`,
      timeToLive: ANSWER_TTL_MS,
      variables: { policeAnsweredAt: receivedAt.toISOString() },
    })
    .catch((error: unknown) => {
      if (!isDuplicateMessage(error)) throw error;
    });
  await deps.db.updateTable('policeRequests').set({ publishedAt: deps.now() }).where('requestId', '=', answer.requestId).where('publishedAt', 'is', null).execute();
}

/** The request as it was before this delivery, its dossier's status, and whether this delivery recorded the answer. */
interface Delivery {
  request: Selectable<PoliceRequestsTable> | null;
  dossierStatus: string | null;
  recorded: boolean;
}

/**
 * Records the police's answer in one statement: the request marked answered (only if it was not
 * yet, by the partner it was sent to, for the dossier named, while that dossier is open: the
 * claim), and, only when that claim took, the dossier's police facts, the waiting step finished
 * and the audit entry; all or nothing, as one statement is. The same statement reads the
 * request as it was and the dossier's status, to say why an answer was not recorded (another
 * delivery got there first when nothing else explains it).
 */
async function recordAnswer(db: Db, answer: Answer, caller: string, receivedAt: Date): Promise<Delivery> {
  const actor = `partner:${caller}`;
  const claimedOnly = sql<boolean>`EXISTS (SELECT 1 FROM claimed)`;
  const row = await db
    .with('claimed', (qb) =>
      qb
        .updateTable('policeRequests')
        .set({ answeredAt: receivedAt, result: answer.result, answeredBy: caller })
        .where('requestId', '=', answer.requestId)
        .where('answeredAt', 'is', null)
        .where('partnerId', '=', caller)
        .where('dossierCode', '=', answer.dossierCode)
        .where((eb) => eb.exists(eb.selectFrom('dossiers').select('code').where('code', '=', answer.dossierCode).where('status', '=', 'open')))
        .returning('requestId'),
    )
    .with('dossier', (qb) =>
      qb
        .updateTable('dossiers')
        .set({ policeRequestId: answer.requestId, policeResult: answer.result, policeAnsweredAt: receivedAt, policeReceivedAt: receivedAt })
        .where('code', '=', answer.dossierCode)
        .where(claimedOnly),
    )
    .with('step', () =>
      finishStepsQuery(db, { dossierCode: answer.dossierCode, elementId: 'awaitPoliceAnswer' }, {
        finishedAt: receivedAt,
        actor,
        outcome: 'answered',
        lateReason: { text: 'Chờ hệ thống ngoài: Công an tỉnh (PV06) trả lời kết quả xác minh', source: 'system' },
      }).where(claimedOnly),
    )
    .with('entry', (qb) =>
      qb
        .insertInto('audit')
        .columns(['at', 'actor', 'action', 'dossierCode', 'detail'])
        .expression(sql`SELECT ${receivedAt}::timestamptz, ${actor}, 'police.answer', ${answer.dossierCode}, ${`yêu cầu ${answer.requestId}`} FROM claimed`),
    )
    .selectFrom(sql<{ one: number }>`(VALUES (1))`.as('one'))
    .leftJoin('policeRequests', (join) => join.on('policeRequests.requestId', '=', answer.requestId))
    .selectAll('policeRequests')
    .select((eb) => [eb.selectFrom('dossiers').select('status').where('code', '=', answer.dossierCode).as('dossierStatus'), claimedOnly.as('recorded')])
    .executeTakeFirstOrThrow();
  const { dossierStatus, recorded, ...request } = row;
  return { request: request.requestId === null ? null : (request as Selectable<PoliceRequestsTable>), dossierStatus, recorded };
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
    const caller = req.principal?.kind === 'partner' ? req.principal.partnerId : '?';
    const receivedAt = deps.now();
    const { request, dossierStatus, recorded } = await recordAnswer(deps.db, answer, caller, receivedAt);
    if (recorded && request) {
      await publishAnswer(deps, answer, request, receivedAt);
      res.status(202).json({ accepted: true, duplicate: false, receivedAt: receivedAt.toISOString() });
      return;
    }
    if (!request) {
      res.status(404).json({ error: `requestId: hệ thống chưa gửi yêu cầu xác minh ${shown(answer.requestId)} nào cho Công an; kết quả không được ghi nhận.`, field: 'requestId' });
      return;
    }
    if (request.partnerId !== caller) {
      res.status(403).json({ error: `Yêu cầu xác minh ${request.requestId} được gửi cho đối tác ${request.partnerId}, không phải ${caller}; kết quả không được ghi nhận.` });
      return;
    }
    if (request.dossierCode !== answer.dossierCode) {
      res.status(409).json({ error: `dossierCode: yêu cầu xác minh ${request.requestId} là của hồ sơ ${request.dossierCode}, không phải ${answer.dossierCode}; kết quả không được ghi nhận.`, field: 'dossierCode' });
      return;
    }
    if (request.answeredAt) {
      if (request.result !== answer.result) {
        res.status(409).json({ error: `result: yêu cầu xác minh ${request.requestId} đã có kết quả khác, nhận lúc ${request.answeredAt.toISOString()}; không thay đổi kết quả đã nhận.`, field: 'result' });
        return;
      }
      if (!request.publishedAt) await publishAnswer(deps, answer, request, request.answeredAt);
      res.status(200).json({ accepted: true, duplicate: true, receivedAt: request.answeredAt.toISOString() });
      return;
    }
    if (dossierStatus !== 'open') {
      res.status(409).json({ error: `Hồ sơ ${answer.dossierCode} đã kết thúc, không còn chờ kết quả xác minh của Công an; kết quả không được ghi nhận.` });
      return;
    }
    // Another delivery of an answer got there while this one waited for the request: judge this one against it.
    const first = await deps.db.selectFrom('policeRequests').select(['result', 'answeredAt']).where('requestId', '=', answer.requestId).executeTakeFirstOrThrow();
    if (first.result !== answer.result) {
      res.status(409).json({ error: `result: yêu cầu xác minh ${answer.requestId} đã có kết quả khác; không thay đổi kết quả đã nhận.`, field: 'result' });
      return;
    }
    res.status(200).json({ accepted: true, duplicate: true, receivedAt: first.answeredAt?.toISOString() });
  });
  return router;
}
