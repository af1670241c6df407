/**
 * The reference engine: walks the calendar day by day, period by period, with no tables and
 * no cleverness. Slow on purpose-free long ranges, obviously right; tests and the benchmark
 * compare the fast engine (`day-table.ts`) against it.
 */
import type { CivilCalendar, DayPeriods, UnitPeriods } from './civil-calendar';
import { FIRST_SUPPORTED_DAY, LAST_SUPPORTED_DAY, compileUnitPeriods, outOfRange } from './civil-calendar';
import { dayNumberOf, dayStartMs } from './civil-time';
import type { WorkingTimeEngine } from './engine';
import type { UnitHours } from './model';

export class DayByDayEngine implements WorkingTimeEngine {
  private readonly unit: UnitHours;
  private readonly unitPeriods: UnitPeriods;

  constructor(
    private readonly civil: CivilCalendar,
    readonly unitId: string,
  ) {
    this.unit = civil.unitHours(unitId);
    this.unitPeriods = compileUnitPeriods(this.unit);
  }

  addWorkingMs(startMs: number, workingMs: number): number {
    return workingMs > 0 ? this.forward(startMs, workingMs) : this.backward(startMs, -workingMs);
  }

  workingMsBetween(aMs: number, bMs: number): number {
    if (bMs < aMs) return 0 - this.workingMsBetween(bMs, aMs) || 0; // never -0
    let sum = 0;
    for (let day = this.checkedDay(aMs); day <= this.checkedDay(bMs); day++) {
      const { from, to } = this.periods(day);
      const base = dayStartMs(day);
      for (let p = 0; p < from.length; p++) {
        const start = Math.max(base + (from[p] as number), aMs);
        const end = Math.min(base + (to[p] as number), bMs);
        if (end > start) sum += end - start;
      }
    }
    return sum;
  }

  isWorkingInstant(instantMs: number): boolean {
    const day = this.checkedDay(instantMs);
    const { from, to } = this.periods(day);
    const within = instantMs - dayStartMs(day);
    return from.some((f, p) => within >= f && within < (to[p] as number));
  }

  /** Earliest instant after consuming `remaining` ms of office hours from `startMs`. */
  private forward(startMs: number, remaining: number): number {
    for (let day = this.checkedDay(startMs); ; day++) {
      if (day > LAST_SUPPORTED_DAY) throw outOfRange('Kết quả');
      const { from, to } = this.periods(day);
      const base = dayStartMs(day);
      for (let p = 0; p < from.length; p++) {
        const start = Math.max(base + (from[p] as number), startMs);
        const end = base + (to[p] as number);
        if (start >= end) continue;
        // with remaining = 0 (a zero-minute add) this is the first working instant at or after the start
        if (remaining <= end - start) return start + remaining;
        remaining -= end - start;
      }
    }
  }

  /** Latest instant after consuming `remaining` ms of office hours backwards from `startMs`. */
  private backward(startMs: number, remaining: number): number {
    if (remaining === 0) return this.forward(startMs, 0);
    for (let day = this.checkedDay(startMs); ; day--) {
      if (day < FIRST_SUPPORTED_DAY) throw outOfRange('Kết quả');
      const { from, to } = this.periods(day);
      const base = dayStartMs(day);
      for (let p = from.length - 1; p >= 0; p--) {
        const start = base + (from[p] as number);
        const end = Math.min(base + (to[p] as number), startMs);
        if (end <= start) continue;
        if (remaining <= end - start) return end - remaining;
        remaining -= end - start;
      }
    }
  }

  private periods(day: number): DayPeriods {
    return this.civil.periodsOn(day, this.unit, this.unitPeriods);
  }

  private checkedDay(instantMs: number): number {
    const day = dayNumberOf(instantMs);
    if (!(day >= FIRST_SUPPORTED_DAY && day <= LAST_SUPPORTED_DAY)) throw outOfRange('Thời điểm');
    return day;
  }
}
