/**
 * What the API, the pages, the CLI and the monitor ask of the inspection: a page of the list,
 * the summary, an export (audited and recorded with the SHA-256 of its rows and of its file),
 * and the weekly report for the Đề án 06 working group, archived: the same week asked again is
 * the archived file byte for byte; regenerating is an explicit action that adds a revision.
 */
import { createHash } from 'node:crypto';
import { audit } from '../audit';
import { formatInstant } from '../calendar/civil-time';
import type { Selectable } from 'kysely';
import { toJson, type InspectionExportsTable, type WeeklyReportsTable } from '../db/tables';
import { formatVnInstant } from '../monitor/format';
import { channelNames, listSheets, summaryItems, summarySheets } from './documents';
import { countDossiers, listDossiers, streamDossiers, verdictLabels, type InspectionDeps, type InspectionDossier, type PageRequest } from './engine';
import { canonicalCell, sha256Hex } from './export/digest';
import type { ExportDocument, ExportFormat, ExportSummaryItem, WrittenExport } from './export/model';
import { checkRowCap, type ExportLimits } from './limits';
import { describePeriod, instantFilters, type InspectionFilters } from './filters';
import { summarize, type InspectionSummary } from './summary';
import type { ReportWeek } from './week';
import type { UnitHeads } from './unit-heads';

export interface InspectionServiceDeps extends InspectionDeps {
  /** Writes an export document in a format (server/inspection/export). */
  writeExport: (format: ExportFormat, doc: ExportDocument) => Promise<WrittenExport>;
  /** The issuing body in force at an instant: a document names the body of its period's end. */
  agencyName: (at: Date) => string;
  /** The row cap per format of a list file (server/inspection/limits.ts). */
  maxRows: ExportLimits['maxRows'];
}

export type ExportKind = InspectionExportsTable['kind'];

export interface Actor {
  username: string;
  displayName: string;
}

const iso = (d: Date | null): string | null => (d ? formatInstant(d.getTime()) : null);

/** A dossier of the list as JSON: instants in Việt Nam time with their offset. */
export function dossierJson(d: InspectionDossier): Record<string, unknown> {
  return {
    ...d,
    verdictLabel: verdictLabels[d.verdict],
    channelLabel: channelNames[d.channel],
    receivedAt: iso(d.receivedAt),
    statutoryDueAt: iso(d.statutoryDueAt),
    targetDueAt: iso(d.targetDueAt),
    provincialDueAt: iso(d.provincialDueAt),
    appointmentAt: iso(d.appointmentAt),
    apologyIssuedAt: iso(d.apologyIssuedAt),
    finishedAt: iso(d.finishedAt),
    currentStep: d.currentStep ? { ...d.currentStep, since: iso(d.currentStep.since), dueAt: iso(d.currentStep.dueAt) } : null,
    lateSteps: d.lateSteps.map((s) => ({ ...s, startedAt: iso(s.startedAt), dueAt: iso(s.dueAt), finishedAt: iso(s.finishedAt) })),
  };
}

export function summaryJson(s: InspectionSummary): Record<string, unknown> {
  return { ...s, computedAt: iso(s.computedAt) };
}

/** The filters as label → value for headers, audit and the exports table. */
export function filterLabels(f: InspectionFilters): Record<string, string> {
  const labels: Record<string, string> = { 'Kỳ': describePeriod(f) };
  if (f.agency) labels['Cơ quan'] = f.agency;
  if (f.regime) labels['Chế độ'] = f.regime;
  if (f.unit) labels['Đơn vị'] = f.unit;
  if (f.procedure) labels['Quy trình'] = f.procedure;
  if (f.version) labels['Phiên bản'] = f.version;
  if (f.channel) labels['Kênh'] = f.channel;
  if (f.status !== 'all') labels['Trạng thái'] = f.status;
  return labels;
}

