/**
 * Calendar administration over HTTP: every staff role reads the days off, make-up Saturdays,
 * pending days, office hours and the audit; administrators edit them. Each edit is audited,
 * bumps the calendar version and re-plans the open dossiers and steps it touches
 * (createCalendarAdmin). The acting user is the logged-in administrator, never a body field.
 */
import { Router, type Request, type Response } from 'express';
import { z, ZodError } from 'zod';
import { authenticate, requireRole } from '../auth/middleware';
import type { AuthDeps } from '../auth/models';
import { checkParam, IDS } from '../api/ids';
import { describeIssues } from '../api/text';
import { CalendarConflictError, type CalendarAdmin } from './admin';
import { CalendarInputError } from './errors';

function answer(res: Response, error: unknown): void {
  if (error instanceof ZodError) res.status(400).json({ error: describeIssues(error) });
  else if (error instanceof CalendarConflictError) res.status(409).json({ error: error.message });
  else if (error instanceof CalendarInputError || error instanceof RangeError) res.status(400).json({ error: error.message });
  else throw error;
}

/** `?limit=` of the audit list: a whole number from 1 (100 when absent; more than 1000 gives 1000); anything else is a 400 naming it. */
const AuditQuery = z.object({ limit: z.coerce.number({ error: 'phải là số nguyên từ 1' }).int('phải là số nguyên từ 1').min(1, 'phải là số nguyên từ 1').default(100) });

const actorOf = (req: Request): string => (req.principal?.kind === 'staff' ? req.principal.username : 'unknown');
const body = (req: Request): Record<string, unknown> => (typeof req.body === 'object' && req.body !== null && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {});

export function calendarRoutes(deps: { admin: CalendarAdmin; auth: AuthDeps }): Router {
  const router = Router();
  router.use(authenticate(deps.auth), requireRole('administrator', 'oneStopOfficer', 'lltpOfficer', 'headOfDivision', 'leader', 'inspector', 'supervisor'));
  const admin = requireRole('administrator');
  router.param('year', checkParam(IDS.year));
  router.param('date', checkParam(IDS.localDate));
  router.param('unitId', checkParam(IDS.unitId));
  const run = (handler: (req: Request) => Promise<unknown>, status = 200) => async (req: Request, res: Response): Promise<void> => {
    try {
      res.status(status).json(await handler(req));
    } catch (error) {
      answer(res, error);
    }
  };

  router.get('/years/:year', run((req) => deps.admin.listDays({ year: Number(req.params.year) })));
  router.get('/units', run(() => deps.admin.listUnits()));
  router.get('/audit', admin, run((req) => deps.admin.listAudit({ limit: Math.min(AuditQuery.parse({ limit: req.query.limit }).limit, 1000) })));
  router.post('/days-off', admin, run((req) => deps.admin.addDayOff({ ...body(req), actor: actorOf(req) } as never), 201));
  router.post('/make-up-days', admin, run((req) => deps.admin.addMakeUpDay({ ...body(req), actor: actorOf(req) } as never), 201));
  router.post('/pending-days', admin, run((req) => deps.admin.addPendingDay({ ...body(req), actor: actorOf(req) } as never), 201));
  router.post('/pending-days/:date/confirm', admin, run((req) => deps.admin.confirmPending({ ...body(req), date: String(req.params.date), actor: actorOf(req) })));
  router.delete('/days/:date', admin, run((req) => deps.admin.removeDay({ ...body(req), date: String(req.params.date), actor: actorOf(req) })));
  router.post('/years/:year/confirm', admin, run((req) => deps.admin.confirmYear({ ...body(req), year: Number(req.params.year), actor: actorOf(req) } as never)));
  router.put('/units/:unitId', admin, run((req) => deps.admin.setUnitHours({ actor: actorOf(req), unit: { ...body(req), unitId: String(req.params.unitId) } } as never)));
  return router;
}
