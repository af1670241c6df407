import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CivilCalendar } from '../../../server/calendar/civil-calendar';
import { dayNumberOfLocalDate, localDateOf } from '../../../server/calendar/civil-time';
import { calendarDataFromSeed } from '../../../server/calendar/model';
import { loadSeed } from '../../../server/calendar/seed';

/**
 * The shared domain file the seed is copied from. It lies outside this repository (beside the
 * checkout, `../shared/domain/`): the product seeds from its own copy
 * (server/calendar/seed/calendar-vn.json), which the other tests here check; where the shared
 * file is absent, the comparison is skipped, and its title says why.
 */
const SHARED = '../shared/domain/calendar-vn.json';
const shared = join(__dirname, '../../../', SHARED);

describe('the shipped seed calendar', () => {
  const seed = loadSeed();
  const civil = new CivilCalendar(calendarDataFromSeed(seed));

  if (existsSync(shared)) {
    test('is an exact copy of the shared domain file', () => {
      const copy = readFileSync(join(__dirname, '../../../server/calendar/seed/calendar-vn.json'), 'utf8');
      expect(JSON.parse(copy)).toEqual(JSON.parse(readFileSync(shared, 'utf8')));
    });
  } else {
    test.skip(`is an exact copy of the shared domain file — skipped: ${SHARED} (outside this repository) is missing`, () => undefined);
  }

  test('2024–2026 are official, with a legal basis', () => {
    for (const year of [2024, 2025, 2026]) {
      expect(civil.schedule(year).status).toBe('official');
      expect(civil.schedule(year).basis.length).toBeGreaterThan(0);
    }
  });

  test('every day off is a weekday and every make-up day a Saturday', () => {
    for (const schedule of Object.values(seed.years)) {
      for (const day of schedule.daysOff) expect(civil.isRestWeekday(dayNumberOfLocalDate(day.date))).toBe(false);
      for (const day of schedule.makeUpWorkingDays) expect(civil.civilDay(dayNumberOfLocalDate(day.date)).weekday).toBe('Sat');
    }
  });

  test('24 November 2026 is pending and does not apply', () => {
    const day = civil.civilDay(dayNumberOfLocalDate('2026-11-24'));
    expect(day.working).toBe(true);
    expect(civil.scheduledDays(2026).find((d) => d.date === '2026-11-24')).toMatchObject({ kind: 'pending', status: 'pending', name: 'Ngày Văn hóa Việt Nam' });
  });

  // Each `break` of the official schedules is exactly the run of non-working days around its day,
  // which is how units that open on Saturdays know to stay closed in a holiday break.
  const breaks = Object.values(seed.years).flatMap((s) => s.daysOff.filter((d) => d.break).map((d) => [d.date, d.break] as const));
  test.each(breaks)('the break around %s is %j', (date, range) => {
    const day = dayNumberOfLocalDate(date);
    let first = day;
    while (!civil.isWorkingDay(first - 1)) first--;
    let last = day;
    while (!civil.isWorkingDay(last + 1)) last++;
    expect([localDateOf(first), localDateOf(last)]).toEqual(range);
    for (let d = first; d <= last; d++) if (civil.isRestWeekday(d)) expect(civil.inHolidayBreak(d)).toBe(true);
  });

  test('an ordinary weekend is not a holiday break', () => {
    expect(civil.inHolidayBreak(dayNumberOfLocalDate('2025-03-08'))).toBe(false);
  });
});
