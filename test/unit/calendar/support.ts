/** Helpers for the calendar tests: instants written as Việt Nam civil time, whatever TZ is. */
import { formatInstant, parseInstant } from '../../../server/calendar/civil-time';
import { calendarDataFromSeed, type CalendarData, type UnitHours, type YearSchedule } from '../../../server/calendar/model';
import { loadSeed } from '../../../server/calendar/seed';
import { WorkingCalendars, type EngineKind } from '../../../server/calendar/working-calendar';
import { DEFAULT_UNIT_HOURS } from '../../../server/calendar/model';

/** `vn('2026-02-13T16:00')` is 16:00 in Việt Nam. */
export function vn(text: string): Date {
  return new Date(parseInstant(text));
}

/** `2026-02-13T16:00` (seconds shown only when not zero), Việt Nam civil time. */
export function show(date: Date): string {
  return formatInstant(date.getTime()).replace(/:00\+07:00$/, '').replace(/\+07:00$/, '');
}

export const SATURDAY_DESK: UnitHours = {
  unitId: 'stp-mot-cua',
  name: 'Bộ phận Một cửa (mở sáng thứ Bảy)',
  workingDay: DEFAULT_UNIT_HOURS.workingDay,
  restDayHours: { Sat: [{ from: '07:30', to: '11:30' }] },
};

export const POLICE_UNIT: UnitHours = {
  unitId: 'ca-pv06',
  name: 'Công an tỉnh (PV06)',
  workingDay: [
    { from: '07:00', to: '11:30' },
    { from: '13:30', to: '17:00' },
  ],
  restDayHours: {},
};

export const TEST_UNITS: UnitHours[] = [DEFAULT_UNIT_HOURS, SATURDAY_DESK, POLICE_UNIT];

/** The shipped seed with the test units, optionally with some years replaced. */
export function seedData(years: Record<number, YearSchedule> = {}): CalendarData {
  const data = calendarDataFromSeed(loadSeed(), TEST_UNITS);
  const merged = new Map(data.years);
  for (const [year, schedule] of Object.entries(years)) merged.set(Number(year), schedule);
  return { ...data, years: merged };
}

export function calendars(engine: EngineKind = 'table', years: Record<number, YearSchedule> = {}): WorkingCalendars {
  return new WorkingCalendars(seedData(years), engine);
}