export async function listPage(deps: InspectionServiceDeps, actor: Actor, f: InspectionFilters, page: PageRequest) {
  const result = await listDossiers(deps, f, page);
  await audit(deps.db, { at: deps.now(), actor: actor.username, action: 'inspection.list', dossierCode: null, detail: JSON.stringify(filterLabels(f)) });
  return { total: result.total, page: page.page, pageSize: page.pageSize, dossiers: result.dossiers.map(dossierJson) };
}

export async function summaryOf(deps: InspectionServiceDeps, actor: Actor, f: InspectionFilters) {
  const summary = await summarize(deps, f);
  await audit(deps.db, { at: deps.now(), actor: actor.username, action: 'inspection.summary', dossierCode: null, detail: JSON.stringify(filterLabels(f)) });
  return summaryJson(summary);
}

function documentBase(deps: InspectionServiceDeps, actor: Actor, f: InspectionFilters, title: string): Omit<ExportDocument, 'sheets' | 'summary'> {
  return { title, agencyName: deps.agencyName(new Date(f.to.getTime() - 1)), periodText: describePeriod(f), generatedBy: `${actor.displayName} (${actor.username})`, generatedAt: deps.now(), filters: filterLabels(f) };
}

/**
 * Records an export: the exports table and the audit log, both with the digests (what `lltp
 * inspection verify` looks up). The 766 index's exports (server/scores/export.ts) are recorded here too.
 */
export async function recordExport(deps: Pick<InspectionServiceDeps, 'db' | 'now'>, actor: Actor, kind: ExportKind, filters: Record<string, string>, written: WrittenExport): Promise<void> {
  const at = deps.now();
  await deps.db.transaction().execute(async (tx) => {
    await tx
      .insertInto('inspectionExports')
      .values({ at, actor: actor.username, kind, format: written.format, filters: toJson(filters), rowCount: written.rowCount, rowsSha256: written.rowsSha256, fileSha256: written.fileSha256, fileName: written.fileName })
      .execute();
    await audit(tx, {
      at,
      actor: actor.username,
      action: `inspection.export.${kind}`,
      dossierCode: null,
      detail: `${written.format} ${written.fileName}: ${written.rowCount} dòng, SHA-256 các dòng ${written.rowsSha256}, SHA-256 tệp ${written.fileSha256}`,
    });
  });
}

/**
 * The list (dossiers and their late steps) with the summary, in a file. A list above the format's
 * cap is refused (ExportTooLargeError) before any row is read.
 */
export async function exportList(deps: InspectionServiceDeps, actor: Actor, f: InspectionFilters, format: ExportFormat, sort: { sort: PageRequest['sort']; descending: boolean }): Promise<WrittenExport> {
  checkRowCap({ maxRows: deps.maxRows }, format, await countDossiers(deps, f));
  const summary = await summarize(deps, f);
  const sheets = listSheets(streamDossiers(deps, f, sort));
  const doc: ExportDocument = { ...documentBase(deps, actor, f, 'Danh sách hồ sơ phục vụ thanh tra, kiểm tra'), sheets: [sheets.dossiers, sheets.steps], summary: summaryItems(summary) };
  const written = await deps.writeExport(format, doc);
  await recordExport(deps, actor, 'dossiers', doc.filters, written);
  return written;
}

export async function exportSummary(deps: InspectionServiceDeps, actor: Actor, f: InspectionFilters, format: ExportFormat): Promise<WrittenExport> {
  const summary = await summarize(deps, f);
  const doc: ExportDocument = { ...documentBase(deps, actor, f, 'Tổng hợp tình hình giải quyết hồ sơ'), sheets: summarySheets(summary), summary: summaryItems(summary) };
  const written = await deps.writeExport(format, doc);
  await recordExport(deps, actor, 'summary', doc.filters, written);
  return written;
}

// --- the weekly report ----------------------------------------------------------------------

/** A weekly report as archived (one revision of one week, both files). */
export type ArchivedWeek = Selectable<WeeklyReportsTable>;

