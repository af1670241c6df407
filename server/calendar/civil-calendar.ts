/**
 * Which civil days are working days, from `CalendarData`: weekly rest days, the year's days off
 * and make-up Saturdays (stored, or estimated for years without an official schedule), and
 * pending days once confirmed. Also the office hours a unit keeps on a given day.
 */
import {
  dayNumberFromParts,
  dayNumberOfLocalDate,
  localDateOf,
  parseClockTime,
  weekdayOf,
  yearOfDay,
  type LocalDate,
  type Weekday,
} from './civil-time';
import { CalendarRangeError } from './errors';
import { estimateYear } from './estimate';
import {
  DEFAULT_UNIT_HOURS,
  DEFAULT_UNIT_ID,
  FIRST_SUPPORTED_YEAR,
  LAST_SUPPORTED_YEAR,
  type CalendarData,
  type DayEntry,
  type Period,
  type UnitHours,
  type YearSchedule,
} from './model';

/** First and last civil day the engine covers. */
export const FIRST_SUPPORTED_DAY = dayNumberFromParts(FIRST_SUPPORTED_YEAR, 1, 1);
export const LAST_SUPPORTED_DAY = dayNumberFromParts(LAST_SUPPORTED_YEAR, 12, 31);

export function outOfRange(what: string): CalendarRangeError {
  return new CalendarRangeError(`${what} nằm ngoài phạm vi lịch hỗ trợ (${FIRST_SUPPORTED_YEAR}–${LAST_SUPPORTED_YEAR})`);
}

export type DayKind = 'dayOff' | 'makeUp' | 'pending';
export type DayStatus = 'official' | 'estimated' | 'pending' | 'confirmed';

/** A named day of a year's schedule, with its basis resolved. */
export interface ScheduledDay {
  date: LocalDate;
  kind: DayKind;
  name: string;
  basis: string;
  status: DayStatus;
  why?: string;
}

export interface CivilDay {
  day: number;
  date: LocalDate;
  weekday: Weekday;
  /** A civil-service working day: a weekday that is not off, or a make-up Saturday. */
  working: boolean;
  restDay: boolean;
  dayOff?: ScheduledDay;
  makeUp?: ScheduledDay;
  /** The year's schedule is estimated, not announced. */
  estimated: boolean;
}

interface YearIndex {
  schedule: YearSchedule;
  daysOff: Map<number, ScheduledDay>;
  makeUp: Map<number, ScheduledDay>;
  scheduled: ScheduledDay[];
}

/** Office hours as milliseconds into the day, sorted. */
export interface DayPeriods {
  from: number[];
  to: number[];
}

const NO_PERIODS: DayPeriods = { from: [], to: [] };

export function periodsToMs(periods: readonly Period[]): DayPeriods {
  return { from: periods.map((p) => parseClockTime(p.from) * 60_000), to: periods.map((p) => parseClockTime(p.to) * 60_000) };
}

export class CivilCalendar {
  private readonly restDays: ReadonlySet<Weekday>;
  private readonly yearIndexes = new Map<number, YearIndex>();
  private readonly units = new Map<string, UnitHours>();

  constructor(readonly data: CalendarData) {
    this.restDays = new Set(data.weeklyRestDays);
    for (const unit of data.units) this.units.set(unit.unitId, unit);
    if (!this.units.has(DEFAULT_UNIT_ID)) this.units.set(DEFAULT_UNIT_ID, DEFAULT_UNIT_HOURS);
  }

  /** The unit's hours; a unit with no hours of its own keeps the default hours. */
  unitHours(unitId: string = DEFAULT_UNIT_ID): UnitHours {
    return this.units.get(unitId) ?? { ...(this.units.get(DEFAULT_UNIT_ID) as UnitHours), unitId };
  }

  isRestWeekday(day: number): boolean {
    return this.restDays.has(weekdayOf(day));
  }

  /** The year's schedule as stored, or estimated when the year is not stored. */
  schedule(year: number): YearSchedule {
    return this.yearIndex(year).schedule;
  }

  isYearEstimated(year: number): boolean {
    return this.schedule(year).status === 'estimated';
  }

  /** Days off, make-up days and pending days of the year, in date order. */
  scheduledDays(year: number): ScheduledDay[] {
    return this.yearIndex(year).scheduled.map((d) => ({ ...d }));
  }

