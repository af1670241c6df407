/**
 * PDF: pages people can read (the table within A4 landscape, "Trang X/N" and the digest on every
 * page), the canonical rows attached, and an edit caught whether it is made to the attached rows or
 * to the printed text.
 */
import {
  verifyExport,
  writeExport,
  type CellType,
  type ExportColumn,
  type ExportDocument,
  type WrittenExport,
} from '../../../../server/inspection/export';
import { digestLine } from '../../../../server/inspection/export/digest';
import { columnWidths, PRINTABLE_WIDTH, tableWidth } from '../../../../server/inspection/export/pdf';
import { canonicalRowsOf, dossierColumns, DOSSIER_SHEET, inspectionDocument } from './documents';
import { editPdfStream, pdfPages, swapGlyphsAt } from './pdf-files';

const SIDE_MARGIN = 30;
const DOSSIERS = 150;
const doc = inspectionDocument(DOSSIERS);
let written: WrittenExport;
let pages: Awaited<ReturnType<typeof pdfPages>>;

beforeAll(async () => {
  written = await writeExport('pdf', doc);
  pages = await pdfPages(written.bytes);
}, 20_000);

const pageText = (i: number): string => pages[i]!.items.map((item) => item.str).join('');

test('pages the list and prints "Trang X/N" and the rows digest on every page', () => {
  expect(pages.length).toBeGreaterThan(3);
  pages.forEach((_, i) => {
    expect(pageText(i)).toContain(`Trang ${i + 1}/${pages.length}`);
    expect(pageText(i)).toContain(`SHA-256 các dòng: ${written.rowsSha256}`);
  });
});

test('prints the header facts on every page', () => {
  for (const i of [0, pages.length - 1]) {
    expect(pageText(i)).toContain('Sở Tư pháp tỉnh Khánh Hòa — Danh sách hồ sơ trễ hạn');
    expect(pageText(i)).toContain(
      'Người tạo: thanhtra (Thanh tra viên Lê Văn Tám) — tạo lúc 30/11/2026 17:00 (giờ Việt Nam)',
    );
  }
});

test('keeps every printed word inside the printable width of A4 landscape', () => {
  for (const page of pages) {
    for (const item of page.items.filter((it) => it.str.trim() !== '')) {
      expect(item.transform[4]).toBeGreaterThanOrEqual(SIDE_MARGIN - 0.01);
      expect(item.transform[4] + item.width).toBeLessThanOrEqual(SIDE_MARGIN + PRINTABLE_WIDTH + 0.01);
    }
  }
  // The last column's header starts one column width before the right margin: the table ends there.
  const lastHeader = pages[0]!.items.find((item) => item.str.startsWith('Nộp'))!;
  expect(lastHeader.transform[4]).toBeCloseTo(SIDE_MARGIN + PRINTABLE_WIDTH - columnWidths(dossierColumns).at(-1)!, 2);
});

const TYPES: CellType[] = ['text', 'integer', 'instant', 'date', 'workingMinutes', 'percent', 'boolean'];
const manyColumns = (count: number): ExportColumn[] =>
  Array.from({ length: count }, (_, i) => ({
    key: `c${i}`,
    header: `Cột ${i}`,
    type: TYPES[i % TYPES.length]!,
    ...(i % 4 === 3 ? { width: 40 } : {}),
  }));

test.each([1, 2, 8, 14, 30])('a table of %i columns takes the printable width, no more', (count) => {
  const widths = columnWidths(manyColumns(count));
  expect(widths.every((width) => width > 0)).toBe(true);
  expect(tableWidth(widths)).toBeCloseTo(PRINTABLE_WIDTH, 6);
});

test('attaches the canonical rows exactly as hashed', async () => {
  const lines = (await canonicalRowsOf(doc.sheets[0]!)).map((cells) => digestLine(DOSSIER_SHEET, cells)).join('');
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const document = await pdfjs.getDocument({ data: new Uint8Array(written.bytes), verbosity: 0 }).promise;
  const attachments = (await document.getAttachments()) as Record<string, { content: Uint8Array }>;
  await document.destroy();
  const attached = Buffer.from(attachments['cac-dong.jsonl']!.content).toString('utf8');
  expect(attached.startsWith(lines)).toBe(true);
  expect(attached.slice(lines.length)).toBe(
    '["Đơn vị","Phòng Hành chính tư pháp","1840"]\n["Đơn vị","=Bộ phận Một cửa","0"]\n',
  );
});

const small: ExportDocument = { ...inspectionDocument(12), sheets: inspectionDocument(12).sheets.slice(0, 1) };

test('a byte of the attached rows changed: not unchanged, the message names the row', async () => {
  const original = await writeExport('pdf', small);
  const edited = editPdfStream(original.bytes, (content, dictionary) => {
    if (!dictionary.includes('/application#2Fx-ndjson')) return null;
    return Buffer.from(content.toString('utf8').replace('Văn \\"Tư\\"', 'Văn \\"Tứ\\"'), 'utf8');
  });
  const result = await verifyExport(edited);
  expect(result.unchanged).toBe(false);
  expect(result.findings).toContain('bảng "Hồ sơ", dòng 6: chữ in trên trang khác dữ liệu đính kèm');
  expect(result.findings.at(-1)).toMatch(
    /^SHA-256 các dòng tính lại \(.+\) khác mã ghi trong tệp \(.+\): các dòng đã bị sửa$/,
  );
});

test('two printed letters exchanged: not unchanged, the message names the row', async () => {
  const original = await writeExport('pdf', small);
  const [page] = await pdfPages(original.bytes);
  const word = page!.items.find((item) => item.str.startsWith('Trần,'))!;
  const [x, y] = [word.transform[4] as number, word.transform[5] as number];
  const edited = editPdfStream(original.bytes, swapGlyphsAt(x, y));
  expect((await pdfPages(edited))[0]!.items.map((item) => item.str).join('')).toContain('rTần,');
  const result = await verifyExport(edited);
  expect(result).toMatchObject({ unchanged: false, recomputedRowsSha256: original.rowsSha256 });
  expect(result.message).toBe('Tệp PDF đã bị thay đổi: bảng "Hồ sơ", dòng 6: chữ in trên trang khác dữ liệu đính kèm.');
});

test('regression: letters the font cannot draw (a Chinese name, an emoji) do not read as an edit', async () => {
  const foreign: ExportDocument = {
    ...small,
    sheets: [
      {
        name: DOSSIER_SHEET,
        columns: dossierColumns,
        rows: [{ code: 'STP.KHA-261123-0001', applicant: '王小明 😀 Vương' }],
      },
    ],
  };
  const result = await verifyExport((await writeExport('pdf', foreign)).bytes);
  expect(result.findings).toEqual([]);
  expect(result.unchanged).toBe(true);
});

test('control: the same PDF put through the edit helper without an edit still verifies', async () => {
  const original = await writeExport('pdf', small);
  const rewritten = editPdfStream(original.bytes, (content, dictionary) =>
    dictionary.includes('/application#2Fx-ndjson') ? Buffer.from(content) : null,
  );
  expect((await verifyExport(rewritten)).findings).toEqual([]);
});
