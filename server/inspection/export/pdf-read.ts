/**
 * Reads a PDF written by pdf.ts back with pdfjs-dist: the digest from the metadata (Keywords), the
 * attached canonical rows (their SHA-256 is the recomputed rows digest) and columns, and the text
 * of every page. Each page must show the digest and "Trang X/Y" in its footer, and every attached
 * row, shown as people read it, must be printed, in order: so both an edited attachment and an
 * edited printed cell are found. The comparison ignores white space (table cells wrap) and
 * compares Unicode in composed form (NFC). A character the font cannot draw (a Chinese name, an
 * emoji) is printed blank and read back as U+0000: there it stands for any one character. Text
 * printed in addition to the rows is not judged.
 */
import { z } from 'zod';
import { CELL_TYPES, type CellType } from './model';
import { DIGEST_KEYWORD, sha256Hex } from './digest';
import { DisplayParseError, displayCell, parseDisplayedCell } from './display';
import { COLUMNS_ATTACHMENT, FOOTER_DIGEST_LABEL, ROWS_ATTACHMENT, type AttachedColumns } from './pdf';
import { Findings, isHexDigest, type ReadExport } from './read-back';

const attachedColumns = z.object({
  sheets: z.array(z.object({ name: z.string(), columns: z.array(z.object({ header: z.string(), type: z.enum(CELL_TYPES) })).min(1) })),
});
const attachedRow = z.array(z.string()).min(1);

type PdfDocument = Awaited<ReturnType<typeof import('pdfjs-dist/legacy/build/pdf.mjs').getDocument>['promise']>;

interface Attachment {
  content: Uint8Array;
}

/** Text compared without white space, in composed form. */
const comparable = (text: string): string => text.normalize('NFC').replace(/\s+/g, '');

/** What pdfjs reads for a glyph the font does not have. */
const NOT_DRAWN = '\u0000';

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Where `expected` is printed from `from` on (a NOT_DRAWN standing for any one character); at -1 when nowhere. */
function findPrinted(printed: string, expected: string, from: number): { at: number; length: number } {
  const at = printed.indexOf(expected, from);
  if (at >= 0 || !printed.includes(NOT_DRAWN)) return { at, length: expected.length };
  const pattern = [...expected].map((character) => `(?:${escapeRegExp(character)}|\\u0000)`).join('');
  const match = new RegExp(pattern, 'gu');
  match.lastIndex = from;
  const found = match.exec(printed);
  return found ? { at: found.index, length: found[0].length } : { at: -1, length: 0 };
}

async function openPdf(bytes: Buffer): Promise<PdfDocument> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  return pdfjs.getDocument({ data: new Uint8Array(bytes), verbosity: pdfjs.VerbosityLevel.ERRORS, isEvalSupported: false, disableFontFace: true }).promise;
}

async function pageTexts(pdf: PdfDocument): Promise<string[]> {
  const texts: string[] = [];
  for (let number = 1; number <= pdf.numPages; number += 1) {
    const content = await (await pdf.getPage(number)).getTextContent();
    texts.push(content.items.map((item) => ('str' in item ? item.str : '')).join(''));
  }
  return texts;
}

function checkFooters(texts: readonly string[], digest: string | null, findings: Findings): void {
  texts.forEach((text, i) => {
    if (digest !== null && !comparable(text).includes(comparable(`${FOOTER_DIGEST_LABEL} ${digest}`))) findings.add(`trang ${i + 1} không in mã SHA-256 các dòng ghi trong tệp`);
    if (!comparable(text).includes(`Trang${i + 1}/${texts.length}`)) findings.add(`trang ${i + 1} không ghi "Trang ${i + 1}/${texts.length}"`);
  });
}

