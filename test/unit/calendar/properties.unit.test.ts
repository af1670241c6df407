import fc from 'fast-check';
import { parseInstant } from '../../../server/calendar/civil-time';
import { calendars } from './support';

// Instants from mid-2023 (estimated) through 2024–2026 (official) to mid-2027 (estimated),
// at millisecond resolution; amounts up to ±40 working days.
const FROM = parseInstant('2023-06-01T00:00');
const TO = parseInstant('2027-06-30T00:00');
const instant = fc.integer({ min: FROM, max: TO }).map((ms) => new Date(ms));
const minuteInstant = fc.integer({ min: FROM / 60_000, max: TO / 60_000 }).map((m) => new Date(m * 60_000));
const minutes = fc.integer({ min: -19_200, max: 19_200 });
const unit = fc.constantFrom('default', 'stp-mot-cua', 'ca-pv06');

const fast = calendars('table');
const reference = calendars('reference');
const runs = { numRuns: 400 };

describe('properties of the working-time engine', () => {
  test('the day-table engine equals the day-by-day reference for add', () => {
    fc.assert(
      fc.property(unit, fc.oneof(instant, minuteInstant), minutes, (u, start, m) => {
        const a = fast.forUnit(u).add(start, m);
        const b = reference.forUnit(u).add(start, m);
        expect(a.dueAt.toISOString()).toBe(b.dueAt.toISOString());
        expect(a.estimated).toBe(b.estimated);
      }),
      runs,
    );
  });

  test('the day-table engine equals the day-by-day reference for between', () => {
    fc.assert(
      fc.property(unit, instant, instant, (u, a, b) => {
        expect(fast.forUnit(u).workingMsBetween(a, b)).toBe(reference.forUnit(u).workingMsBetween(a, b));
      }),
      runs,
    );
  });

  test('add is monotonic in the amount and in the start', () => {
    fc.assert(
      fc.property(unit, instant, instant, minutes, minutes, (u, s1, s2, m1, m2) => {
        const calendar = fast.forUnit(u);
        const [lo, hi] = m1 <= m2 ? [m1, m2] : [m2, m1];
        expect(calendar.add(s1, lo).dueAt.getTime()).toBeLessThanOrEqual(calendar.add(s1, hi).dueAt.getTime());
        const [early, late] = s1 <= s2 ? [s1, s2] : [s2, s1];
        expect(calendar.add(early, m1).dueAt.getTime()).toBeLessThanOrEqual(calendar.add(late, m1).dueAt.getTime());
      }),
      runs,
    );
  });

  test('between(a, add(a, m)) = m for a start inside office hours', () => {
    fc.assert(
      fc.property(unit, instant, minutes, (u, any, m) => {
        const calendar = fast.forUnit(u);
        const start = calendar.nextOpening(any);
        expect(calendar.isWorkingInstant(start)).toBe(true);
        expect(calendar.between(start, calendar.add(start, m).dueAt)).toBe(m);
      }),
      runs,
    );
  });

  test('no result falls on a non-working instant', () => {
    fc.assert(
      fc.property(unit, instant, minutes, (u, start, m) => {
        const calendar = fast.forUnit(u);
        const due = calendar.add(start, m).dueAt;
        // forward results may sit on the end of a period (closed on the right), the others on a working instant
        const probe = m > 0 ? new Date(due.getTime() - 1) : due;
        expect(calendar.isWorkingInstant(probe)).toBe(true);
      }),
      runs,
    );
  });

  test('adding forward then back returns to the next opening of the start', () => {
    fc.assert(
      fc.property(unit, instant, fc.integer({ min: 1, max: 19_200 }), (u, start, m) => {
        const calendar = fast.forUnit(u);
        const back = calendar.add(calendar.add(start, m).dueAt, -m).dueAt;
        expect(back.toISOString()).toBe(calendar.nextOpening(start).toISOString());
      }),
      runs,
    );
  });
});
