/**
 * `POST /api/callbacks/vneid/rating`: the citizen's rating of a dossier's handling (766,
 * "mức độ hài lòng trong tiếp nhận, giải quyết TTHC"), asked by the VNeID notice that carries
 * the result (workers/lltp.return.result.ts) and relayed by VNeID, signed as the partner
 * VNEID_PARTNER_ID (scope `callback:vneid`; another partner: 403).
 *
 * Body `{eventId, dossierCode, rating}`, rating `satisfied | neutral | dissatisfied`; a bad field
 * is 400 naming it. The dossier must exist (404) and have its result (its certificate signed,
 * or closed issued or refused; else 409). The rating's time is when the product received it (its own clock).
 * One rating per dossier, recorded by one statement (a conditional update with its audit entry): the same
 * event again is 200 `duplicate: true` with nothing changed; another rating of a rated
 * dossier is 409 saying when the first came.
 */
import { Router, type Response } from 'express';
import { sql } from 'kysely';
import { z } from 'zod';
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

/** The dossier as it was before this delivery (null: none), and whether this delivery recorded the rating. */
interface RatingDelivery {
  dossier: (RatedFields & { status: string; outcome: string | null; signedAt: Date | null }) | null;
  recorded: boolean;
}
type RatedFields = { citizenRating: string | null; citizenRatedAt: Date | null; citizenRatingEventId: string | null };

/**
 * Records the rating in one statement, with its audit entry, unless the dossier has one or has
 * no result yet (the conditional update is the claim: all or nothing, as one statement is); the
 * same statement reads the dossier as it was, to say why a rating was not recorded.
 */
async function recordRating(deps: VneidCallbackDeps, rating: CitizenRating, caller: string, at: Date): Promise<RatingDelivery> {
  const row = await deps.db
    .with('rated', (qb) =>
      qb
        .updateTable('dossiers')
        .set({ citizenRating: rating.rating, citizenRatedAt: at, citizenRatingEventId: rating.eventId })
        .where('code', '=', rating.dossierCode)
        .where('citizenRating', 'is', null)
        .where((eb) => eb.or([eb('signedAt', 'is not', null), eb.and([eb('status', '=', 'closed'), eb('outcome', 'in', ['issued', 'refused'])])]))
        .returning('code'),
    )
    .with('entry', (qb) =>
      qb
        .insertInto('audit')
        .columns(['at', 'actor', 'action', 'dossierCode', 'detail'])
        .expression(sql`SELECT ${at}::timestamptz, ${`partner:${caller}`}, 'citizen.rating', code, ${`${RATED[rating.rating]} (sự kiện ${rating.eventId})`} FROM rated`),
    )
    .selectFrom(sql<{ one: number }>`(VALUES (1))`.as('one'))
    .leftJoin('dossiers', (join) => join.on('dossiers.code', '=', rating.dossierCode))
    .select(['dossiers.code', 'dossiers.status', 'dossiers.outcome', 'dossiers.signedAt', 'dossiers.citizenRating', 'dossiers.citizenRatedAt', 'dossiers.citizenRatingEventId'])
    .select(sql<boolean>`EXISTS (SELECT 1 FROM rated)`.as('recorded'))
    .executeTakeFirstOrThrow();
  const { code, status, recorded, ...rest } = row;
  return { dossier: code === null || status === null ? null : { status, ...rest }, recorded };
}

/** The answer to a rating of an already rated dossier: the same event is a repeat, another one a conflict. */
async function answerRated(deps: VneidCallbackDeps, rating: CitizenRating, res: Response, seen: RatedFields | null): Promise<void> {
  // rated already when this delivery came (`seen`), or rated by another delivery meanwhile: read it
  const first = seen?.citizenRating ? seen : await deps.db.selectFrom('dossiers').select(['citizenRating', 'citizenRatedAt', 'citizenRatingEventId']).where('code', '=', rating.dossierCode).executeTakeFirstOrThrow();
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
    const at = deps.now();
    const { dossier, recorded } = await recordRating(deps, rating, caller, at);
    if (recorded) {
      res.status(201).json({ accepted: true, duplicate: false, ratedAt: at.toISOString() });
      return;
    }
    if (!dossier) {
      res.status(404).json({ error: `dossierCode: không có hồ sơ ${rating.dossierCode}; đánh giá không được ghi nhận.`, field: 'dossierCode' });
      return;
    }
    if (!hasResult(dossier)) {
      res.status(409).json({ error: `dossierCode: hồ sơ ${rating.dossierCode} chưa có kết quả, người dân chưa thể đánh giá; đánh giá không được ghi nhận.`, field: 'dossierCode' });
      return;
    }
    await answerRated(deps, rating, res, dossier);
  });
  return router;
}
