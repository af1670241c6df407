import {
  clockStartFor,
  dueOnClock,
  elapsedOnClock,
  restartClock,
  resumeClock,
  stopClock,
  type Channel,
  type DossierClock,
  type IntakeRules,
} from '../../../server/calendar/clock';
import { calendars, show, vn } from './support';

const book = calendars();
const office = book.forUnit();

describe('when the clock starts (channel rules)', () => {
  test.each([
    ['paper before the cut-off', 'paper', '2025-03-03T14:59', '2025-03-03T14:59'],
    ['paper at 15:00 sharp is not after the cut-off', 'paper', '2025-03-03T15:00', '2025-03-03T15:00'],
    ['paper after 15:00 counts from the next working day', 'paper', '2025-03-03T15:00:01', '2025-03-04T07:30'],
    ['paper after 15:00 on the Friday before Tết 2026', 'paper', '2026-02-13T16:00', '2026-02-23T07:30'],
    ['paper at lunch', 'paper', '2025-03-03T12:00', '2025-03-03T13:00'],
    ['paper before opening', 'paper', '2025-03-03T06:00', '2025-03-03T07:30'],
    ['paper on Saturday', 'paper', '2025-03-08T10:00', '2025-03-10T07:30'],
    ['online inside office hours', 'online', '2025-03-03T16:30', '2025-03-03T16:30'],
    ['online in the evening counts from the next opening', 'online', '2025-03-03T20:00', '2025-03-04T07:30'],
    ['online at lunch', 'online', '2025-03-03T12:15', '2025-03-03T13:00'],
    ['online on a holiday', 'online', '2026-04-27T09:00', '2026-04-28T07:30'],
  ])('%s: %s received %s → %s', (_case, channel, receivedAt, expected) => {
    expect(show(clockStartFor(office, vn(receivedAt), channel as Channel))).toBe(expected);
  });

  test('both cut-offs are configurable', () => {
    const rules: IntakeRules = { paperCutoffMinutes: null, onlineCutoffMinutes: 16 * 60 };
    expect(show(clockStartFor(office, vn('2025-03-03T16:30'), 'paper', rules))).toBe('2025-03-03T16:30');
    expect(show(clockStartFor(office, vn('2025-03-03T16:30'), 'online', rules))).toBe('2025-03-04T07:30');
  });

  test('a desk open on Saturday mornings: the next working day may be a Saturday', () => {
    const desk = book.forUnit('stp-mot-cua');
    expect(show(clockStartFor(desk, vn('2025-03-07T16:00'), 'paper'))).toBe('2025-03-08T07:30');
    expect(show(clockStartFor(desk, vn('2025-03-08T09:00'), 'paper'))).toBe('2025-03-08T09:00');
  });

  test('an unknown channel is refused', () => {
    expect(() => clockStartFor(office, vn('2025-03-03T09:00'), 'fax' as Channel)).toThrow(/channel phải là online hoặc paper/);
  });
});

describe('stopped clock', () => {
  const start: DossierClock = { clockStartAt: vn('2025-03-03T07:30'), stoppedIntervals: [] };
  const due = (clock: DossierClock, minutes = 4800): string => {
    const result = dueOnClock(office, clock, minutes);
    return result ? show(result.dueAt) : 'stopped';
  };

  test.each([
    ['no stop: ten working days from Monday 07:30 end Friday week 17:00', [], '2025-03-14T17:00'],
    ['two working days stopped move the due date by two working days', [['2025-03-04T07:30', '2025-03-06T07:30']], '2025-03-18T17:00'],
    ['a stop across lunch excludes only working minutes (150)', [['2025-03-03T10:00', '2025-03-03T14:00']], '2025-03-17T10:00'],
    ['a stop over a weekend changes nothing', [['2025-03-08T08:00', '2025-03-09T20:00']], '2025-03-14T17:00'],
    ['a stop before the clock start is ignored', [['2025-02-20T08:00', '2025-02-21T08:00']], '2025-03-14T17:00'],
    ['overlapping stops count once', [['2025-03-04T07:30', '2025-03-05T17:00'], ['2025-03-05T07:30', '2025-03-06T07:30']], '2025-03-18T17:00'],
    ['unsorted stops', [['2025-03-11T07:30', '2025-03-12T07:30'], ['2025-03-04T07:30', '2025-03-05T07:30']], '2025-03-18T17:00'],
    ['a clock stopped now (no end) before the due date: unknown', [['2025-03-10T09:00', null]], 'stopped'],
    ['a clock stopped after the due date: the due date stands', [['2025-03-20T09:00', null]], '2025-03-14T17:00'],
  ] as [string, [string, string | null][], string][])('%s', (_case, stops, expected) => {
    const clock: DossierClock = { ...start, stoppedIntervals: stops.map(([from, to]) => ({ from: vn(from), to: to === null ? null : vn(to) })) };
    expect(due(clock)).toBe(expected);
  });

  test('elapsed working minutes exclude the stopped intervals', () => {
    const clock: DossierClock = { ...start, stoppedIntervals: [{ from: vn('2025-03-03T10:00'), to: vn('2025-03-04T07:30') }] };
    expect(elapsedOnClock(office, clock, vn('2025-03-03T09:00'))).toBe(90);
    expect(elapsedOnClock(office, clock, vn('2025-03-03T16:00'))).toBe(150);
    expect(elapsedOnClock(office, clock, vn('2025-03-04T08:00'))).toBe(180);
    expect(elapsedOnClock(office, clock, vn('2025-03-01T08:00'))).toBe(0);
  });

  test('after a supplement the clock restarts from zero', () => {
    let clock = restartClock(office, vn('2025-03-03T07:30'), 'online');
    clock = stopClock(clock, vn('2025-03-04T10:00'), 'yêu cầu bổ sung hồ sơ');
    expect(dueOnClock(office, clock, 4800)).toBeNull();
    // the complete dossier arrives online on Monday 10 March at 09:00
    clock = restartClock(office, vn('2025-03-10T09:00'), 'online');
    expect(clock.stoppedIntervals).toEqual([]);
    expect(due(clock)).toBe('2025-03-24T09:00');
  });

  test('stop and resume', () => {
    let clock = stopClock(start, vn('2025-03-04T07:30'));
    expect(() => stopClock(clock, vn('2025-03-04T08:00'))).toThrow(/đang dừng/);
    expect(() => resumeClock(clock, vn('2025-03-03T08:00'))).toThrow(/sau thời điểm dừng/);
    clock = resumeClock(clock, vn('2025-03-06T07:30'));
    expect(due(clock)).toBe('2025-03-18T17:00');
    expect(() => resumeClock(clock, vn('2025-03-07T07:30'))).toThrow(/không dừng/);
  });
});
