/**
 * The what-if as an XLSX file (issue 27, item 3), with the inspection exports' writer
 * (server/inspection/export: typed columns, the rows digest in its properties): the comparison
 * (current, draft, difference), the steps, and the heat map (step × week of late-count deltas).
 * Figures only: no dossier code, no person.
 */
import { writeExport } from '../inspection/export';
import type { ExportDocument, ExportSheet, WrittenExport } from '../inspection/export/model';
import type { Actor } from '../inspection/service';
import type { AlertCounts, SideResult } from './whatif';
import type { WhatIfReport } from './whatif-service';

const dmy = (date: string): string => date.split('-').reverse().join('/');

/** Alert kinds as the page and the file name them. */
export function alertLabel(kind: string): string {
  if (kind === 'dueSoon') return 'sắp đến hạn';
  if (kind === 'overdue') return 'quá hạn';
  const level = /^escalation(\d+)$/.exec(kind)?.[1];
  return level ? `báo cáo cấp ${level}` : kind;
}

/** The comparison's rows: label, current, draft, difference (one builder for the page's table, the file and the CLI). */
export function comparisonRows(r: Pick<WhatIfReport, 'current' | 'draft' | 'difference'>): { label: string; current: number | null; draft: number | null; difference: number | null }[] {
  const row = (label: string, pick: (s: SideResult) => number | null) => ({ label, current: pick(r.current), draft: pick(r.draft), difference: pick(r.difference) });
  const kinds = (of: (s: SideResult) => AlertCounts) => [...new Set([...Object.keys(of(r.current)), ...Object.keys(of(r.draft))])].sort();
  const points = (s: SideResult) => (s.score766.points === null ? null : Math.round(s.score766.points * 100) / 100);
  return [
    row('Hồ sơ trễ hạn (theo thời hạn luật định)', (s) => s.lateDossiers),
    row('Hồ sơ có bước trễ hạn', (s) => s.dossiersWithLateStep),
    row('Bước trễ hạn', (s) => s.lateSteps),
    ...kinds((s) => s.alerts.steps).map((k) => row(`Cảnh báo bước: ${alertLabel(k)}`, (s) => s.alerts.steps[k] ?? 0)),
    ...kinds((s) => s.alerts.dossiers).map((k) => row(`Cảnh báo hồ sơ: ${alertLabel(k)}`, (s) => s.alerts.dossiers[k] ?? 0)),
    row('Tổng số cảnh báo', (s) => s.alerts.total),
    row('Phiếu xin lỗi phải gửi', (s) => s.apologyLetters),
    row('QĐ 766: hồ sơ đúng hạn', (s) => s.score766.onTime),
    row('QĐ 766: điểm tiến độ', points),
  ];
}

function comparisonSheet(r: WhatIfReport): ExportSheet {
  return {
    name: 'So sánh',
    columns: [
      { key: 'label', header: 'Chỉ tiêu', type: 'text', width: 44 },
      { key: 'current', header: 'Mô hình hiện hành', type: 'text', width: 18 },
      { key: 'draft', header: 'Mô hình nháp', type: 'text', width: 16 },
      { key: 'difference', header: 'Chênh lệch', type: 'text', width: 12 },
    ],
    // as text: points have decimals, and the exports have no decimal cell type
    rows: comparisonRows(r).map((x) => ({ label: x.label, current: numberText(x.current), draft: numberText(x.draft), difference: numberText(x.difference, true) })),
  };
}

export const numberText = (n: number | null, signed = false): string | null =>
  n === null ? null : `${signed && n > 0 ? '+' : ''}${Number.isInteger(n) ? n : n.toFixed(2).replace('.', ',')}`;

function stepSheet(r: WhatIfReport): ExportSheet {
  return {
    name: 'Theo bước',
    columns: [
      { key: 'elementId', header: 'Mã bước', type: 'text', width: 22 },
      { key: 'name', header: 'Tên bước', type: 'text', width: 40 },
      { key: 'steps', header: 'Số lượt', type: 'integer' },
      { key: 'currentAllotments', header: 'Thời gian hiện hành', type: 'text', width: 14 },
      { key: 'currentLate', header: 'Trễ (hiện hành)', type: 'integer' },
      { key: 'draftAllotments', header: 'Thời gian nháp', type: 'text', width: 14 },
      { key: 'draftLate', header: 'Trễ (nháp)', type: 'integer' },
      { key: 'delta', header: 'Chênh lệch', type: 'integer' },
    ],
    rows: r.byStep.map((s) => ({
      elementId: s.elementId,
      name: s.name,
      steps: s.steps,
      currentAllotments: s.current.allotments,
      currentLate: s.current.late,
      draftAllotments: s.draft.allotments,
      draftLate: s.draft.late,
      delta: s.delta,
    })),
  };
}

function heatSheet(r: WhatIfReport): ExportSheet {
  return {
    name: 'Bản đồ nhiệt',
    columns: [
      { key: 'elementId', header: 'Bước \\ tuần từ thứ Hai', type: 'text', width: 24 },
      ...r.heatMap.weeks.map((w) => ({ key: w, header: dmy(w), type: 'integer' as const })),
    ],
    rows: r.heatMap.rows.map((row) => ({ elementId: row.elementId, ...Object.fromEntries(r.heatMap.weeks.map((w, i) => [w, row.cells[i] ?? 0])) })),
  };
}

export function whatIfDocument(r: WhatIfReport, meta: { agencyName: string; actor: Actor; generatedAt: Date }): ExportDocument {
  return {
    title: 'Thử nghiệm mô hình nháp',
    agencyName: meta.agencyName,
    periodText: `hồ sơ tiếp nhận từ ${dmy(r.period.from)} đến ${dmy(r.period.to)}`,
    generatedBy: `${meta.actor.displayName} (${meta.actor.username})`,
    generatedAt: meta.generatedAt,
    filters: { 'Quy trình': r.model.procedure, 'Mô hình nháp (SHA-256)': r.model.sha256, 'Thay cho': r.replaces.join(', ') },
    sheets: [comparisonSheet(r), stepSheet(r), heatSheet(r)],
    summary: [
      { label: 'Hồ sơ được tính lại', value: r.dossiers, type: 'integer' },
      { label: 'Lượt bước được tính lại', value: r.steps, type: 'integer' },
      { label: 'Bước có hạn tính lại khác hạn đã ghi', value: r.consistency.dueAtDiffers, type: 'integer' },
      { label: 'Hồ sơ có hạn luật định tính lại khác hạn đã ghi', value: r.consistency.statutoryDueAtDiffers, type: 'integer' },
      { label: 'Bước không có trong mô hình nháp', value: r.unknownInDraft, type: 'integer' },
    ],
  };
}

export function exportWhatIf(r: WhatIfReport, meta: { agencyName: string; actor: Actor; generatedAt: Date }): Promise<WrittenExport> {
  return writeExport('xlsx', whatIfDocument(r, meta));
}
