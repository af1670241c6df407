/**
 * The canonical text of every cell type and the rows digest built from it. The canonical form is
 * what the digest hashes and what every file format must give back when read (display forms parse
 * back to it, see display.ts), so a file can be checked without the database.
 *
 * - `text`: the string, with line breaks written `\n` and the characters XML 1.0 cannot carry
 *   (C0 controls other than tab and line feed, U+FFFE, U+FFFF, lone surrogates) removed;
 * - `integer`: decimal (`-12`); a safe-integer number, or a string of digits (PostgreSQL `bigint`);
 * - `instant`: ISO 8601 in Việt Nam time to the second, `2026-11-23T08:15:00+07:00`
 *   (milliseconds are dropped: no list shows them);
 * - `date`: `YYYY-MM-DD`;
 * - `workingMinutes`: a whole number of minutes in decimal;
 * - `percent`: the ratio rounded to 6 decimal places, without trailing zeros (`0.835`, `1`);
 * - `boolean`: `true` / `false`;
 * - `null` / `undefined`: the empty string, whatever the type.
 *
 * Rows digest: SHA-256 (hex) over every sheet in order and every row in order of
 * `JSON.stringify([sheetName, ...canonicalCells]) + "\n"`.
 */
import { createHash, type Hash } from 'node:crypto';
import { formatInstant, isLocalDate } from '../../calendar/civil-time';
import type { CellType, CellValue, ExportColumn, ExportRow, ExportSheet } from './model';

export class ExportCellError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportCellError';
  }
}

/** Ratios are kept as whole millionths so percent text converts without floating-point drift. */
export const PERCENT_SCALE = 1_000_000;

// eslint-disable-next-line no-control-regex
const NOT_XML_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function canonicalText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(NOT_XML_CHARACTERS, '');
}

/** `-12.5` with `decimals` places at most, from a whole number of 10^-decimals units. */
export function formatScaled(units: number, decimals: number, separator: string): string {
  const sign = units < 0 ? '-' : '';
  const digits = String(Math.abs(units)).padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals).replace(/0+$/, '');
  return `${sign}${whole}${fraction ? separator + fraction : ''}`;
}

/** The inverse of formatScaled for text that has already been matched against a number pattern. */
export function parseScaled(sign: string, whole: string, fraction: string, decimals: number): number {
  const units = Number(whole + fraction.padEnd(decimals, '0'));
  return sign === '-' && units !== 0 ? -units : units;
}

const describe = (value: unknown): string => (value instanceof Date ? `Date(${String(value.getTime())})` : JSON.stringify(value) ?? String(value));

function mismatch(type: CellType, value: unknown): ExportCellError {
  return new ExportCellError(`giá trị ${describe(value)} không phải kiểu ${type}`);
}

function canonicalInteger(value: CellValue): string {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value === 0 ? 0 : value);
  if (typeof value === 'string' && /^-?\d+$/.test(value) && Number.isSafeInteger(Number(value))) return String(Number(value) || 0);
  throw mismatch('integer', value);
}

function canonicalInstant(value: CellValue): string {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw mismatch('instant', value);
  const text = formatInstant(Math.floor(value.getTime() / 1000) * 1000);
  if (!/^\d{4}-/.test(text)) throw new ExportCellError(`thời điểm ${describe(value)} nằm ngoài các năm 0000–9999`);
  return text;
}

function canonicalPercent(value: CellValue): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw mismatch('percent', value);
  const units = Math.round(value * PERCENT_SCALE);
  if (!Number.isSafeInteger(units)) throw mismatch('percent', value);
  return formatScaled(units === 0 ? 0 : units, 6, '.');
}

export function canonicalCell(type: CellType, value: CellValue): string {
  if (value === null || value === undefined) return '';
  switch (type) {
    case 'text':
      if (typeof value !== 'string') throw mismatch(type, value);
      return canonicalText(value);
    case 'integer':
      return canonicalInteger(value);
    case 'instant':
      return canonicalInstant(value);
    case 'date':
      if (typeof value !== 'string' || !isLocalDate(value)) throw mismatch(type, value);
      return value;
    case 'workingMinutes':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw mismatch(type, value);
      return String(value === 0 ? 0 : value);
    case 'percent':
      return canonicalPercent(value);
    case 'boolean':
      if (typeof value !== 'boolean') throw mismatch(type, value);
      return String(value);
  }
}

/** The canonical cells of a row, in column order; an error names the column. */
export function canonicalRow(columns: readonly ExportColumn[], row: ExportRow): string[] {
  return columns.map((column) => {
    try {
      return canonicalCell(column.type, row[column.key]);
    } catch (error) {
      if (error instanceof ExportCellError) throw new ExportCellError(`cột "${column.key}": ${error.message}`);
      throw error;
    }
  });
}

/** Rows between two turns of the event loop while a file is written. */
const ROWS_PER_TURN = 50;

/**
 * The canonical rows of a sheet as they stream in. Every ROWS_PER_TURN rows the writer gives the
 * event loop a turn (setImmediate): rows already fetched are otherwise formatted, hashed and
 * written in one go, and the API would answer nobody else meanwhile.
 */
export async function* canonicalRows(sheet: ExportSheet): AsyncGenerator<string[]> {
  let rows = 0;
  for await (const row of sheet.rows) {
    yield canonicalRow(sheet.columns, row);
    if (++rows % ROWS_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The rows digest in the keywords of XLSX and PDF files: `lltp-rows-sha256:<hex>`. */
export const DIGEST_KEYWORD = 'lltp-rows-sha256:';

/** One line of the digest's input (also one line of the PDF's attached rows). */
export function digestLine(sheetName: string, cells: readonly string[]): string {
  return `${JSON.stringify([sheetName, ...cells])}\n`;
}

/** The rows digest, fed one row at a time. */
export class RowsDigest {
  readonly #hash: Hash = createHash('sha256');
  #rows = 0;

  update(sheetName: string, cells: readonly string[]): void {
    this.#hash.update(digestLine(sheetName, cells), 'utf8');
    this.#rows += 1;
  }

  get rowCount(): number {
    return this.#rows;
  }

  /** The hex digest; the digest cannot be fed afterwards. */
  hex(): string {
    return this.#hash.digest('hex');
  }
}

export const sha256Hex = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');
