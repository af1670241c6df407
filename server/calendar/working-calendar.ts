/**
 * Working-time arithmetic for one unit, exact to the millisecond and pure (no clock, no I/O):
 * `add(start, minutes)`, `between(a, b)`, next opening, and whether a result depends on a
 * year whose schedule is only estimated. Inputs are validated here, with messages that name
 * the parameter; the engines behind it assume valid input.
 */
import { CivilCalendar, FIRST_SUPPORTED_DAY, LAST_SUPPORTED_DAY, outOfRange } from './civil-calendar';
import { dayNumberOf, dayStartMs, yearOfDay, MINUTE_MS } from './civil-time';
import { DayTableEngine } from './day-table';
import type { WorkingTimeEngine } from './engine';
import { CalendarInputError } from './errors';
import { DEFAULT_UNIT_ID, type CalendarData } from './model';
import { DayByDayEngine } from './reference';

/** About 80 working years of 8 hours; anything larger is a mistake, not a deadline. */
export const MAX_ABS_MINUTES = 10_000_000;

export interface WorkingTimeResult {
  dueAt: Date;
  /** The computation crossed a year whose schedule is estimated, not yet confirmed. */
  estimated: boolean;
}

export function checkInstant(value: unknown, name: string): number {
  if (!(value instanceof Date) || !Number.isFinite(value.getTime())) {
    throw new CalendarInputError(`${name} phải là một thời điểm hợp lệ (nhận: ${String(value)})`);
  }
  const ms = value.getTime();
  const day = dayNumberOf(ms);
  if (day < FIRST_SUPPORTED_DAY || day > LAST_SUPPORTED_DAY) throw outOfRange(`${name} (${value.toISOString()})`);
  return ms;
}

export function checkMinutes(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new CalendarInputError(`${name} phải là số nguyên phút (nhận: ${String(value)})`);
  }
  if (Math.abs(value) > MAX_ABS_MINUTES) {
    throw new CalendarInputError(`${name} quá lớn: ${value} (tối đa ±${MAX_ABS_MINUTES} phút làm việc)`);
  }
  return value;
}

export class WorkingCalendar {
  constructor(
    readonly civil: CivilCalendar,
    readonly engine: WorkingTimeEngine,
  ) {}

  get unitId(): string {
    return this.engine.unitId;
  }

  /** `start` plus `minutes` working minutes (negative: backwards); see `engine.ts` for the exact rules. */
  add(start: Date, minutes: number): WorkingTimeResult {
    const startMs = checkInstant(start, 'start');
    const workingMs = checkMinutes(minutes, 'minutes') * MINUTE_MS;
    return this.result(startMs, this.engine.addWorkingMs(startMs, workingMs));
  }

  /** Same as `add` with an amount in working milliseconds (used by the stopped clock). */
  addWorkingMs(start: Date, workingMs: number): WorkingTimeResult {
    const startMs = checkInstant(start, 'start');
    if (!Number.isSafeInteger(workingMs) || Math.abs(workingMs) > MAX_ABS_MINUTES * MINUTE_MS) {
      throw new CalendarInputError(`workingMs phải là số nguyên hợp lý (nhận: ${workingMs})`);
    }
    return this.result(startMs, this.engine.addWorkingMs(startMs, workingMs));
  }

  /** Working minutes in [a, b), negative when b is before a; partial minutes are dropped. */
  between(a: Date, b: Date): number {
    const minutes = Math.trunc(this.workingMsBetween(a, b) / MINUTE_MS);
    return minutes === 0 ? 0 : minutes; // never -0
  }

  workingMsBetween(a: Date, b: Date): number {
    return this.engine.workingMsBetween(checkInstant(a, 'a'), checkInstant(b, 'b'));
  }

  /** The instant itself inside office hours, otherwise the next opening. */
  nextOpening(t: Date): Date {
    return this.add(t, 0).dueAt;
  }

  /** The first opening on a later civil day than `t`'s (the paper cut-off rule). */
  nextWorkingDayOpening(t: Date): Date {
    const nextDay = dayNumberOf(checkInstant(t, 't')) + 1;
    if (nextDay > LAST_SUPPORTED_DAY) throw outOfRange('Kết quả');
    return new Date(this.engine.addWorkingMs(dayStartMs(nextDay), 0));
  }

  isWorkingInstant(t: Date): boolean {
    return this.engine.isWorkingInstant(checkInstant(t, 't'));
  }

  /** Whether any day from a to b (either order) lies in a year whose schedule is estimated. */
  isEstimatedBetween(aMs: number, bMs: number): boolean {
    const first = yearOfDay(dayNumberOf(Math.min(aMs, bMs)));
    const last = yearOfDay(dayNumberOf(Math.max(aMs, bMs)));
    for (let year = first; year <= last; year++) if (this.civil.isYearEstimated(year)) return true;
    return false;
  }

  private result(startMs: number, dueMs: number): WorkingTimeResult {
    return { dueAt: new Date(dueMs), estimated: this.isEstimatedBetween(startMs, dueMs) };
  }
}

export type EngineKind = 'table' | 'reference';

/** A compiled calendar: one `WorkingCalendar` per unit, built on first use. */
export class WorkingCalendars {
  readonly civil: CivilCalendar;
  private readonly byUnit = new Map<string, WorkingCalendar>();

  constructor(
    readonly data: CalendarData,
    private readonly engineKind: EngineKind = 'table',
  ) {
    this.civil = new CivilCalendar(data);
  }

  get version(): number {
    return this.data.version;
  }

  forUnit(unitId: string = DEFAULT_UNIT_ID): WorkingCalendar {
    if (typeof unitId !== 'string' || unitId.trim() === '') throw new CalendarInputError(`unitId phải là mã đơn vị (nhận: ${String(unitId)})`);
    let calendar = this.byUnit.get(unitId);
    if (!calendar) {
      const engine = this.engineKind === 'table' ? new DayTableEngine(this.civil, unitId) : new DayByDayEngine(this.civil, unitId);
      calendar = new WorkingCalendar(this.civil, engine);
      this.byUnit.set(unitId, calendar);
    }
    return calendar;
  }
}
