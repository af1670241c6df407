/**
 * The inspection documents the export tests write: a dossier list with every cell type (empty cells,
 * Vietnamese letters, text a spreadsheet would take for a formula, commas, quotes, line breaks), a
 * sheet of steps with no rows, a sheet of units streamed asynchronously, and summary items. Rows are
 * arrays (or re-iterable async streams), so one document can be written in every format and its
 * expected rows computed again.
 */
import { canonicalRows, RowsDigest } from '../../../../server/inspection/export/digest';
import type { ExportColumn, ExportDocument, ExportRow, ExportSheet } from '../../../../server/inspection/export';

export const DOSSIER_SHEET = 'Hồ sơ';

export const dossierColumns: readonly ExportColumn[] = [
  { key: 'code', header: 'Mã hồ sơ', type: 'text' },
  { key: 'applicant', header: 'Người yêu cầu', type: 'text' },
  { key: 'copies', header: 'Số bản', type: 'integer' },
  { key: 'receivedAt', header: 'Tiếp nhận lúc', type: 'instant' },
  { key: 'promisedOn', header: 'Ngày hẹn trả', type: 'date' },
  { key: 'lateness', header: 'Trễ (giờ hành chính)', type: 'workingMinutes' },
  { key: 'progress', header: 'Tỷ lệ thời gian đã dùng', type: 'percent' },
  { key: 'online', header: 'Nộp trực tuyến', type: 'boolean' },
];

/** Applicant texts that test quoting, formula neutralising and line breaks, in turn. */
export const TRICKY_TEXTS = [
  'Nguyễn Thị Hoà',
  '=HYPERLINK("http://x.vn","bấm")',
  '+84 912 345 678',
  '-bị hủy',
  '@thanhtra',
  'Trần, Văn "Tư"',
  'hai dòng\nDòng thứ hai, có dấu phẩy',
  "'đã có dấu nháy",
  '-45',
  'Phạm Thị Ỹ — Đắk Lắk',
] as const;

/** Row `i` of the dossier list; every type has an empty cell now and then. */
export function dossierRow(i: number): ExportRow {
  return {
    code: `STP.KHA-261123-${String(i).padStart(4, '0')}`,
    applicant: i % 11 === 10 ? null : TRICKY_TEXTS[i % TRICKY_TEXTS.length]!,
    copies: i % 13 === 12 ? null : (i % 3) - 1,
    receivedAt: i % 17 === 16 ? null : new Date(Date.UTC(2026, 10, 23, 1, 15, i % 60) + i * 60_000),
    promisedOn: i % 19 === 18 ? undefined : `2026-12-${String(1 + (i % 28)).padStart(2, '0')}`,
    lateness: i % 23 === 22 ? null : i * 37 - 500,
    progress: i % 29 === 28 ? null : (i % 300) / 137,
    online: i % 31 === 30 ? null : i % 2 === 0,
  };
}

const unitRows: readonly ExportRow[] = [
  { unit: 'Phòng Hành chính tư pháp', dossiers: 1840 },
  { unit: '=Bộ phận Một cửa', dossiers: 0 },
];

/** An asynchronous stream that can be read more than once, as a database cursor per write. */
const streamed = (rows: readonly ExportRow[]): AsyncIterable<ExportRow> => ({
  async *[Symbol.asyncIterator]() {
    for (const row of rows) yield await Promise.resolve(row);
  },
});

export function inspectionDocument(dossierCount: number): ExportDocument {
  return {
    title: 'Danh sách hồ sơ trễ hạn',
    agencyName: 'Sở Tư pháp tỉnh Khánh Hòa',
    periodText: 'từ 01/11/2026 đến 30/11/2026 (theo ngày tiếp nhận)',
    generatedBy: 'thanhtra (Thanh tra viên Lê Văn Tám)',
    generatedAt: new Date('2026-11-30T10:00:00Z'),
    filters: { 'Đơn vị': 'Phòng Hành chính tư pháp', 'Trạng thái': 'trễ hạn' },
    sheets: [
      {
        name: DOSSIER_SHEET,
        columns: dossierColumns,
        rows: Array.from({ length: dossierCount }, (_, i) => dossierRow(i)),
      },
      {
        name: 'Bước xử lý',
        columns: [
          { key: 'step', header: 'Bước', type: 'text' },
          { key: 'dueAt', header: 'Hạn xử lý', type: 'instant' },
        ],
        rows: [],
      },
      {
        name: 'Đơn vị',
        columns: [
          { key: 'unit', header: 'Đơn vị', type: 'text', width: 40 },
          { key: 'dossiers', header: 'Số hồ sơ', type: 'integer' },
        ],
        rows: streamed(unitRows),
      },
    ],
    summary: [
      { label: 'Tổng số hồ sơ', value: dossierCount, type: 'integer' },
      { label: 'Tỷ lệ đúng hạn', value: 0.835, type: 'percent' },
      { label: 'Trễ trung bình', value: 630, type: 'workingMinutes' },
      { label: 'Ngày chốt số liệu', value: '2026-11-30', type: 'date' },
    ],
  };
}

/** The canonical cells of every row of `sheet`. */
export async function canonicalRowsOf(sheet: ExportSheet): Promise<string[][]> {
  const rows: string[][] = [];
  for await (const cells of canonicalRows(sheet)) rows.push(cells);
  return rows;
}

/** The rows digest of these sheets of the document. */
export async function rowsSha256Of(sheets: readonly ExportSheet[]): Promise<string> {
  const digest = new RowsDigest();
  for (const sheet of sheets) for (const cells of await canonicalRowsOf(sheet)) digest.update(sheet.name, cells);
  return digest.hex();
}
