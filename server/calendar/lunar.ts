/**
 * Vietnamese lunar calendar (âm lịch) through `vietnamese-lunar-calendar`, a readable port of
 * Hồ Ngọc Đức's algorithm — the reference for the Vietnamese calendar. The time zone is
 * passed explicitly as UTC+7: the Vietnamese and Chinese calendars differ in the years where
 * a new moon falls between 16:00 and 17:00 UTC (e.g. Tết 1985, 2007, 2030, 2053), and the
 * library would otherwise use the machine's time zone.
 */
import { convertSolar2Lunar } from 'vietnamese-lunar-calendar/build/solar-lunar';
import { dayNumberFromParts } from './civil-time';

const VN_TIMEZONE_HOURS = 7;

export interface LunarDate {
  year: number;
  month: number;
  day: number;
  leap: boolean;
}

export function lunarDateOf(dayNumber: number): LunarDate {
  const d = new Date(dayNumber * 86_400_000);
  const lunar = convertSolar2Lunar(d.getUTCDate(), d.getUTCMonth() + 1, d.getUTCFullYear(), VN_TIMEZONE_HOURS);
  return { year: lunar.year, month: lunar.month, day: lunar.date, leap: lunar.isLeap };
}

function findDay(fromDay: number, toDay: number, wanted: (lunar: LunarDate) => boolean, what: string): number {
  for (let day = fromDay; day <= toDay; day++) if (wanted(lunarDateOf(day))) return day;
  throw new Error(`không tìm thấy ${what} trong âm lịch`);
}

/** Mùng 1 Tết: the first day of the first lunar month of the lunar year starting in `year` (always 21 Jan – 20 Feb). */
export function lunarNewYearDay(year: number): number {
  return findDay(dayNumberFromParts(year, 1, 19), dayNumberFromParts(year, 2, 22), (l) => l.year === year && l.month === 1 && l.day === 1 && !l.leap, `Tết ${year}`);
}

/** Day `day` of (non-leap) lunar month `month` of the lunar year starting in `year`. */
export function solarDayOfLunar(year: number, month: number, day: number): number {
  const tet = lunarNewYearDay(year);
  // Month m starts between 29·(m−1) and 30·m days after Tết (a leap month may come before it).
  return findDay(tet + 29 * (month - 1) + day - 1, tet + 30 * month + day, (l) => l.year === year && l.month === month && l.day === day && !l.leap, `ngày ${day}/${month} âm lịch năm ${year}`);
}
