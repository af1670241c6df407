/**
 * A canonical cell as an Excel cell, and an Excel cell (as exceljs reads it) back to the canonical
 * string. Excel has no time zones: instants are stored as the wall-clock time of Việt Nam (UTC+7)
 * with a date-time format, dates as the civil day at 00:00; integers and percents (the ratio, with
 * a percent format) are numbers; working minutes and yes/no are text in their display form, which
 * parses back to the canonical minutes.
 */
import type { CellValue as ExcelValue } from 'exceljs';
import { parseInstant, VN_OFFSET_MS } from '../../calendar/civil-time';
import { canonicalCell, canonicalText, PERCENT_SCALE } from './digest';
import { displayCell } from './display';
import type { CellType } from './model';
import { type Findings, readShownCell } from './read-back';

export interface ExcelCell {
  value: string | number | Date | null;
  numFmt?: string;
}

function percentFormat(canonical: string): string {
  const decimals = Math.max(0, (canonical.split('.')[1]?.length ?? 0) - 2);
  return decimals === 0 ? '0%' : `0.${'0'.repeat(decimals)}%`;
}

export function toExcelCell(type: CellType, canonical: string): ExcelCell {
  if (canonical === '') return { value: null };
  switch (type) {
    case 'text':
      return { value: canonical };
    case 'integer':
      return { value: Number(canonical) };
    case 'instant':
      return {
        value: new Date(parseInstant(canonical) + VN_OFFSET_MS),
        numFmt: canonical.slice(17, 19) === '00' ? 'dd/mm/yyyy hh:mm' : 'dd/mm/yyyy hh:mm:ss',
      };
    case 'date':
      return { value: new Date(`${canonical}T00:00:00Z`), numFmt: 'dd/mm/yyyy' };
    case 'percent':
      return { value: Number(canonical), numFmt: percentFormat(canonical) };
    case 'workingMinutes':
    case 'boolean':
      return { value: displayCell(type, canonical) };
  }
}

function fromExcelDate(type: CellType, wallClock: Date, place: string, findings: Findings): string {
  if (type === 'date') return new Date(Math.round(wallClock.getTime() / 86_400_000) * 86_400_000).toISOString().slice(0, 10);
  if (type === 'instant') return canonicalCell('instant', new Date(Math.round((wallClock.getTime() - VN_OFFSET_MS) / 1000) * 1000));
  findings.add(`${place}: ô kiểu ngày tháng ở cột không phải ngày`);
  return wallClock.toISOString();
}

function fromExcelNumber(type: CellType, value: number, place: string, findings: Findings): string {
  if (type === 'integer' && Number.isSafeInteger(value)) return String(value);
  if (type === 'percent') return canonicalCell('percent', Math.round(value * PERCENT_SCALE) / PERCENT_SCALE);
  return readShownCell(type, String(value), place, findings);
}

/** The text inside a rich-text, hyperlink or formula cell. */
function innerValue(value: object): ExcelValue {
  if ('richText' in value && Array.isArray(value.richText)) return value.richText.map((run: { text: string }) => run.text).join('');
  if ('result' in value) return value.result as ExcelValue;
  if ('text' in value) return value.text as ExcelValue;
  return null;
}

export function fromExcelValue(type: CellType, value: ExcelValue, place: string, findings: Findings): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return fromExcelDate(type, value, place, findings);
  if (typeof value === 'number') return fromExcelNumber(type, value, place, findings);
  if (typeof value === 'boolean') return type === 'boolean' ? String(value) : readShownCell(type, String(value), place, findings);
  if (typeof value === 'string') return type === 'text' ? canonicalText(value) : readShownCell(type, value, place, findings);
  if ('error' in value) {
    findings.add(`${place}: ô lỗi ${String(value.error)}`);
    return '';
  }
  return fromExcelValue(type, innerValue(value), place, findings);
}
