/**
 * The periods an index is computed for: the civil day, week (Monday to Sunday), month, quarter or
 * year, Việt Nam time, that holds a date. `from` is included, `to` excluded.
 */
import { dayNumberFromParts, dayNumberOfLocalDate, dayStartMs, isLocalDate, localDateOf, weekdayOf, WEEKDAYS, type LocalDate } from '../calendar/civil-time';

export const PERIOD_KINDS = ['day', 'week', 'month', 'quarter', 'year'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

export interface ScorePeriod {
  kind: PeriodKind;
  /** The first civil day, `YYYY-MM-DD`. */
  first: LocalDate;
  /** The last civil day (included). */
  last: LocalDate;
  from: Date;
  to: Date;
}

/** The first and the day after the last day (day numbers) of the period holding `day`. */
function span(kind: PeriodKind, day: number): [number, number] {
  const [y, m] = [Number(localDateOf(day).slice(0, 4)), Number(localDateOf(day).slice(5, 7))];
  switch (kind) {
    case 'day':
      return [day, day + 1];
    case 'week': {
      const monday = day - ((WEEKDAYS.indexOf(weekdayOf(day)) + 6) % 7);
      return [monday, monday + 7];
    }
    case 'month':
      return [dayNumberFromParts(y, m, 1), m === 12 ? dayNumberFromParts(y + 1, 1, 1) : dayNumberFromParts(y, m + 1, 1)];
    case 'quarter': {
      const q = Math.floor((m - 1) / 3);
      return [dayNumberFromParts(y, q * 3 + 1, 1), q === 3 ? dayNumberFromParts(y + 1, 1, 1) : dayNumberFromParts(y, q * 3 + 4, 1)];
    }
    case 'year':
      return [dayNumberFromParts(y, 1, 1), dayNumberFromParts(y + 1, 1, 1)];
  }
}

/** The period of that kind holding `date`; throws on a date that is not `YYYY-MM-DD`. */
export function scorePeriod(kind: PeriodKind, date: LocalDate): ScorePeriod {
  if (!isLocalDate(date)) throw new RangeError(`not a date YYYY-MM-DD: ${date}`);
  const [first, after] = span(kind, dayNumberOfLocalDate(date));
  return { kind, first: localDateOf(first), last: localDateOf(after - 1), from: new Date(dayStartMs(first)), to: new Date(dayStartMs(after)) };
}
