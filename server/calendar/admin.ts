/**
 * Administering the working calendar: the operations behind the admin API (mounted on Express
 * by the API) and the `lltp calendar admin …` CLI. Every change takes an actor, is validated
 * (zod, then the calendar's own rules), is written with optimistic concurrency, leaves an audit
 * document, bumps the calendar version and re-plans the open dossiers and steps it touches.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../db';
import { toJson } from '../db/tables';
import { z } from 'zod';
import { freeText, nfcText } from '../api/text';
import { CivilCalendar } from './civil-calendar';
import { dayNumberOfLocalDate, localDateOf, weekdayOf, type LocalDate, type Weekday } from './civil-time';
import { CalendarInputError } from './errors';
import {
  DEFAULT_UNIT_ID,
  FIRST_SUPPORTED_YEAR,
  LAST_SUPPORTED_YEAR,
  localDateSchema,
  unitHoursSchema,
  yearScheduleSchema,
  type UnitHours,
  type YearSchedule,
} from './model';
import type { CalendarPolicy } from './policy';
import { replanOpenWork, type CalendarChange, type ReplanReport } from './replan';
import { CALENDAR_META_ID, insertCalendarAudit, loadCalendarData, seedCalendar, unitFromRow, unitRow, yearRow, type CalendarAuditEntry } from './store';
import { loadSeed } from './seed';
import type { ScheduledDay } from './civil-calendar';
import { WorkingCalendars } from './working-calendar';

export class CalendarConflictError extends CalendarInputError {
  constructor() {
    super('Lịch vừa được người khác thay đổi; hãy tải lại và thử lần nữa');
    this.name = 'CalendarConflictError';
  }
}

/** The longest value of each free-text field of a calendar change (docs/http-api.md, "Giới hạn độ dài"). */
export const CALENDAR_TEXT_LIMITS = { actor: 200, name: 200, basis: 500, reason: 500, basisDocuments: 20 } as const;
const actor = nfcText(CALENDAR_TEXT_LIMITS.actor, 'actor (người thực hiện) không được trống');
const name = nfcText(CALENDAR_TEXT_LIMITS.name, 'name (tên ngày) không được trống');
const basis = (what: string) => nfcText(CALENDAR_TEXT_LIMITS.basis, `${what} không được trống`);
const reason = freeText(CALENDAR_TEXT_LIMITS.reason);
const yearNumber = z.coerce.number().int().min(FIRST_SUPPORTED_YEAR).max(LAST_SUPPORTED_YEAR);

export const addDayInput = z.object({ actor, date: localDateSchema, name, basis: basis('basis (căn cứ pháp lý)'), reason: reason.optional() });
export const addPendingInput = z.object({ actor, date: localDateSchema, name, why: reason.optional(), basis: basis('basis (căn cứ)').optional() });
export const dateInput = z.object({ actor, date: localDateSchema, reason: reason.optional() });
export const confirmYearInput = z.object({
  actor,
  year: yearNumber,
  basis: z
    .array(basis('basis (căn cứ pháp lý)'))
    .min(1, 'basis (căn cứ pháp lý) phải có ít nhất một văn bản')
    .max(CALENDAR_TEXT_LIMITS.basisDocuments, `basis: tối đa ${CALENDAR_TEXT_LIMITS.basisDocuments} văn bản`),
});
export const setUnitHoursInput = z.object({ actor, unit: unitHoursSchema });
export const unitIdInput = z.object({ actor, unitId: z.string().trim().min(1) });
export const listDaysInput = z.object({ year: yearNumber });

export interface ChangeOutcome {
  auditId: string;
  calendarVersion: number;
  replan: ReplanReport;
}

export interface YearListing {
  year: number;
  status: YearSchedule['status'];
  basis: string[];
  /** The weekly rest days (`Sat`, `Sun`), so that a reader can draw the whole year. */
  weeklyRestDays: Weekday[];
  days: ScheduledDay[];
}

export interface CalendarAdminDeps {
  db: Db;
  now: () => Date;
  policy: Pick<CalendarPolicy, 'deadlines' | 'replanBatchSize'>;
  newChangeId?: () => string;
}

/** Days around a changed day whose working time may change too (rest days of a holiday break). */
const NEIGHBOURHOOD_DAYS = 14;

