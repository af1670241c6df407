/**
 * Civil time in Việt Nam: Asia/Ho_Chi_Minh is UTC+7 all year (no daylight saving since 1975),
 * so every conversion here is plain arithmetic on epoch milliseconds and never depends on the
 * machine's time zone (no `Date#getHours`, no `Date.parse` of strings without an offset).
 *
 * - an *instant* is epoch milliseconds (or a `Date` at the edges);
 * - a *day number* counts civil days in Việt Nam from 1970-01-01;
 * - a *local date* is the text `YYYY-MM-DD` of a civil day in Việt Nam.
 */
import { CalendarInputError } from './errors';

export const TIMEZONE = 'Asia/Ho_Chi_Minh';
export const VN_OFFSET_MS = 7 * 3_600_000;
export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

export type LocalDate = string;
export const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})?$/;

export class CivilTimeError extends CalendarInputError {
  constructor(message: string) {
    super(message);
    this.name = 'CivilTimeError';
  }
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The civil day (in Việt Nam) that contains the instant. */
export function dayNumberOf(instantMs: number): number {
  return Math.floor((instantMs + VN_OFFSET_MS) / DAY_MS);
}

/** The instant of 00:00 in Việt Nam on that civil day. */
export function dayStartMs(dayNumber: number): number {
  return dayNumber * DAY_MS - VN_OFFSET_MS;
}

/** Milliseconds since 00:00 Việt Nam time, 0 ≤ result < one day. */
export function msIntoDay(instantMs: number): number {
  return instantMs - dayStartMs(dayNumberOf(instantMs));
}

export function dayNumberFromParts(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

export function isLocalDate(text: string): boolean {
  const m = LOCAL_DATE.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** `2026-04-27` → its day number; throws on anything that is not a real calendar date. */
export function dayNumberOfLocalDate(date: LocalDate): number {
  if (!isLocalDate(date)) throw new CivilTimeError(`ngày không hợp lệ: ${JSON.stringify(date)} (cần dạng YYYY-MM-DD)`);
  return dayNumberFromParts(Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10)));
}

export function localDateOf(dayNumber: number): LocalDate {
  return new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
}

export function yearOfDay(dayNumber: number): number {
  return new Date(dayNumber * DAY_MS).getUTCFullYear();
}

export function weekdayOf(dayNumber: number): Weekday {
  // 1970-01-01 was a Thursday (index 4).
  return WEEKDAYS[(((dayNumber + 4) % 7) + 7) % 7] as Weekday;
}

/** `2026-02-23T09:30:00+07:00`; milliseconds are shown only when not zero. */
export function formatInstant(instantMs: number): string {
  const iso = new Date(instantMs + VN_OFFSET_MS).toISOString();
  const withoutZone = iso.endsWith('.000Z') ? iso.slice(0, 19) : iso.slice(0, 23);
  return `${withoutZone}+07:00`;
}

/**
 * Parses an ISO 8601 date-time. With `Z` or an offset it is that instant; without an offset
 * it is read as Việt Nam civil time (never as the machine's local time).
 */
export function parseInstant(text: string): number {
  const m = INSTANT.exec(text.trim());
  if (!m) {
    throw new CivilTimeError(`thời điểm không hợp lệ: ${JSON.stringify(text)} (cần dạng ISO 8601, ví dụ 2026-02-23T09:30:00+07:00)`);
  }
  const [year, month, day, hour, minute] = [1, 2, 3, 4, 5].map((i) => Number(m[i])) as [number, number, number, number, number];
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const ms = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0'));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    throw new CivilTimeError(`thời điểm không tồn tại: ${JSON.stringify(text)}`);
  }
  const zone = m[8];
  let offsetMs = VN_OFFSET_MS;
  if (zone === 'Z') offsetMs = 0;
  else if (zone !== undefined) {
    const sign = zone.startsWith('-') ? -1 : 1;
    const [oh, om] = [Number(zone.slice(1, 3)), Number(zone.slice(4, 6))];
    if (oh > 14 || om > 59) throw new CivilTimeError(`múi giờ không hợp lệ trong ${JSON.stringify(text)}`);
    offsetMs = sign * (oh * 60 + om) * MINUTE_MS;
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMs;
}

/** `07:30` → 450 (minutes after midnight); `24:00` is allowed as the end of a day. */
export function parseClockTime(text: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  const minutes = m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  if (!m || Number(m[2]) > 59 || minutes > 24 * 60) throw new CivilTimeError(`giờ không hợp lệ: ${JSON.stringify(text)} (cần dạng HH:MM)`);
  return minutes;
}

export function formatClockTime(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
