/**
 * `POST /api/intake/vneid` (partners with scope `intake`: the provincial one-stop system) and
 * `POST /api/intake/other` (the same partners or one-stop officers: dossiers of other channels).
 */
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { RETRY_AFTER_SECONDS, type OutageLog } from '../outage';
import { authenticate, requireScope, type Principal } from '../auth/middleware';
import type { AuthDeps } from '../auth/models';
import { CalendarInputError } from '../calendar/errors';
import { NoAgencyInForceError, NoVersionInForceError } from '../sla/catalog';
import { IntakeConflictError, IntakeUnavailableError, intakeVneid, recordOtherChannel, type IntakeDeps } from './intake';
import { describeIssues, OtherChannelRecord, VneidRequest } from './vneid-request';

export const actorOf = (principal: Principal | undefined): string =>
  principal?.kind === 'staff' ? principal.username : principal?.kind === 'partner' ? `partner:${principal.partnerId}` : 'anonymous';

const intakeCaller: RequestHandler = (req, res, next) => {
  const p = req.principal;
  if ((p?.kind === 'partner' && p.scopes.includes('intake')) || (p?.kind === 'staff' && (p.roles.includes('oneStopOfficer') || p.roles.includes('administrator')))) next();
  else res.status(403).json({ error: 'Chức năng này dành cho hệ thống một cửa hoặc cán bộ Bộ phận Một cửa.' });
};

/** Answers the intake errors a caller can act on; anything else is a server fault. */
function answerIntakeError(res: Response, error: unknown, outages?: OutageLog): void {
  if (error instanceof IntakeConflictError) res.status(409).json({ error: error.message, dossierCode: error.dossierCode });
  else if (error instanceof IntakeUnavailableError) {
    outages?.failure('zeebe', error.cause ?? error);
    res.status(503).setHeader('retry-after', String(RETRY_AFTER_SECONDS)).json({ error: error.message, dossierCode: error.dossierCode, component: 'zeebe' });
  }
  else if (error instanceof CalendarInputError) res.status(422).json({ error: `Không tính được hạn xử lý: ${error.message}` });
  else if (error instanceof NoVersionInForceError) {
    res.status(422).json({
      error: `receivedAt: không có phiên bản nào của quy trình ${error.procedure} áp dụng cho hồ sơ nhận ngày ${error.date} (các phiên bản: ${error.versions}); không có gì được ghi nhận, gửi lại khi đã có phiên bản áp dụng.`,
      field: 'receivedAt',
    });
  }
  else if (error instanceof NoAgencyInForceError) {
    res.status(422).json({ error: `receivedAt: không cơ quan nào (${error.lineage.join(', ')}) nhận hồ sơ ngày ${error.date}; không có gì được ghi nhận.`, field: 'receivedAt' });
  }
  else throw error;
}

/**
 * A partner sends only the dossiers of the agency it serves (`partners.agency_code`) or of that
 * agency's lineage (the Sở's one-stop system serves the police that took over from it); this API
 * receives for `agencyCode`'s lineage.
 */
function ofThisAgency(intake: Pick<IntakeDeps, 'agencyCode' | 'catalog'>): RequestHandler {
  const { agencyCode, catalog } = intake;
  return (req, res, next) => {
    const p = req.principal;
    if (p?.kind !== 'partner' || (p.agencyCode !== null && catalog.sameLineage(p.agencyCode, agencyCode))) next();
    else res.status(403).json({ error: `Đối tác ${p.partnerId} phục vụ cơ quan ${p.agencyCode ?? '(chưa gán)'}, không gửi hồ sơ cho cơ quan ${agencyCode}.` });
  };
}

function refuseBadBody(req: Request): string | null {
  return req.is('application/json') ? null : 'Nội dung phải là JSON (Content-Type: application/json).';
}

export function intakeRoutes(deps: { intake: IntakeDeps; auth: AuthDeps; outages?: OutageLog }): Router {
  const router = Router();
  router.use(authenticate(deps.auth));
  const sameAgency = ofThisAgency(deps.intake);

  router.post('/vneid', requireScope('intake'), sameAgency, async (req, res) => {
    const bad = refuseBadBody(req);
    if (bad) {
      res.status(415).json({ error: bad });
      return;
    }
    const parsed = VneidRequest.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: `Hồ sơ không hợp lệ: ${describeIssues(parsed.error)}` });
      return;
    }
    try {
      const answer = await intakeVneid(deps.intake, parsed.data, actorOf(req.principal));
      res.status(answer.created ? 201 : 200).json(answer);
    } catch (error) {
      answerIntakeError(res, error, deps.outages);
    }
  });

  router.post('/other', intakeCaller, sameAgency, async (req, res) => {
    const parsed = OtherChannelRecord.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: `Hồ sơ không hợp lệ: ${describeIssues(parsed.error)}` });
      return;
    }
    try {
      const answer = await recordOtherChannel(deps.intake, parsed.data, actorOf(req.principal));
      res.status(answer.created ? 201 : 200).json(answer);
    } catch (error) {
      answerIntakeError(res, error, deps.outages);
    }
  });
  return router;
}
