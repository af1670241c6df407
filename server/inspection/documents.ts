/**
 * Inspection lists and summaries as export documents (server/inspection/export/model.ts): the
 * dossiers sheet (one row per dossier, with its origin step), the late steps sheet (one row per
 * late step, origin or absorbed, with the officer and the reason), and the summary, with
 * Vietnamese headers and labels.
 */
import { DOSSIER_SOURCES, type DossierSource } from '../readmodel/dossier';
import { countLabels } from './counting';
import type { InspectionDossier } from './engine';
import { verdictLabels } from './engine';
import type { ExportColumn, ExportDocument, ExportRow, ExportSheet, ExportSummaryItem } from './export/model';
import type { InspectionSummary, RegimeSubtotal } from './summary';
import type { UnitHeads } from './unit-heads';

export const channelNames: Record<DossierSource, string> = {
  vneid: 'VNeID',
  nationalPortal: 'Cổng DVC quốc gia',
  provincialPortal: 'Cổng DVC tỉnh',
  inPerson: 'Trực tiếp tại Một cửa',
  post: 'Bưu chính',
};

export const outcomeNames: Record<string, string> = {
  issued: 'đã cấp Phiếu',
  refused: 'từ chối',
  withdrawn: 'công dân rút hồ sơ',
  unsupplemented: 'không bổ sung',
};

export const DOSSIER_COLUMNS: readonly ExportColumn[] = [
  { key: 'code', header: 'Mã hồ sơ', type: 'text', width: 22 },
  { key: 'agencyCode', header: 'Cơ quan', type: 'text', width: 12 },
  { key: 'regime', header: 'Chế độ (phiên bản quy trình quốc gia)', type: 'text', width: 24 },
  { key: 'statutoryWorkingDays', header: 'Số ngày luật định', type: 'integer', width: 10 },
  { key: 'processId', header: 'Quy trình (phiên bản)', type: 'text', width: 24 },
  { key: 'internalProcessId', header: 'Quy trình nội bộ', type: 'text', width: 24 },
  { key: 'channel', header: 'Kênh tiếp nhận', type: 'text', width: 16 },
  { key: 'receivedAt', header: 'Tiếp nhận lúc', type: 'instant', width: 17 },
  { key: 'statutoryDueAt', header: 'Hạn luật định', type: 'instant', width: 17 },
  { key: 'targetDueAt', header: 'Hạn chỉ tiêu QT 570', type: 'instant', width: 17 },
  { key: 'provincialDueAt', header: 'Hạn theo quy trình nội bộ', type: 'instant', width: 17 },
  { key: 'appointmentAt', header: 'Ngày hẹn trả', type: 'instant', width: 17 },
  { key: 'apologyIssuedAt', header: 'Xin lỗi lúc', type: 'instant', width: 17 },
  { key: 'apologyNewReturnDate', header: 'Ngày hẹn mới (xin lỗi)', type: 'date', width: 14 },
  { key: 'finishedAt', header: 'Kết thúc lúc', type: 'instant', width: 17 },
  { key: 'outcome', header: 'Kết quả', type: 'text', width: 16 },
  { key: 'verdict', header: 'Đánh giá', type: 'text', width: 24 },
  { key: 'lateStatutory', header: 'Trễ so với hạn luật định', type: 'workingMinutes', width: 20 },
  { key: 'lateTarget', header: 'Trễ so với chỉ tiêu', type: 'workingMinutes', width: 20 },
  { key: 'lateProvincial', header: 'Trễ so với quy trình nội bộ', type: 'workingMinutes', width: 20 },
  { key: 'lateSteps', header: 'Số bước nội bộ trễ (QĐ 2799)', type: 'integer', width: 12 },
  { key: 'currentStep', header: 'Bước hiện tại', type: 'text', width: 24 },
  { key: 'stops', header: 'Số lần dừng (bổ sung)', type: 'integer', width: 10 },
  { key: 'stoppedMinutes', header: 'Thời gian dừng', type: 'workingMinutes', width: 16 },
  { key: 'originStep', header: 'Bước gây trễ', type: 'text', width: 26 },
  { key: 'originUnit', header: 'Đơn vị gây trễ', type: 'text', width: 24 },
  { key: 'originReason', header: 'Lý do chậm', type: 'text', width: 40 },
];

