/**
 * CSV: the first sheet only, for tools that read plain tables. UTF-8 with a byte order mark (so
 * Excel reads the Vietnamese letters), RFC 4180 quoting, CRLF line ends, Vietnamese headers, cells
 * in their display form (display.ts).
 *
 * After the rows come one empty line and a footer of fixed length and order (CSV_FOOTER): the
 * sheet, the header facts, the column types, the row count and last the rows digest. The verifier
 * takes the footer from the end of the file by position, so no data row is ever read as footer.
 *
 * Formula injection: a field that begins with `=`, `+`, `-`, `@`, a tab, a carriage return or an
 * apostrophe gets one leading apostrophe, unless it is a plain number (`-45`, `-0,5%`); the reader
 * removes one leading apostrophe, so every field reads back exactly.
 */
import { canonicalCell, canonicalRows, RowsDigest } from './digest';
import { displayCell, formatColumnTypes } from './display';
import { ByteSink, exportFileName, filtersText, validateDocument } from './document';
import type { ExportDocument, WrittenExport } from './model';

export const BOM = '\uFEFF';
const CRLF = '\r\n';

/** Labels of the footer lines, in their order; the digest is always the last line. */
export const CSV_FOOTER = {
  sheet: 'Bảng',
  title: 'Danh sách',
  agency: 'Đơn vị',
  period: 'Kỳ',
  filters: 'Bộ lọc',
  generatedBy: 'Người tạo',
  generatedAt: 'Tạo lúc',
  columnTypes: 'Kiểu các cột',
  rowCount: 'Số dòng',
  rowsSha256: 'SHA-256 các dòng',
} as const;
export type CsvFooterKey = keyof typeof CSV_FOOTER;

const FORMULA_START = /^[=+\-@\t\r']/;
const PLAIN_NUMBER = /^-?\d+(?:,\d+)?%?$/;

export function neutraliseFormula(field: string): string {
  return FORMULA_START.test(field) && !PLAIN_NUMBER.test(field) ? `'${field}` : field;
}

export function restoreFormula(field: string): string {
  return field.startsWith("'") ? field.slice(1) : field;
}

function quote(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

export const csvLine = (fields: readonly string[]): string => fields.map((field) => quote(neutraliseFormula(field))).join(',') + CRLF;

export async function writeCsv(doc: ExportDocument): Promise<WrittenExport> {
  validateDocument(doc);
  const sheet = doc.sheets[0]!;
  const types = sheet.columns.map((column) => column.type);
  const sink = new ByteSink();
  const digest = new RowsDigest();
  sink.writeText(BOM + csvLine(sheet.columns.map((column) => column.header)));
  for await (const cells of canonicalRows(sheet)) {
    digest.update(sheet.name, cells);
    sink.writeText(csvLine(cells.map((cell, i) => displayCell(types[i]!, cell))));
  }
  const rowCount = digest.rowCount;
  const rowsSha256 = digest.hex();
  const footer: Record<CsvFooterKey, string> = {
    sheet: sheet.name,
    title: doc.title,
    agency: doc.agencyName,
    period: doc.periodText,
    filters: filtersText(doc.filters),
    generatedBy: doc.generatedBy,
    generatedAt: displayCell('instant', canonicalCell('instant', doc.generatedAt)),
    columnTypes: formatColumnTypes(types),
    rowCount: String(rowCount),
    rowsSha256,
  };
  sink.writeText(CRLF);
  for (const key of Object.keys(CSV_FOOTER) as CsvFooterKey[]) sink.writeText(csvLine([CSV_FOOTER[key], footer[key]]));
  const { bytes, sha256 } = sink.finish();
  return { format: 'csv', contentType: 'text/csv; charset=utf-8', fileName: exportFileName(doc, 'csv'), rowsSha256, fileSha256: sha256, rowCount, bytes };
}
