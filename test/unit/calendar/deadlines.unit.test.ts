import { restartClock, stopClock } from '../../../server/calendar/clock';
import { dossierDeadlines, stepDueAt } from '../../../server/calendar/deadlines';
import { calendars, show, vn } from './support';

const book = calendars();
const office = book.forUnit();
const shown = (d: ReturnType<typeof dossierDeadlines>) => ({
  statutoryDueAt: d.statutoryDueAt && show(d.statutoryDueAt),
  targetDueAt: d.targetDueAt && show(d.targetDueAt),
  apologyByAt: d.apologyByAt && show(d.apologyByAt),
  estimated: d.estimated,
});

describe('a dossier’s deadlines', () => {
  test('online, ordinary: 10 working days, pilot target 3, apology one working day before the due date', () => {
    const clock = restartClock(office, vn('2025-03-03T09:12'), 'online');
    expect(shown(dossierDeadlines(office, clock, { statutoryWorkingDays: 10, targetWorkingDays: 3, apologyLeadMinutes: 480 }))).toEqual({
      statutoryDueAt: '2025-03-17T09:12',
      targetDueAt: '2025-03-06T09:12',
      apologyByAt: '2025-03-14T09:12',
      estimated: false,
    });
  });

  test('paper after 15:00 on the Friday before Tết 2026, with verification (9 wd)', () => {
    const clock = restartClock(office, vn('2026-02-13T16:00'), 'paper');
    expect(shown(dossierDeadlines(office, clock, { statutoryWorkingDays: 10, targetWorkingDays: 9, apologyLeadMinutes: 480 }))).toEqual({
      statutoryDueAt: '2026-03-06T17:00',
      targetDueAt: '2026-03-05T17:00',
      // 17:00 minus one working day is 07:30 the same day: the same working instant as 17:00 the day before
      apologyByAt: '2026-03-06T07:30',
      estimated: false,
    });
  });

  test('the extended case: 15 working days across Hùng Kings day and 30/4–1/5 2026', () => {
    const clock = restartClock(office, vn('2026-04-20T10:00'), 'online');
    const deadlines = dossierDeadlines(office, clock, { statutoryWorkingDays: 15, targetWorkingDays: 9, apologyLeadMinutes: 480 });
    // working days after Mon 20 Apr: 21–24, 28, 29, 4–8 May, 11–14 May → the 15th is Thu 14 May
    expect(shown(deadlines).statutoryDueAt).toBe('2026-05-14T10:00');
  });

  test('a dossier received in December 2026 has estimated deadlines (2027 has no official schedule)', () => {
    const clock = restartClock(office, vn('2026-12-24T10:00'), 'online');
    expect(dossierDeadlines(office, clock, { statutoryWorkingDays: 10, targetWorkingDays: 3, apologyLeadMinutes: 480 }).estimated).toBe(true);
  });

  test('while the clock is stopped the deadlines are unknown', () => {
    const clock = stopClock(restartClock(office, vn('2025-03-03T09:12'), 'online'), vn('2025-03-04T10:00'));
    expect(dossierDeadlines(office, clock, { statutoryWorkingDays: 10, targetWorkingDays: 3, apologyLeadMinutes: 480 })).toEqual({
      statutoryDueAt: null,
      targetDueAt: null,
      apologyByAt: null,
      apologyPromptAt: null,
      estimated: false,
    });
  });

  test.each([
    [{ statutoryWorkingDays: 10.5, targetWorkingDays: 3, apologyLeadMinutes: 480 }, /statutoryWorkingDays phải là số nguyên/],
    [{ statutoryWorkingDays: 10, targetWorkingDays: -1, apologyLeadMinutes: 480 }, /targetWorkingDays phải là số nguyên/],
  ])('bad terms %j are refused', (terms, message) => {
    const clock = restartClock(office, vn('2025-03-03T09:12'), 'online');
    expect(() => dossierDeadlines(office, clock, terms)).toThrow(message);
  });

  test('one working day is configurable', () => {
    const clock = restartClock(office, vn('2025-03-03T07:30'), 'online');
    const deadlines = dossierDeadlines(office, clock, { statutoryWorkingDays: 1, targetWorkingDays: 1, apologyLeadMinutes: 480 }, { workingDayMinutes: 240 });
    expect(shown(deadlines).statutoryDueAt).toBe('2025-03-03T11:30');
  });
});

describe('a step’s due time', () => {
  test('police verification, 46 working hours on the police unit’s hours (07:00–11:30, 13:30–17:00)', () => {
    const police = book.forUnit('ca-pv06');
    // Mon 10:00: 300 min that day, then 5 full days (Tue–Mon), then 60 min on Tuesday 11 March
    expect(show(stepDueAt(police, vn('2025-03-03T10:00'), 46 * 60).dueAt)).toBe('2025-03-11T08:00');
  });

  test('a 4-hour step started at lunch', () => {
    expect(show(stepDueAt(office, vn('2025-03-03T12:10'), 240).dueAt)).toBe('2025-03-03T17:00');
  });

  test('a negative or fractional allotment is refused', () => {
    expect(() => stepDueAt(office, vn('2025-03-03T12:10'), -1)).toThrow(/allotmentMinutes/);
    expect(() => stepDueAt(office, vn('2025-03-03T12:10'), 2.5)).toThrow(/allotmentMinutes/);
  });
});
