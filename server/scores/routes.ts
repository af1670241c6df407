/**
 * The 766 index API, for supervisors, inspectors, leaders and heads of division (others 403):
 * - `GET /api/scores?period=day|week|month|quarter|year&date=YYYY-MM-DD[&agency&unit]`: every
 *   indicator's ratio, points, threshold, source and confidence, per agency and per unit;
 * - `GET /api/scores/explain?period&date&unit[&agency]`: the unit's dossiers that cost points,
 *   per indicator, with the reason, and the open ones still to be kept ("còn giữ được") (audited:
 *   it lists dossiers);
 * - `GET /api/scores/export?period&date&unit[&agency]&format=xlsx|pdf`: the same as a file, with
 *   the inspection exports' digest, recorded and audited like them (`lltp inspection verify`);
 * - `GET /api/scores/trend?agency[&unit][&date]`: the 12 months up to the one holding `date`
 *   (today by default), from the daily snapshots (server/scores/snapshots.ts); `today` is the
 *   product's civil date (without `agency`, only that).
 * Codes and figures only. A bad or unknown parameter is a 400 naming it.
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import { authenticate, requireRole } from '../auth/middleware';
import type { AuthDeps } from '../auth/models';
import type { Role } from '../auth/roles';
import { formatInstant, isLocalDate } from '../calendar/civil-time';
import { InspectionInputError } from '../inspection/filters';
import { actorOf, answering, sendFile } from '../inspection/http';
import { noStore } from '../api/no-store';
import { IDS } from '../api/ids';
import { audit } from '../audit';
import { dayNumberOf, localDateOf } from '../calendar/civil-time';
import { explainScores, type Explanation } from './explain';
import { exportScores, SCORE_EXPORT_FORMATS } from './export';
import { monthlyTrend } from './snapshots';
import { PERIOD_KINDS } from './period';
import { computeScores, NoRegimeError, type ScoreDeps, type ScoreRequest } from './service';

export const SCORE_ROLES: Role[] = ['supervisor', 'inspector', 'leader', 'headOfDivision'];

const code = (label: string) => z.string({ message: 'phải là một giá trị' }).regex(IDS.unitId.pattern, `phải là ${label}`);
const query = z.strictObject({
  period: z.enum(PERIOD_KINDS, { message: `phải là một trong ${PERIOD_KINDS.join(', ')}` }),
  date: z.string({ message: 'phải là ngày YYYY-MM-DD' }).refine(isLocalDate, 'phải là ngày YYYY-MM-DD'),
  agency: code('mã cơ quan').optional(),
  unit: code(IDS.unitId.label).optional(),
});

const exportQuery = query.extend({ format: z.enum(SCORE_EXPORT_FORMATS, { message: `phải là một trong ${SCORE_EXPORT_FORMATS.join(', ')}` }) });
const trendQuery = z.strictObject({
  agency: code('mã cơ quan').optional(),
  unit: code(IDS.unitId.label).optional(),
  date: z.string({ message: 'phải là ngày YYYY-MM-DD' }).refine(isLocalDate, 'phải là ngày YYYY-MM-DD').optional(),
});

function parsedOf<T>(schema: z.ZodType<T>, req: Request): T {
  const parsed = schema.safeParse(req.query);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (issue?.code === 'unrecognized_keys') throw new InspectionInputError(issue.keys[0] ?? '(query)', 'tham số không được hỗ trợ');
  const parameter = issue?.path.map(String).join('.') || '(query)';
  throw new InspectionInputError(parameter, parameter in req.query ? (issue?.message ?? 'không hợp lệ') : 'thiếu tham số');
}

function requestOf(req: Request, unitRequired: boolean): ScoreRequest {
  const request = parsedOf(query, req);
  if (unitRequired && request.unit === undefined) throw new InspectionInputError('unit', 'thiếu tham số');
  return request;
}

const iso = (d: Date): string => formatInstant(d.getTime());
const withoutRegime = <T>(work: () => Promise<T>): Promise<T> =>
  work().catch((error: unknown) => {
    if (error instanceof NoRegimeError) throw new InspectionInputError('date', error.message);
    throw error;
  });

/** Reading the explanation lists dossiers: audited like the inspection list. */
async function explained(deps: ScoreDeps, req: Request, request: ScoreRequest & { unit: string }, action: string): Promise<Explanation> {
  const result = await withoutRegime(() => explainScores(deps, request));
  const detail = `${request.period} ${request.date}, đơn vị ${request.unit}${request.agency ? `, cơ quan ${request.agency}` : ''}: ${result.costing.length} lượt mất điểm, ${result.atRisk.length} còn giữ được`;
  await audit(deps.db, { at: deps.now(), actor: actorOf(req).username, action, detail });
  return result;
}

export function scoreRoutes(deps: ScoreDeps & { auth: AuthDeps; agencyName: string }): Router {
  const router = Router();
  router.use(noStore, authenticate(deps.auth), requireRole(...SCORE_ROLES));
  router.get(
    '/',
    answering(async (req, res) => {
      const result = await withoutRegime(() => computeScores(deps, requestOf(req, false)));
      res.json({
        regime: { id: result.regime.id, title: result.regime.title, effectiveFrom: result.regime.effectiveFrom },
        period: { kind: result.period.kind, first: result.period.first, last: result.period.last, from: iso(result.period.from), to: iso(result.period.to) },
        judgedAt: iso(result.judgedAt),
        scopes: result.scopes,
      });
    }),
  );
  router.get(
    '/explain',
    answering(async (req, res) => {
      const request = requestOf(req, true);
      const result = await explained(deps, req, { ...request, unit: request.unit as string }, 'scores.explain');
      res.json({
        regime: { id: result.regime.id, title: result.regime.title },
        period: { kind: result.period.kind, first: result.period.first, last: result.period.last },
        judgedAt: iso(result.judgedAt),
        unit: result.unit,
        score: result.score,
        costing: result.costing,
        atRisk: result.atRisk,
      });
    }),
  );
  router.get(
    '/export',
    answering(async (req, res) => {
      const { format, ...request } = parsedOf(exportQuery, req);
      if (request.unit === undefined) throw new InspectionInputError('unit', 'thiếu tham số');
      const result = await withoutRegime(() => explainScores(deps, { ...request, unit: request.unit as string }));
      sendFile(res, await exportScores(deps, actorOf(req), result, format, request.agency));
    }),
  );
  router.get(
    '/trend',
    answering(async (req, res) => {
      const asked = parsedOf(trendQuery, req);
      const today = localDateOf(dayNumberOf(deps.now().getTime()));
      const lastDay = asked.date ?? today;
      // without an agency: today only (the page asks it first, for its default date)
      const months = asked.agency === undefined ? [] : await monthlyTrend(deps, { agency: asked.agency, unit: asked.unit ?? null, lastDay });
      res.json({ today, agency: asked.agency ?? null, unit: asked.unit ?? null, lastDay, months });
    }),
  );
  return router;
}