function readColumns(attachment: Attachment | undefined, findings: Findings): AttachedColumns | null {
  if (!attachment) return null;
  const parsed = attachedColumns.safeParse(parseJson(Buffer.from(attachment.content).toString('utf8')));
  if (!parsed.success) findings.add(`tệp đính kèm ${COLUMNS_ATTACHMENT} không hợp lệ`);
  return parsed.success ? parsed.data : null;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The attached cells as printed, or null when one is not in canonical form. */
function shownCells(columns: readonly { type: CellType }[], cells: readonly string[]): string[] | null {
  try {
    const shown = cells.map((cell, i) => displayCell(columns[i]!.type, cell));
    return shown.every((text, i) => parseDisplayedCell(columns[i]!.type, text) === cells[i]) ? shown : null;
  } catch (error) {
    if (error instanceof DisplayParseError) return null;
    throw error;
  }
}

/** Every attached row, shown as people read it, must be printed after the one before it. */
function checkPrintedRows(rowsText: string, columns: AttachedColumns, printed: string, findings: Findings): number {
  const sheets = new Map(columns.sheets.map((sheet) => [sheet.name, sheet.columns]));
  const lineNumbers = new Map<string, number>();
  let cursor = 0;
  let rowCount = 0;
  for (const line of rowsText.split('\n').filter(Boolean)) {
    rowCount += 1;
    const parsed = attachedRow.safeParse(parseJson(line));
    const [sheet = '', ...cells] = parsed.success ? parsed.data : [];
    const row = (lineNumbers.get(sheet) ?? 0) + 1;
    lineNumbers.set(sheet, row);
    const sheetColumns = sheets.get(sheet);
    if (!sheetColumns || cells.length !== sheetColumns.length) {
      findings.add(`dòng đính kèm thứ ${rowCount} không thuộc bảng nào của tệp`);
      continue;
    }
    const shown = shownCells(sheetColumns, cells);
    if (!shown) {
      findings.add(`bảng "${sheet}", dòng ${row}: dữ liệu đính kèm không ở dạng chuẩn`);
      continue;
    }
    const expected = comparable(shown.join(''));
    const { at, length } = findPrinted(printed, expected, cursor);
    if (at < 0) findings.add(`bảng "${sheet}", dòng ${row}: chữ in trên trang khác dữ liệu đính kèm`);
    else cursor = at + length;
  }
  return rowCount;
}

export async function readPdf(bytes: Buffer): Promise<ReadExport> {
  const pdf = await openPdf(bytes);
  try {
    const findings = new Findings();
    const info = (await pdf.getMetadata()).info as { Keywords?: unknown };
    const keywords = typeof info.Keywords === 'string' ? info.Keywords : '';
    const embedded = keywords.startsWith(DIGEST_KEYWORD) && isHexDigest(keywords.slice(DIGEST_KEYWORD.length)) ? keywords.slice(DIGEST_KEYWORD.length) : null;
    const attachments = ((await pdf.getAttachments()) ?? {}) as Record<string, Attachment | undefined>;
    const rows = attachments[ROWS_ATTACHMENT];
    if (!rows) findings.add(`không có tệp đính kèm ${ROWS_ATTACHMENT} (các dòng ở dạng chuẩn)`);
    const columns = readColumns(attachments[COLUMNS_ATTACHMENT], findings);
    if (!attachments[COLUMNS_ATTACHMENT]) findings.add(`không có tệp đính kèm ${COLUMNS_ATTACHMENT}`);
    const texts = await pageTexts(pdf);
    checkFooters(texts, embedded, findings);
    const rowsText = rows ? Buffer.from(rows.content).toString('utf8') : '';
    const rowCount = columns ? checkPrintedRows(rowsText, columns, comparable(texts.join('')), findings) : rowsText.split('\n').filter(Boolean).length;
    return { format: 'pdf', rowCount, embeddedRowsSha256: embedded, recomputedRowsSha256: sha256Hex(rows ? Buffer.from(rows.content) : ''), findings };
  } finally {
    await pdf.destroy();
  }
}
