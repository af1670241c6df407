/**
 * How each cell type reads to people, and back. Every writer shows a cell with `displayCell`
 * and the verifier reads it with `parseDisplayedCell`, which gives exactly the canonical string
 * again (digest.ts), so the rows digest can be recomputed from any file.
 *
 * | type | canonical | shown |
 * | --- | --- | --- |
 * | text | as is | as is |
 * | integer | `1234` | `1234` |
 * | instant | `2026-11-23T08:15:00+07:00` | `23/11/2026 08:15` (Việt Nam time; `:ss` added when not zero) |
 * | date | `2026-11-23` | `23/11/2026` |
 * | workingMinutes | `630`, `-45` | `1 ngày 2 giờ 30 phút`, `-45 phút` (1 working day = 480 minutes) |
 * | percent | `0.835` | `83,5%` (up to 4 decimal places) |
 * | boolean | `true` / `false` | `có` / `không` |
 * | empty | `` | `` |
 */
import { isLocalDate } from '../../calendar/civil-time';
import { cellTypeLabels } from '../../glossary';
import { canonicalCell, formatScaled, parseScaled } from './digest';
import type { CellType } from './model';

/** One working day (ngày làm việc) in the display of working minutes. */
export const WORKING_DAY_MINUTES = 480;

export class DisplayParseError extends Error {
  constructor(type: CellType, shown: string) {
    super(`không đọc được ô kiểu "${cellTypeLabels[type]}": ${JSON.stringify(shown)}`);
    this.name = 'DisplayParseError';
  }
}

const INSTANT_CANONICAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\+07:00$/;
const INSTANT_SHOWN = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2})(?::(\d{2}))?$/;
const DATE_SHOWN = /^(\d{2})\/(\d{2})\/(\d{4})$/;
const PERCENT_CANONICAL = /^(-?)(\d+)(?:\.(\d{1,6}))?$/;
const PERCENT_SHOWN = /^(-?)(\d+)(?:,(\d{1,4}))?%$/;
const WORKING_SHOWN = /^(-?)(?:(\d+) ngày)? ?(?:(\d+) giờ)? ?(?:(\d+) phút)?$/;

function showInstant(canonical: string): string {
  const m = INSTANT_CANONICAL.exec(canonical);
  if (!m) throw new DisplayParseError('instant', canonical);
  const [, year, month, day, hour, minute, second] = m;
  return `${day}/${month}/${year} ${hour}:${minute}${second === '00' ? '' : `:${second}`}`;
}

export function showWorkingMinutes(minutes: number): string {
  const total = Math.abs(minutes);
  const days = Math.floor(total / WORKING_DAY_MINUTES);
  const hours = Math.floor((total % WORKING_DAY_MINUTES) / 60);
  const rest = total % 60;
  const parts = [days ? `${days} ngày` : '', hours ? `${hours} giờ` : '', rest || total === 0 ? `${rest} phút` : ''];
  return `${minutes < 0 ? '-' : ''}${parts.filter(Boolean).join(' ')}`;
}

/** Percent units of 10^-4 % are the ratio's millionths: `0.835` → 835000 → `83,5%`. */
function showPercent(canonical: string): string {
  const m = PERCENT_CANONICAL.exec(canonical);
  if (!m) throw new DisplayParseError('percent', canonical);
  return `${formatScaled(parseScaled(m[1] ?? '', m[2] ?? '', m[3] ?? '', 6), 4, ',')}%`;
}

/** The text people read for a canonical cell. */
export function displayCell(type: CellType, canonical: string): string {
  if (canonical === '') return '';
  switch (type) {
    case 'text':
    case 'integer':
      return canonical;
    case 'instant':
      return showInstant(canonical);
    case 'date':
      return canonical.split('-').reverse().join('/');
    case 'workingMinutes':
      return showWorkingMinutes(Number(canonical));
    case 'percent':
      return showPercent(canonical);
    case 'boolean':
      return canonical === 'true' ? 'có' : 'không';
  }
}

function parseDate(type: CellType, shown: string, day: string, month: string, year: string): string {
  const date = `${year}-${month}-${day}`;
  if (!isLocalDate(date)) throw new DisplayParseError(type, shown);
  return date;
}

function parseInstant(shown: string): string {
  const m = INSTANT_SHOWN.exec(shown);
  if (!m) throw new DisplayParseError('instant', shown);
  const [, day = '', month = '', year = '', hour = '', minute = '', second = '00'] = m;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) throw new DisplayParseError('instant', shown);
  return `${parseDate('instant', shown, day, month, year)}T${hour}:${minute}:${second}+07:00`;
}

function parseWorkingMinutes(shown: string): string {
  const m = WORKING_SHOWN.exec(shown);
  if (!m || (m[2] === undefined && m[3] === undefined && m[4] === undefined)) throw new DisplayParseError('workingMinutes', shown);
  const total = Number(m[2] ?? 0) * WORKING_DAY_MINUTES + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  return canonicalCell('workingMinutes', m[1] === '-' ? -total : total);
}

function parsePercent(shown: string): string {
  const m = PERCENT_SHOWN.exec(shown);
  if (!m) throw new DisplayParseError('percent', shown);
  return formatScaled(parseScaled(m[1] ?? '', m[2] ?? '', m[3] ?? '', 4), 6, '.');
}

function parseBoolean(shown: string): string {
  if (shown === 'có') return 'true';
  if (shown === 'không') return 'false';
  throw new DisplayParseError('boolean', shown);
}

/** The canonical string of a cell as people read it; throws DisplayParseError on anything else. */
export function parseDisplayedCell(type: CellType, shown: string): string {
  if (shown === '') return '';
  switch (type) {
    case 'text':
      return shown;
    case 'integer':
      if (!/^-?\d+$/.test(shown)) throw new DisplayParseError(type, shown);
      return canonicalCell('integer', shown);
    case 'instant':
      return parseInstant(shown);
    case 'date': {
      const m = DATE_SHOWN.exec(shown);
      if (!m) throw new DisplayParseError(type, shown);
      return parseDate(type, shown, m[1] ?? '', m[2] ?? '', m[3] ?? '');
    }
    case 'workingMinutes':
      return parseWorkingMinutes(shown);
    case 'percent':
      return parsePercent(shown);
    case 'boolean':
      return parseBoolean(shown);
  }
}

const TYPE_BY_LABEL = new Map<string, CellType>(Object.entries(cellTypeLabels).map(([type, label]) => [label, type as CellType]));

/** `văn bản; số nguyên; …`: how the files name their column types. */
export const formatColumnTypes = (types: readonly CellType[]): string => types.map((type) => cellTypeLabels[type]).join('; ');

export function parseColumnTypes(text: string): CellType[] | null {
  const types = text.split('; ').map((label) => TYPE_BY_LABEL.get(label));
  return types.every((type) => type !== undefined) ? types : null;
}
