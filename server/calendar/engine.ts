/**
 * What a working-time engine does, on epoch milliseconds. Two implementations compute the
 * same function: `DayTableEngine` (precomputed day tables, binary search: the one in use) and
 * `DayByDayEngine` (a straightforward walk, kept as the reference for tests and the benchmark).
 *
 * Think of `W(t)` = working time elapsed from a fixed origin up to instant t; it is flat
 * outside office hours. Then, for an amount of working time d:
 * - d > 0: add = the *earliest* t with W(t) = W(start) + d, so a result that lands on the end
 *   of a period stays there (07:30 + 480 min = 17:00 the same day), and a start outside office
 *   hours effectively counts from the next opening;
 * - d < 0: add = the *latest* t with W(t) = W(start) + d, so a result on the start of a period
 *   stays there, and a start outside office hours counts back from the previous closing;
 * - d = 0: the latest t with W(t) = W(start), i.e. the start itself inside office hours,
 *   otherwise the next opening;
 * - between(a, b) = W(b) − W(a).
 */
export interface WorkingTimeEngine {
  readonly unitId: string;
  /** Adds `workingMs` (an integer, validated by the caller) of working time; see above. */
  addWorkingMs(startMs: number, workingMs: number): number;
  /** Working milliseconds in [a, b); negative when b is before a. */
  workingMsBetween(aMs: number, bMs: number): number;
  /** Inside one of the unit's office-hour periods [from, to) on a day they apply. */
  isWorkingInstant(instantMs: number): boolean;
}
