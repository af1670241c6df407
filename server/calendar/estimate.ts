/**
 * Estimates a year's weekday days off when the Government has not announced them yet, from
 * the statutory rules (Labour Code 2019, Art. 111–112). The result has `status: 'estimated'`,
 * and every deadline that touches such a year is flagged `estimated: true` until an
 * administrator confirms the official schedule.
 *
 * Rules (they reproduce the official 2024, 2025 and 2026 schedules, swaps aside):
 * 1. 1 Jan, 30 Apr, 1 May and 2 Sep, each on its date.
 * 2. Tết Nguyên đán, 5 days: the Government always places them on working days around the
 *    new year. Estimate: the five consecutive working days starting with the first working
 *    day on or after the day two days before mùng 1 (28 or 29 tháng Chạp). Tết days therefore
 *    never fall on a weekend and need no compensation.
 * 3. Giỗ Tổ Hùng Vương on the 10th day of the 3rd lunar month (Vietnamese calendar, UTC+7).
 * 4. The day adjacent to 2 Sep: the weekday neighbour that joins the holiday to a weekend,
 *    by the weekday of 2 Sep: Mon → 3 Sep, Tue → 1 Sep, Wed → 1 Sep (as in 2026), Thu → 3 Sep,
 *    Fri → 1 Sep, Sat → 1 Sep, Sun → 3 Sep.
 * 5. A holiday of rules 1, 3, 4 that falls on a weekly rest day (or on another holiday) gives
 *    a compensatory day off (nghỉ bù) on the next working day that is not already off.
 * 6. No swapped days (hoán đổi) and no make-up Saturdays: the Government decides those each
 *    year; an administrator enters them when they are announced.
 */
import { dayNumberFromParts, localDateOf, weekdayOf, type Weekday } from './civil-time';
import { lunarNewYearDay, solarDayOfLunar } from './lunar';
import type { DayEntry, YearSchedule } from './model';

export const ESTIMATE_BASIS = 'Ước tính theo Điều 111–112 Bộ luật Lao động 2019 (chưa có thông báo chính thức)';

const TET_DAYS = 5;
const SEPTEMBER_NEIGHBOUR: Record<Weekday, 1 | 3> = { Mon: 3, Tue: 1, Wed: 1, Thu: 3, Fri: 1, Sat: 1, Sun: 3 };

interface Holiday {
  day: number;
  name: string;
}

const cache = new Map<string, YearSchedule>();

export function estimateYear(year: number, weeklyRestDays: readonly Weekday[]): YearSchedule {
  const key = `${year}|${[...weeklyRestDays].sort().join(',')}`;
  let schedule = cache.get(key);
  if (!schedule) {
    schedule = computeEstimate(year, new Set(weeklyRestDays));
    cache.set(key, schedule);
  }
  return structuredClone(schedule);
}

function computeEstimate(year: number, restDays: ReadonlySet<Weekday>): YearSchedule {
  const isRest = (day: number): boolean => restDays.has(weekdayOf(day));
  const tet = tetDays(lunarNewYearDay(year), isRest);

  const sep2 = dayNumberFromParts(year, 9, 2);
  const fixed: Holiday[] = [
    { day: dayNumberFromParts(year, 1, 1), name: 'Tết Dương lịch' },
    { day: solarDayOfLunar(year, 3, 10), name: 'Giỗ Tổ Hùng Vương (10/3 âm lịch)' },
    { day: dayNumberFromParts(year, 4, 30), name: 'Ngày Chiến thắng' },
    { day: dayNumberFromParts(year, 5, 1), name: 'Ngày Quốc tế Lao động' },
    { day: sep2, name: 'Quốc khánh' },
    { day: dayNumberFromParts(year, 9, SEPTEMBER_NEIGHBOUR[weekdayOf(sep2)]), name: 'Quốc khánh (ngày liền kề)' },
  ].sort((a, b) => a.day - b.day);

  const taken = new Set<number>([...tet, ...fixed.map((h) => h.day)]);
  const daysOff: Holiday[] = tet.map((day) => ({ day, name: 'Tết Nguyên đán' }));
  const seen = new Set<number>(tet);
  for (const holiday of fixed) {
    if (!isRest(holiday.day) && !seen.has(holiday.day)) {
      daysOff.push(holiday);
    } else {
      let day = holiday.day + 1;
      while (isRest(day) || taken.has(day)) day++;
      taken.add(day);
      daysOff.push({ day, name: `Nghỉ bù ${holiday.name} (rơi vào ${localDateOf(holiday.day)})` });
    }
    seen.add(holiday.day);
  }

  const entries: DayEntry[] = daysOff.sort((a, b) => a.day - b.day).map((h) => ({ date: localDateOf(h.day), name: h.name }));
  return { status: 'estimated', basis: [ESTIMATE_BASIS], daysOff: entries, makeUpWorkingDays: [], pending: [] };
}

function tetDays(newYearDay: number, isRest: (day: number) => boolean): number[] {
  const days: number[] = [];
  for (let day = newYearDay - 2; days.length < TET_DAYS; day++) if (!isRest(day)) days.push(day);
  return days;
}
