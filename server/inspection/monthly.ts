/**
 * The monthly Đề án 06 report (issue 25, item 4): the weekly report's figures for a report month
 * (./month.ts) of one agency, the month's 766 progress score as /chi-so computes it
 * (server/scores), and each late task with its unit, its officer and who answered for the unit
 * when it fell late (./unit-heads.ts). Everything is read as of the month's cut-off, so that the
 * report rebuilt later is the archived one (same rows and content digests). Archived like the
 * weekly report: the same month asked again is the archived file; regenerating adds a revision.
 */
import type { Selectable } from 'kysely';
import { audit } from '../audit';
import { toJson, type MonthlyReportsTable } from '../db/tables';
import { formatVnInstant } from '../monitor/format';
import { scopeScore, sumCounts, type GroupScore, type IndicatorScore } from '../scores/points';
import { scoreCounts } from '../scores/queries';
import { regimeOn, type ScoreRegime } from '../scores/regime';
import { localDateOf, dayNumberOf } from '../calendar/civil-time';
import { summaryItems } from './documents';
import type { ExportSummaryItem } from './export/model';
import { instantFilters } from './filters';
import { monthLabel, type ReportMonth } from './month';
import { asOfCutoff, buildPeriodReport, recordReportFiles, summaryJson, type Actor, type InspectionServiceDeps } from './service';
import { summarize } from './summary';
import type { UnitHeads } from './unit-heads';

export interface MonthlyReportDeps {
  service: InspectionServiceDeps;
  /** The agency the report is for (AGENCY_CODE): the key of its archive. */
  agencyCode: string;
  /**
   * The codes of AGENCY_CODE's lineage (ProcessCatalog.lineage): the dossiers the report counts.
   * A month of 2026 is the police's (CA.KHA), and a dossier handed over keeps its month.
   */
  lineage: readonly string[];
  /** The 766 index's versions (server/scores/regimes.json). */
  regimes: readonly ScoreRegime[];
  heads: UnitHeads;
}

export type ArchivedMonth = Selectable<MonthlyReportsTable>;

/** The month's 766 progress group for the agency, judged at the cut-off: /chi-so's computation. */
export interface ProgressScore {
  regime: string;
  /** Dossiers counted (received in the month or open at its start) and on time among them. */
  counted: number;
  onTime: number;
  ratio: number | null;
  /** null: no dossier to count. */
  points: number | null;
  max: number;
}

export async function progressScore(deps: MonthlyReportDeps, month: ReportMonth): Promise<ProgressScore> {
  const first = localDateOf(dayNumberOf(month.from.getTime()));
  const regime = regimeOn(deps.regimes, first);
  if (!regime) throw new Error(`no 766 index version in force on ${first} (server/scores/regimes.json)`);
  const counts = await scoreCounts(deps.service.db, { from: month.from, to: month.to, agency: deps.lineage }, regime.syncOnTimeMinutes);
  // one total per agency of the lineage that had dossiers (the Sở's and the police's): added up
  const totals = counts.filter((c) => c.unitId === null);
  const total = totals.length ? { counts: sumCounts(totals.map((c) => c.counts)) } : undefined;
  const score = total ? scopeScore(regime, total.counts) : null;
  const group: GroupScore | undefined = score?.groups.find((g) => g.group === 'progress');
  const indicator: IndicatorScore | undefined = score?.indicators.find((i) => i.id === 'progress.onTime');
  const maxInRegime = regime.indicators.filter((i) => i.group === 'progress').reduce((s, i) => s + i.max, 0);
  return {
    regime: regime.id,
    counted: total?.counts.progress ?? 0,
    onTime: total?.counts.onTime ?? 0,
    ratio: indicator?.ratio ?? null,
    points: group && group.max > 0 ? group.points : null,
    max: group?.maxInRegime ?? maxInRegime,
  };
}

/** `14,50 / 20`, points to hundredths as /chi-so shows them. */
export const pointsText = (p: ProgressScore): string => (p.points === null ? `không có hồ sơ / ${String(p.max)}` : `${p.points.toFixed(2).replace('.', ',')} / ${String(p.max)}`);

