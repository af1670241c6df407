/**
 * The inspection API, for inspectors, supervisors and leaders (every other role: 403):
 * - `GET /api/inspection/dossiers?from&to[&basis&agency&regime&unit&procedure&version&channel&status]
 *   [&page&pageSize&sort&order][&format=json|csv|xlsx|pdf]`: the list (JSON: one page; a file:
 *   every dossier the filters select, with the late steps and the summary);
 * - `GET /api/inspection/summary?…[&format=…]`;
 * - `GET /api/reports/weekly`: the archive of weekly reports (administrators too: they regenerate);
 * - `GET /api/reports/weekly/<YYYY-MM-DD>?format=xlsx|pdf|json`: the week ending at that cut-off,
 *   as archived (built and archived on first ask); with `agency` or `regime`, the same report
 *   narrowed to them, as of the same cut-off (a view, not archived: service.ts `weeklyView`);
 * - `POST /api/reports/weekly/<YYYY-MM-DD>/regenerate`: a new revision of that week, for
 *   administrators only (audited); the monthly report's routes are ./monthly-routes.ts.
 * Codes and timing only: no declaration. Every list, summary and file is audited; a bad
 * parameter is a 400 naming it. Files are bounded (server/inspection/limits.ts): a list above its
 * format's row cap is a 413, and an export or a weekly-report build beyond the ones allowed to run
 * at once (per user, in total) is a 429 with Retry-After.
 */
import { Router } from 'express';
import { z } from 'zod';
import { authenticate, requireRole } from '../auth/middleware';
import type { AuthDeps } from '../auth/models';
import type { Role } from '../auth/roles';
import type { PageRequest } from './engine';
import { EXPORT_FORMATS, type ExportFormat } from './export/model';
import { channelNames } from './documents';
import { checkAgency, checkRegime, filterQuery, InspectionInputError, parseFilters, SORT_KEYS, STATUS_FILTERS, type FilterVocabulary } from './filters';
import { exportList, exportSummary, latestArchived, listPage, summaryOf, weeklyFileName, weeklyReport, weeklyView, weeklyViewFile, type InspectionServiceDeps, type WeekScope } from './service';
import { regimesOf } from './regimes';
import { actorOf, answering, sendFile } from './http';
import type { ExportSlots } from './limits';
import { noStore } from '../api/no-store';
import { checkParam, IDS } from '../api/ids';
import { reportWeek, type WeekCutoff } from './week';

export const INSPECTION_ROLES: Role[] = ['inspector', 'supervisor', 'leader'];

export interface InspectionRouteDeps {
  service: InspectionServiceDeps;
  vocabulary: () => Promise<FilterVocabulary>;
  cutoff: WeekCutoff;
  auth: AuthDeps;
  /** The exports and weekly-report builds running in this process (server/inspection/limits.ts). */
  slots: ExportSlots;
}

const FORMATS = ['json', ...EXPORT_FORMATS] as const;

const paging = z.object({
  page: z.coerce.number({ message: 'phải là số nguyên' }).int('phải là số nguyên').min(1, 'phải từ 1').max(100_000, 'quá lớn').default(1),
  pageSize: z.coerce.number({ message: 'phải là số nguyên' }).int('phải là số nguyên').min(1, 'phải từ 1').max(200, 'tối đa 200').default(50),
  sort: z.enum(SORT_KEYS, { message: `phải là một trong ${SORT_KEYS.join(', ')}` }).default('receivedAt'),
  order: z.enum(['asc', 'desc'], { message: 'phải là asc hoặc desc' }).default('desc'),
  format: z.enum(FORMATS, { message: `phải là một trong ${FORMATS.join(', ')}` }).default('json'),
});

/** A weekly report's query: its format, and the agency or regime to narrow it to. */
const weeklyQuery = z
  .object({
    format: z.enum(['json', 'xlsx', 'pdf'], { message: 'phải là json, xlsx hoặc pdf' }).default('json'),
    agency: filterQuery.shape.agency,
    regime: filterQuery.shape.regime,
  })
  .strict();