function around(date: LocalDate): Pick<CalendarChange, 'fromDate' | 'toDate'> {
  const day = dayNumberOfLocalDate(date);
  const clamp = (d: number): LocalDate => localDateOf(Math.min(Math.max(d, dayNumberOfLocalDate(`${FIRST_SUPPORTED_YEAR}-01-01`)), dayNumberOfLocalDate(`${LAST_SUPPORTED_YEAR}-12-31`)));
  return { fromDate: clamp(day - NEIGHBOURHOOD_DAYS), toDate: clamp(day + NEIGHBOURHOOD_DAYS) };
}

const yearOf = (date: LocalDate): number => Number(date.slice(0, 4));

function findDay(schedule: YearSchedule, date: LocalDate): 'daysOff' | 'makeUpWorkingDays' | 'pending' | null {
  if (schedule.daysOff.some((d) => d.date === date)) return 'daysOff';
  if (schedule.makeUpWorkingDays.some((d) => d.date === date)) return 'makeUpWorkingDays';
  if (schedule.pending.some((d) => d.date === date)) return 'pending';
  return null;
}

/** A year as listed to readers (API and CLI): its status, basis, weekly rest days and scheduled days. */
export function yearListing(civil: CivilCalendar, year: number): YearListing {
  const schedule = civil.schedule(year);
  return { year, status: schedule.status, basis: schedule.basis, weeklyRestDays: [...civil.data.weeklyRestDays], days: civil.scheduledDays(year) };
}

const byDate = <T extends { date: string }>(list: T[]): T[] => [...list].sort((a, b) => a.date.localeCompare(b.date));

