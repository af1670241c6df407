/**
 * Every format, through the module's entry point: a realistic document (2,000 dossiers, an empty
 * sheet, a streamed sheet, summary items) is written and verified unchanged, and the digest the
 * file carries is the rows digest of the document in its documented form.
 */
import { createHash } from 'node:crypto';
import {
  EXPORT_FORMATS,
  ExportCellError,
  ExportDocumentError,
  verifyExport,
  writeExport,
  type ExportDocument,
} from '../../../../server/inspection/export';
import { pdfPageCount } from './pdf-files';
import { dossierColumns, dossierRow, DOSSIER_SHEET, inspectionDocument, rowsSha256Of } from './documents';

const DOSSIERS = 2000;
const doc = inspectionDocument(DOSSIERS);

test.each(EXPORT_FORMATS)('%s: reads back unchanged, carrying the rows digest of the document', async (format) => {
  const written = await writeExport(format, doc);
  // CSV holds the first sheet only; the empty sheet adds nothing, the units sheet 2 rows.
  const sheets = format === 'csv' ? doc.sheets.slice(0, 1) : doc.sheets;
  const expected = await rowsSha256Of(sheets);
  expect(written).toMatchObject({ format, rowsSha256: expected, rowCount: format === 'csv' ? DOSSIERS : DOSSIERS + 2 });
  expect(written.fileName).toBe(`danh-sach-ho-so-tre-han-2026-11-30.${format}`);
  expect(written.fileSha256).toBe(createHash('sha256').update(written.bytes).digest('hex'));

  const result = await verifyExport(written.bytes);
  expect(result.findings).toEqual([]);
  expect(result).toMatchObject({
    format,
    unchanged: true,
    rowCount: written.rowCount,
    embeddedRowsSha256: expected,
    recomputedRowsSha256: expected,
  });
  const rows = `${written.rowCount} dòng, SHA-256 các dòng ${expected}`;
  expect(result.message).toBe(`Các dòng của tệp ${format.toUpperCase()} khớp mã SHA-256 ghi trong tệp (${rows}).`);
  // The verifier found "Trang X/N" and the digest on every page of the PDF: there are many.
  if (format === 'pdf') expect(await pdfPageCount(written.bytes)).toBeGreaterThan(40);
}, 30_000);

test('the rows digest is the SHA-256 of one JSON line per row: sheet name, then the canonical cells', async () => {
  const oneRow: ExportDocument = {
    ...doc,
    sheets: [{ name: DOSSIER_SHEET, columns: dossierColumns, rows: [dossierRow(1)] }],
  };
  const line = JSON.stringify([
    DOSSIER_SHEET,
    'STP.KHA-261123-0001',
    '=HYPERLINK("http://x.vn","bấm")',
    '0',
    '2026-11-23T08:16:01+07:00',
    '2026-12-02',
    '-463',
    '0.007299',
    'false',
  ]);
  const written = await writeExport('csv', oneRow);
  expect(written.rowsSha256).toBe(createHash('sha256').update(`${line}\n`, 'utf8').digest('hex'));
});

test('refuses a document no file could hold, naming the sheet, before writing anything', async () => {
  const clash: ExportDocument = { ...doc, sheets: [{ name: 'tổng hợp', columns: dossierColumns, rows: [] }] };
  await expect(writeExport('xlsx', clash)).rejects.toThrow(ExportDocumentError);
  await expect(writeExport('xlsx', clash)).rejects.toThrow('tên bảng "tổng hợp" trùng hoặc trùng với bảng "Tổng hợp"');
});

test('refuses a cell that is not of its column type, naming the column', async () => {
  const badCell: ExportDocument = {
    ...doc,
    sheets: [{ name: DOSSIER_SHEET, columns: dossierColumns, rows: [{ ...dossierRow(0), receivedAt: '2026-11-23' }] }],
  };
  await expect(writeExport('pdf', badCell)).rejects.toThrow(ExportCellError);
  await expect(writeExport('pdf', badCell)).rejects.toThrow(
    'cột "receivedAt": giá trị "2026-11-23" không phải kiểu instant',
  );
});
