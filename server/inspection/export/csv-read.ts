/**
 * Reads a CSV written by csv.ts back (csv-parse): the header line, the data rows, then the fixed
 * footer taken by position from the end of the file, each field with its formula apostrophe
 * removed. The rows digest is recomputed from the fields as shown.
 */
import { parse } from 'csv-parse/sync';
import { RowsDigest } from './digest';
import { parseColumnTypes } from './display';
import { CSV_FOOTER, restoreFormula, type CsvFooterKey } from './csv';
import { cellPlace, Findings, readShownCell, isHexDigest, type ReadExport } from './read-back';

const FOOTER_KEYS = Object.keys(CSV_FOOTER) as CsvFooterKey[];

function readFooter(records: string[][], findings: Findings): Partial<Record<CsvFooterKey, string>> | null {
  const start = records.length - FOOTER_KEYS.length;
  const separator = records[start - 1];
  if (start < 2 || separator?.length !== 1 || separator[0] !== '') return null;
  const footer: Partial<Record<CsvFooterKey, string>> = {};
  for (const [i, key] of FOOTER_KEYS.entries()) {
    const record = records[start + i] ?? [];
    if (record.length !== 2 || record[0] !== CSV_FOOTER[key]) {
      findings.add(`dòng cuối thứ ${FOOTER_KEYS.length - i} phải là "${CSV_FOOTER[key]}"`);
      continue;
    }
    footer[key] = record[1];
  }
  return footer;
}

export function readCsv(bytes: Buffer): ReadExport {
  const findings = new Findings();
  const parsed: string[][] = parse(bytes, { bom: true, relax_column_count: true, skip_empty_lines: false });
  const records = parsed.map((record) => record.map(restoreFormula));
  const footer = readFooter(records, findings);
  if (footer === null) findings.add('không tìm thấy phần cuối tệp (mã SHA-256 các dòng và các thông tin tạo tệp)');
  const sheet = footer?.sheet ?? '';
  const header = records[0] ?? [];
  const types = parseColumnTypes(footer?.columnTypes ?? '');
  if (footer && !types) findings.add(`dòng "${CSV_FOOTER.columnTypes}" không hợp lệ`);
  if (types && types.length !== header.length) findings.add(`dòng tiêu đề có ${header.length} cột, phần cuối tệp ghi ${types.length} kiểu cột`);

  const dataRows = records.slice(1, footer ? records.length - FOOTER_KEYS.length - 1 : records.length);
  const digest = new RowsDigest();
  for (const [index, record] of dataRows.entries()) {
    if (record.length !== header.length) findings.add(`${cellPlace(sheet, index + 1, 1)}: có ${record.length} ô, cần ${header.length}`);
    const cells = types ? record.map((shown, column) => readShownCell(types[column] ?? 'text', shown, cellPlace(sheet, index + 1, column + 1), findings)) : record;
    digest.update(sheet, cells);
  }
  if (footer?.rowCount !== undefined && footer.rowCount !== String(dataRows.length)) {
    findings.add(`tệp có ${dataRows.length} dòng dữ liệu, phần cuối tệp ghi ${footer.rowCount}`);
  }
  const embedded = footer?.rowsSha256 ?? '';
  const recomputed = digest.hex();
  const embeddedRowsSha256 = isHexDigest(embedded) ? embedded : null;
  if (embeddedRowsSha256 !== null && embeddedRowsSha256 !== recomputed) {
    findings.add(`các dòng của bảng "${sheet}" không khớp mã SHA-256 ghi ở cuối tệp`);
  }
  return { format: 'csv', rowCount: dataRows.length, embeddedRowsSha256, recomputedRowsSha256: recomputed, findings };
}
