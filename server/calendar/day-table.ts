/**
 * The fast engine: for a window of whole years it precomputes, per civil day, the unit's
 * office-hour periods and the prefix sum of working milliseconds before the day. Then
 * W(t) is one lookup plus at most a few periods, and add() is a binary search over days:
 * O(log days) per call, no walking minute by minute or day by day.
 *
 * The window starts around the years asked for and grows (whole years at a time, within the
 * supported range) when a computation runs past it; prefix sums are rebuilt then, which is
 * why no W value is kept across calls.
 */
import type { CivilCalendar, UnitPeriods } from './civil-calendar';
import { FIRST_SUPPORTED_DAY, LAST_SUPPORTED_DAY, compileUnitPeriods, outOfRange } from './civil-calendar';
import { dayNumberFromParts, dayNumberOf, dayStartMs, yearOfDay, DAY_MS } from './civil-time';
import type { WorkingTimeEngine } from './engine';
import { FIRST_SUPPORTED_YEAR, LAST_SUPPORTED_YEAR } from './model';

export class DayTableEngine implements WorkingTimeEngine {
  private readonly unitPeriods: UnitPeriods;
  private firstYear = 0;
  private lastYear = -1;
  private firstDay = 0;
  private dayCount = 0;
  /** cum[i]: working ms from the window start to the start of day firstDay + i; length dayCount + 1. */
  private cum = new Float64Array(1);
  /** Periods of day i are from[periodStart[i]] … from[periodStart[i + 1] − 1] (ms into the day). */
  private periodStart = new Int32Array(1);
  private from = new Int32Array(0);
  private to = new Int32Array(0);

  constructor(
    private readonly civil: CivilCalendar,
    readonly unitId: string,
  ) {
    this.unitPeriods = compileUnitPeriods(civil.unitHours(unitId));
  }

  /** Years currently tabulated (for tests and diagnostics). */
  get window(): { firstYear: number; lastYear: number } {
    return { firstYear: this.firstYear, lastYear: this.lastYear };
  }

  addWorkingMs(startMs: number, workingMs: number): number {
    const startYear = this.yearOf(startMs, 'Thời điểm bắt đầu');
    this.cover(workingMs < 0 ? startYear - 1 : startYear, workingMs > 0 ? startYear + 1 : startYear);
    for (;;) {
      const target = this.elapsed(startMs) + workingMs;
      const total = this.cum[this.dayCount] as number;
      if (workingMs > 0) {
        if (target <= total) return this.earliestAt(target);
        this.growForward();
      } else if (target < 0) {
        this.growBackward();
      } else if (target < total) {
        return this.latestAt(target);
      } else {
        this.growForward();
      }
    }
  }

  workingMsBetween(aMs: number, bMs: number): number {
    const ya = this.yearOf(aMs, 'Thời điểm đầu');
    const yb = this.yearOf(bMs, 'Thời điểm cuối');
    this.cover(Math.min(ya, yb), Math.max(ya, yb));
    return this.elapsed(bMs) - this.elapsed(aMs);
  }

  isWorkingInstant(instantMs: number): boolean {
    const year = this.yearOf(instantMs, 'Thời điểm');
    this.cover(year, year);
    const i = dayNumberOf(instantMs) - this.firstDay;
    const within = instantMs - dayStartMs(i + this.firstDay);
    for (let p = this.periodStart[i] as number; p < (this.periodStart[i + 1] as number); p++) {
      if (within >= (this.from[p] as number) && within < (this.to[p] as number)) return true;
    }
    return false;
  }

  /** W(t) relative to the window start; t must be inside the window. */
  private elapsed(instantMs: number): number {
    const i = dayNumberOf(instantMs) - this.firstDay;
    const within = instantMs - dayStartMs(i + this.firstDay);
    let sum = this.cum[i] as number;
    const end = this.periodStart[i + 1] as number;
    for (let p = this.periodStart[i] as number; p < end; p++) {
      const from = this.from[p] as number;
      const to = this.to[p] as number;
      if (within >= to) sum += to - from;
      else {
        if (within > from) sum += within - from;
        break;
      }
    }
    return sum;
  }