/**
 * The recorded history as of the week's cut-off (server/inspection/as-of.ts): every figure and
 * list of the report is computed from it, so that a report rebuilt later is the archived one.
 */
export const asOfCutoff = (deps: InspectionServiceDeps, period: { to: Date }): InspectionServiceDeps => ({ ...deps, now: () => period.to, pastCutoff: true });

/**
 * The period's late dossiers on any of the three clocks (statutory date, Quy trình 570 target,
 * an internal step), as of its cut-off (the end of the period): those that ended in the period
 * late on one of them, then those open at the cut-off and late on one of them by then. The
 * weekly and the monthly report list the same; `agency` narrows the monthly one to its agency's
 * lineage (a list of codes), a filtered weekly view to one agency.
 */
export async function* lateOfPeriod(deps: InspectionServiceDeps, period: { from: Date; to: Date }, agency: string | readonly string[] | null = null, regime: string | null = null): AsyncGenerator<InspectionDossier> {
  const atCutoff = asOfCutoff(deps, period);
  const byAgency = agency === null ? {} : typeof agency === 'string' ? { agency } : { agencies: agency };
  yield* streamDossiers(atCutoff, instantFilters(period.from, period.to, { basis: 'finished', status: 'lateAnyClock', ...byAgency, regime }), { sort: 'finishedAt' });
  for await (const d of streamDossiers(atCutoff, instantFilters(period.from, period.to, { status: 'openLateAnyClock', ...byAgency, regime }), { sort: 'receivedAt', basis: 'any' })) {
    if (d.receivedAt < period.to) yield d;
  }
}

export const lateOfWeek = (deps: InspectionServiceDeps, week: ReportWeek): AsyncGenerator<InspectionDossier> => lateOfPeriod(deps, week);

/**
 * SHA-256 of a period report's canonical content: its rows digest, then each summary figure in
 * order as `JSON.stringify(["summary", label, canonical value]) + "\n"` (export/digest.ts).
 */
export function reportContentSha256(rowsSha256: string, summary: readonly ExportSummaryItem[]): string {
  const lines = [`${JSON.stringify(['rows', rowsSha256])}\n`, ...summary.map((item) => `${JSON.stringify(['summary', item.label, canonicalCell(item.type, item.value)])}\n`)];
  return sha256Hex(lines.join(''));
}

export const weeklyContentSha256 = reportContentSha256;

/** A period report to build: its period and agency, its title and labels, its summary items, and who answers for each late step (monthly). */
export interface PeriodReportSpec {
  from: Date;
  to: Date;
  /** One agency, or the codes of a lineage (the monthly report); null: every agency. */
  agency: string | readonly string[] | null;
  /** A weekly report narrowed to one regime (./regimes.ts); null: every regime. */
  regime?: string | null;
  title: string;
  filters: Record<string, string>;
  summary: ExportSummaryItem[];
  heads?: UnitHeads;
}

/** A period report's files and digests, as both archives keep them. */
export interface BuiltReport {
  periodFrom: Date;
  periodTo: Date;
  generatedAt: Date;
  generatedBy: string;
  rowsSha256: string;
  contentSha256: string;
  xlsx: Buffer;
  xlsxSha256: string;
  pdf: Buffer;
  pdfSha256: string;
  rowCount: number;
}

