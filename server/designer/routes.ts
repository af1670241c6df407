/**
 * The process designers' API (issue 27, items 1 and 2; process designers, leaders,
 * administrators; others 403, no session 401):
 *   GET /api/process-versions                       every version (versions.ts)
 *   GET /api/process-versions/compare?a=<id>&b=<id> the `lltp:` properties that differ and the element diff (compare.ts)
 *   GET /api/process-versions/<id>/diagram          the model's BPMN XML
 * A malformed id is a 400 naming the parameter, an id no model of the catalog carries a 404
 * naming it. Models and counts only: no personal data.
 */
import { Router, type Request, type Response } from 'express';
import { formatInstant } from '../calendar/civil-time';
import { noStore } from '../api/no-store';
import { badId, checkParam, IDS } from '../api/ids';
import { shown } from '../api/text';
import { authenticate, requireRole } from '../auth/middleware';
import type { AuthDeps } from '../auth/models';
import type { Role } from '../auth/roles';
import type { Db } from '../db';
import type { ProcessCatalog } from '../sla/catalog';
import type { SlaPlan } from '../sla/plan';
import { compareVersions } from './compare';
import { listVersions } from './versions';

export const DESIGNER_ROLES: Role[] = ['processDesigner', 'leader', 'administrator'];

export interface DesignerRouteDeps {
  db: Db;
  catalog: ProcessCatalog;
  auth: AuthDeps;
  now: () => Date;
}

/** A request the caller can correct: its status, the parameter and the message. */
class VersionRequestError extends Error {
  constructor(
    readonly status: 400 | 404,
    readonly parameter: string,
    message: string,
  ) {
    super(message);
  }
}

type Handler = (req: Request, res: Response) => Promise<void>;
const answering =
  (handler: Handler): Handler =>
  async (req, res) => {
    try {
      await handler(req, res);
    } catch (error) {
      if (!(error instanceof VersionRequestError)) throw error;
      res.status(error.status).json({ error: error.message, parameter: error.parameter });
    }
  };

/** The version a parameter names: 400 when missing or malformed, 404 when no model carries it. */
function versionNamed(catalog: ProcessCatalog, parameter: string, value: unknown): SlaPlan {
  if (typeof value !== 'string' || !IDS.processId.pattern.test(value)) {
    throw new VersionRequestError(400, parameter, value === undefined ? `${parameter}: thiếu mã phiên bản quy trình` : badId(parameter, IDS.processId, value));
  }
  const plan = catalog.plan(value);
  if (!plan) throw new VersionRequestError(404, parameter, `${parameter}: không có phiên bản quy trình ${shown(value)}`);
  return plan;
}

/** The name of a national step an internal procedure's table governs, from any national version. */
function stepNameIn(catalog: ProcessCatalog): (elementId: string) => string | undefined {
  return (elementId) => catalog.plans.map((p) => p.governedSteps[elementId]?.name ?? p.steps[elementId]?.name).find((n) => n !== undefined);
}

export function designerRoutes(deps: DesignerRouteDeps): Router {
  const router = Router();
  router.use(noStore, authenticate(deps.auth), requireRole(...DESIGNER_ROLES));
  router.param('bpmnProcessId', checkParam(IDS.processId));
  const { catalog } = deps;

  router.get(
    '/',
    answering(async (_req, res) => {
      const versions = await listVersions({ db: deps.db, catalog });
      const iso = (d: Date): string => formatInstant(d.getTime());
      res.json({
        computedAt: iso(deps.now()),
        versions: versions.map((v) => ({ ...v, deployment: v.deployment && { ...v.deployment, deployedAt: iso(v.deployment.deployedAt) } })),
      });
    }),
  );

  router.get(
    '/compare',
    answering(async (req, res) => {
      const a = versionNamed(catalog, 'a', req.query.a);
      const b = versionNamed(catalog, 'b', req.query.b);
      // Through the catalog: a version deployed by approval has no file (server/designer/submissions).
      const [xmlA, xmlB] = [(await catalog.modelXml(a.processId)).xml, (await catalog.modelXml(b.processId)).xml];
      res.json(await compareVersions(xmlA, xmlB, { stepName: stepNameIn(catalog) }));
    }),
  );

  router.get(
    '/:bpmnProcessId/diagram',
    answering(async (req, res) => {
      const plan = versionNamed(catalog, 'bpmnProcessId', req.params.bpmnProcessId);
      res.type('application/xml').send((await catalog.modelXml(plan.processId)).xml);
    }),
  );
  return router;
}