export const STEP_COLUMNS: readonly ExportColumn[] = [
  { key: 'code', header: 'Mã hồ sơ', type: 'text', width: 22 },
  { key: 'step', header: 'Bước', type: 'text', width: 30 },
  { key: 'unit', header: 'Đơn vị', type: 'text', width: 26 },
  { key: 'role', header: 'Vai trò', type: 'text', width: 16 },
  { key: 'heldBy', header: 'Cán bộ nhận việc', type: 'text', width: 16 },
  { key: 'completedBy', header: 'Người hoàn thành', type: 'text', width: 16 },
  { key: 'startedAt', header: 'Bắt đầu', type: 'instant', width: 17 },
  { key: 'allotment', header: 'Thời gian giao', type: 'workingMinutes', width: 16 },
  { key: 'dueAt', header: 'Hạn bước', type: 'instant', width: 17 },
  { key: 'finishedAt', header: 'Hoàn thành', type: 'instant', width: 17 },
  { key: 'late', header: 'Trễ', type: 'workingMinutes', width: 16 },
  { key: 'origin', header: 'Gốc gây trễ', type: 'boolean', width: 10 },
  { key: 'reason', header: 'Lý do', type: 'text', width: 40 },
];

export function dossierRow(d: InspectionDossier): ExportRow {
  const origin = d.lateSteps.find((s) => s.origin);
  return {
    code: d.code,
    agencyCode: d.agencyCode,
    regime: d.regime,
    statutoryWorkingDays: d.statutoryWorkingDays,
    processId: d.processId,
    internalProcessId: d.internalProcessId,
    channel: channelNames[d.channel],
    receivedAt: d.receivedAt,
    statutoryDueAt: d.statutoryDueAt,
    targetDueAt: d.targetDueAt,
    provincialDueAt: d.provincialDueAt,
    appointmentAt: d.appointmentAt,
    apologyIssuedAt: d.apologyIssuedAt,
    apologyNewReturnDate: d.apologyNewReturnDate,
    finishedAt: d.finishedAt,
    outcome: d.outcome ? (outcomeNames[d.outcome] ?? d.outcome) : null,
    verdict: verdictLabels[d.verdict],
    lateStatutory: d.lateMinutes.statutory,
    lateTarget: d.lateMinutes.target,
    lateProvincial: d.lateMinutes.provincial,
    lateSteps: d.lateAgainst.steps,
    currentStep: d.currentStep?.name ?? null,
    stops: d.stops.count,
    stoppedMinutes: d.stops.stoppedMinutes,
    originStep: origin?.name ?? null,
    originUnit: origin ? (origin.unitName ?? origin.unitId) : null,
    originReason: origin?.reason ?? null,
  };
}

/** The monthly report's step sheet: the weekly one's, and who answers for the unit when the step fell late. */
export const STEP_COLUMNS_WITH_HEAD: readonly ExportColumn[] = [
  ...STEP_COLUMNS,
  { key: 'head', header: 'Người chịu trách nhiệm (từ trưởng phòng trở lên)', type: 'text', width: 36 },
];

/** Who answers for the step's unit on the day it fell due (./unit-heads.ts); a unit the file does not name says so. */
export const headOfStep = (heads: UnitHeads, step: InspectionDossier['lateSteps'][number]): string =>
  heads.at(step.unitId, step.dueAt) ?? `chưa khai báo người chịu trách nhiệm của đơn vị ${step.unitId}`;

export function stepRows(d: InspectionDossier, heads?: UnitHeads): ExportRow[] {
  return d.lateSteps.map((s) => ({
    ...(heads ? { head: headOfStep(heads, s) } : {}),
    code: d.code,
    step: s.name,
    unit: s.unitName ?? s.unitId,
    role: s.role,
    heldBy: s.heldBy,
    completedBy: s.completedBy,
    startedAt: s.startedAt,
    allotment: s.allotmentMinutes,
    dueAt: s.dueAt,
    finishedAt: s.finishedAt,
    late: s.lateMinutes,
    origin: s.origin,
    reason: s.reason,
  }));
}

