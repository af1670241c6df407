/**
 * Report months for the monthly Đề án 06 report (issue 25, item 4): the report of month M runs
 * from the cut-off in M to the cut-off in M + 1 (REPORT_MONTH_CUTOFF, day of the month and
 * Việt Nam time), so that months follow each other with no gap and no overlap, like report weeks
 * (./week.ts). The default, `1 00:00`, makes a report month the calendar month: the month the
 * national portal ranks the 766 index on (server/scores/period.ts), so the report's progress score
 * is the month's score on `/chi-so`. A month is named `YYYY-MM`.
 */
import { dayNumberFromParts, dayStartMs, localDateOf, dayNumberOf, MINUTE_MS } from '../calendar/civil-time';
import { shown } from '../api/text';
import { InspectionInputError } from './filters';

export interface MonthCutoff {
  /** Day of the month, 1..28 (every month has it). */
  day: number;
  /** Minutes after midnight, Việt Nam time. */
  minutes: number;
}

export interface ReportMonth {
  /** `YYYY-MM`. */
  month: string;
  /** The cut-off in this month (inclusive). */
  from: Date;
  /** The cut-off in the next month (exclusive). */
  to: Date;
}

const cutoffIn = (year: number, month: number, cutoff: MonthCutoff): Date =>
  new Date(dayStartMs(dayNumberFromParts(year, month, cutoff.day)) + cutoff.minutes * MINUTE_MS);

const next = (year: number, month: number): [number, number] => (month === 12 ? [year + 1, 1] : [year, month + 1]);
const previous = (year: number, month: number): [number, number] => (month === 1 ? [year - 1, 12] : [year, month - 1]);

/** The report month `YYYY-MM`; 400 naming the parameter when it is not one. */
export function reportMonth(month: string, cutoff: MonthCutoff, parameter = 'month'): ReportMonth {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!match) throw new InspectionInputError(parameter, `phải là tháng YYYY-MM (nhận: ${shown(month)})`);
  const [year, m] = [Number(match[1]), Number(match[2])];
  return { month, from: cutoffIn(year, m, cutoff), to: cutoffIn(...next(year, m), cutoff) };
}

/** The last report month that has ended by `now` (its closing cut-off at or before now). */
export function lastEndedMonth(now: Date, cutoff: MonthCutoff): ReportMonth {
  const today = localDateOf(dayNumberOf(now.getTime()));
  let [year, month] = previous(Number(today.slice(0, 4)), Number(today.slice(5, 7)));
  // the month before this one ends in this month; before its cut-off, the one before it is the last
  if (cutoffIn(...next(year, month), cutoff) > now) [year, month] = previous(year, month);
  return reportMonth(`${String(year)}-${String(month).padStart(2, '0')}`, cutoff);
}

/** `11/2026`, as a title says it. */
export const monthLabel = (month: string): string => `${month.slice(5, 7)}/${month.slice(0, 4)}`;
