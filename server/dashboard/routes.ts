/**
 * The supervisors' dashboard API (supervisors, leaders, heads of division, inspectors; others
 * 403): the heat map of any process version (`/versions` lists them all: every version has its
 * own map), the dossiers at one of its steps, its BPMN diagram, and the KPIs; `agency` narrows
 * the map and the KPIs to one agency's dossiers, `regime` the KPIs to one national version's
 * (server/inspection/regimes.ts). Codes and timing only. Bad input is a 400 naming the parameter.
 */
import { Router, type Request } from 'express';
import { authenticate, requireRole } from '../auth/middleware';
import type { AuthDeps } from '../auth/models';
import type { Role } from '../auth/roles';
import { formatInstant, isLocalDate } from '../calendar/civil-time';
import type { InspectionDeps } from '../inspection/engine';
import { checkAgency, checkRegime, civilPeriod, InspectionInputError, MAX_PERIOD_DAYS } from '../inspection/filters';
import { answering } from '../inspection/http';
import { noStore } from '../api/no-store';
import { checkParam, IDS } from '../api/ids';
import { shown } from '../api/text';
import type { WeekCutoff } from '../inspection/week';
import { regimesOf } from '../inspection/regimes';
import { dossiersAtStep, heatmap } from './heatmap';
import { kpis } from './kpis';

export const DASHBOARD_ROLES: Role[] = ['supervisor', 'leader', 'headOfDivision', 'inspector'];
const DEFAULT_PERIOD_DAYS = 30;
const DAY_MS = 86_400_000;

export interface DashboardRouteDeps {
  inspection: InspectionDeps;
  agencyCode: string;
  cutoff: WeekCutoff;
  vneidTargetPercent: number;
  auth: AuthDeps;
}

const iso = (d: Date): string => formatInstant(d.getTime());
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** `from`/`to` (YYYY-MM-DD, both included) or the last `days` days. */
function periodOf(query: Request['query'], now: Date, days: number): { from: Date; to: Date } {
  const from = text(query.from);
  const to = text(query.to);
  if (from === undefined && to === undefined) return { from: new Date(now.getTime() - days * DAY_MS), to: now };
  if (from === undefined || !isLocalDate(from)) throw new InspectionInputError('from', 'phải là ngày YYYY-MM-DD');
  if (to === undefined || !isLocalDate(to)) throw new InspectionInputError('to', 'phải là ngày YYYY-MM-DD');
  const period = civilPeriod(from, to);
  if (period.days < 1) throw new InspectionInputError('from', `ngày bắt đầu ${from} sau ngày kết thúc ${to}`);
  if (period.days > MAX_PERIOD_DAYS) throw new InspectionInputError('to', `khoảng thời gian ${period.days} ngày, tối đa ${MAX_PERIOD_DAYS} ngày`);
  return { from: period.from, to: period.to };
}


export function dashboardRoutes(deps: DashboardRouteDeps): Router {
  const router = Router();
  router.use(noStore, authenticate(deps.auth), requireRole(...DASHBOARD_ROLES));
  router.param('elementId', checkParam(IDS.elementId));
  const { catalog } = deps.inspection;

  /** The version asked for, checked against its procedure; by default the agency's national procedure in force now. */
  const versionOf = (query: Request['query']): string => {
    const procedure = text(query.process) ?? catalog.agencyInForce(deps.agencyCode, deps.inspection.now()).nationalProcedure;
    if (!catalog.procedures().includes(procedure)) throw new InspectionInputError('process', `không có quy trình ${shown(procedure)} (có: ${catalog.procedures().join(', ')})`);
    const version = text(query.version);
    if (version === undefined) return catalog.versionInForce(procedure, deps.inspection.now()).processId;
    if (!catalog.versions(procedure).some((v) => v.processId === version)) throw new InspectionInputError('version', `${shown(version)} không phải phiên bản của ${procedure}`);
    return version;
  };

  const agencyOf = (query: Request['query']): string | null => {
    const agency = text(query.agency);
    return agency === undefined ? null : checkAgency(catalog, agency);
  };

  router.get(
    '/versions',
    answering((_req, res) => {
      const now = deps.inspection.now();
      const agency = catalog.agencyInForce(deps.agencyCode, now);
      const procedures = catalog.procedures().map((procedure) => {
        let inForce: string | null = null;
        try {
          inForce = catalog.versionInForce(procedure, now).processId;
        } catch {
          // no version in force today
        }
        return { procedure, inForce, versions: catalog.versions(procedure).map((v) => ({ processId: v.processId, name: v.name, effectiveFrom: v.effectiveFrom, effectiveTo: v.effectiveTo })) };
      });
      const regimes = regimesOf(catalog).map((r) => ({ processId: r.processId, name: r.name, effectiveFrom: r.effectiveFrom, effectiveTo: r.effectiveTo, statutoryWorkingDays: r.statutoryWorkingDays }));
      const agencies = catalog.agencies.map((a) => ({ code: a.code, name: a.name }));
      res.json({ national: agency.nationalProcedure, internal: agency.internalProcedure, procedures, regimes, agencies });
      return Promise.resolve();
    }),
  );

  router.get(
    '/heatmap',
    answering(async (req, res) => {
      const version = versionOf(req.query);
      const map = await heatmap(deps.inspection, version, periodOf(req.query, deps.inspection.now(), DEFAULT_PERIOD_DAYS), agencyOf(req.query));
      res.json({ ...map, period: { from: iso(map.period.from), to: iso(map.period.to) }, computedAt: iso(map.computedAt) });
    }),
  );

  router.get(
    '/diagram',
    answering(async (req, res) => {
      const plan = catalog.plan(versionOf(req.query));
      if (!plan) throw new InspectionInputError('version', 'không có mô hình');
      res.type('application/xml').set('Cache-Control', 'no-cache').send((await catalog.modelXml(plan.processId)).xml);
    }),
  );

  router.get(
    '/steps/:elementId/dossiers',
    answering(async (req, res) => {
      const version = versionOf(req.query);
      const elementId = String(req.params.elementId);
      const plan = catalog.plan(version);
      if (!plan?.steps[elementId] && !plan?.governedSteps[elementId]) throw new InspectionInputError('elementId', `${version} không có bước ${shown(elementId)}`);
      const dossiers = await dossiersAtStep(deps.inspection, version, elementId, 200, agencyOf(req.query));
      res.json({ version, elementId, computedAt: iso(deps.inspection.now()), dossiers: dossiers.map((d) => ({ ...d, since: iso(d.since), dueAt: iso(d.dueAt) })) });
    }),
  );

  router.get(
    '/kpis',
    answering(async (req, res) => {
      const now = deps.inspection.now();
      const period = text(req.query.from) || text(req.query.to) ? periodOf(req.query, now, 7) : undefined;
      const regime = text(req.query.regime);
      const scope = { agency: agencyOf(req.query), regime: regime === undefined ? null : checkRegime(catalog, regime) };
      const figures = await kpis(deps.inspection, deps.cutoff, { vneidTargetPercent: deps.vneidTargetPercent, scope, ...(period ? { period } : {}) });
      const week = (w: (typeof figures.series)[number]) => ({ ...w, from: iso(w.from), to: iso(w.to) });
      res.json({ ...figures, scope, period: week(figures.period), series: figures.series.map(week), computedAt: iso(figures.computedAt) });
    }),
  );
  return router;
}
