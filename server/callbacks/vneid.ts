/**
 * `POST /api/callbacks/vneid/rating`: the citizen's rating of a dossier's handling (766,
 * "mức độ hài lòng trong tiếp nhận, giải quyết TTHC"), asked by the VNeID notice that carries
 * the result (workers/lltp.return.result.ts) and relayed by VNeID, signed as the partner
 * VNEID_PARTNER_ID (scope `callback:vneid`; another partner: 403).
 *
 * Body `{eventId, dossierCode, rating}`, rating `satisfied | neutral | dissatisfied`; a bad field
 * is 400 naming it. The dossier must exist (404) and have its result (its certificate signed,
 * or closed issued or refused; else 409). The rating's time is when the product received it (its own clock).
 * One rating per dossier, recorded by one conditional update with its audit entry: the same
 * event again is 200 `duplicate: true` with nothing changed; another rating of a rated
 * dossier is 409 saying when the first came.
 */
import { Router, type Response } from 'express';
import { z } from 'zod';
import { audit } from '../audit';
import { authenticate, requireScope } from '../auth/middleware';
import type { AuthDeps } from '../auth/models';
import type { Db } from '../db';
import { IDS } from '../api/ids';
import { describeIssues, nfcText } from '../api/text';

export const CITIZEN_RATINGS = ['satisfied', 'neutral', 'dissatisfied'] as const;

export const CitizenRating = z.strictObject({
  /** VNeID's id of this rating: a repeated delivery carries the same one. */
  eventId: nfcText(100),
  dossierCode: z.string().regex(IDS.dossierCode.pattern, 'must be a dossier code'),
  rating: z.enum(CITIZEN_RATINGS),
});
type CitizenRating = z.infer<typeof CitizenRating>;

export interface VneidCallbackDeps {
  db: Db;
  auth: AuthDeps;
  /** The partner that relays VNeID's ratings (VNEID_PARTNER_ID). */
  partnerId: string;
  now: () => Date;
}

/**
 * Whether the citizen has the dossier's result: closed issued or refused, or its certificate signed
 * (the result is on its way to VNeID: the worker closes the dossier just after VNeID took it, and a
 * quick citizen may rate in between).
 */
function hasResult(dossier: { status: string; outcome: string | null; signedAt: Date | null }): boolean {
  return dossier.signedAt !== null || (dossier.status === 'closed' && (dossier.outcome === 'issued' || dossier.outcome === 'refused'));
}

const RATED = { satisfied: 'hài lòng', neutral: 'bình thường', dissatisfied: 'không hài lòng' } as const;

/** Records the rating unless the dossier has one: true when this call recorded it. */
async function recordRating(deps: VneidCallbackDeps, rating: CitizenRating, caller: string, at: Date): Promise<boolean> {
  return deps.db.transaction().execute(async (tx) => {
    const updated = await tx
      .updateTable('dossiers')
      .set({ citizenRating: rating.rating, citizenRatedAt: at, citizenRatingEventId: rating.eventId })
      .where('code', '=', rating.dossierCode)
      .where('citizenRating', 'is', null)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return false;
    await audit(tx, { at, actor: `partner:${caller}`, action: 'citizen.rating', dossierCode: rating.dossierCode, detail: `${RATED[rating.rating]} (sự kiện ${rating.eventId})` });
    return true;
  });
}

/** The answer to a rating of an already rated dossier: the same event is a repeat, another one a conflict. */
async function answerRated(deps: VneidCallbackDeps, rating: CitizenRating, res: Response): Promise<void> {
  const first = await deps.db.selectFrom('dossiers').select(['citizenRating', 'citizenRatedAt', 'citizenRatingEventId']).where('code', '=', rating.dossierCode).executeTakeFirstOrThrow();
  const ratedAt = first.citizenRatedAt?.toISOString() ?? '?';
  if (first.citizenRatingEventId === rating.eventId && first.citizenRating === rating.rating) {
    res.status(200).json({ accepted: true, duplicate: true, ratedAt });
    return;
  }
  res.status(409).json({
    error: `Hồ sơ ${rating.dossierCode} đã được người dân đánh giá lúc ${ratedAt} (sự kiện ${first.citizenRatingEventId ?? '?'}); mỗi hồ sơ chỉ được đánh giá một lần, đánh giá này không được ghi nhận.`,
    field: 'eventId',
  });
}

export function vneidCallbackRoutes(deps: VneidCallbackDeps): Router {
  const router = Router();
  router.post('/vneid/rating', authenticate(deps.auth), requireScope('callback:vneid'), async (req, res) => {
    const parsed = CitizenRating.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: describeIssues(parsed.error) });
      return;
    }
    const rating = parsed.data;
    const caller = req.principal?.kind === 'partner' ? req.principal.partnerId : '?';
    if (caller !== deps.partnerId) {
      res.status(403).json({ error: `Đánh giá của người dân chỉ nhận từ đối tác ${deps.partnerId} (VNeID), không phải ${caller}; không có gì được ghi nhận.` });
      return;
    }
    const dossier = await deps.db.selectFrom('dossiers').select(['status', 'outcome', 'signedAt', 'citizenRating']).where('code', '=', rating.dossierCode).executeTakeFirst();
    if (!dossier) {
      res.status(404).json({ error: `dossierCode: không có hồ sơ ${rating.dossierCode}; đánh giá không được ghi nhận.`, field: 'dossierCode' });
      return;
    }
    if (!hasResult(dossier)) {
      res.status(409).json({ error: `dossierCode: hồ sơ ${rating.dossierCode} chưa có kết quả, người dân chưa thể đánh giá; đánh giá không được ghi nhận.`, field: 'dossierCode' });
      return;
    }
    const at = deps.now();
    if (dossier.citizenRating === null && (await recordRating(deps, rating, caller, at))) {
      res.status(201).json({ accepted: true, duplicate: false, ratedAt: at.toISOString() });
      return;
    }
    await answerRated(deps, rating, res);
  });
  return router;
}
