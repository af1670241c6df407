/**
 * Reads an XLSX written by xlsx.ts back with exceljs: the integrity block of the summary sheet says
 * which sheets hold rows, how many, of which column types; each cell goes back to its canonical
 * string (xlsx-cells.ts) and the digests are recomputed, per sheet (so a finding names the sheet)
 * and for the whole workbook. The file is read whole: exceljs's streaming reader does not give
 * dates back reliably, and a verification is a one-off.
 */
import ExcelJS from 'exceljs';
import { DIGEST_KEYWORD, RowsDigest } from './digest';
import { parseColumnTypes } from './display';
import { SUMMARY_SHEET_NAME } from './document';
import type { CellType } from './model';
import { cellPlace, Findings, isHexDigest, type ReadExport } from './read-back';
import { XLSX_INTEGRITY } from './xlsx';
import { fromExcelValue } from './xlsx-cells';

interface SheetFacts {
  name: string;
  rowCount: number;
  types: CellType[] | null;
  sha256: string | null;
}

interface Integrity {
  sheets: SheetFacts[];
  rowsSha256: string | null;
}

const textOf = (value: ExcelJS.CellValue): string => (value === null || value === undefined ? '' : typeof value === 'object' && !(value instanceof Date) ? ('text' in value ? String(value.text) : '') : String(value));

/** The integrity block: the rows after the last heading "Kiểm tra toàn vẹn". */
function readIntegrity(summary: ExcelJS.Worksheet): Integrity {
  const labelled: [string, string][] = [];
  summary.eachRow((row) => {
    const label = textOf(row.getCell(1).value);
    if (label === XLSX_INTEGRITY.heading) labelled.length = 0;
    else labelled.push([label, textOf(row.getCell(2).value)]);
  });
  const sheets = new Map<string, SheetFacts>();
  const facts = (name: string): SheetFacts => sheets.get(name) ?? sheets.set(name, { name, rowCount: 0, types: null, sha256: null }).get(name)!;
  let rowsSha256: string | null = null;
  for (const [label, value] of labelled) {
    if (label === XLSX_INTEGRITY.rowsSha256) rowsSha256 = value;
    else if (label.startsWith(XLSX_INTEGRITY.rowCount)) facts(label.slice(XLSX_INTEGRITY.rowCount.length)).rowCount = Number(value);
    else if (label.startsWith(XLSX_INTEGRITY.columnTypes)) facts(label.slice(XLSX_INTEGRITY.columnTypes.length)).types = parseColumnTypes(value);
    else if (label.startsWith(XLSX_INTEGRITY.sheetSha256)) facts(label.slice(XLSX_INTEGRITY.sheetSha256.length)).sha256 = value;
  }
  return { sheets: [...sheets.values()], rowsSha256 };
}

/** Hashes the sheet's rows; returns how many rows it read. */
function readSheet(worksheet: ExcelJS.Worksheet, facts: SheetFacts, total: RowsDigest, findings: Findings): number {
  const types = facts.types ?? [];
  const digest = new RowsDigest();
  const lastRow = worksheet.actualRowCount === 0 ? 0 : worksheet.lastRow?.number ?? 0;
  for (let r = 2; r <= Math.max(lastRow, facts.rowCount + 1); r += 1) {
    const row = worksheet.getRow(r);
    const cells = types.map((type, c) => fromExcelValue(type, row.getCell(c + 1).value, cellPlace(facts.name, r - 1, c + 1), findings));
    if (row.cellCount > types.length && row.getCell(types.length + 1).value != null) findings.add(`${cellPlace(facts.name, r - 1, types.length + 1)}: ô ngoài bảng`);
    digest.update(facts.name, cells);
    total.update(facts.name, cells);
  }
  if (facts.sha256 === digest.hex()) return digest.rowCount;
  // Rows whose cells are all empty are not stored, so a sheet may end before its row count; that
  // is only a finding when the rows do not hash to the sheet's digest.
  const shownRows = Math.max(0, lastRow - 1);
  if (shownRows !== facts.rowCount) {
    findings.add(`bảng "${facts.name}" có ${shownRows} dòng, bảng "${SUMMARY_SHEET_NAME}" ghi ${facts.rowCount}`);
  }
  findings.add(`các dòng của bảng "${facts.name}" không khớp mã SHA-256 của bảng đó`);
  return digest.rowCount;
}

export async function readXlsx(bytes: Buffer): Promise<ReadExport> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  const findings = new Findings();
  const summary = workbook.getWorksheet(SUMMARY_SHEET_NAME);
  const integrity = summary ? readIntegrity(summary) : { sheets: [], rowsSha256: null };
  if (!summary) findings.add(`không có bảng "${SUMMARY_SHEET_NAME}"`);
  const total = new RowsDigest();
  let rowCount = 0;
  for (const facts of integrity.sheets) {
    const worksheet = workbook.getWorksheet(facts.name);
    if (!facts.types) findings.add(`bảng "${SUMMARY_SHEET_NAME}" không ghi đúng kiểu các cột của bảng "${facts.name}"`);
    if (!worksheet) findings.add(`không có bảng "${facts.name}"`);
    else rowCount += readSheet(worksheet, facts, total, findings);
  }
  const keywords = workbook.keywords ?? '';
  const embedded = keywords.startsWith(DIGEST_KEYWORD) ? keywords.slice(DIGEST_KEYWORD.length) : null;
  if (embedded !== null && integrity.rowsSha256 !== embedded) {
    findings.add(`mã SHA-256 ở bảng "${SUMMARY_SHEET_NAME}" khác mã trong thuộc tính tệp`);
  }
  return {
    format: 'xlsx',
    rowCount,
    embeddedRowsSha256: embedded !== null && isHexDigest(embedded) ? embedded : null,
    recomputedRowsSha256: total.hex(),
    findings,
  };
}
