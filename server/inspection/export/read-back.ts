/**
 * What a format's reader gives the verifier: the rows digest recomputed from the file, the one the
 * file carries, and the findings (Vietnamese, naming sheet, row and column) of whatever does not
 * agree. A reader never stops at the first finding: a cell it cannot read is hashed as shown (so
 * the digest differs) and reported.
 */
import { DisplayParseError, parseDisplayedCell } from './display';
import type { CellType, ExportFormat } from './model';

export interface ReadExport {
  format: ExportFormat;
  rowCount: number;
  /** The digest written in the file (properties, footer, metadata); null when none was found. */
  embeddedRowsSha256: string | null;
  recomputedRowsSha256: string;
  findings: Findings;
}

const SHOWN_FINDINGS = 5;

/** Findings in the order found; past a few, only counted. */
export class Findings {
  readonly #messages: string[] = [];
  #count = 0;

  add(message: string): void {
    this.#count += 1;
    if (this.#messages.length < SHOWN_FINDINGS) this.#messages.push(message);
  }

  get count(): number {
    return this.#count;
  }

  list(): string[] {
    const more = this.#count - this.#messages.length;
    return more > 0 ? [...this.#messages, `và ${more} điểm khác`] : [...this.#messages];
  }
}

/** Where a cell is, as people count: `bảng "Hồ sơ", dòng 12, cột 3`. */
export const cellPlace = (sheet: string, row: number, column: number): string => `bảng "${sheet}", dòng ${row}, cột ${column}`;

/** The canonical string of a shown cell, or the shown text itself with a finding when it does not read. */
export function readShownCell(type: CellType, shown: string, place: string, findings: Findings): string {
  try {
    return parseDisplayedCell(type, shown);
  } catch (error) {
    if (!(error instanceof DisplayParseError)) throw error;
    findings.add(`${place}: ${error.message}`);
    return shown;
  }
}

/** A SHA-256 in hex, found inside a longer text. */
export const HEX_DIGEST = /\b[0-9a-f]{64}\b/;
export const isHexDigest = (text: string): boolean => /^[0-9a-f]{64}$/.test(text);
