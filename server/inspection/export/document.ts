/**
 * What every writer checks and shares: a document is refused before anything is written when a
 * file could not hold it faithfully (a sheet name Excel would refuse or two sheets that one
 * verifier could not tell apart), the suggested file name, and the byte sink that hashes the
 * file as it is produced.
 */
import { createHash } from 'node:crypto';
import { dayNumberOf, localDateOf } from '../../calendar/civil-time';
import type { ExportDocument, ExportFormat } from './model';

/** Name of the summary sheet of the XLSX (and of the summary section of the PDF). */
export const SUMMARY_SHEET_NAME = 'Tổng hợp';
const MAX_SHEET_NAME = 31;
const SHEET_NAME_FORBIDDEN = /[[\]:*?/\\]/;

export class ExportDocumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportDocumentError';
  }
}

export function validateDocument(doc: ExportDocument): void {
  if (doc.sheets.length === 0) throw new ExportDocumentError('tài liệu xuất không có bảng nào');
  const seen = new Set([SUMMARY_SHEET_NAME.toLocaleLowerCase('vi')]);
  for (const sheet of doc.sheets) {
    const name = sheet.name;
    if (name.trim() === '' || name.length > MAX_SHEET_NAME || SHEET_NAME_FORBIDDEN.test(name) || name.startsWith("'")) {
      throw new ExportDocumentError(`tên bảng "${name}" không hợp lệ (1–${MAX_SHEET_NAME} ký tự, không có [ ] : * ? / \\)`);
    }
    if (seen.has(name.toLocaleLowerCase('vi'))) throw new ExportDocumentError(`tên bảng "${name}" trùng hoặc trùng với bảng "${SUMMARY_SHEET_NAME}"`);
    seen.add(name.toLocaleLowerCase('vi'));
    if (sheet.columns.length === 0) throw new ExportDocumentError(`bảng "${name}" không có cột nào`);
    const keys = new Set(sheet.columns.map((column) => column.key));
    if (keys.size !== sheet.columns.length) throw new ExportDocumentError(`bảng "${name}" có hai cột cùng khóa`);
  }
}

/** `Đơn vị: Phòng Hành chính tư pháp; Trạng thái: trễ hạn`: the filters as one line. */
export const filtersText = (filters: Readonly<Record<string, string>>): string =>
  Object.entries(filters)
    .map(([label, value]) => `${label}: ${value}`)
    .join('; ');

/** `danh-sach-ho-so-tre-han-2026-11-30.xlsx`: the title without diacritics and the day it was generated. */
export function exportFileName(doc: ExportDocument, format: ExportFormat): string {
  const slug = doc.title
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${slug || 'xuat'}-${localDateOf(dayNumberOf(doc.generatedAt.getTime()))}.${format}`;
}

/** Collects a file's bytes and their SHA-256 as they are written. */
export class ByteSink {
  readonly #chunks: Buffer[] = [];
  readonly #hash = createHash('sha256');
  #pending = '';

  write(bytes: Buffer): void {
    this.flushText();
    this.#chunks.push(bytes);
    this.#hash.update(bytes);
  }

  /** Text is buffered and encoded in UTF-8 by the page (64 KiB), not by the line. */
  writeText(text: string): void {
    this.#pending += text;
    if (this.#pending.length >= 65_536) this.flushText();
  }

  finish(): { bytes: Buffer; sha256: string } {
    this.flushText();
    return { bytes: Buffer.concat(this.#chunks), sha256: this.#hash.digest('hex') };
  }

  private flushText(): void {
    if (this.#pending === '') return;
    const bytes = Buffer.from(this.#pending, 'utf8');
    this.#pending = '';
    this.#chunks.push(bytes);
    this.#hash.update(bytes);
  }
}
