/**
 * What an inspection export is, independent of its format: a document of titled sheets, each a
 * list of typed columns and a stream of rows, plus a summary (label, value pairs) and the facts
 * printed in every header (agency, period, who generated it and when).
 *
 * The **rows digest** is the SHA-256 of the document's rows in a canonical text form (every
 * sheet in order, every row as the canonical strings of its cells); each format carries it (CSV
 * footer, XLSX properties and summary sheet, PDF footer and metadata), and the audit log and the
 * exports table record it, so that `npx lltp inspection verify FILE` can tell whether a file's
 * rows are still the ones the system produced.
 */
export const EXPORT_FORMATS = ['csv', 'xlsx', 'pdf'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * - `text`: a string;
 * - `integer`: a whole number (counts);
 * - `instant`: a Date, shown in Việt Nam time (UTC+7);
 * - `date`: a civil date `YYYY-MM-DD` (string);
 * - `workingMinutes`: a duration in working minutes (1 working day = 480), shown as working days
 *   and hours; negative means early;
 * - `percent`: a ratio 0..1;
 * - `boolean`: yes / no (có / không).
 * A `null` or `undefined` cell is empty in every format.
 */
export const CELL_TYPES = ['text', 'integer', 'instant', 'date', 'workingMinutes', 'percent', 'boolean'] as const;
export type CellType = (typeof CELL_TYPES)[number];

export type CellValue = string | number | boolean | Date | null | undefined;

export interface ExportColumn {
  /** Key of the cell in a row. */
  key: string;
  /** Vietnamese column header. */
  header: string;
  type: CellType;
  /** Width in characters (XLSX, and a hint for the PDF); a default per type otherwise. */
  width?: number;
}

export type ExportRow = Readonly<Record<string, CellValue>>;

export interface ExportSheet {
  /** Sheet name (XLSX; ≤ 31 characters) and section title (PDF). */
  name: string;
  columns: readonly ExportColumn[];
  /** Rows are streamed: a year of dossiers is never held in memory by the CSV and XLSX writers. */
  rows: AsyncIterable<ExportRow> | Iterable<ExportRow>;
}

export interface ExportSummaryItem {
  label: string;
  value: CellValue;
  type: CellType;
}

export interface ExportDocument {
  /** e.g. "Danh sách hồ sơ trễ hạn" or "Báo cáo tuần Đề án 06". */
  title: string;
  agencyName: string;
  /** The period as people read it, e.g. "từ 01/11/2026 đến 30/11/2026 (theo ngày tiếp nhận)". */
  periodText: string;
  /** Username (or "system:monitor") and display name of who generated it. */
  generatedBy: string;
  generatedAt: Date;
  /** The filters as label → value, printed in the header and stored with the export. */
  filters: Readonly<Record<string, string>>;
  /** The first sheet is the main list (the only one in CSV). */
  sheets: readonly ExportSheet[];
  summary: readonly ExportSummaryItem[];
}

export interface WrittenExport {
  format: ExportFormat;
  contentType: string;
  /** Suggested file name (ASCII), e.g. `thanh-tra-2026-11-01_2026-11-30.xlsx`. */
  fileName: string;
  /** SHA-256 (hex) of the rows in canonical form. */
  rowsSha256: string;
  /** SHA-256 (hex) of the file's bytes. */
  fileSha256: string;
  /** Rows written, all sheets. */
  rowCount: number;
  bytes: Buffer;
}
