/**
 * The 766 index of one unit and period as a file (issue 25, item 3): the inspection exports'
 * writers (server/inspection/export: XLSX and PDF with the rows digest), recorded and audited
 * like an inspection export (kind `scores`), so that `lltp inspection verify` accepts the file.
 *
 * Sheets: the indicators (ratio, points, threshold, source, confidence), the groups, the dossiers
 * that cost points with the reason, and the open dossiers still to be kept ("còn giữ được").
 * Points are shown with two decimals and a decimal comma, as text (the exports have no decimal
 * cell type; the ratios are percentages).
 */
import { writeExport } from '../inspection/export';
import type { ExportDocument, ExportSheet, WrittenExport } from '../inspection/export/model';
import { recordExport, type Actor } from '../inspection/service';
import { formatVnInstant } from '../monitor/format';
import type { Explanation } from './explain';
import { groupLabels } from './regime';
import type { ScoreDeps, ScoreRequest } from './service';

export const SCORE_EXPORT_FORMATS = ['xlsx', 'pdf'] as const;
export type ScoreExportFormat = (typeof SCORE_EXPORT_FORMATS)[number];

export const periodKindLabels: Record<ScoreRequest['period'], string> = { day: 'ngày', week: 'tuần', month: 'tháng', quarter: 'quý', year: 'năm' };

/** `18,18`: points as Vietnamese write them; null stays empty. */
export const pointsText = (points: number | null): string | null => (points === null ? null : (Math.round(points * 100) / 100).toFixed(2).replace('.', ','));

const dmy = (date: string): string => date.split('-').reverse().join('/');

function indicatorSheet(e: Explanation): ExportSheet {
  return {
    name: 'Chỉ số',
    columns: [
      { key: 'group', header: 'Nhóm', type: 'text', width: 26 },
      { key: 'name', header: 'Chỉ số', type: 'text', width: 40 },
      { key: 'status', header: 'Trạng thái', type: 'text', width: 18 },
      { key: 'numerator', header: 'Tử số', type: 'integer' },
      { key: 'denominator', header: 'Mẫu số', type: 'integer' },
      { key: 'ratio', header: 'Tỷ lệ', type: 'percent' },
      { key: 'points', header: 'Điểm', type: 'text', width: 9 },
      { key: 'max', header: 'Tối đa', type: 'text', width: 9 },
      { key: 'threshold', header: 'Ngưỡng đủ điểm', type: 'percent' },
      { key: 'source', header: 'Nguồn', type: 'text', width: 50 },
      { key: 'confidence', header: 'Độ tin cậy', type: 'text', width: 30 },
    ],
    rows: e.score.indicators.map((i) => ({
      group: groupLabels[i.group],
      name: i.name,
      status: i.statusLabel,
      numerator: i.numerator,
      denominator: i.denominator,
      ratio: i.ratio,
      points: pointsText(i.points),
      max: pointsText(i.max),
      threshold: i.threshold,
      source: i.source,
      confidence: i.confidenceLabel,
    })),
  };
}

function groupSheet(e: Explanation): ExportSheet {
  return {
    name: 'Nhóm chỉ số',
    columns: [
      { key: 'group', header: 'Nhóm', type: 'text', width: 30 },
      { key: 'points', header: 'Điểm', type: 'text', width: 9 },
      { key: 'max', header: 'Tối đa (chỉ số đã tính)', type: 'text', width: 12 },
      { key: 'maxInRegime', header: 'Tối đa (bộ chỉ số)', type: 'text', width: 12 },
    ],
    rows: e.score.groups.map((g) => ({ group: g.label, points: pointsText(g.points), max: pointsText(g.max), maxInRegime: pointsText(g.maxInRegime) })),
  };
}

function costingSheet(e: Explanation): ExportSheet {
  const names = new Map(e.score.indicators.map((i) => [i.id, i.name]));
  return {
    name: 'Hồ sơ làm mất điểm',
    columns: [
      { key: 'indicator', header: 'Chỉ số', type: 'text', width: 36 },
      { key: 'code', header: 'Mã hồ sơ', type: 'text', width: 22 },
      { key: 'reason', header: 'Lý do', type: 'text', width: 60 },
      { key: 'points', header: 'Điểm mất', type: 'text', width: 9 },
    ],
    rows: e.costing.map((c) => ({ indicator: names.get(c.indicator) ?? c.indicator, code: c.code, reason: c.reason, points: pointsText(c.points) })),
  };
}

function atRiskSheet(e: Explanation): ExportSheet {
  return {
    name: 'Còn giữ được',
    columns: [
      { key: 'code', header: 'Mã hồ sơ', type: 'text', width: 22 },
      { key: 'dueAt', header: 'Hẹn trả', type: 'instant' },
      { key: 'reason', header: 'Còn lại', type: 'text', width: 50 },
      { key: 'points', header: 'Điểm sẽ mất nếu trễ', type: 'text', width: 12 },
    ],
    rows: e.atRisk.map((r) => ({ code: r.code, dueAt: new Date(r.dueAt), reason: r.reason, points: pointsText(r.points) })),
  };
}

/** The document of one unit's explained index (one builder, shared by the route and the tests). */
export function scoresDocument(e: Explanation, meta: { agencyName: string; actor: Actor; generatedAt: Date; agency?: string }): ExportDocument {
  const periodText = `${periodKindLabels[e.period.kind]} từ ${dmy(e.period.first)} đến ${dmy(e.period.last)}, tính đến ${formatVnInstant(e.judgedAt)}`;
  const filters: Record<string, string> = { 'Kỳ': `${e.period.kind} ${e.period.first}`, 'Đơn vị': e.unit, 'Bộ chỉ số': e.regime.id };
  if (meta.agency) filters['Cơ quan'] = meta.agency;
  return {
    title: 'Chỉ số phục vụ người dân, doanh nghiệp (QĐ 766)',
    agencyName: meta.agencyName,
    periodText,
    generatedBy: `${meta.actor.displayName} (${meta.actor.username})`,
    generatedAt: meta.generatedAt,
    filters,
    sheets: [indicatorSheet(e), groupSheet(e), costingSheet(e), atRiskSheet(e)],
    summary: [
      { label: 'Bộ chỉ số', value: e.regime.title, type: 'text' },
      { label: 'Đơn vị', value: e.unit, type: 'text' },
      { label: 'Tính đến', value: e.judgedAt, type: 'instant' },
      { label: 'Tổng điểm (các chỉ số đã tính)', value: pointsText(e.score.total.points), type: 'text' },
      { label: 'Tối đa (các chỉ số đã tính)', value: pointsText(e.score.total.max), type: 'text' },
      { label: 'Hồ sơ làm mất điểm (lượt)', value: e.costing.length, type: 'integer' },
      { label: 'Hồ sơ còn giữ được', value: e.atRisk.length, type: 'integer' },
    ],
  };
}

/** Writes the file, records it in the exports register and the audit log (`inspection.export.scores`). */
export async function exportScores(
  deps: Pick<ScoreDeps, 'db' | 'now'> & { agencyName: string },
  actor: Actor,
  e: Explanation,
  format: ScoreExportFormat,
  agency?: string,
): Promise<WrittenExport> {
  const doc = scoresDocument(e, { agencyName: deps.agencyName, actor, generatedAt: deps.now(), ...(agency ? { agency } : {}) });
  const written = await writeExport(format, doc);
  await recordExport(deps, actor, 'scores', doc.filters, written);
  return written;
}