export function summaryItems(s: InspectionSummary): ExportSummaryItem[] {
  const items: ExportSummaryItem[] = [
    { label: 'Hồ sơ tiếp nhận trong kỳ (mọi kênh)', value: s.received, type: 'integer' },
    ...DOSSIER_SOURCES.map((c): ExportSummaryItem => ({ label: `  tiếp nhận qua ${channelNames[c]}`, value: s.receivedByChannel[c], type: 'integer' })),
    { label: `${countLabels.vneidShareReceived}, mục tiêu trên 80%`, value: s.vneidShareReceived, type: 'percent' },
    { label: 'Hồ sơ đã giải quyết trong kỳ (cấp Phiếu hoặc từ chối)', value: s.resolved, type: 'integer' },
    { label: `${countLabels.vneidShareResolved}, mục tiêu trên 80%`, value: s.vneidShareResolved, type: 'percent' },
    { label: countLabels.issued, value: s.issued, type: 'integer' },
    { label: '  đúng hạn', value: s.onTime, type: 'integer' },
    { label: '  trễ hạn', value: s.late, type: 'integer' },
    { label: '  trễ hạn, có văn bản xin lỗi', value: s.lateWithApology, type: 'integer' },
    { label: `${countLabels.onTimeRate}, mục tiêu 100%`, value: s.onTimeRate, type: 'percent' },
    { label: countLabels.refused, value: s.refused, type: 'integer' },
    { label: countLabels.withdrawn, value: s.withdrawn, type: 'integer' },
    { label: countLabels.unsupplemented, value: s.closedOther, type: 'integer' },
    { label: 'Đạt chỉ tiêu Quy trình 570 (Phiếu đã cấp)', value: s.onTarget, type: 'integer' },
    { label: `Phiếu đã cấp: ${countLabels.lateStatutory.toLowerCase()}`, value: s.lateAgainst.statutory, type: 'integer' },
    { label: `Phiếu đã cấp: ${countLabels.lateTarget.toLowerCase()}`, value: s.lateAgainst.target, type: 'integer' },
    { label: `Phiếu đã cấp: ${countLabels.lateStep.toLowerCase()}`, value: s.lateAgainst.step, type: 'integer' },
    { label: `Phiếu đã cấp: ${countLabels.lateTargetOrStepOnly.toLowerCase()}`, value: s.lateAgainst.targetOrStepOnly, type: 'integer' },
    { label: 'Đang giải quyết, quá hạn luật định', value: s.openOverdue, type: 'integer' },
    { label: 'Đang giải quyết, quá chỉ tiêu Quy trình 570', value: s.openLateAgainst.target, type: 'integer' },
    { label: 'Đang giải quyết, có bước nội bộ quá thời gian giao', value: s.openLateAgainst.step, type: 'integer' },
  ];
  if (s.byRegime.length > 1) items.push(...regimeItems(s.byRegime));
  for (const o of s.originSteps) items.push({ label: `Trễ bắt nguồn ở bước: ${o.name}`, value: o.count, type: 'integer' });
  for (const o of s.originUnits) items.push({ label: `Trễ bắt nguồn ở đơn vị: ${o.name}`, value: o.count, type: 'integer' });
  for (const st of s.steps) {
    items.push({ label: `Thời gian bước ${st.name}: trung bình`, value: st.averageMinutes, type: 'workingMinutes' });
    items.push({ label: `Thời gian bước ${st.name}: 90% hồ sơ trong`, value: st.p90Minutes, type: 'workingMinutes' });
  }
  return items;
}

/** What a regime's sub-total is called: its version id and its statutory days. */
export const regimeTitle = (r: RegimeSubtotal): string =>
  r.regime === null ? 'Không xác định chế độ' : `Chế độ ${r.regime}${r.statutoryWorkingDays === null ? '' : ` (hạn luật định ${r.statutoryWorkingDays} ngày làm việc)`}`;

/** Per-regime lines of a period that holds more than one regime, each dossier judged by its own version. */
export function regimeItems(regimes: readonly RegimeSubtotal[]): ExportSummaryItem[] {
  return regimes.flatMap((r): ExportSummaryItem[] => [
    { label: `${regimeTitle(r)}: hồ sơ tiếp nhận`, value: r.received, type: 'integer' },
    { label: `${regimeTitle(r)}: đã giải quyết`, value: r.resolved, type: 'integer' },
    { label: `${regimeTitle(r)}: đã cấp Phiếu`, value: r.issued, type: 'integer' },
    { label: `${regimeTitle(r)}: đúng hạn`, value: r.onTime, type: 'integer' },
    { label: `${regimeTitle(r)}: trễ hạn`, value: r.late, type: 'integer' },
    { label: `${regimeTitle(r)}: trễ hạn, có văn bản xin lỗi`, value: r.lateWithApology, type: 'integer' },
    { label: `${regimeTitle(r)}: tỷ lệ đúng hạn`, value: r.onTimeRate, type: 'percent' },
    { label: `${regimeTitle(r)}: đang giải quyết, quá hạn luật định`, value: r.openOverdue, type: 'integer' },
  ]);
}

