/**
 * The working calendar as data, validated with zod wherever it enters (seed file, database,
 * API, CLI). The engine (`compile.ts`) turns a `CalendarData` into per-unit day tables.
 *
 * - weekly rest days (Sat, Sun);
 * - per year: weekday days off and make-up working Saturdays, each with a name and a legal
 *   basis; pending days (proposed holidays) that apply only once confirmed;
 *   `status: official` (announced) or `estimated` (computed from the statutory rules,
 *   `estimate.ts`); a year that is not stored at all is estimated on the fly;
 * - office hours per unit, with split shifts; units that are not listed use `default`.
 */
import { z } from 'zod';
import { TIMEZONE, WEEKDAYS, isLocalDate, parseClockTime } from './civil-time';
import { nfcText } from '../api/text';

/** The engine covers these years; instants outside are refused with a clear error. */
export const FIRST_SUPPORTED_YEAR = 2000;
export const LAST_SUPPORTED_YEAR = 2100;

export const DEFAULT_UNIT_ID = 'default';

export const localDateSchema = z.string().refine(isLocalDate, { message: 'phải là ngày dạng YYYY-MM-DD' });
export const weekdaySchema = z.enum(WEEKDAYS);

export const dayEntrySchema = z.object({
  date: localDateSchema,
  name: z.string().trim().min(1, 'tên ngày không được trống'),
  /** Legal basis of this day; when absent, the year's basis applies. */
  basis: z.string().trim().min(1).optional(),
  /** The whole consecutive break this day belongs to, weekends included (information only). */
  break: z.tuple([localDateSchema, localDateSchema]).optional(),
});
export type DayEntry = z.infer<typeof dayEntrySchema>;

export const pendingEntrySchema = z.object({
  date: localDateSchema,
  name: z.string().trim().min(1),
  why: z.string().optional(),
  basis: z.string().trim().min(1).optional(),
  status: z.enum(['pending', 'confirmed']).default('pending'),
});
export type PendingEntry = z.infer<typeof pendingEntrySchema>;

export const yearStatusSchema = z.enum(['official', 'estimated']);
export type YearStatus = z.infer<typeof yearStatusSchema>;

export const yearScheduleSchema = z.object({
  status: yearStatusSchema,
  basis: z.array(z.string().trim().min(1)).default([]),
  daysOff: z.array(dayEntrySchema).default([]),
  makeUpWorkingDays: z.array(dayEntrySchema).default([]),
  pending: z.array(pendingEntrySchema).default([]),
});
export type YearSchedule = z.infer<typeof yearScheduleSchema>;

/** A clock time `HH:MM` (`24:00` included); zod runs an object's refinements even when a field failed, so they check with this first. */
function isClockTime(text: unknown): text is string {
  try {
    parseClockTime(text as string);
    return typeof text === 'string';
  } catch {
    return false;
  }
}

const clockTimeSchema = z.string().refine(isClockTime, { message: 'phải là giờ dạng HH:MM' });

export const periodSchema = z
  .object({ from: clockTimeSchema, to: clockTimeSchema })
  .refine((p) => !isClockTime(p.from) || !isClockTime(p.to) || parseClockTime(p.from) < parseClockTime(p.to), { message: 'giờ bắt đầu phải trước giờ kết thúc' });
export type Period = z.infer<typeof periodSchema>;

const periodsSchema = z.array(periodSchema).refine(
  (periods) =>
    periods.every((p, i) => {
      const before = periods[i - 1] as Partial<Period> | null | undefined;
      if (i === 0 || !isClockTime(before?.to) || !isClockTime((p as Partial<Period> | null)?.from)) return true;
      return parseClockTime(before.to) <= parseClockTime(p.from);
    }),
  { message: 'các ca làm việc phải theo thứ tự và không chồng nhau' },
);

export const unitHoursSchema = z.object({
  unitId: z.string().trim().min(1).max(64, 'mã đơn vị dài tối đa 64 ký tự').regex(/^[A-Za-z0-9_.:-]+$/, 'mã đơn vị chỉ gồm chữ, số và _ . : -'),
  name: nfcText(200),
  /** Hours on a civil-service working day (Mon–Fri that are not days off, and make-up Saturdays). */
  workingDay: periodsSchema,
  /** Extra opening on weekly rest days (e.g. a desk open on Saturday mornings); closed in holiday breaks. */
  restDayHours: z.partialRecord(weekdaySchema, periodsSchema).default({}),
});
export type UnitHours = z.infer<typeof unitHoursSchema>;

export const DEFAULT_UNIT_HOURS: UnitHours = {
  unitId: DEFAULT_UNIT_ID,
  name: 'Giờ hành chính mặc định',
  workingDay: [
    { from: '07:30', to: '11:30' },
    { from: '13:00', to: '17:00' },
  ],
  restDayHours: {},
};

/** The shared seed file `calendar-vn.json` (and its copy in `seed/`). */
export const calendarSeedSchema = z.object({
  timezone: z.literal(TIMEZONE),
  weeklyRestDays: z.array(weekdaySchema),
  note: z.string().optional(),
  years: z.record(z.string().regex(/^\d{4}$/), yearScheduleSchema),
});
export type CalendarSeed = z.infer<typeof calendarSeedSchema>;

/** Everything the engine needs; the database and the seed both produce this. */
export interface CalendarData {
  timezone: typeof TIMEZONE;
  weeklyRestDays: readonly (typeof WEEKDAYS)[number][];
  /** Stored years; a missing year is estimated from the statutory rules. */
  years: ReadonlyMap<number, YearSchedule>;
  units: readonly UnitHours[];
  /** Increases with every edit, so that caches know when to rebuild. */
  version: number;
}

export function calendarDataFromSeed(seed: CalendarSeed, units: readonly UnitHours[] = [DEFAULT_UNIT_HOURS]): CalendarData {
  const years = new Map<number, YearSchedule>();
  for (const [year, schedule] of Object.entries(seed.years)) years.set(Number(year), schedule);
  return { timezone: seed.timezone, weeklyRestDays: seed.weeklyRestDays, years, units, version: 0 };
}
