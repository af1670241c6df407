/**
 * XLSX: a workbook people can work in (frozen header, real dates and numbers, the summary sheet),
 * every cell read back to its canonical form, and an edit made in a spreadsheet program caught
 * with the sheet it was made in.
 */
import ExcelJS from 'exceljs';
import {
  verifyExport,
  writeExport,
  type ExportDocument,
  type WrittenExport,
} from '../../../../server/inspection/export';
import { Findings } from '../../../../server/inspection/export/read-back';
import { fromExcelValue } from '../../../../server/inspection/export/xlsx-cells';
import { canonicalRowsOf, dossierColumns, DOSSIER_SHEET, inspectionDocument, rowsSha256Of } from './documents';

const DOSSIERS = 300;
const doc = inspectionDocument(DOSSIERS);
let written: WrittenExport;
let workbook: ExcelJS.Workbook;

async function load(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(bytes as unknown as ArrayBuffer);
  return book;
}

async function resave(book: ExcelJS.Workbook): Promise<Buffer> {
  return Buffer.from(await book.xlsx.writeBuffer());
}

const dossiers = (): ExcelJS.Worksheet => workbook.getWorksheet(DOSSIER_SHEET)!;

beforeAll(async () => {
  written = await writeExport('xlsx', doc);
  workbook = await load(written.bytes);
});

test('holds the document sheets in order, then the summary sheet', () => {
  expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['Hồ sơ', 'Bước xử lý', 'Đơn vị', 'Tổng hợp']);
  expect(workbook.getWorksheet('Bước xử lý')!.actualRowCount).toBe(1);
});

test('freezes the bold header row of every sheet of rows', () => {
  for (const name of ['Hồ sơ', 'Bước xử lý', 'Đơn vị']) {
    const sheet = workbook.getWorksheet(name)!;
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.getRow(1).getCell(1).font).toMatchObject({ bold: true });
  }
  expect(dossiers().getRow(1).values).toEqual([undefined, ...dossierColumns.map((column) => column.header)]);
});

test('stores instants and dates as real Excel dates, counts and ratios as numbers', () => {
  // Row 2 is dossier 0: received 23/11/2026 08:15 Việt Nam time, promised for 01/12/2026.
  const [code, applicant, copies, receivedAt, promisedOn, lateness, progress, online] = dossierColumns.map((_, i) =>
    dossiers().getRow(2).getCell(i + 1),
  );
  expect(receivedAt!.type).toBe(ExcelJS.ValueType.Date);
  expect(receivedAt!.value).toEqual(new Date('2026-11-23T08:15:00Z'));
  expect(receivedAt!.numFmt).toBe('dd/mm/yyyy hh:mm');
  expect(promisedOn!.type).toBe(ExcelJS.ValueType.Date);
  expect(promisedOn!.value).toEqual(new Date('2026-12-01T00:00:00Z'));
  expect(promisedOn!.numFmt).toBe('dd/mm/yyyy');
  expect([copies!.value, progress!.value, progress!.numFmt]).toEqual([-1, 0, '0%']);
  expect([code!.value, applicant!.value, lateness!.value, online!.value]).toEqual([
    'STP.KHA-261123-0000',
    'Nguyễn Thị Hoà',
    '-1 ngày 20 phút',
    'có',
  ]);
});

test('reads every cell back to its canonical form', async () => {
  const findings = new Findings();
  const read = Array.from({ length: DOSSIERS }, (_, r) => {
    const row = dossiers().getRow(r + 2);
    return dossierColumns.map((column, c) => fromExcelValue(column.type, row.getCell(c + 1).value, '', findings));
  });
  expect(findings.list()).toEqual([]);
  expect(read).toEqual(await canonicalRowsOf(doc.sheets[0]!));
});

test('the summary sheet has the summary items and the rows digest, which the properties carry too', async () => {
  const summary = new Map<string, ExcelJS.CellValue>();
  workbook.getWorksheet('Tổng hợp')!.eachRow((row) => summary.set(row.getCell(1).text, row.getCell(2).value));
  const rowsSha256 = await rowsSha256Of(doc.sheets);
  expect(summary.get('Tổng số hồ sơ')).toBe(DOSSIERS);
  expect(summary.get('Tỷ lệ đúng hạn')).toBe(0.835);
  expect(summary.get('Ngày chốt số liệu')).toEqual(new Date('2026-11-30T00:00:00Z'));
  expect(summary.get('SHA-256 các dòng')).toBe(rowsSha256);
  expect(workbook.keywords).toBe(`lltp-rows-sha256:${rowsSha256}`);
});

test('a cell edited in a spreadsheet program and saved: not unchanged, the message names the sheet', async () => {
  const book = await load(written.bytes);
  book.getWorksheet(DOSSIER_SHEET)!.getCell('B7').value = 'Trần, Văn "Tứ"';
  const result = await verifyExport(await resave(book));
  expect(result.unchanged).toBe(false);
  expect(result.message).toBe(
    'Tệp XLSX đã bị thay đổi: các dòng của bảng "Hồ sơ" không khớp mã SHA-256 của bảng đó (và 1 điểm khác).',
  );
});

test('a date typed as text where a date was: the message names the cell', async () => {
  const book = await load(written.bytes);
  book.getWorksheet(DOSSIER_SHEET)!.getCell('E3').value = '31/02/2026';
  const result = await verifyExport(await resave(book));
  expect(result.unchanged).toBe(false);
  expect(result.findings[0]).toBe('bảng "Hồ sơ", dòng 2, cột 5: không đọc được ô kiểu "ngày": "31/02/2026"');
});

test('saved again without edits: the rows are the ones exported, the bytes are not', async () => {
  const resaved = await resave(await load(written.bytes));
  const lookup = (rowsSha256: string) => Promise.resolve(rowsSha256 === written.rowsSha256 ? written : null);
  const result = await verifyExport(resaved, { lookup });
  expect(result).toMatchObject({ unchanged: true, recorded: written });
  expect(result.message).toMatch(/tệp đã được lưu lại nên khác byte với tệp gốc\.$/);
});

test('regression: a sheet ending in rows whose cells are all empty reads back unchanged', async () => {
  const trailingEmpty: ExportDocument = {
    ...doc,
    sheets: [{ name: DOSSIER_SHEET, columns: dossierColumns, rows: [{ code: 'STP.KHA-261123-0001' }, {}, {}] }],
  };
  const result = await verifyExport((await writeExport('xlsx', trailingEmpty)).bytes);
  expect(result.findings).toEqual([]);
  expect(result.rowCount).toBe(3);
});