export function createCalendarAdmin(deps: CalendarAdminDeps) {
  const { db } = deps;
  const newChangeId = deps.newChangeId ?? randomUUID;

  /** Bumps the version, writes the audit, re-plans, and records the re-planning in the audit. */
  async function commit(
    audit: Omit<CalendarAuditEntry, 'at' | 'calendarVersion' | 'replan'>,
    span: Omit<CalendarChange, 'changeId' | 'reason'>,
  ): Promise<ChangeOutcome> {
    const at = deps.now();
    const meta = await db
      .updateTable('calendarMeta')
      .set((eb) => ({ version: eb('version', '+', 1), updatedAt: at }))
      .where('id', '=', CALENDAR_META_ID)
      .returning('version')
      .executeTakeFirst();
    if (!meta) throw new CalendarInputError('Lịch làm việc chưa được khởi tạo');
    const auditId = await insertCalendarAudit(db, { ...audit, at, calendarVersion: meta.version, replan: null });
    const calendars = new WorkingCalendars(await loadCalendarData(db));
    const change: CalendarChange = { ...span, changeId: newChangeId(), reason: `${audit.action} (${audit.actor})` };
    const replan = await replanOpenWork({ db, calendars, policy: deps.policy, now: deps.now }, change);
    const summary = { changeId: replan.changeId, dossiersMoved: replan.dossiersMoved, stepsMoved: replan.stepsMoved, failed: replan.failed };
    await db.updateTable('calendarAudit').set({ replan: toJson(summary) }).where('id', '=', auditId).execute();
    return { auditId: String(auditId), calendarVersion: meta.version, replan };
  }

  /** Applies `edit` to the year's schedule (stored, or the estimate when not stored yet) and saves it. */
  async function editYear(
    who: string,
    year: number,
    edit: (schedule: YearSchedule, civil: CivilCalendar) => { before: unknown; after: unknown },
  ): Promise<{ before: unknown; after: unknown }> {
    const civil = new CivilCalendar(await loadCalendarData(db));
    const stored = await db.selectFrom('calendarYears').select('revision').where('year', '=', year).executeTakeFirst();
    const schedule = structuredClone(civil.schedule(year));
    const change = edit(schedule, civil);
    const next = yearScheduleSchema.parse({
      ...schedule,
      daysOff: byDate(schedule.daysOff),
      makeUpWorkingDays: byDate(schedule.makeUpWorkingDays),
      pending: byDate(schedule.pending),
    });
    const at = deps.now();
    if (stored) {
      const saved = await db
        .updateTable('calendarYears')
        .set(yearRow(year, next, stored.revision + 1, at, who))
        .where('year', '=', year)
        .where('revision', '=', stored.revision)
        .executeTakeFirst();
      if (Number(saved.numUpdatedRows) === 0) throw new CalendarConflictError();
    } else {
      const created = await db.insertInto('calendarYears').values(yearRow(year, next, 1, at, who)).onConflict((oc) => oc.column('year').doNothing()).executeTakeFirst();
      if (Number(created.numInsertedOrUpdatedRows ?? 0) === 0) throw new CalendarConflictError();
    }
    return change;
  }

  return {
    /** Weekday days off, make-up days and pending days of a year, with name, basis and status. */
    async listDays(input: z.input<typeof listDaysInput>): Promise<YearListing> {
      const { year } = listDaysInput.parse(input);
      return yearListing(new CivilCalendar(await loadCalendarData(db)), year);
    },

    async listUnits(): Promise<UnitHours[]> {
      return [...(await loadCalendarData(db)).units];
    },

    async listAudit(input: { limit?: number } = {}): Promise<CalendarAuditEntry[]> {
      const limit = z.number().int().min(1).max(1000).default(50).parse(input.limit);
      const rows = await db.selectFrom('calendarAudit').selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return rows.map((row) => ({ ...row, replan: row.replan as CalendarAuditEntry['replan'] }));
    },

    /** Writes the shipped seed into an empty calendar (idempotent). */
    async seed(input: { actor: string }) {
      return seedCalendar(db, loadSeed(), { actor: actor.parse(input.actor), now: deps.now });
    },

    /** A newly announced weekday day off (or swapped day), with its name and legal basis. */
    async addDayOff(input: z.input<typeof addDayInput>): Promise<ChangeOutcome> {
      const { actor: who, date, name, basis, reason } = addDayInput.parse(input);
      const change = await editYear(who, yearOf(date), (schedule, civil) => {
        const day = dayNumberOfLocalDate(date);
        if (civil.isRestWeekday(day)) throw new CalendarInputError(`${date} là ngày nghỉ hằng tuần (${weekdayOf(day)}); ngày nghỉ phải là ngày làm việc trong tuần`);
        const existing = findDay(schedule, date);
        if (existing) throw new CalendarInputError(`${date} đã có trong lịch (${existing}); xoá trước nếu muốn thay`);
        const entry = { date, name, basis };
        schedule.daysOff.push(entry);
        return { before: null, after: entry };
      });
      return commit({ actor: who, action: 'addDayOff', year: yearOf(date), date, ...(reason ? { reason } : {}), ...change }, around(date));
    },

    /** A make-up working Saturday (làm bù), with its name and legal basis. */
    async addMakeUpDay(input: z.input<typeof addDayInput>): Promise<ChangeOutcome> {
      const { actor: who, date, name, basis, reason } = addDayInput.parse(input);
      const change = await editYear(who, yearOf(date), (schedule, civil) => {
        const day = dayNumberOfLocalDate(date);
        if (!civil.isRestWeekday(day)) throw new CalendarInputError(`${date} (${weekdayOf(day)}) không phải ngày nghỉ hằng tuần; ngày làm bù phải là thứ Bảy hoặc Chủ nhật`);
        const existing = findDay(schedule, date);
        if (existing) throw new CalendarInputError(`${date} đã có trong lịch (${existing})`);
        const entry = { date, name, basis };
        schedule.makeUpWorkingDays.push(entry);
        return { before: null, after: entry };
      });
      return commit({ actor: who, action: 'addMakeUpDay', year: yearOf(date), date, ...(reason ? { reason } : {}), ...change }, around(date));
    },

    /** A proposed day off that applies only once confirmed (e.g. 24 Nov, Ngày Văn hóa Việt Nam). */
    async addPendingDay(input: z.input<typeof addPendingInput>): Promise<ChangeOutcome> {
      const { actor: who, date, name, why, basis } = addPendingInput.parse(input);
      const change = await editYear(who, yearOf(date), (schedule) => {
        const existing = findDay(schedule, date);
        if (existing) throw new CalendarInputError(`${date} đã có trong lịch (${existing})`);
        const entry = { date, name, status: 'pending' as const, ...(why ? { why } : {}), ...(basis ? { basis } : {}) };
        schedule.pending.push(entry);
        return { before: null, after: entry };
      });
      return commit({ actor: who, action: 'addPendingDay', year: yearOf(date), date, ...change }, around(date));
    },

    /** Confirms a pending day: from now on it is a day off, and open deadlines across it move. */
    async confirmPending(input: z.input<typeof dateInput>): Promise<ChangeOutcome> {
      const { actor: who, date, reason } = dateInput.parse(input);
      const change = await editYear(who, yearOf(date), (schedule, civil) => {
        const entry = schedule.pending.find((p) => p.date === date);
        if (!entry) throw new CalendarInputError(`${date} không có trong danh sách ngày chờ xác nhận`);
        if (entry.status === 'confirmed') throw new CalendarInputError(`${date} đã được xác nhận`);
        if (civil.isRestWeekday(dayNumberOfLocalDate(date))) throw new CalendarInputError(`${date} là ngày nghỉ hằng tuần; không cần xác nhận`);
        const before = { ...entry };
        entry.status = 'confirmed';
        return { before, after: { ...entry } };
      });
      return commit({ actor: who, action: 'confirmPending', year: yearOf(date), date, ...(reason ? { reason } : {}), ...change }, around(date));
    },

    /** Removes a day off, a make-up day or a pending day. */
    async removeDay(input: z.input<typeof dateInput>): Promise<ChangeOutcome> {
      const { actor: who, date, reason } = dateInput.parse(input);
      const change = await editYear(who, yearOf(date), (schedule) => {
        const list = findDay(schedule, date);
        if (!list) throw new CalendarInputError(`${date} không có trong lịch năm ${yearOf(date)}`);
        const before = [...schedule.daysOff, ...schedule.makeUpWorkingDays, ...schedule.pending].find((d) => d.date === date);
        schedule.daysOff = schedule.daysOff.filter((d) => d.date !== date);
        schedule.makeUpWorkingDays = schedule.makeUpWorkingDays.filter((d) => d.date !== date);
        schedule.pending = schedule.pending.filter((d) => d.date !== date);
        return { before: { list, ...before }, after: null };
      });
      return commit({ actor: who, action: 'removeDay', year: yearOf(date), date, ...(reason ? { reason } : {}), ...change }, around(date));
    },

    /** Confirms a year's schedule as official (with its legal basis): its deadlines stop being estimated. */
    async confirmYear(input: z.input<typeof confirmYearInput>): Promise<ChangeOutcome> {
      const { actor: who, year, basis } = confirmYearInput.parse(input);
      const change = await editYear(who, year, (schedule) => {
        if (schedule.status === 'official') throw new CalendarInputError(`Lịch năm ${year} đã là lịch chính thức`);
        const before = { status: schedule.status, basis: schedule.basis };
        schedule.status = 'official';
        schedule.basis = basis;
        return { before, after: { status: schedule.status, basis } };
      });
      return commit({ actor: who, action: 'confirmYear', year, ...change }, { fromDate: `${year}-01-01`, toDate: `${year}-12-31` });
    },

    /** Sets a unit's office hours (split shifts, Saturday mornings); re-plans that unit's open work. */
    async setUnitHours(input: z.input<typeof setUnitHoursInput>): Promise<ChangeOutcome> {
      const { actor: who, unit } = setUnitHoursInput.parse(input);
      const at = deps.now();
      const before = await db.selectFrom('calendarUnits').selectAll().where('unitId', '=', unit.unitId).executeTakeFirst();
      const row = unitRow(unit, at, who);
      await db.insertInto('calendarUnits').values(row).onConflict((oc) => oc.column('unitId').doUpdateSet(row)).execute();
      return commit(
        { actor: who, action: 'setUnitHours', unitId: unit.unitId, before: before ? unitFromRow(before) : null, after: unit },
        { fromDate: `${FIRST_SUPPORTED_YEAR}-01-01`, toDate: `${LAST_SUPPORTED_YEAR}-12-31`, ...(unit.unitId === DEFAULT_UNIT_ID ? {} : { unitIds: [unit.unitId] }) },
      );
    },

    /** Removes a unit's own hours: it keeps the default hours from then on. */
    async removeUnitHours(input: z.input<typeof unitIdInput>): Promise<ChangeOutcome> {
      const { actor: who, unitId } = unitIdInput.parse(input);
      if (unitId === DEFAULT_UNIT_ID) throw new CalendarInputError('Không thể xoá giờ hành chính mặc định');
      const before = await db.deleteFrom('calendarUnits').where('unitId', '=', unitId).returningAll().executeTakeFirst();
      if (!before) throw new CalendarInputError(`Đơn vị ${unitId} không có giờ làm việc riêng`);
      return commit(
        { actor: who, action: 'removeUnitHours', unitId, before: unitFromRow(before), after: null },
        { fromDate: `${FIRST_SUPPORTED_YEAR}-01-01`, toDate: `${LAST_SUPPORTED_YEAR}-12-31`, unitIds: [unitId] },
      );
    },
  };
}

export type CalendarAdmin = ReturnType<typeof createCalendarAdmin>;
