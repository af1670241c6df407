/**
 * The what-if API (issue 27, item 3), for process designers and leaders (others 403):
 * - `POST /api/process-versions/whatif?from=YYYY-MM-DD&to=YYYY-MM-DD`, the draft .bpmn as the
 *   body (Content-Type application/xml or text/xml, at most 2 MB): current, draft, difference;
 * - `POST /api/process-versions/whatif.xlsx?…`: the same as an XLSX file.
 * 400 names the problem (`from`, `to`, `body`; a draft that does not lint lists its problems,
 * each naming the element and property); 413 for a body over the limit. Each run is audited
 * with the period and the draft's SHA-256 (figures only: no dossier, no person). Nothing is
 * deployed, nothing written but the audit line.
 */
import express, { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import { authenticate, requireRole } from '../auth/middleware';
import type { AuthDeps } from '../auth/models';
import type { Role } from '../auth/roles';
import { audit } from '../audit';
import { noStore } from '../api/no-store';
import { actorOf, sendFile } from '../inspection/http';
import { describeProblem, sha256Of } from './draft-lint';
import { exportWhatIf } from './whatif-export';
import { DraftLintError, runWhatIf, WHATIF_AUDIT_ACTION, whatIfPeriod, WhatIfInputError, type WhatIfDeps, type WhatIfReport } from './whatif-service';

export const WHATIF_ROLES: Role[] = ['processDesigner', 'leader'];
export const MAX_DRAFT_BYTES = 2 * 1024 * 1024;
const XML_TYPES = ['application/xml', 'text/xml'];

export interface WhatIfRouteDeps extends WhatIfDeps {
  auth: AuthDeps;
  now: () => Date;
  agencyName: string;
}

async function judged(deps: WhatIfRouteDeps, req: Request): Promise<WhatIfReport> {
  const period = whatIfPeriod(req.query.from, req.query.to);
  if (!req.is(XML_TYPES)) throw new WhatIfInputError('body', 'phải là tệp .bpmn gửi với Content-Type application/xml hoặc text/xml');
  const xml = typeof req.body === 'string' ? req.body : '';
  if (xml.trim() === '') throw new WhatIfInputError('body', 'trống: hãy gửi nội dung tệp .bpmn');
  const detail = `hồ sơ nhận ${period.first}..${period.last}, mô hình nháp sha256=${sha256Of(xml)}`;
  await audit(deps.db, { at: deps.now(), actor: actorOf(req).username, action: WHATIF_AUDIT_ACTION, detail });
  return runWhatIf(deps, xml, period);
}

function answer(work: (req: Request, res: Response) => Promise<void>) {
  return async (req: Request, res: Response): Promise<void> => {
    try {
      await work(req, res);
    } catch (error) {
      if (error instanceof WhatIfInputError) res.status(400).json({ error: error.message, parameter: error.parameter });
      else if (error instanceof DraftLintError) {
        res.status(400).json({
          error: `Mô hình nháp chưa đạt kiểm tra (${error.problems.length} lỗi); chưa tính lại hồ sơ nào.`,
          parameter: 'body',
          problems: error.problems.map((p) => ({ ...p, text: describeProblem(p) })),
        });
      } else throw error;
    }
  };
}

const bodyErrors: ErrorRequestHandler = (error: { type?: string }, _req, res, next) => {
  if (error?.type === 'entity.too.large') res.status(413).json({ error: `Tệp mô hình quá lớn: tối đa ${MAX_DRAFT_BYTES / 1024 / 1024} MB.`, parameter: 'body' });
  else if (error?.type === 'charset.unsupported' || error?.type === 'encoding.unsupported') res.status(415).json({ error: 'Tệp mô hình phải mã hóa UTF-8.', parameter: 'body' });
  else next(error);
};

export function whatIfRoutes(deps: WhatIfRouteDeps): Router {
  const router = Router();
  const xml = express.text({ type: XML_TYPES, limit: MAX_DRAFT_BYTES });
  // Guarded per route: the versions' router (server/designer/routes.ts) shares the mount path.
  const guard = [noStore, authenticate(deps.auth), requireRole(...WHATIF_ROLES)];
  router.post('/whatif', guard, xml, answer(async (req, res) => void res.json(await judged(deps, req))));
  router.post(
    '/whatif.xlsx',
    guard,
    xml,
    answer(async (req, res) => sendFile(res, await exportWhatIf(await judged(deps, req), { agencyName: deps.agencyName, actor: actorOf(req), generatedAt: deps.now() }))),
  );
  router.use(bodyErrors);
  return router;
}
