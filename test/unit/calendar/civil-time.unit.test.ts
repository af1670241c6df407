import {
  dayNumberOf,
  dayNumberOfLocalDate,
  formatInstant,
  localDateOf,
  msIntoDay,
  parseClockTime,
  parseInstant,
  weekdayOf,
} from '../../../server/calendar/civil-time';
import { CalendarInputError } from '../../../server/calendar/errors';

describe('civil time in Việt Nam (UTC+7) whatever the machine time zone', () => {
  test.each([
    ['2026-02-13T16:00:00+07:00', '2026-02-13T09:00:00.000Z'],
    ['2026-02-13T16:00+07:00', '2026-02-13T09:00:00.000Z'],
    ['2026-02-13T16:00', '2026-02-13T09:00:00.000Z'],
    ['2026-02-13T09:00:00Z', '2026-02-13T09:00:00.000Z'],
    ['2026-02-13T04:00:00-05:00', '2026-02-13T09:00:00.000Z'],
    ['2026-02-13T16:00:00.5+07:00', '2026-02-13T09:00:00.500Z'],
    // 02:30 on 8 March 2026 does not exist in New York; in Việt Nam it does
    ['2026-03-08T02:30', '2026-03-07T19:30:00.000Z'],
  ])('parseInstant(%s) = %s', (text, iso) => {
    expect(new Date(parseInstant(text)).toISOString()).toBe(iso);
  });

  test.each([
    ['2026-02-13T09:00:00.000Z', '2026-02-13T16:00:00+07:00'],
    ['2026-02-13T17:30:00.000Z', '2026-02-14T00:30:00+07:00'],
    ['2026-02-13T09:00:00.250Z', '2026-02-13T16:00:00.250+07:00'],
  ])('formatInstant(%s) = %s', (iso, text) => {
    expect(formatInstant(Date.parse(iso))).toBe(text);
  });

  test.each(['2026-02-30T10:00', '2026-02-13 10:00', '2026-02-13T25:00', '2026-13-01T10:00', 'hôm nay', '', '2026-02-13T10:00+15:00', '2026-02-13'])(
    'parseInstant refuses %j with a clear error',
    (text) => {
      expect(() => parseInstant(text)).toThrow(CalendarInputError);
      expect(() => parseInstant(text)).toThrow(/thời điểm|múi giờ/);
    },
  );

  test('the civil day, weekday and time of day come from UTC+7, not from the machine', () => {
    const instant = parseInstant('2026-02-14T00:30+07:00'); // still the 13th in UTC and in New York
    expect(localDateOf(dayNumberOf(instant))).toBe('2026-02-14');
    expect(weekdayOf(dayNumberOf(instant))).toBe('Sat');
    expect(msIntoDay(instant)).toBe(30 * 60_000);
  });

  test.each([
    ['1970-01-01', 'Thu'],
    ['2024-02-10', 'Sat'],
    ['2026-04-26', 'Sun'],
    ['2026-11-24', 'Tue'],
  ])('%s is a %s', (date, weekday) => {
    expect(weekdayOf(dayNumberOfLocalDate(date))).toBe(weekday);
  });

  test.each(['2026-02-29', '2026-4-1', '26-04-01', '2026-04-31'])('local date %j is refused', (date) => {
    expect(() => dayNumberOfLocalDate(date)).toThrow(/ngày không hợp lệ/);
  });

  test('clock times', () => {
    expect(parseClockTime('07:30')).toBe(450);
    expect(parseClockTime('24:00')).toBe(1440);
    expect(() => parseClockTime('7:30')).toThrow(/giờ không hợp lệ/);
    expect(() => parseClockTime('24:01')).toThrow(/giờ không hợp lệ/);
    expect(() => parseClockTime('10:60')).toThrow(/giờ không hợp lệ/);
  });
});