  /** The earliest instant with W = target, for 0 < target ≤ total. */
  private earliestAt(target: number): number {
    // smallest day i with cum[i + 1] >= target
    let lo = 0;
    let hi = this.dayCount - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cum[mid + 1] as number) >= target) hi = mid;
      else lo = mid + 1;
    }
    let rest = target - (this.cum[lo] as number);
    const end = this.periodStart[lo + 1] as number;
    for (let p = this.periodStart[lo] as number; p < end; p++) {
      const length = (this.to[p] as number) - (this.from[p] as number);
      if (rest <= length) return dayStartMs(lo + this.firstDay) + (this.from[p] as number) + rest;
      rest -= length;
    }
    throw new Error('day table inconsistent (earliestAt)');
  }

  /** The latest instant with W = target, for 0 ≤ target < total. */
  private latestAt(target: number): number {
    // smallest day i with cum[i + 1] > target
    let lo = 0;
    let hi = this.dayCount - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cum[mid + 1] as number) > target) hi = mid;
      else lo = mid + 1;
    }
    let rest = target - (this.cum[lo] as number);
    const end = this.periodStart[lo + 1] as number;
    for (let p = this.periodStart[lo] as number; p < end; p++) {
      const length = (this.to[p] as number) - (this.from[p] as number);
      if (rest < length) return dayStartMs(lo + this.firstDay) + (this.from[p] as number) + rest;
      rest -= length;
    }
    throw new Error('day table inconsistent (latestAt)');
  }

  private yearOf(instantMs: number, what: string): number {
    const day = dayNumberOf(instantMs);
    if (!(day >= FIRST_SUPPORTED_DAY && day <= LAST_SUPPORTED_DAY)) throw outOfRange(what);
    return yearOfDay(day);
  }

  private growForward(): void {
    if (this.lastYear >= LAST_SUPPORTED_YEAR) throw outOfRange('Kết quả');
    this.cover(this.firstYear, this.lastYear + Math.max(2, this.lastYear - this.firstYear + 1));
  }

  private growBackward(): void {
    if (this.firstYear <= FIRST_SUPPORTED_YEAR) throw outOfRange('Kết quả');
    this.cover(this.firstYear - Math.max(2, this.lastYear - this.firstYear + 1), this.lastYear);
  }

  private cover(fromYear: number, toYear: number): void {
    const first = Math.max(FIRST_SUPPORTED_YEAR, Math.min(fromYear, this.lastYear < this.firstYear ? fromYear : this.firstYear));
    const last = Math.min(LAST_SUPPORTED_YEAR, Math.max(toYear, this.lastYear < this.firstYear ? toYear : this.lastYear));
    if (first === this.firstYear && last === this.lastYear) return;
    this.build(first, last);
  }

  /** Tabulates whole years [firstYear, lastYear], one year after the other. */
  private build(firstYear: number, lastYear: number): void {
    const unit = this.civil.unitHours(this.unitId);
    const firstDay = dayNumberFromParts(firstYear, 1, 1);
    const dayCount = dayNumberFromParts(lastYear + 1, 1, 1) - firstDay;
    const cum = new Float64Array(dayCount + 1);
    const periodStart = new Int32Array(dayCount + 1);
    const from: number[] = [];
    const to: number[] = [];
    let sum = 0;
    for (let i = 0; i < dayCount; i++) {
      cum[i] = sum;
      periodStart[i] = from.length;
      const periods = this.civil.periodsOn(firstDay + i, unit, this.unitPeriods);
      for (let p = 0; p < periods.from.length; p++) {
        const f = periods.from[p] as number;
        const t = Math.min(periods.to[p] as number, DAY_MS);
        from.push(f);
        to.push(t);
        sum += t - f;
      }
    }
    cum[dayCount] = sum;
    periodStart[dayCount] = from.length;
    this.firstYear = firstYear;
    this.lastYear = lastYear;
    this.firstDay = firstDay;
    this.dayCount = dayCount;
    this.cum = cum;
    this.periodStart = periodStart;
    this.from = Int32Array.from(from);
    this.to = Int32Array.from(to);
  }
}