  civilDay(day: number): CivilDay {
    const index = this.yearIndex(yearOfDay(day));
    const weekday = weekdayOf(day);
    const restDay = this.restDays.has(weekday);
    const dayOff = index.daysOff.get(day);
    const makeUp = index.makeUp.get(day);
    const working = dayOff === undefined && (!restDay || makeUp !== undefined);
    return {
      day,
      date: localDateOf(day),
      weekday,
      working,
      restDay,
      ...(dayOff ? { dayOff } : {}),
      ...(makeUp ? { makeUp } : {}),
      estimated: index.schedule.status === 'estimated',
    };
  }

  isWorkingDay(day: number): boolean {
    return this.civilDay(day).working;
  }

  /**
   * A weekly rest day inside a holiday break: the run of consecutive non-working days around
   * it contains a day off (e.g. Saturday 31 Aug 2024 before 2–3 Sep). Units that open on
   * rest days stay closed then; this reproduces the `break` ranges of the official schedules.
   */
  inHolidayBreak(day: number): boolean {
    for (const step of [-1, 1]) {
      for (let d = day; d >= FIRST_SUPPORTED_DAY && d <= LAST_SUPPORTED_DAY; d += step) {
        const civil = this.civilDay(d);
        if (civil.working) break;
        if (civil.dayOff) return true;
      }
    }
    return false;
  }

  /** The unit's office hours on that day (ms into the day). */
  periodsOn(day: number, unit: UnitHours, unitPeriods: UnitPeriods = compileUnitPeriods(unit)): DayPeriods {
    const civil = this.civilDay(day);
    if (civil.working) return unitPeriods.workingDay;
    if (civil.dayOff || !civil.restDay) return NO_PERIODS;
    const restPeriods = unitPeriods.restDay.get(civil.weekday);
    if (!restPeriods || restPeriods.from.length === 0 || this.inHolidayBreak(day)) return NO_PERIODS;
    return restPeriods;
  }

  private yearIndex(year: number): YearIndex {
    if (!Number.isInteger(year) || year < FIRST_SUPPORTED_YEAR || year > LAST_SUPPORTED_YEAR) {
      throw outOfRange(`Năm ${year}`);
    }
    let index = this.yearIndexes.get(year);
    if (!index) {
      index = buildYearIndex(this.data.years.get(year) ?? estimateYear(year, this.data.weeklyRestDays));
      this.yearIndexes.set(year, index);
    }
    return index;
  }
}

export interface UnitPeriods {
  workingDay: DayPeriods;
  restDay: Map<Weekday, DayPeriods>;
}

export function compileUnitPeriods(unit: UnitHours): UnitPeriods {
  const restDay = new Map<Weekday, DayPeriods>();
  for (const [weekday, periods] of Object.entries(unit.restDayHours) as [Weekday, Period[] | undefined][]) {
    if (periods) restDay.set(weekday, periodsToMs(periods));
  }
  return { workingDay: periodsToMs(unit.workingDay), restDay };
}

function buildYearIndex(schedule: YearSchedule): YearIndex {
  const yearBasis = schedule.basis.join('; ');
  const dayStatus: DayStatus = schedule.status;
  const resolve = (entry: DayEntry, kind: DayKind): ScheduledDay => ({
    date: entry.date,
    kind,
    name: entry.name,
    basis: entry.basis ?? yearBasis,
    status: dayStatus,
  });
  const daysOff = new Map<number, ScheduledDay>();
  const makeUp = new Map<number, ScheduledDay>();
  const scheduled: ScheduledDay[] = [];
  for (const entry of schedule.daysOff) {
    const day = resolve(entry, 'dayOff');
    daysOff.set(dayNumberOfLocalDate(entry.date), day);
    scheduled.push(day);
  }
  for (const entry of schedule.makeUpWorkingDays) {
    const day = resolve(entry, 'makeUp');
    makeUp.set(dayNumberOfLocalDate(entry.date), day);
    scheduled.push(day);
  }
  for (const entry of schedule.pending) {
    const day: ScheduledDay = {
      date: entry.date,
      kind: 'pending',
      name: entry.name,
      basis: entry.basis ?? yearBasis,
      status: entry.status,
      ...(entry.why ? { why: entry.why } : {}),
    };
    // A pending day applies only once an administrator has confirmed it.
    if (entry.status === 'confirmed') daysOff.set(dayNumberOfLocalDate(entry.date), day);
    scheduled.push(day);
  }
  scheduled.sort((a, b) => a.date.localeCompare(b.date) || a.kind.localeCompare(b.kind));
  return { schedule, daysOff, makeUp, scheduled };
}
