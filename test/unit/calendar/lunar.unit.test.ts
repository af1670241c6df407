import { dayNumberOfLocalDate, localDateOf } from '../../../server/calendar/civil-time';
import { lunarDateOf, lunarNewYearDay, solarDayOfLunar } from '../../../server/calendar/lunar';

describe('Vietnamese lunar calendar (UTC+7) from vietnamese-lunar-calendar', () => {
  test.each([
    [2024, '2024-02-10'],
    [2025, '2025-01-29'],
    [2026, '2026-02-17'],
  ])('Tết %i (mùng 1 tháng Giêng) is %s, as in the official schedule', (year, date) => {
    expect(localDateOf(lunarNewYearDay(year))).toBe(date);
  });

  test.each([
    [2024, '2024-04-18'],
    [2025, '2025-04-07'],
    [2026, '2026-04-26'],
  ])('Giỗ Tổ Hùng Vương %i (10/3 âm lịch) is %s', (year, date) => {
    expect(localDateOf(solarDayOfLunar(year, 3, 10))).toBe(date);
  });

  // Years where the new moon falls between 16:00 and 17:00 UTC: at UTC+8 (the Chinese
  // calendar) Tết is one day later or a month later. A library computing at UTC+8 fails these.
  test.each([
    [1985, '1985-01-21'],
    [2007, '2007-02-17'],
    [2030, '2030-02-02'],
    [2053, '2053-02-18'],
  ])('Tết %i is %s in Việt Nam (not the Chinese date)', (year, date) => {
    expect(localDateOf(lunarNewYearDay(year))).toBe(date);
  });

  test('a leap month is reported as such (2025 has a leap 6th month)', () => {
    // 2025-07-25 is 1/6 nhuận Ất Tỵ
    expect(lunarDateOf(dayNumberOfLocalDate('2025-07-25'))).toEqual({ year: 2025, month: 6, day: 1, leap: true });
    expect(lunarDateOf(dayNumberOfLocalDate('2025-06-25'))).toEqual({ year: 2025, month: 6, day: 1, leap: false });
  });
});
