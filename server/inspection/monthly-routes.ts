/**
 * The monthly Đề án 06 report's API (./monthly.ts), beside the weekly one's (./routes.ts) and
 * guarded alike (inspectors, supervisors, leaders; administrators too, who regenerate):
 * - `GET /api/reports/monthly`: the agency's archive of monthly reports;
 * - `GET /api/reports/monthly/<YYYY-MM>?format=json|xlsx|pdf`: the month as archived (built and
 *   archived on first ask once its cut-off has passed; before it: 400 naming `month`); the JSON
 *   adds the late tasks with unit, officer and head (./monthly-tasks.ts), a read that is audited;
 * - `POST /api/reports/monthly/<YYYY-MM>/regenerate`: a new revision, administrators only (audited).
 * A build beyond the ones allowed to run at once is a 429 with Retry-After (server/inspection/limits.ts).
 */
import { Router } from 'express';
import { z } from 'zod';
import { noStore } from '../api/no-store';
import { authenticate, requireRole } from '../auth/middleware';
import type { AuthDeps } from '../auth/models';
import { InspectionInputError } from './filters';
import { answering } from './http';
import type { ExportSlots } from './limits';
import { monthLabel, reportMonth, type MonthCutoff, type ReportMonth } from './month';
import { latestArchivedMonth, monthlyFileName, monthlyReport, type ArchivedMonth, type MonthlyReportDeps } from './monthly';
import { actorOf, sendFile } from './http';
import { monthlyReadOf } from './monthly-tasks';
import { checked, CONTENT_TYPES, INSPECTION_ROLES } from './routes';

export interface MonthlyRouteDeps {
  report: MonthlyReportDeps;
  cutoff: MonthCutoff;
  auth: AuthDeps;
  slots: ExportSlots;
}

const iso = (d: Date | null): string | null => d?.toISOString() ?? null;

const described = (r: ArchivedMonth) => ({
  agencyCode: r.agencyCode,
  month: r.month,
  revision: r.revision,
  periodFrom: r.periodFrom.toISOString(),
  periodTo: r.periodTo.toISOString(),
  generatedAt: r.generatedAt.toISOString(),
  generatedBy: r.generatedBy,
  rowsSha256: r.rowsSha256,
  contentSha256: r.contentSha256,
  xlsxSha256: r.xlsxSha256,
  pdfSha256: r.pdfSha256,
  sentAt: iso(r.sentAt),
  recipients: r.recipients,
});

export function monthlyReportRoutes(deps: MonthlyRouteDeps): Router {
  const router = Router();
  const guard = [noStore, authenticate(deps.auth), requireRole(...INSPECTION_ROLES, 'administrator')];
  /** The month named in the path, once its cut-off has passed. */
  const endedMonth = (text: string): ReportMonth => {
    const month = reportMonth(text, deps.cutoff);
    if (month.to > deps.report.service.now()) throw new InspectionInputError('month', `tháng ${monthLabel(month.month)} chưa đến ngày chốt (REPORT_MONTH_CUTOFF)`);
    return month;
  };

  router.get(
    '/reports/monthly',
    ...guard,
    answering(async (_req, res) => {
      const rows = await deps.report.service.db.selectFrom('monthlyReports').selectAll().where('agencyCode', '=', deps.report.agencyCode).orderBy('month', 'desc').orderBy('revision', 'desc').limit(240).execute();
      res.json({ reports: rows.map(described) });
    }),
  );

  router.get(
    '/reports/monthly/:month',
    ...guard,
    answering(async (req, res) => {
      const { format } = checked(z.object({ format: z.enum(['json', 'xlsx', 'pdf'], { message: 'phải là json, xlsx hoặc pdf' }).default('json') }).strict(), req.query);
      const month = endedMonth(String(req.params.month));
      const actor = actorOf(req);
      const report = (await latestArchivedMonth(deps.report, month.month)) ?? (await deps.slots.run(actor.username, () => monthlyReport(deps.report, actor, month)));
      if (format === 'json') {
        res.json({ ...described(report), summary: report.summary, ...(await monthlyReadOf(deps.report, actor, report)) });
        return;
      }
      const bytes = format === 'xlsx' ? report.xlsx : report.pdf;
      const fileSha256 = format === 'xlsx' ? report.xlsxSha256 : report.pdfSha256;
      sendFile(res, { contentType: CONTENT_TYPES[format], fileName: monthlyFileName(report.month, report.revision, format), rowsSha256: report.rowsSha256, fileSha256, bytes });
    }),
  );

  router.post(
    '/reports/monthly/:month/regenerate',
    noStore,
    authenticate(deps.auth),
    requireRole('administrator'),
    answering(async (req, res) => {
      const month = endedMonth(String(req.params.month));
      const before = await latestArchivedMonth(deps.report, month.month);
      const actor = actorOf(req);
      const report = await deps.slots.run(actor.username, () => monthlyReport(deps.report, actor, month, { regenerate: true }));
      res.status(201).json({ ...described(report), previousRevision: before?.revision ?? null, summary: report.summary });
    }),
  );
  return router;
}
