/**
 * XLSX with exceljs's streaming writer: each row is committed to the ZIP stream as it arrives, so
 * a year of dossiers never sits in memory as cell objects. One worksheet per document sheet
 * (frozen bold header row, column widths, filter buttons, typed cells: xlsx-cells.ts), then the
 * summary sheet "Tổng hợp": the header facts, the filters, the summary items and the integrity
 * block the verifier reads (per sheet: row count, column types, digest; then the rows digest of
 * the whole workbook). The digest is also in the workbook properties (keywords, description).
 */
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { cellTypeLabels } from '../../glossary';
import { canonicalCell, canonicalRows, DIGEST_KEYWORD, RowsDigest } from './digest';
import { formatColumnTypes } from './display';
import { ByteSink, exportFileName, SUMMARY_SHEET_NAME, validateDocument } from './document';
import type { CellType, ExportDocument, ExportSheet, WrittenExport } from './model';
import { toExcelCell } from './xlsx-cells';

/** Labels of the integrity block at the end of the summary sheet (read back by xlsx-read.ts). */
export const XLSX_INTEGRITY = {
  heading: 'Kiểm tra toàn vẹn',
  rowCount: 'Số dòng: ',
  columnTypes: 'Kiểu các cột: ',
  sheetSha256: 'SHA-256 các dòng: ',
  rowsSha256: 'SHA-256 các dòng',
} as const;

const DEFAULT_WIDTH: Record<CellType, number> = { text: 28, integer: 10, instant: 17, date: 12, workingMinutes: 20, percent: 10, boolean: 9 };
const BOLD = { bold: true };

type Workbook = ExcelJS.stream.xlsx.WorkbookWriter;
type Worksheet = ReturnType<Workbook['addWorksheet']>;

interface SheetDigest {
  name: string;
  types: CellType[];
  rowCount: number;
  sha256: string;
}

function addTypedRow(worksheet: Worksheet, types: readonly CellType[], cells: readonly string[]): void {
  const row = worksheet.addRow(cells.map((cell, i) => toExcelCell(types[i]!, cell).value));
  cells.forEach((cell, i) => {
    const numFmt = toExcelCell(types[i]!, cell).numFmt;
    if (numFmt) row.getCell(i + 1).numFmt = numFmt;
  });
  row.commit();
}

async function writeSheet(workbook: Workbook, sheet: ExportSheet, total: RowsDigest): Promise<SheetDigest> {
  const types = sheet.columns.map((column) => column.type);
  const worksheet = workbook.addWorksheet(sheet.name, { views: [{ state: 'frozen', ySplit: 1 }] });
  worksheet.columns = sheet.columns.map((column) => ({ width: column.width ?? Math.max(DEFAULT_WIDTH[column.type], Math.min(column.header.length + 2, 40)) }));
  worksheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: sheet.columns.length } };
  const header = worksheet.addRow(sheet.columns.map((column) => column.header));
  header.font = BOLD;
  header.commit();
  const digest = new RowsDigest();
  for await (const cells of canonicalRows(sheet)) {
    digest.update(sheet.name, cells);
    total.update(sheet.name, cells);
    addTypedRow(worksheet, types, cells);
  }
  worksheet.commit();
  return { name: sheet.name, types, rowCount: digest.rowCount, sha256: digest.hex() };
}

function addHeading(worksheet: Worksheet, text: string): void {
  worksheet.addRow([]).commit();
  const row = worksheet.addRow([text]);
  row.font = BOLD;
  row.commit();
}

function writeSummary(workbook: Workbook, doc: ExportDocument, sheets: readonly SheetDigest[], rowsSha256: string): void {
  const worksheet = workbook.addWorksheet(SUMMARY_SHEET_NAME);
  worksheet.columns = [{ width: 36 }, { width: 70 }];
  const labelled = (label: string, type: CellType, canonical: string): void => addTypedRow(worksheet, ['text', type], [label, canonical]);
  labelled('Danh sách', 'text', doc.title);
  labelled('Đơn vị', 'text', doc.agencyName);
  labelled('Kỳ', 'text', doc.periodText);
  labelled('Người tạo', 'text', doc.generatedBy);
  labelled('Tạo lúc', 'instant', canonicalCell('instant', doc.generatedAt));
  addHeading(worksheet, 'Bộ lọc');
  for (const [label, value] of Object.entries(doc.filters)) labelled(label, 'text', value);
  addHeading(worksheet, 'Số liệu tổng hợp');
  for (const item of doc.summary) labelled(item.label, item.type, canonicalCell(item.type, item.value));
  addHeading(worksheet, XLSX_INTEGRITY.heading);
  for (const sheet of sheets) {
    labelled(XLSX_INTEGRITY.rowCount + sheet.name, 'integer', String(sheet.rowCount));
    labelled(XLSX_INTEGRITY.columnTypes + sheet.name, 'text', formatColumnTypes(sheet.types));
    labelled(XLSX_INTEGRITY.sheetSha256 + sheet.name, 'text', sheet.sha256);
  }
  labelled(XLSX_INTEGRITY.rowsSha256, 'text', rowsSha256);
  const note = `Ngày giờ theo giờ Việt Nam (UTC+7). Kiểu các cột: ${Object.values(cellTypeLabels).join(', ')}.`;
  worksheet.addRow([]).commit();
  worksheet.addRow([note]).commit();
  worksheet.commit();
}

export async function writeXlsx(doc: ExportDocument): Promise<WrittenExport> {
  validateDocument(doc);
  const sink = new ByteSink();
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => sink.write(chunk));
  const finished = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
  const total = new RowsDigest();
  const sheets: SheetDigest[] = [];
  for (const sheet of doc.sheets) sheets.push(await writeSheet(workbook, sheet, total));
  const rowCount = total.rowCount;
  const rowsSha256 = total.hex();
  writeSummary(workbook, doc, sheets, rowsSha256);
  workbook.creator = doc.generatedBy;
  workbook.title = doc.title;
  workbook.subject = `${doc.agencyName} — ${doc.periodText}`;
  workbook.keywords = DIGEST_KEYWORD + rowsSha256;
  workbook.description = `SHA-256 các dòng: ${rowsSha256}`;
  workbook.created = doc.generatedAt;
  workbook.modified = doc.generatedAt;
  await workbook.commit();
  await finished;
  const { bytes, sha256 } = sink.finish();
  return {
    format: 'xlsx',
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    fileName: exportFileName(doc, 'xlsx'),
    rowsSha256,
    fileSha256: sha256,
    rowCount,
    bytes,
  };
}
