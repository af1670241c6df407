/**
 * `verifyExport`: is this file's content still what the system exported? The format is told by
 * the content (`%PDF`, a ZIP for XLSX, otherwise CSV text), the rows are read back, the rows digest
 * is recomputed and compared with the one the file carries; a PDF's printed table must also agree
 * with its attached rows. No database here: the caller may pass `lookup`, which finds the export
 * in the audit log by its digests (a digest recomputed by a forger matches nothing there).
 */
import { readCsv } from './csv-read';
import { sha256Hex } from './digest';
import type { ExportFormat } from './model';
import { readPdf } from './pdf-read';
import type { ReadExport } from './read-back';
import { readXlsx } from './xlsx-read';

/** What the audit log knows of an export; a caller may return more. */
export interface RecordedExport {
  rowsSha256: string;
  fileSha256: string;
}

export interface VerifyOptions<R extends RecordedExport> {
  /** Only to name the file in messages and to tell a CSV without a byte order mark. */
  fileName?: string;
  /** Finds the export with this rows digest in the audit log; null when there is none. */
  lookup?: (rowsSha256: string, fileSha256: string) => Promise<R | null>;
}

export interface VerifyResult<R extends RecordedExport = RecordedExport> {
  format: ExportFormat | 'unknown';
  rowCount: number;
  embeddedRowsSha256: string | null;
  recomputedRowsSha256: string | null;
  fileSha256: string;
  /** The rows read from the file are the ones the file says it holds (and, with a lookup, the ones exported). */
  unchanged: boolean;
  /** One Vietnamese sentence for people, naming the first thing that differs. */
  message: string;
  /** Every finding, Vietnamese, in the order found. */
  findings: string[];
  /** With a lookup: the export found in the audit log, or null. */
  recorded?: R | null;
}

export function detectFormat(bytes: Buffer, fileName?: string): ExportFormat | 'unknown' {
  if (bytes.subarray(0, 1024).includes('%PDF-')) return 'pdf';
  if (bytes.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1'))) return 'xlsx';
  if (bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])) || fileName?.toLowerCase().endsWith('.csv')) return 'csv';
  return 'unknown';
}

async function readBack(format: ExportFormat, bytes: Buffer): Promise<ReadExport> {
  switch (format) {
    case 'csv':
      return readCsv(bytes);
    case 'xlsx':
      return readXlsx(bytes);
    case 'pdf':
      return readPdf(bytes);
  }
}

function digestFindings(read: ReadExport): string[] {
  if (read.embeddedRowsSha256 === null) return ['tệp không ghi mã SHA-256 các dòng'];
  if (read.embeddedRowsSha256 === read.recomputedRowsSha256) return [];
  return [`SHA-256 các dòng tính lại (${read.recomputedRowsSha256.slice(0, 12)}…) khác mã ghi trong tệp (${read.embeddedRowsSha256.slice(0, 12)}…): các dòng đã bị sửa`];
}

function recordFindings<R extends RecordedExport>(read: ReadExport, recorded: R | null | undefined): string[] {
  if (recorded === undefined) return [];
  if (recorded === null) return [`không có lượt xuất nào với SHA-256 các dòng ${read.recomputedRowsSha256.slice(0, 12)}… trong nhật ký`];
  return [];
}

function summarise(format: ExportFormat, read: ReadExport, findings: string[], recorded: RecordedExport | null | undefined, fileSha256: string): string {
  const name = format.toUpperCase();
  if (findings.length > 1) return `Tệp ${name} đã bị thay đổi: ${findings[0]} (và ${findings.length - 1} điểm khác).`;
  if (findings.length === 1) return `Tệp ${name} đã bị thay đổi: ${findings[0]}.`;
  const rows = `${read.rowCount} dòng, SHA-256 các dòng ${read.recomputedRowsSha256}`;
  if (recorded && recorded.fileSha256 === fileSha256) return `Tệp ${name} nguyên vẹn: đúng tệp đã xuất (${rows}).`;
  if (recorded) return `Các dòng của tệp ${name} đúng như lúc xuất (${rows}); tệp đã được lưu lại nên khác byte với tệp gốc.`;
  return `Các dòng của tệp ${name} khớp mã SHA-256 ghi trong tệp (${rows}).`;
}

export async function verifyExport<R extends RecordedExport = RecordedExport>(bytes: Buffer, options: VerifyOptions<R> = {}): Promise<VerifyResult<R>> {
  const fileSha256 = sha256Hex(bytes);
  const format = detectFormat(bytes, options.fileName);
  if (format === 'unknown') {
    const message = `Không nhận ra định dạng tệp${options.fileName ? ` ${options.fileName}` : ''} (cần CSV, XLSX hoặc PDF do hệ thống xuất).`;
    return { format, rowCount: 0, embeddedRowsSha256: null, recomputedRowsSha256: null, fileSha256, unchanged: false, message, findings: [message] };
  }
  let read: ReadExport;
  try {
    read = await readBack(format, bytes);
  } catch (error) {
    const message = `Không đọc được tệp ${format.toUpperCase()}: ${error instanceof Error ? error.message : String(error)}.`;
    return { format, rowCount: 0, embeddedRowsSha256: null, recomputedRowsSha256: null, fileSha256, unchanged: false, message, findings: [message] };
  }
  const recorded = options.lookup ? await options.lookup(read.recomputedRowsSha256, fileSha256) : undefined;
  const findings = [...read.findings.list(), ...digestFindings(read), ...recordFindings(read, recorded)];
  return {
    format,
    rowCount: read.rowCount,
    embeddedRowsSha256: read.embeddedRowsSha256,
    recomputedRowsSha256: read.recomputedRowsSha256,
    fileSha256,
    unchanged: findings.length === 0,
    message: summarise(format, read, findings, recorded, fileSha256),
    findings,
    ...(options.lookup ? { recorded: recorded ?? null } : {}),
  };
}
