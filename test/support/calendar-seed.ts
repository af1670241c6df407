/**
 * Calendars of a test's own. A test's outcome must not change the day the Government's days
 * off for a new year are entered in the repository's seed, so a test that needs a year
 * estimated takes it out of its seed, and a test whose worked figures rest on a year's days off
 * states those days itself.
 */
import type { CalendarSeed } from '../../server/calendar/model';
import { loadSeed } from '../../server/calendar/seed';

type YearSchedule = CalendarSeed['years'][string];

/** The repository's seed without these years: the product estimates them (Labour Code rules). */
export function seedWithoutYears(...years: number[]): CalendarSeed {
  const seed = loadSeed();
  return { ...seed, years: Object.fromEntries(Object.entries(seed.years).filter(([year]) => !years.includes(Number(year)))) };
}

/** The repository's seed with a year given by the test (replacing the seed's, if any). */
export function seedWithYear(year: number, schedule: YearSchedule): CalendarSeed {
  const seed = loadSeed();
  return { ...seed, years: { ...seed.years, [String(year)]: schedule } };
}
