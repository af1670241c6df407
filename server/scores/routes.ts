/**
 * The 766 index API, for supervisors, inspectors, leaders and heads of division (others 403):
 * - `GET /api/scores?period=day|week|month|quarter|year&date=YYYY-MM-DD[&agency&unit]`: every
 *   indicator's ratio, points, threshold, source and confidence, per agency and per unit;
 * - `GET /api/scores/explain?period&date&unit[&agency]`: the unit's dossiers that cost points,
 *   per indicator, with the reason, and the open ones still to be kept ("còn giữ được").
 * Codes and figures only. A bad or unknown parameter is a 400 naming it.
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import { authenticate, requireRole } from '../auth/middleware';
import type { AuthDeps } from '../auth/models';
import type { Role } from '../auth/roles';
import { formatInstant, isLocalDate } from '../calendar/civil-time';
import { InspectionInputError } from '../inspection/filters';
import { answering } from '../inspection/http';
import { noStore } from '../api/no-store';
import { IDS } from '../api/ids';
import { explainScores } from './explain';
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

function requestOf(req: Request, unitRequired: boolean): ScoreRequest {
  const parsed = query.safeParse(req.query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue?.code === 'unrecognized_keys') throw new InspectionInputError(issue.keys[0] ?? '(query)', 'tham số không được hỗ trợ');
    const parameter = issue?.path.map(String).join('.') || '(query)';
    throw new InspectionInputError(parameter, parameter in req.query ? (issue?.message ?? 'không hợp lệ') : 'thiếu tham số');
  }
  if (unitRequired && parsed.data.unit === undefined) throw new InspectionInputError('unit', 'thiếu tham số');
  return parsed.data;
}

const iso = (d: Date): string => formatInstant(d.getTime());
const withoutRegime = <T>(work: () => Promise<T>): Promise<T> =>
  work().catch((error: unknown) => {
    if (error instanceof NoRegimeError) throw new InspectionInputError('date', error.message);
    throw error;
  });

export function scoreRoutes(deps: ScoreDeps & { auth: AuthDeps }): Router {
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
      const result = await withoutRegime(() => explainScores(deps, { ...request, unit: request.unit as string }));
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
  return router;
}
