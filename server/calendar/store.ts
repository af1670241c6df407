/**
 * The calendar in PostgreSQL:
 * - `calendar_meta`: one row (`id = 'calendar'`): time zone, weekly rest days, and a `version`
 *   that every edit increases, so running processes know when to reload;
 * - `calendar_years`: one row per stored year (official, or an estimate an administrator
 *   started to edit): status and basis as columns, the day lists as JSON (validated by the
 *   calendar's zod schemas on every read), and a `revision` for optimistic concurrency;
 * - `calendar_units`: office hours of the units that differ from `default`;
 * - `calendar_audit`: one row per change: who, when, what, before and after;
 * - `calendar_replans`: what each re-planning after a change moved.
 */
import type { Db } from '../db';
import { toJson } from '../db/tables';
import { TIMEZONE } from './civil-time';
import { CalendarInputError } from './errors';
import type { ReplanReport } from './replan';
import {
  DEFAULT_UNIT_HOURS,
  calendarSeedSchema,
  unitHoursSchema,
  yearScheduleSchema,
  weekdaySchema,
  type CalendarData,
  type CalendarSeed,
  type UnitHours,
  type YearSchedule,
} from './model';
import { z } from 'zod';

export const CALENDAR_META_ID = 'calendar';

export interface CalendarAuditEntry {
  id?: number;
  at: Date;
  actor: string;
  action: string;
  year?: number | null;
  date?: string | null;
  unitId?: string | null;
  reason?: string | null;
  before: unknown;
  after: unknown;
  calendarVersion: number;
  replan?: { changeId: string; dossiersMoved: number; stepsMoved: number; failed: number } | null;
}

/** A stored re-planning: the report of `replanOpenWork` with when and why it ran. */
export interface CalendarReplanRecord extends ReplanReport {
  at: Date;
  reason: string;
}

/** The columns of a stored year from a schedule. */
export function yearRow(year: number, schedule: YearSchedule, revision: number, at: Date, by: string) {
  return {
    year,
    status: schedule.status,
    basis: schedule.basis,
    daysOff: toJson(schedule.daysOff),
    makeUpWorkingDays: toJson(schedule.makeUpWorkingDays),
    pending: toJson(schedule.pending),
    revision,
    updatedAt: at,
    updatedBy: by,
  };
}

/** The columns of a unit's office hours. */
export function unitRow(unit: UnitHours, at: Date, by: string) {
  return { unitId: unit.unitId, name: unit.name, workingDay: toJson(unit.workingDay), restDayHours: toJson(unit.restDayHours ?? {}), updatedAt: at, updatedBy: by };
}

/** Office hours as stored, validated. */
export function unitFromRow(row: { unitId: string; name: string; workingDay: unknown; restDayHours: unknown }): UnitHours {
  return unitHoursSchema.parse({ unitId: row.unitId, name: row.name, workingDay: row.workingDay, restDayHours: row.restDayHours });
}

/** Writes an audit row of a calendar change; returns its id. */
export async function insertCalendarAudit(db: Db, entry: CalendarAuditEntry): Promise<number> {
  const row = await db
    .insertInto('calendarAudit')
    .values({
      at: entry.at,
      actor: entry.actor,
      action: entry.action,
      year: entry.year ?? null,
      date: entry.date ?? null,
      unitId: entry.unitId ?? null,
      reason: entry.reason ?? null,
      before: toJson(entry.before ?? null),
      after: toJson(entry.after ?? null),
      calendarVersion: entry.calendarVersion,
      replan: entry.replan ? toJson(entry.replan) : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export class CalendarNotSeededError extends CalendarInputError {
  constructor() {
    super('Lịch làm việc chưa được khởi tạo trong cơ sở dữ liệu: chạy `npx lltp calendar admin seed --actor <tên>` (hoặc dùng --seed)');
    this.name = 'CalendarNotSeededError';
  }
}

/** Reads the whole calendar and validates it; years that are not stored are estimated by the engine. */
export async function loadCalendarData(db: Db): Promise<CalendarData> {
  const [meta, yearRows, unitRows] = await Promise.all([
    db.selectFrom('calendarMeta').selectAll().where('id', '=', CALENDAR_META_ID).executeTakeFirst(),
    db.selectFrom('calendarYears').selectAll().execute(),
    db.selectFrom('calendarUnits').selectAll().execute(),
  ]);
  if (!meta) throw new CalendarNotSeededError();
  const years = new Map<number, YearSchedule>();
  for (const row of yearRows) years.set(row.year, yearScheduleSchema.parse(row));
  const units = unitRows.map(unitFromRow);
  if (!units.some((u) => u.unitId === DEFAULT_UNIT_HOURS.unitId)) units.push(DEFAULT_UNIT_HOURS);
  return {
    timezone: z.literal(TIMEZONE).parse(meta.timezone),
    weeklyRestDays: z.array(weekdaySchema).parse(meta.weeklyRestDays),
    years,
    units,
    version: meta.version,
  };
}

export async function calendarVersion(db: Db): Promise<number | null> {
  const meta = await db.selectFrom('calendarMeta').select('version').where('id', '=', CALENDAR_META_ID).executeTakeFirst();
  return meta ? meta.version : null;
}

/**
 * Writes the seed into an empty calendar; idempotent: stored years and units are never
 * overwritten (administrators' edits win). Returns what it inserted; audited when not nothing.
 */
export async function seedCalendar(
  db: Db,
  seedInput: CalendarSeed,
  options: { actor: string; now: () => Date; units?: readonly UnitHours[] },
): Promise<{ years: number[]; units: string[]; meta: boolean }> {
  const seed = calendarSeedSchema.parse(seedInput);
  const now = options.now();
  return db.transaction().execute(async (tx) => {
    const meta = await tx
      .insertInto('calendarMeta')
      .values({ id: CALENDAR_META_ID, timezone: seed.timezone, weeklyRestDays: seed.weeklyRestDays, version: 1, seededAt: now, updatedAt: now })
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('version')
      .executeTakeFirst();
    const years = Object.entries(seed.years).map(([year, schedule]) => yearRow(Number(year), schedule, 0, now, options.actor));
    const insertedYears = years.length
      ? await tx.insertInto('calendarYears').values(years).onConflict((oc) => oc.column('year').doNothing()).returning('year').execute()
      : [];
    const units = (options.units ?? [DEFAULT_UNIT_HOURS]).map((unit) => unitRow(unitHoursSchema.parse(unit), now, options.actor));
    const insertedUnits = await tx.insertInto('calendarUnits').values(units).onConflict((oc) => oc.column('unitId').doNothing()).returning('unitId').execute();
    const inserted = { years: insertedYears.map((r) => r.year).sort((a, b) => a - b), units: insertedUnits.map((r) => r.unitId), meta: meta !== undefined };
    if (inserted.meta || inserted.years.length > 0 || inserted.units.length > 0) {
      const version = meta?.version ?? (await tx.selectFrom('calendarMeta').select('version').where('id', '=', CALENDAR_META_ID).executeTakeFirstOrThrow()).version;
      await insertCalendarAudit(tx, { at: now, actor: options.actor, action: 'seed', before: null, after: inserted, calendarVersion: version });
    }
    return inserted;
  });
}