export function progressItems(p: ProgressScore): ExportSummaryItem[] {
  return [
    { label: 'Chỉ số 766, nhóm Tiến độ, kết quả giải quyết: điểm', value: pointsText(p), type: 'text' },
    { label: 'Chỉ số 766: hồ sơ được tính (tiếp nhận trong tháng hoặc còn giải quyết đầu tháng)', value: p.counted, type: 'integer' },
    { label: 'Chỉ số 766: hồ sơ xử lý trước hạn, đúng hạn', value: p.onTime, type: 'integer' },
    { label: 'Chỉ số 766: tỷ lệ trước hạn, đúng hạn', value: p.ratio, type: 'percent' },
  ];
}

const monthSpec = (month: ReportMonth) => ({ 'Tháng': `${monthLabel(month.month)} (${formatVnInstant(month.from)} – ${formatVnInstant(month.to)})` });

async function buildMonth(deps: MonthlyReportDeps, actor: Actor, month: ReportMonth) {
  const [summary, progress] = await Promise.all([
    summarize(asOfCutoff(deps.service, month), instantFilters(month.from, month.to, { agencies: deps.lineage })),
    progressScore(deps, month),
  ]);
  const built = await buildPeriodReport(deps.service, actor, {
    from: month.from,
    to: month.to,
    agency: deps.lineage,
    title: `Báo cáo tháng Đề án 06: cấp Phiếu lý lịch tư pháp (tháng ${monthLabel(month.month)})`,
    filters: monthSpec(month),
    summary: [...summaryItems(summary), ...progressItems(progress)],
    heads: deps.heads,
  });
  return { ...built, summary: { ...summaryJson(summary), progress766: progress } };
}

export async function latestArchivedMonth(deps: Pick<MonthlyReportDeps, 'service' | 'agencyCode'>, month: string): Promise<ArchivedMonth | undefined> {
  return deps.service.db
    .selectFrom('monthlyReports')
    .selectAll()
    .where('agencyCode', '=', deps.agencyCode)
    .where('month', '=', month)
    .orderBy('revision', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * The month's report as archived; built and archived on first ask. `regenerate` builds a new
 * revision, audited as `inspection.monthly.regenerate`. Two replicas building the first revision
 * at once: the second insert finds the first's and returns it.
 */
export async function monthlyReport(deps: MonthlyReportDeps, actor: Actor, month: ReportMonth, options: { regenerate?: boolean } = {}): Promise<ArchivedMonth> {
  const existing = await latestArchivedMonth(deps, month.month);
  if (existing && !options.regenerate) return existing;
  const { rowCount, ...built } = await buildMonth(deps, actor, month);
  const revision = (existing?.revision ?? 0) + 1;
  const inserted = await deps.service.db
    .insertInto('monthlyReports')
    .values({ ...built, agencyCode: deps.agencyCode, month: month.month, revision, summary: toJson(built.summary) })
    .onConflict((oc) => oc.columns(['agencyCode', 'month', 'revision']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!inserted) return (await latestArchivedMonth(deps, month.month)) as ArchivedMonth;
  if (options.regenerate) {
    const detail = `tháng ${month.month} (${deps.agencyCode}): lần lập ${revision}${existing ? ` (thay lần ${existing.revision})` : ''}, SHA-256 nội dung ${built.contentSha256}`;
    await audit(deps.service.db, { at: deps.service.now(), actor: actor.username, action: 'inspection.monthly.regenerate', dossierCode: null, detail });
  }
  const filters = { 'Tháng': month.month, 'Cơ quan': deps.agencyCode, 'Lần lập': String(revision) };
  await recordReportFiles(deps.service, actor, 'monthly', filters, { ...built, rowCount }, (format) => monthlyFileName(month.month, revision, format));
  return inserted;
}

export function monthlyFileName(month: string, revision: number, format: 'xlsx' | 'pdf'): string {
  return `bao-cao-thang-${month}${revision > 1 ? `-lan-${revision}` : ''}.${format}`;
}