/** The regimes side by side: one row per figure, one column per regime. */
export function regimeSheet(regimes: readonly RegimeSubtotal[]): ExportSheet {
  const figures: { key: keyof RegimeSubtotal; label: string }[] = [
    { key: 'statutoryWorkingDays', label: 'Hạn luật định (ngày làm việc)' },
    { key: 'received', label: 'Hồ sơ tiếp nhận' },
    { key: 'resolved', label: 'Đã giải quyết (cấp Phiếu hoặc từ chối)' },
    { key: 'issued', label: countLabels.issued },
    { key: 'onTime', label: 'Đúng hạn' },
    { key: 'late', label: 'Trễ hạn' },
    { key: 'lateWithApology', label: 'Trễ hạn, có văn bản xin lỗi' },
    { key: 'refused', label: countLabels.refused },
    { key: 'withdrawn', label: countLabels.withdrawn },
    { key: 'openOverdue', label: 'Đang giải quyết, quá hạn luật định' },
  ];
  return {
    name: 'Theo chế độ',
    columns: [{ key: 'figure', header: 'Số liệu', type: 'text', width: 36 }, ...regimes.map((r, i): ExportColumn => ({ key: `r${i}`, header: r.regime ?? 'Không xác định', type: 'integer', width: 24 }))],
    rows: figures.map((f) => ({ figure: f.label, ...Object.fromEntries(regimes.map((r, i) => [`r${i}`, r[f.key] as number | null])) })),
  };
}

/**
 * The dossiers and their late steps as two sheets from one pass over the stream (steps are kept;
 * dossiers stream). With `heads` (the monthly report), each late step names who answers for it.
 */
export function listSheets(dossiers: AsyncIterable<InspectionDossier>, heads?: UnitHeads): { dossiers: ExportSheet; steps: ExportSheet } {
  const steps: ExportRow[] = [];
  async function* rows(): AsyncGenerator<ExportRow> {
    for await (const d of dossiers) {
      steps.push(...stepRows(d, heads));
      yield dossierRow(d);
    }
  }
  return {
    dossiers: { name: 'Hồ sơ', columns: DOSSIER_COLUMNS, rows: rows() },
    steps: { name: 'Bước trễ', columns: heads ? STEP_COLUMNS_WITH_HEAD : STEP_COLUMNS, rows: steps },
  };
}

export type InspectionDocumentBase = Omit<ExportDocument, 'sheets' | 'summary'>;

/** The summary's tables as sheets (a summary export has no dossier list): time per step, where lateness originates. */
export function summarySheets(s: InspectionSummary): ExportSheet[] {
  return [
    ...(s.byRegime.length > 1 ? [regimeSheet(s.byRegime)] : []),
    {
      name: 'Thời gian từng bước',
      columns: [
        { key: 'step', header: 'Bước', type: 'text', width: 34 },
        { key: 'count', header: 'Số lượt', type: 'integer', width: 10 },
        { key: 'average', header: 'Trung bình', type: 'workingMinutes', width: 18 },
        { key: 'p90', header: '90% số lượt trong', type: 'workingMinutes', width: 18 },
      ],
      rows: s.steps.map((st) => ({ step: st.name, count: st.count, average: st.averageMinutes, p90: st.p90Minutes })),
    },
    {
      name: 'Nguồn gốc trễ',
      columns: [
        { key: 'kind', header: 'Loại', type: 'text', width: 12 },
        { key: 'name', header: 'Bước hoặc đơn vị', type: 'text', width: 40 },
        { key: 'count', header: 'Số hồ sơ trễ bắt nguồn', type: 'integer', width: 14 },
      ],
      rows: [...s.originSteps.map((o) => ({ kind: 'Bước', name: o.name, count: o.count })), ...s.originUnits.map((o) => ({ kind: 'Đơn vị', name: o.name, count: o.count }))],
    },
  ];
}
