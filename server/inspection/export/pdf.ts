/**
 * PDF with pdfmake (A4 landscape, Roboto): on every page a header with the agency, title,
 * period, filters, who generated it and when, and a footer with the rows digest and "Trang X/Y";
 * a table per sheet (header row repeated on each page, a row never split across pages), then the
 * summary. The digest is also in the metadata (Subject, Keywords).
 *
 * For verification the PDF carries two attachments (PDF embedded files, PDFKit's `file()`):
 * `cac-dong.jsonl`, the canonical rows exactly as hashed (its SHA-256 is the rows digest), and
 * `cac-cot.json`, the sheets with their column headers and types, so the verifier can check that
 * the printed table says what the attached rows say.
 *
 * Not streamed, by necessity: every page's footer carries the rows digest and "Trang X/Y", so the
 * last row must be read before the first page is laid out, and pdfmake lays out the whole
 * document in one synchronous call (about 2.5 s and 150 MB per 1,000 rows). So the rows are read
 * here (bounded: the API refuses a list above EXPORT_MAX_ROWS_PDF before reading it,
 * server/inspection/limits.ts), and the layout runs in a worker thread (pdf-worker.js), so the
 * API's event loop keeps answering meanwhile; the worker's heap is capped, so a layout that
 * outgrows it fails that export alone.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Content, CustomTableLayout, TableCell, TDocumentDefinitions } from 'pdfmake/interfaces';
import { pdfBytes, pdfPrinter } from '../../pdf/printer';
import { canonicalCell, canonicalRows, DIGEST_KEYWORD, digestLine, RowsDigest, sha256Hex } from './digest';
import { displayCell } from './display';
import { exportFileName, filtersText, SUMMARY_SHEET_NAME, validateDocument } from './document';
import type { CellType, ExportColumn, ExportDocument, WrittenExport } from './model';

export const ROWS_ATTACHMENT = 'cac-dong.jsonl';
export const COLUMNS_ATTACHMENT = 'cac-cot.json';
export const FOOTER_DIGEST_LABEL = 'SHA-256 các dòng:';

/** What `cac-cot.json` holds. */
export interface AttachedColumns {
  sheets: { name: string; columns: { header: string; type: CellType }[] }[];
}

interface LaidSheet {
  name: string;
  columns: readonly ExportColumn[];
  rows: string[][];
}

const PAGE_WIDTH = 841.89;
const SIDE_MARGIN = 30;
/** Width the tables may take: the A4 landscape page less its side margins. */
export const PRINTABLE_WIDTH = PAGE_WIDTH - 2 * SIDE_MARGIN;
/** Space between two columns (half on each side); the outer edges have none. */
const COLUMN_GAP = 16;
const FONT_SIZE = 7.5;
const DEFAULT_WEIGHT: Record<CellType, number> = {
  text: 24,
  integer: 8,
  instant: 14,
  date: 10,
  workingMinutes: 16,
  percent: 9,
  boolean: 7,
};
const HEADER_CHARS_PER_LINE = 190;

/**
 * pdfmake's "lightHorizontalLines" look, with its padding here so that the column widths below
 * know it: a table is its columns' widths plus COLUMN_GAP between each two.
 */
const TABLE_LAYOUT: CustomTableLayout = {
  hLineWidth: (i, node) => (i === 0 || i === node.table.body.length ? 0 : i === node.table.headerRows ? 2 : 1),
  vLineWidth: () => 0,
  hLineColor: (i, node) => (i === node.table.headerRows ? 'black' : '#aaa'),
  paddingLeft: (i) => (i === 0 ? 0 : COLUMN_GAP / 2),
  paddingRight: (i, node) => (i === (node.table.widths?.length ?? 0) - 1 ? 0 : COLUMN_GAP / 2),
};

/** The text width of each column: shares of the printable width by the column's weight, less the gaps. */
export function columnWidths(columns: readonly ExportColumn[]): number[] {
  const weights = columns.map((column) => column.width ?? DEFAULT_WEIGHT[column.type]);
  const available = PRINTABLE_WIDTH - COLUMN_GAP * (columns.length - 1);
  const sum = weights.reduce((a, b) => a + b, 0);
  return weights.map((weight) => (available * weight) / sum);
}

/** How wide a table of these text widths is printed. */
export const tableWidth = (widths: readonly number[]): number =>
  widths.reduce((a, b) => a + b, 0) + COLUMN_GAP * (widths.length - 1);

function tableOf(sheet: LaidSheet): Content {
  const header: TableCell[] = sheet.columns.map((column) => ({ text: column.header, bold: true }));
  const body: TableCell[][] = sheet.rows.map((cells) => cells.map((cell, i) => displayCell(sheet.columns[i]!.type, cell)));
  return {
    table: { headerRows: 1, dontBreakRows: true, widths: columnWidths(sheet.columns), body: [header, ...body] },
    layout: TABLE_LAYOUT,
  };
}

function summaryOf(doc: Omit<ExportDocument, 'sheets'>): Content[] {
  if (doc.summary.length === 0) return [];
  const body: TableCell[][] = doc.summary.map((item) => [item.label, displayCell(item.type, canonicalCell(item.type, item.value))]);
  return [{ text: SUMMARY_SHEET_NAME, style: 'section' }, { table: { widths: [260, '*'], body }, layout: TABLE_LAYOUT }];
}