const LIST_KEYS = new Set([...Object.keys(filterQuery.shape), ...Object.keys(paging.shape)]);
const SUMMARY_KEYS = new Set([...Object.keys(filterQuery.shape), 'format']);

/** The paging part of a query (the filters are parsed by parseFilters); an unknown parameter is a 400 naming it. */
function pagingOf(query: Record<string, unknown>, allowed: ReadonlySet<string>): z.infer<typeof paging> {
  const unknown = Object.keys(query).find((key) => !allowed.has(key));
  if (unknown !== undefined) throw new InspectionInputError(unknown, 'tham số không được hỗ trợ');
  const picked = Object.fromEntries(Object.entries(query).filter(([key]) => key in paging.shape));
  return checked(paging, picked);
}

export function checked<T>(schema: z.ZodType<T>, query: unknown): T {
  const parsed = schema.safeParse(query);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (issue?.code === 'unrecognized_keys') throw new InspectionInputError(issue.keys[0] ?? '(query)', 'tham số không được hỗ trợ');
  const parameter = issue?.path.map(String).join('.') || '(query)';
  throw new InspectionInputError(parameter, issue?.code === 'invalid_type' && issue.input === undefined ? 'thiếu tham số' : (issue?.message ?? 'không hợp lệ'));
}

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
};


