/**
 * The shipped seed: `seed/calendar-vn.json`, a copy of the shared domain file with the
 * official 2024–2026 schedules, validated on load. `--seed` in the CLI and the tests use it
 * with no database; `seedCalendar` (store.ts) writes it into the database once.
 */
import seedJson from './seed/calendar-vn.json';
import { calendarDataFromSeed, calendarSeedSchema, type CalendarData, type CalendarSeed, type UnitHours } from './model';

export function loadSeed(): CalendarSeed {
  return calendarSeedSchema.parse(seedJson);
}

export function seedCalendarData(units?: readonly UnitHours[]): CalendarData {
  return calendarDataFromSeed(loadSeed(), units);
}