function headerFacts(doc: Omit<ExportDocument, 'sheets'>): string[] {
  return [
    `${doc.agencyName} — ${doc.title}`,
    `Kỳ: ${doc.periodText}`,
    `Bộ lọc: ${filtersText(doc.filters) || 'không'}`,
    `Người tạo: ${doc.generatedBy} — tạo lúc ${displayCell('instant', canonicalCell('instant', doc.generatedAt))} (giờ Việt Nam)`,
  ];
}

function definition(doc: Omit<ExportDocument, 'sheets'>, sheets: readonly LaidSheet[], rowsSha256: string): TDocumentDefinitions {
  const facts = headerFacts(doc);
  const headerLines = facts.reduce((lines, fact) => lines + Math.ceil(fact.length / HEADER_CHARS_PER_LINE), 0);
  return {
    pageSize: 'A4',
    pageOrientation: 'landscape',
    pageMargins: [SIDE_MARGIN, 24 + headerLines * 11, SIDE_MARGIN, 36],
    info: { title: doc.title, author: doc.agencyName, subject: `${FOOTER_DIGEST_LABEL} ${rowsSha256}`, keywords: DIGEST_KEYWORD + rowsSha256, creator: 'lltp-flow', creationDate: doc.generatedAt },
    defaultStyle: { font: 'Roboto', fontSize: FONT_SIZE },
    styles: { section: { bold: true, fontSize: 10, margin: [0, 8, 0, 4] } },
    header: () => ({ margin: [SIDE_MARGIN, 16, SIDE_MARGIN, 0], fontSize: 8, stack: facts.map((fact, i) => (i === 0 ? { text: fact, bold: true } : fact)) }),
    footer: (currentPage, pageCount) => ({
      margin: [SIDE_MARGIN, 12, SIDE_MARGIN, 0],
      fontSize: 7,
      columns: [`${FOOTER_DIGEST_LABEL} ${rowsSha256}`, { text: `Trang ${currentPage}/${pageCount}`, alignment: 'right', width: 80 }],
    }),
    content: [...sheets.flatMap((sheet): Content[] => [{ text: sheet.name, style: 'section' }, tableOf(sheet)]), ...summaryOf(doc)],
  };
}

/** What the layout needs, as plain data that can cross to the worker thread. */
export interface PdfLayout {
  doc: Omit<ExportDocument, 'sheets'>;
  sheets: LaidSheet[];
  rowsSha256: string;
  /** The canonical rows as hashed: the `cac-dong.jsonl` attachment. */
  lines: string;
  columns: AttachedColumns;
}

/** Lays the document out and gives the PDF's bytes (synchronous layout: run it in pdf-worker.js). */
export function renderPdf(layout: PdfLayout): Promise<Buffer> {
  const { doc, sheets, rowsSha256, lines, columns } = layout;
  const pdf = pdfPrinter().createPdfKitDocument(definition(doc, sheets, rowsSha256));
  const dates = { creationDate: doc.generatedAt, modifiedDate: doc.generatedAt };
  pdf.file(Buffer.from(lines, 'utf8'), { name: ROWS_ATTACHMENT, type: 'application/x-ndjson', description: 'Các dòng ở dạng chuẩn; SHA-256 của tệp này là SHA-256 các dòng', ...dates });
  pdf.file(Buffer.from(JSON.stringify(columns), 'utf8'), { name: COLUMNS_ATTACHMENT, type: 'application/json', description: 'Tên bảng, tiêu đề và kiểu các cột', ...dates });
  return pdfBytes(pdf);
}

/** Heap of one layout worker: a PDF at the default cap needs about a sixth of it. */
const WORKER_HEAP_MB = 2048;

/** Runs renderPdf in a worker thread of its own (ended once it answered). */
function renderInWorker(layout: PdfLayout): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(path.join(__dirname, 'pdf-worker.js'), { workerData: layout, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    let answered = false;
    worker.once('message', (bytes: Uint8Array) => {
      answered = true;
      resolve(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    });
    worker.once('error', (error) => {
      answered = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`the PDF layout worker ended (exit code ${code}) without a file`));
    });
  });
}

export async function writePdf(doc: ExportDocument): Promise<WrittenExport> {
  validateDocument(doc);
  const digest = new RowsDigest();
  const lines: string[] = [];
  const sheets: LaidSheet[] = [];
  for (const sheet of doc.sheets) {
    const rows: string[][] = [];
    for await (const cells of canonicalRows(sheet)) {
      digest.update(sheet.name, cells);
      lines.push(digestLine(sheet.name, cells));
      rows.push(cells);
    }
    sheets.push({ name: sheet.name, columns: sheet.columns.map((column) => ({ ...column })), rows });
  }
  const rowCount = digest.rowCount;
  const rowsSha256 = digest.hex();
  const columns: AttachedColumns = { sheets: doc.sheets.map((sheet) => ({ name: sheet.name, columns: sheet.columns.map(({ header, type }) => ({ header, type })) })) };
  const { sheets: _rows, ...facts } = doc;
  const bytes = await renderInWorker({ doc: { ...facts, filters: { ...doc.filters }, summary: doc.summary.map((item) => ({ ...item })) }, sheets, rowsSha256, lines: lines.join(''), columns });
  return { format: 'pdf', contentType: 'application/pdf', fileName: exportFileName(doc, 'pdf'), rowsSha256, fileSha256: sha256Hex(bytes), rowCount, bytes };
}