export function inspectionRoutes(deps: InspectionRouteDeps): Router {
  const router = Router();
  router.param('weekEnding', checkParam(IDS.localDate));
  // per route, not router.use: this router is mounted on /api next to the other feature routers
  const guard = [noStore, authenticate(deps.auth), requireRole(...INSPECTION_ROLES)];
  const archiveGuard = [noStore, authenticate(deps.auth), requireRole(...INSPECTION_ROLES, 'administrator')];
  const filtersOf = async (query: Record<string, unknown>) => {
    const { page: _p, pageSize: _s, sort: _o, order: _r, format: _f, ...rest } = query;
    return parseFilters(rest, await deps.vocabulary());
  };

  router.get(
    '/inspection/options',
    ...guard,
    answering(async (_req, res) => {
      const { catalog, units } = await deps.vocabulary();
      res.json({
        units: [...units].sort(),
        agencies: catalog.agencies.map((a) => ({ code: a.code, name: a.name })),
        procedures: [...new Set(catalog.plans.map((p) => p.procedure))].sort(),
        versions: catalog.plans.map((p) => ({ processId: p.processId, procedure: p.procedure, effectiveFrom: p.effectiveFrom })),
        regimes: regimesOf(catalog).map((r) => ({ processId: r.processId, name: r.name, effectiveFrom: r.effectiveFrom, effectiveTo: r.effectiveTo, statutoryWorkingDays: r.statutoryWorkingDays })),
        channels: Object.entries(channelNames).map(([code, name]) => ({ code, name })),
        statuses: STATUS_FILTERS,
        sortKeys: SORT_KEYS,
      });
    }),
  );

  router.get(
    '/inspection/dossiers',
    ...guard,
    answering(async (req, res) => {
      const query = pagingOf(req.query, LIST_KEYS);
      const filters = await filtersOf(req.query);
      const page: PageRequest = { page: query.page, pageSize: query.pageSize, sort: query.sort, descending: query.order === 'desc' };
      if (query.format === 'json') {
        res.json(await listPage(deps.service, actorOf(req), filters, page));
        return;
      }
      const actor = actorOf(req);
      const format = query.format;
      sendFile(res, await deps.slots.run(actor.username, () => exportList(deps.service, actor, filters, format, { sort: page.sort, descending: page.descending })));
    }),
  );

  router.get(
    '/inspection/summary',
    ...guard,
    answering(async (req, res) => {
      const query = pagingOf(req.query, SUMMARY_KEYS);
      const filters = await filtersOf(req.query);
      if (query.format === 'json') {
        res.json(await summaryOf(deps.service, actorOf(req), filters));
        return;
      }
      const actor = actorOf(req);
      const format = query.format;
      sendFile(res, await deps.slots.run(actor.username, () => exportSummary(deps.service, actor, filters, format)));
    }),
  );

  router.get(
    '/reports/weekly',
    ...archiveGuard,
    answering(async (_req, res) => {
      const rows = await deps.service.db
        .selectFrom('weeklyReports')
        .select(['weekEnding', 'revision', 'periodFrom', 'periodTo', 'generatedAt', 'generatedBy', 'rowsSha256', 'xlsxSha256', 'pdfSha256', 'sentAt', 'recipients'])
        .orderBy('weekEnding', 'desc')
        .orderBy('revision', 'desc')
        .limit(520)
        .execute();
      res.json({ reports: rows.map((r) => ({ ...r, periodFrom: r.periodFrom.toISOString(), periodTo: r.periodTo.toISOString(), generatedAt: r.generatedAt.toISOString(), sentAt: r.sentAt?.toISOString() ?? null })) });
    }),
  );

  router.get(
    '/reports/weekly/:weekEnding',
    ...archiveGuard,
    answering(async (req, res) => {
      const query = checked(weeklyQuery, req.query);
      const week = reportWeek(String(req.params.weekEnding), deps.cutoff);
      if (week.to > deps.service.now()) throw new InspectionInputError('weekEnding', `tuần kết thúc ${week.weekEnding} chưa đến ngày chốt`);
      const actor = actorOf(req);
      const { catalog } = await deps.vocabulary();
      const scope: WeekScope = { agency: query.agency ? checkAgency(catalog, query.agency) : null, regime: query.regime ? checkRegime(catalog, query.regime) : null };
      if (scope.agency !== null || scope.regime !== null) {
        if (query.format === 'json') res.json({ weekEnding: week.weekEnding, periodFrom: week.from.toISOString(), periodTo: week.to.toISOString(), ...(await weeklyView(deps.service, actor, week, scope)) });
        else {
          const format = query.format;
          const written = await deps.slots.run(actor.username, () => weeklyViewFile(deps.service, actor, week, scope, format));
          sendFile(res, { ...written, contentType: CONTENT_TYPES[format] });
        }
        return;
      }
      const report = (await latestArchived(deps.service, week.weekEnding)) ?? (await deps.slots.run(actor.username, () => weeklyReport(deps.service, actor, week)));
      if (query.format === 'json') {
        res.json({ weekEnding: report.weekEnding, revision: report.revision, periodFrom: report.periodFrom.toISOString(), periodTo: report.periodTo.toISOString(), summary: report.summary, rowsSha256: report.rowsSha256, contentSha256: report.contentSha256, xlsxSha256: report.xlsxSha256, pdfSha256: report.pdfSha256, sentAt: report.sentAt?.toISOString() ?? null });
        return;
      }
      const format = query.format;
      const bytes = format === 'xlsx' ? report.xlsx : report.pdf;
      sendFile(res, { contentType: CONTENT_TYPES[format], fileName: weeklyFileName(report.weekEnding, report.revision, format), rowsSha256: report.rowsSha256, fileSha256: format === 'xlsx' ? report.xlsxSha256 : report.pdfSha256, bytes });
    }),
  );

  router.post(
    '/reports/weekly/:weekEnding/regenerate',
    authenticate(deps.auth),
    requireRole('administrator'),
    answering(async (req, res) => {
      const week = reportWeek(String(req.params.weekEnding), deps.cutoff);
      if (week.to > deps.service.now()) throw new InspectionInputError('weekEnding', `tuần kết thúc ${week.weekEnding} chưa đến ngày chốt`);
      const before = await latestArchived(deps.service, week.weekEnding);
      const actor = actorOf(req);
      const report = await deps.slots.run(actor.username, () => weeklyReport(deps.service, actor, week, { regenerate: true }));
      res.status(201).json({ weekEnding: report.weekEnding, revision: report.revision, previousRevision: before?.revision ?? null, summary: report.summary, rowsSha256: report.rowsSha256, contentSha256: report.contentSha256 });
    }),
  );
  return router;
}

