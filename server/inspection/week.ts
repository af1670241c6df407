/**
 * Report weeks for the Đề án 06 working group: a week ends at the cut-off (REPORT_WEEK_CUTOFF,
 * Friday 16:00 Việt Nam time by default) and starts at the previous one, so that weeks follow
 * each other with no gap and no overlap: a dossier received on Friday evening or at the
 * weekend belongs to exactly one week (the next). A week is named by the civil date of its
 * cut-off (`weekEnding`).
 */
import { dayNumberOf, dayNumberOfLocalDate, dayStartMs, isLocalDate, localDateOf, MINUTE_MS, weekdayOf, type LocalDate } from '../calendar/civil-time';
import { InspectionInputError } from './filters';
import { shown } from '../api/text';

export interface WeekCutoff {
  /** `Fri` */
  weekday: string;
  /** Minutes after midnight, Việt Nam time. */
  minutes: number;
}

export interface ReportWeek {
  weekEnding: LocalDate;
  /** The previous cut-off (inclusive). */
  from: Date;
  /** This cut-off (exclusive). */
  to: Date;
}

const cutoffOn = (day: number, cutoff: WeekCutoff): Date => new Date(dayStartMs(day) + cutoff.minutes * MINUTE_MS);

/** The week that ends at the cut-off on `weekEnding`; 400 naming the parameter when that day is not the cut-off's weekday. */
export function reportWeek(weekEnding: string, cutoff: WeekCutoff, parameter = 'weekEnding'): ReportWeek {
  if (!isLocalDate(weekEnding)) throw new InspectionInputError(parameter, `phải là ngày YYYY-MM-DD (nhận: ${shown(weekEnding)})`);
  const day = dayNumberOfLocalDate(weekEnding);
  if (weekdayOf(day) !== cutoff.weekday) {
    throw new InspectionInputError(parameter, `${weekEnding} không phải ngày chốt báo cáo tuần (${cutoff.weekday}, xem REPORT_WEEK_CUTOFF)`);
  }
  return { weekEnding: weekEnding, from: cutoffOn(day - 7, cutoff), to: cutoffOn(day, cutoff) };
}

/** The last week that has ended by `now` (its cut-off at or before now). */
export function lastEndedWeek(now: Date, cutoff: WeekCutoff): ReportWeek {
  let day = dayNumberOf(now.getTime());
  while (weekdayOf(day) !== cutoff.weekday || cutoffOn(day, cutoff) > now) day -= 1;
  return reportWeek(localDateOf(day), cutoff);
}