/** Writes a period report's XLSX and PDF (the summary, then the late dossiers and their late steps as of the cut-off). */
export async function buildPeriodReport(deps: InspectionServiceDeps, actor: Actor, spec: PeriodReportSpec): Promise<BuiltReport> {
  const base: Omit<ExportDocument, 'sheets'> = {
    title: spec.title,
    agencyName: deps.agencyName(new Date(spec.to.getTime() - 1)),
    periodText: `từ ${formatVnInstant(spec.from)} đến trước ${formatVnInstant(spec.to)}`,
    generatedBy: `${actor.displayName} (${actor.username})`,
    generatedAt: deps.now(),
    filters: spec.filters,
    summary: spec.summary,
  };
  const files = [];
  for (const format of ['xlsx', 'pdf'] as const) {
    const sheets = listSheets(lateOfPeriod(deps, spec, spec.agency, spec.regime ?? null), spec.heads);
    files.push(await deps.writeExport(format, { ...base, sheets: [sheets.dossiers, sheets.steps] }));
  }
  const [xlsx, pdf] = files as [WrittenExport, WrittenExport];
  if (xlsx.rowsSha256 !== pdf.rowsSha256) throw new Error(`${spec.title}: the XLSX and PDF rows differ (the data changed while it was written); try again`);
  return {
    periodFrom: spec.from,
    periodTo: spec.to,
    generatedAt: base.generatedAt,
    generatedBy: actor.username,
    rowsSha256: xlsx.rowsSha256,
    contentSha256: reportContentSha256(xlsx.rowsSha256, spec.summary),
    xlsx: xlsx.bytes,
    xlsxSha256: xlsx.fileSha256,
    pdf: pdf.bytes,
    pdfSha256: pdf.fileSha256,
    rowCount: xlsx.rowCount,
  };
}

const weeklyTitle = (week: ReportWeek): string => `Báo cáo tuần Đề án 06: cấp Phiếu lý lịch tư pháp (tuần kết thúc ${week.weekEnding.split('-').reverse().join('/')})`;

async function buildWeek(deps: InspectionServiceDeps, actor: Actor, week: ReportWeek): Promise<BuiltReport & Pick<ArchivedWeek, 'weekEnding' | 'summary'>> {
  const summary = await summarize(asOfCutoff(deps, week), instantFilters(week.from, week.to));
  const built = await buildPeriodReport(deps, actor, {
    from: week.from,
    to: week.to,
    agency: null,
    title: weeklyTitle(week),
    filters: { 'Tuần': `${formatVnInstant(week.from)} – ${formatVnInstant(week.to)}` },
    summary: summaryItems(summary),
  });
  return { ...built, weekEnding: week.weekEnding, summary: summaryJson(summary) };
}

/** Records a period report's two files (exports table and audit), as a first build or a regeneration. */
export async function recordReportFiles(deps: InspectionServiceDeps, actor: Actor, kind: 'weekly' | 'monthly', filters: Record<string, string>, built: BuiltReport, fileName: (format: 'xlsx' | 'pdf') => string): Promise<void> {
  for (const [format, bytes, sha] of [['xlsx', built.xlsx, built.xlsxSha256], ['pdf', built.pdf, built.pdfSha256]] as const) {
    await recordExport(deps, actor, kind, filters, { format, contentType: '', fileName: fileName(format), rowsSha256: built.rowsSha256, fileSha256: sha, rowCount: built.rowCount, bytes });
  }
}

export async function latestArchived(deps: InspectionServiceDeps, weekEnding: string): Promise<ArchivedWeek | undefined> {
  return deps.db.selectFrom('weeklyReports').selectAll().where('weekEnding', '=', weekEnding).orderBy('revision', 'desc').limit(1).executeTakeFirst();
}

/**
 * The week's report as archived; built and archived on first ask. `regenerate` builds a new
 * revision even if one exists, audited as `inspection.weekly.regenerate` (the API lets only an
 * administrator ask for it). Two callers building the same first revision at once:
 * the second insert finds the first's and returns it.
 */
