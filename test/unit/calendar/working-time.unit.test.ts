import { CalendarInputError, CalendarRangeError } from '../../../server/calendar/errors';
import type { YearSchedule } from '../../../server/calendar/model';
import { estimateYear } from '../../../server/calendar/estimate';
import { calendars, show, vn } from './support';

// Both engines must give every answer in this file.
describe.each(['table', 'reference'] as const)('working time (%s engine)', (engine) => {
  const book = calendars(engine);
  const office = book.forUnit();
  const saturdayDesk = book.forUnit('stp-mot-cua');
  const police = book.forUnit('ca-pv06');

  describe('add on an ordinary week (07:30–11:30, 13:00–17:00)', () => {
    test.each([
      ['07:30 + 480 min is 17:00 the same day', '2025-03-03T07:30', 480, '2025-03-03T17:00'],
      ['a result on the end of the morning stays there', '2025-03-03T07:30', 240, '2025-03-03T11:30'],
      ['one minute more crosses lunch', '2025-03-03T07:30', 241, '2025-03-03T13:01'],
      ['split shift: 11:00 + 60 min', '2025-03-03T11:00', 60, '2025-03-03T13:30'],
      ['a start at lunch counts from 13:00', '2025-03-03T12:00', 30, '2025-03-03T13:30'],
      ['a start at 11:30 sharp counts from 13:00', '2025-03-03T11:30', 1, '2025-03-03T13:01'],
      ['regression: start before opening', '2025-03-03T06:00', 60, '2025-03-03T08:30'],
      ['regression: start hour earlier than the opening hour', '2025-03-03T06:45', 15, '2025-03-03T07:45'],
      ['regression: start in the opening hour but before opening', '2025-03-03T07:10', 15, '2025-03-03T07:45'],
      ['regression: start after closing', '2025-03-03T18:00', 60, '2025-03-04T08:30'],
      ['a start at 17:00 sharp counts from the next morning', '2025-03-03T17:00', 60, '2025-03-04T08:30'],
      ['a start at night', '2025-03-03T23:59', 1, '2025-03-04T07:31'],
      ['a start just after midnight', '2025-03-04T00:01', 1, '2025-03-04T07:31'],
      ['Friday evening to Monday', '2025-03-07T17:30', 60, '2025-03-10T08:30'],
      ['a start on Saturday', '2025-03-08T10:00', 60, '2025-03-10T08:30'],
      ['a start on Sunday', '2025-03-09T10:00', 480, '2025-03-10T17:00'],
      ['two working days from Monday morning', '2025-03-03T07:30', 960, '2025-03-04T17:00'],
      ['seconds are kept', '2025-03-03T10:00:30', 60, '2025-03-03T11:00:30'],
      ['ten working days', '2025-03-03T09:15', 4800, '2025-03-17T09:15'],
    ])('%s: %s + %i → %s', (_case, start, minutes, expected) => {
      expect(show(office.add(vn(start), minutes).dueAt)).toBe(expected);
    });
  });

  describe('add across the official 2024–2026 schedules', () => {
    test.each([
      ['regression: holiday ignored (30/4–1/5 and the swapped 2/5/2025)', '2025-04-29T16:00', 120, '2025-05-05T08:30'],
      ['Tết 2024 (8–14 Feb)', '2024-02-07T16:00', 120, '2024-02-15T08:30'],
      ['Tết 2024, two working days', '2024-02-07T07:30', 960, '2024-02-15T17:00'],
      ['Tết 2025 (25 Jan–2 Feb)', '2025-01-24T16:00', 120, '2025-02-03T08:30'],
      ['Tết 2026 (14–22 Feb)', '2026-02-13T16:00', 120, '2026-02-23T08:30'],
      ['ten working days across Tết 2026', '2026-02-09T08:00', 4800, '2026-03-02T08:00'],
      ['make-up Saturday 4 May 2024', '2024-05-03T16:00', 120, '2024-05-04T08:30'],
      ['make-up Saturday 26 Apr 2025', '2025-04-25T16:00', 120, '2025-04-26T08:30'],
      ['make-up Saturday 10 Jan 2026', '2026-01-09T16:00', 120, '2026-01-10T08:30'],
      ['make-up Saturday 22 Aug 2026', '2026-08-21T16:00', 120, '2026-08-22T08:30'],
      ['swapped day 2 Jan 2026', '2025-12-31T16:00', 120, '2026-01-05T08:30'],
      ['swapped day 29 Apr 2024 and 30/4–1/5', '2024-04-26T16:00', 120, '2024-05-02T08:30'],
      ['Hùng Kings 2024 (Thu 18 Apr)', '2024-04-17T16:00', 120, '2024-04-19T08:30'],
      ['Hùng Kings 2025 (Mon 7 Apr)', '2025-04-04T16:00', 120, '2025-04-08T08:30'],
      ['Hùng Kings 2026 on Sunday 26 Apr, moved to Monday 27', '2026-04-24T16:00', 120, '2026-04-28T08:30'],
      ['National Day 2024 (2–3 Sep)', '2024-08-30T16:00', 120, '2024-09-04T08:30'],
      ['National Day 2025 (1–2 Sep)', '2025-08-29T16:00', 120, '2025-09-03T08:30'],
      ['National Day 2026 (31 Aug swapped, 1–2 Sep)', '2026-08-28T16:00', 120, '2026-09-03T08:30'],
      ['New Year 2025 (Wed 1 Jan)', '2024-12-31T16:00', 120, '2025-01-02T08:30'],
      ['a start on a holiday counts from the next opening', '2026-02-18T10:00', 30, '2026-02-23T08:00'],
      ['the pending 24 Nov 2026 does not apply until confirmed', '2026-11-23T16:00', 120, '2026-11-24T08:30'],
    ])('%s: %s + %i → %s', (_case, start, minutes, expected) => {
      expect(show(office.add(vn(start), minutes).dueAt)).toBe(expected);
    });
  });

  describe('add backwards (one working day before a due date)', () => {
    test.each([
      ['one working day before 10:00 Tuesday', '2025-03-04T10:00', -480, '2025-03-03T10:00'],
      ['from 17:00 the result stays on the opening of the same day', '2025-03-04T17:00', -480, '2025-03-04T07:30'],
      ['a start after closing moves to the previous closing', '2025-03-04T20:00', -60, '2025-03-04T16:00'],
      ['from 13:00 back over lunch', '2025-03-04T13:00', -240, '2025-03-04T07:30'],
      ['a start at lunch', '2025-03-04T12:00', -30, '2025-03-04T11:00'],
      ['Monday before opening back to Friday', '2025-03-03T06:00', -60, '2025-02-28T16:00'],
      ['one minute before the opening', '2025-03-04T07:30', -1, '2025-03-03T16:59'],
      ['back over Tết 2026', '2026-02-23T09:00', -120, '2026-02-13T16:30'],
      ['back over the Hùng Kings Monday 2026', '2026-04-28T08:30', -120, '2026-04-24T16:00'],
      ['back onto the make-up Saturday 2024', '2024-05-06T08:30', -120, '2024-05-04T16:00'],
    ])('%s: %s %i → %s', (_case, start, minutes, expected) => {
      expect(show(office.add(vn(start), minutes).dueAt)).toBe(expected);
    });
  });

  describe('zero minutes moves the start to the next opening when needed', () => {
    test.each([
      ['2025-03-03T10:00', '2025-03-03T10:00'],
      ['2025-03-03T07:30', '2025-03-03T07:30'],
      ['2025-03-03T11:30', '2025-03-03T13:00'],
      ['2025-03-03T17:00', '2025-03-04T07:30'],
      ['2025-03-08T10:00', '2025-03-10T07:30'],
      ['2026-02-13T17:01', '2026-02-23T07:30'],
    ])('%s → %s', (start, expected) => {
      expect(show(office.add(vn(start), 0).dueAt)).toBe(expected);
    });
  });

  describe('between: working minutes in [a, b)', () => {
    test.each([
      ['2025-03-03T07:30', '2025-03-03T17:00', 480],
      ['2025-03-03T07:30', '2025-03-04T07:30', 480],
      ['2025-03-03T12:00', '2025-03-03T13:00', 0],
      ['2025-03-03T11:00', '2025-03-03T13:30', 60],
      ['2025-03-08T00:00', '2025-03-10T00:00', 0],
      ['2026-02-13T07:30', '2026-02-23T07:30', 480],
      ['2025-03-03T10:00:30', '2025-03-03T10:05:00', 4],
      ['2025-03-03T10:00', '2025-03-03T10:00', 0],
      ['2025-03-04T07:30', '2025-03-03T07:30', -480],
      ['2024-01-01T00:00', '2025-01-01T00:00', 251 * 480],
      ['2025-01-01T00:00', '2026-01-01T00:00', 250 * 480],
      ['2026-01-01T00:00', '2027-01-01T00:00', 250 * 480],
    ])('between(%s, %s) = %i', (a, b, minutes) => {
      expect(office.between(vn(a), vn(b))).toBe(minutes);
    });
  });

  describe('units keep their own hours', () => {
    test.each([
      ['a desk open on Saturday mornings', '2025-03-07T16:00', 120, '2025-03-08T08:30'],
      ['... is closed on Sunday', '2025-03-08T11:00', 60, '2025-03-10T08:00'],
      ['... is closed on a Saturday inside a holiday break (31 Aug 2024)', '2024-08-30T16:00', 120, '2024-09-04T08:30'],
      ['... is closed on the Saturdays of Tết 2026', '2026-02-13T16:00', 120, '2026-02-23T08:30'],
      ['... works a make-up Saturday full day', '2024-05-04T11:00', 120, '2024-05-04T14:30'],
    ])('%s: %s + %i → %s', (_case, start, minutes, expected) => {
      expect(show(saturdayDesk.add(vn(start), minutes).dueAt)).toBe(expected);
    });

    test.each([
      ['07:00–11:30, 13:30–17:00: the morning is 270 minutes', '2025-03-03T07:00', 270, '2025-03-03T11:30'],
      ['... then 13:30', '2025-03-03T07:00', 271, '2025-03-03T13:31'],
      ['... 07:15 is inside office hours', '2025-03-03T07:15', 15, '2025-03-03T07:30'],
      ['... 13:00 is still lunch', '2025-03-03T13:00', 30, '2025-03-03T14:00'],
    ])('police: %s: %s + %i → %s', (_case, start, minutes, expected) => {
      expect(show(police.add(vn(start), minutes).dueAt)).toBe(expected);
    });

    test('a unit with no hours of its own keeps the default hours', () => {
      expect(show(book.forUnit('phong-hcpt').add(vn('2025-03-03T07:30'), 480).dueAt)).toBe('2025-03-03T17:00');
    });
  });

  describe('estimated years', () => {
    test('a deadline inside an official year is not estimated', () => {
      expect(office.add(vn('2026-03-02T08:00'), 4800).estimated).toBe(false);
    });

    test('a deadline that crosses into 2027 (no official schedule) is estimated', () => {
      const result = office.add(vn('2026-12-28T08:00'), 4800);
      expect(result.estimated).toBe(true);
      // 1 Jan 2027 (Friday) is an estimated day off
      expect(show(result.dueAt)).toBe('2027-01-12T08:00');
    });

    test('once 2027 is confirmed, the same deadline is no longer estimated', () => {
      const confirmed: YearSchedule = { ...estimateYear(2027, ['Sat', 'Sun']), status: 'official', basis: ['Thông báo giả định'] };
      const result = calendars(engine, { 2027: confirmed }).forUnit().add(vn('2026-12-28T08:00'), 4800);
      expect(result.estimated).toBe(false);
      expect(show(result.dueAt)).toBe('2027-01-12T08:00');
    });

    test('a confirmed pending day applies', () => {
      const data = calendars(engine).civil.schedule(2026);
      const confirmed: YearSchedule = { ...data, pending: data.pending.map((p) => ({ ...p, status: 'confirmed' as const })) };
      const result = calendars(engine, { 2026: confirmed }).forUnit().add(vn('2026-11-23T16:00'), 120);
      expect(show(result.dueAt)).toBe('2026-11-25T08:30');
    });
  });

  describe('bad inputs get clear errors', () => {
    test.each([
      [1.5, /minutes phải là số nguyên phút \(nhận: 1.5\)/],
      [Number.NaN, /minutes phải là số nguyên phút/],
      [Number.POSITIVE_INFINITY, /minutes phải là số nguyên phút/],
      ['10', /minutes phải là số nguyên phút/],
      [1e12, /minutes quá lớn/],
      [-1e12, /minutes quá lớn/],
    ])('minutes = %p', (minutes, message) => {
      expect(() => office.add(vn('2025-03-03T07:30'), minutes as number)).toThrow(CalendarInputError);
      expect(() => office.add(vn('2025-03-03T07:30'), minutes as number)).toThrow(message);
    });

    test('an invalid date', () => {
      expect(() => office.add(new Date('nonsense'), 60)).toThrow(/start phải là một thời điểm hợp lệ/);
      expect(() => office.between(vn('2025-03-03T07:30'), 'x' as unknown as Date)).toThrow(/b phải là một thời điểm hợp lệ/);
    });

    test.each([
      ['a start before 2000', '1990-01-01T08:00', 60],
      ['a start after 2100', '2101-01-01T08:00', 60],
      ['a result after 2100', '2100-12-30T08:00', 4800],
      ['a result before 2000', '2000-01-05T08:00', -4800],
    ])('%s is out of range', (_case, start, minutes) => {
      expect(() => office.add(vn(start), minutes)).toThrow(CalendarRangeError);
      expect(() => office.add(vn(start), minutes)).toThrow(/phạm vi lịch hỗ trợ \(2000–2100\)/);
    });

    test('an empty unit id', () => {
      expect(() => book.forUnit('  ')).toThrow(/unitId phải là mã đơn vị/);
    });
  });
});
