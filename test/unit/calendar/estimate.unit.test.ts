import { dayNumberOfLocalDate, weekdayOf } from '../../../server/calendar/civil-time';
import { ESTIMATE_BASIS, estimateYear } from '../../../server/calendar/estimate';
import { loadSeed } from '../../../server/calendar/seed';

const REST = ['Sat', 'Sun'] as const;
const dates = (year: number): string[] => estimateYear(year, REST).daysOff.map((d) => d.date);

describe('estimating a year from the statutory rules', () => {
  test.each([2024, 2025, 2026])('the estimate of %i equals the official days off, swapped days aside', (year) => {
    const official = loadSeed().years[String(year)];
    const statutory = (official?.daysOff ?? []).filter((d) => !d.name.startsWith('Hoán đổi')).map((d) => d.date);
    expect(dates(year)).toEqual(statutory);
  });

  test('Hùng Kings day on Sunday 26 April 2026 moves to Monday 27', () => {
    const schedule = estimateYear(2026, REST);
    expect(schedule.daysOff.find((d) => d.date === '2026-04-27')?.name).toMatch(/Nghỉ bù Giỗ Tổ Hùng Vương/);
    expect(dates(2026)).not.toContain('2026-04-26');
  });

  test('Tết 2027 (mùng 1 on Saturday 6 Feb) gives five working days from Thursday 4 Feb', () => {
    expect(dates(2027).filter((d) => d.startsWith('2027-02'))).toEqual(['2027-02-04', '2027-02-05', '2027-02-08', '2027-02-09', '2027-02-10']);
  });

  test('1 May 2027 on a Saturday gives Monday 3 May off', () => {
    expect(dates(2027)).toContain('2027-05-03');
  });

  test('a holiday cluster on a weekend pushes the compensatory days after the whole cluster (2028: 30 Apr Sun, 1 May Mon)', () => {
    // 30 Apr 2028 is a Sunday, 1 May a Monday: the compensation for Sunday is Tuesday 2 May
    expect(dates(2028)).toEqual(expect.arrayContaining(['2028-05-01', '2028-05-02']));
  });

  test.each([
    // year, weekday of 2 Sep, expected September days off
    [2024, 'Mon', ['2024-09-02', '2024-09-03']],
    [2025, 'Tue', ['2025-09-01', '2025-09-02']],
    [2026, 'Wed', ['2026-09-01', '2026-09-02']],
    [2027, 'Thu', ['2027-09-02', '2027-09-03']],
    [2022, 'Fri', ['2022-09-01', '2022-09-02']],
    [2023, 'Sat', ['2023-09-01', '2023-09-04']],
    [2029, 'Sun', ['2029-09-03', '2029-09-04']],
  ])('National Day %i (2 Sep on %s): %j', (year, weekday, expected) => {
    expect(weekdayOf(dayNumberOfLocalDate(`${year}-09-02`))).toBe(weekday);
    expect(dates(year).filter((d) => d.slice(5, 7) === '09')).toEqual(expected);
  });

  test.each(Array.from({ length: 2100 - 2000 + 1 }, (_, i) => 2000 + i))('estimate %i: 11 weekday days off, none on a weekend, no make-up days', (year) => {
    const schedule = estimateYear(year, REST);
    expect(schedule.status).toBe('estimated');
    expect(schedule.basis).toEqual([ESTIMATE_BASIS]);
    expect(schedule.makeUpWorkingDays).toEqual([]);
    // 1 Jan, 5 Tết, Hùng Kings, 30 Apr, 1 May, 2 Sep + adjacent: 11, each on or compensated to a weekday
    expect(schedule.daysOff).toHaveLength(11);
    expect(new Set(schedule.daysOff.map((d) => d.date)).size).toBe(11);
    for (const day of schedule.daysOff) expect(['Sat', 'Sun']).not.toContain(weekdayOf(dayNumberOfLocalDate(day.date)));
  });
});