export async function weeklyReport(deps: InspectionServiceDeps, actor: Actor, week: ReportWeek, options: { regenerate?: boolean } = {}): Promise<ArchivedWeek> {
  const existing = await latestArchived(deps, week.weekEnding);
  if (existing && !options.regenerate) return existing;
  const { rowCount, ...built } = await buildWeek(deps, actor, week);
  const revision = (existing?.revision ?? 0) + 1;
  const inserted = await deps.db
    .insertInto('weeklyReports')
    .values({ ...built, revision, summary: toJson(built.summary) })
    .onConflict((oc) => oc.columns(['weekEnding', 'revision']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!inserted) return (await latestArchived(deps, week.weekEnding)) as ArchivedWeek;
  if (options.regenerate) {
    const detail = `tuần kết thúc ${week.weekEnding}: lần lập ${revision}${existing ? ` (thay lần ${existing.revision})` : ''}, SHA-256 nội dung ${built.contentSha256}`;
    await audit(deps.db, { at: deps.now(), actor: actor.username, action: 'inspection.weekly.regenerate', dossierCode: null, detail });
  }
  const filters = { 'Tuần': week.weekEnding, 'Lần lập': String(revision) };
  await recordReportFiles(deps, actor, 'weekly', filters, { ...built, rowCount }, (format) => weeklyFileName(week.weekEnding, revision, format));
  return inserted;
}

export function weeklyFileName(weekEnding: string, revision: number, format: 'xlsx' | 'pdf'): string {
  return `bao-cao-tuan-${weekEnding}${revision > 1 ? `-lan-${revision}` : ''}.${format}`;
}

/** The part of a weekly report a reader may narrow it to: an agency, a regime (null: all). */
export interface WeekScope {
  agency: string | null;
  regime: string | null;
}

export const isWholeWeek = (scope: WeekScope): boolean => scope.agency === null && scope.regime === null;

const scopeLabels = (scope: WeekScope): Record<string, string> => ({ ...(scope.agency ? { 'Cơ quan': scope.agency } : {}), ...(scope.regime ? { 'Chế độ': scope.regime } : {}) });

/**
 * A weekly report narrowed to an agency or a regime: the same figures and late list as the
 * archived report, as of the same cut-off, over that agency's or regime's dossiers only. It is a
 * view, not archived (the archive keeps the whole week); it is audited
 * (`inspection.weekly.filtered`) and its files recorded like any export.
 */
export async function weeklyView(deps: InspectionServiceDeps, actor: Actor, week: ReportWeek, scope: WeekScope): Promise<{ summary: Record<string, unknown>; filters: Record<string, string> }> {
  const summary = await summarize(asOfCutoff(deps, week), instantFilters(week.from, week.to, scope));
  const filters = { 'Tuần': week.weekEnding, ...scopeLabels(scope) };
  await audit(deps.db, { at: deps.now(), actor: actor.username, action: 'inspection.weekly.filtered', dossierCode: null, detail: JSON.stringify(filters) });
  return { summary: summaryJson(summary), filters };
}

/** A narrowed weekly report's file (XLSX or PDF), recorded in the exports table and the audit log. */
export async function weeklyViewFile(deps: InspectionServiceDeps, actor: Actor, week: ReportWeek, scope: WeekScope, format: 'xlsx' | 'pdf'): Promise<WrittenExport> {
  const summary = await summarize(asOfCutoff(deps, week), instantFilters(week.from, week.to, scope));
  const filters = { 'Tuần': `${formatVnInstant(week.from)} – ${formatVnInstant(week.to)}`, ...scopeLabels(scope) };
  const built = await buildPeriodReport(deps, actor, { from: week.from, to: week.to, ...scope, title: weeklyTitle(week), filters, summary: summaryItems(summary) });
  const suffix = [scope.agency, scope.regime].filter((v): v is string => v !== null).join('-');
  const fileName = `bao-cao-tuan-${week.weekEnding}-${suffix}.${format}`;
  const bytes = format === 'xlsx' ? built.xlsx : built.pdf;
  const written: WrittenExport = { format, contentType: '', fileName, rowsSha256: built.rowsSha256, fileSha256: format === 'xlsx' ? built.xlsxSha256 : built.pdfSha256, rowCount: built.rowCount, bytes };
  await recordExport(deps, actor, 'weekly', { 'Tuần': week.weekEnding, ...scopeLabels(scope) }, written);
  return written;
}

export const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
