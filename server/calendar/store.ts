/**
 * The calendar in MongoDB (mongoose models on a given connection):
 * - `calendar_meta`: one document (`_id: 'calendar'`): time zone, weekly rest days, and a
 *   `version` that every edit increases, so running processes know when to reload;
 * - `calendar_years`: one document per stored year (official, or an estimate an administrator
 *   started to edit), with a `revision` for optimistic concurrency;
 * - `calendar_units`: office hours of the units that differ from `default`;
 * - `calendar_audit`: one document per change: who, when, what, before and after;
 * - `calendar_replans`: what each re-planning after a change moved.
 * Only single/unique indexes and single-document atomic updates (the MongoDB subset).
 */
import { Schema, type Connection, type Model } from 'mongoose';
import { TIMEZONE, WEEKDAYS } from './civil-time';
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

export interface CalendarMetaDoc {
  _id: string;
  timezone: string;
  weeklyRestDays: string[];
  version: number;
  seededAt: Date;
  updatedAt: Date;
}

export interface CalendarYearDoc extends YearSchedule {
  year: number;
  revision: number;
  updatedAt: Date;
  updatedBy: string;
}

export interface CalendarUnitDoc extends UnitHours {
  updatedAt: Date;
  updatedBy: string;
}

export interface CalendarAuditDoc {
  at: Date;
  actor: string;
  action: string;
  year?: number;
  date?: string;
  unitId?: string;
  reason?: string;
  before: unknown;
  after: unknown;
  calendarVersion: number;
  replan?: { changeId: string; dossiersMoved: number; stepsMoved: number; failed: number } | null;
}

/** A stored re-planning: the report of `replanOpenWork` with when and why it ran. */
export interface CalendarReplanDoc extends ReplanReport {
  at: Date;
  reason: string;
}

const periodSchema = new Schema({ from: { type: String, required: true }, to: { type: String, required: true } }, { _id: false });
const dayEntrySchema = new Schema(
  {
    date: { type: String, required: true },
    name: { type: String, required: true },
    basis: String,
    break: { type: [String], default: undefined },
  },
  { _id: false },
);
const pendingEntrySchema = new Schema(
  {
    date: { type: String, required: true },
    name: { type: String, required: true },
    why: String,
    basis: String,
    status: { type: String, enum: ['pending', 'confirmed'], required: true },
  },
  { _id: false },
);
const restDayHoursSchema = new Schema(Object.fromEntries(WEEKDAYS.map((d) => [d, { type: [periodSchema], default: undefined }])), { _id: false });

export interface CalendarModels {
  meta: Model<CalendarMetaDoc>;
  years: Model<CalendarYearDoc>;
  units: Model<CalendarUnitDoc>;
  audit: Model<CalendarAuditDoc>;
  replans: Model<CalendarReplanDoc>;
}

function model<T>(connection: Connection, name: string, schema: Schema<T>, collection: string): Model<T> {
  return (connection.models[name] as Model<T> | undefined) ?? connection.model<T>(name, schema, collection);
}

export function calendarModels(connection: Connection): CalendarModels {
  const meta = new Schema<CalendarMetaDoc>(
    {
      _id: { type: String, required: true },
      timezone: { type: String, required: true },
      weeklyRestDays: { type: [String], required: true },
      version: { type: Number, required: true },
      seededAt: Date,
      updatedAt: Date,
    },
    { versionKey: false },
  );
  const years = new Schema<CalendarYearDoc>(
    {
      year: { type: Number, required: true, unique: true },
      status: { type: String, enum: ['official', 'estimated'], required: true },
      basis: { type: [String], default: [] },
      daysOff: { type: [dayEntrySchema], default: [] },
      makeUpWorkingDays: { type: [dayEntrySchema], default: [] },
      pending: { type: [pendingEntrySchema], default: [] },
      revision: { type: Number, required: true },
      updatedAt: Date,
      updatedBy: String,
    },
    { versionKey: false },
  );
  const units = new Schema<CalendarUnitDoc>(
    {
      unitId: { type: String, required: true, unique: true },
      name: { type: String, required: true },
      workingDay: { type: [periodSchema], default: [] },
      restDayHours: { type: restDayHoursSchema, default: {} },
      updatedAt: Date,
      updatedBy: String,
    },
    { versionKey: false },
  );
  const audit = new Schema<CalendarAuditDoc>(
    {
      at: { type: Date, required: true, index: true },
      actor: { type: String, required: true },
      action: { type: String, required: true },
      year: Number,
      date: String,
      unitId: String,
      reason: String,
      before: Schema.Types.Mixed,
      after: Schema.Types.Mixed,
      calendarVersion: Number,
      replan: { type: new Schema({ changeId: String, dossiersMoved: Number, stepsMoved: Number, failed: Number }, { _id: false }), default: null },
    },
    { versionKey: false },
  );
  const replans = new Schema<CalendarReplanDoc>(
    {
      changeId: { type: String, required: true, unique: true },
      at: { type: Date, required: true },
      reason: String,
      dossiersExamined: Number,
      dossiersMoved: Number,
      stepsExamined: Number,
      stepsMoved: Number,
      failed: Number,
      failures: { type: [new Schema({ key: String, message: String }, { _id: false })], default: [] },
      seconds: Number,
      databaseSeconds: Number,
    },
    { versionKey: false },
  );
  return {
    meta: model(connection, 'CalendarMeta', meta, 'calendar_meta'),
    years: model(connection, 'CalendarYear', years, 'calendar_years'),
    units: model(connection, 'CalendarUnit', units, 'calendar_units'),
    audit: model(connection, 'CalendarAudit', audit, 'calendar_audit'),
    replans: model(connection, 'CalendarReplan', replans, 'calendar_replans'),
  };
}

export class CalendarNotSeededError extends CalendarInputError {
  constructor() {
    super('Lịch làm việc chưa được khởi tạo trong cơ sở dữ liệu: chạy `npx lltp calendar admin seed --actor <tên>` (hoặc dùng --seed)');
    this.name = 'CalendarNotSeededError';
  }
}

/** Reads the whole calendar and validates it; years that are not stored are estimated by the engine. */
export async function loadCalendarData(connection: Connection): Promise<CalendarData> {
  const models = calendarModels(connection);
  const [meta, yearDocs, unitDocs] = await Promise.all([
    models.meta.findById(CALENDAR_META_ID).lean(),
    models.years.find().lean(),
    models.units.find().lean(),
  ]);
  if (!meta) throw new CalendarNotSeededError();
  const years = new Map<number, YearSchedule>();
  for (const doc of yearDocs) years.set(doc.year, yearScheduleSchema.parse(doc));
  const units = unitDocs.map((doc) => unitHoursSchema.parse(doc));
  if (!units.some((u) => u.unitId === DEFAULT_UNIT_HOURS.unitId)) units.push(DEFAULT_UNIT_HOURS);
  return {
    timezone: z.literal(TIMEZONE).parse(meta.timezone),
    weeklyRestDays: z.array(weekdaySchema).parse(meta.weeklyRestDays),
    years,
    units,
    version: meta.version,
  };
}

export async function calendarVersion(connection: Connection): Promise<number | null> {
  const meta = await calendarModels(connection).meta.findById(CALENDAR_META_ID, { version: 1 }).lean();
  return meta ? meta.version : null;
}

/**
 * Writes the seed into an empty calendar; idempotent: stored years and units are never
 * overwritten (administrators' edits win). Returns what it inserted; audited when not nothing.
 */
export async function seedCalendar(
  connection: Connection,
  seedInput: CalendarSeed,
  options: { actor: string; now: () => Date; units?: readonly UnitHours[] },
): Promise<{ years: number[]; units: string[]; meta: boolean }> {
  const seed = calendarSeedSchema.parse(seedInput);
  const models = calendarModels(connection);
  const now = options.now();
  const metaResult = await models.meta.updateOne(
    { _id: CALENDAR_META_ID },
    { $setOnInsert: { timezone: seed.timezone, weeklyRestDays: seed.weeklyRestDays, version: 1, seededAt: now, updatedAt: now } },
    { upsert: true },
  );
  const insertedYears: number[] = [];
  for (const [year, schedule] of Object.entries(seed.years)) {
    const result = await models.years.updateOne(
      { year: Number(year) },
      { $setOnInsert: { ...schedule, year: Number(year), revision: 0, updatedAt: now, updatedBy: options.actor } },
      { upsert: true },
    );
    if (result.upsertedCount > 0) insertedYears.push(Number(year));
  }
  const insertedUnits: string[] = [];
  for (const unit of options.units ?? [DEFAULT_UNIT_HOURS]) {
    const result = await models.units.updateOne(
      { unitId: unit.unitId },
      { $setOnInsert: { ...unitHoursSchema.parse(unit), updatedAt: now, updatedBy: options.actor } },
      { upsert: true },
    );
    if (result.upsertedCount > 0) insertedUnits.push(unit.unitId);
  }
  const inserted = { years: insertedYears, units: insertedUnits, meta: metaResult.upsertedCount > 0 };
  if (inserted.meta || insertedYears.length > 0 || insertedUnits.length > 0) {
    const meta = await models.meta.findById(CALENDAR_META_ID, { version: 1 }).lean();
    await models.audit.create({ at: now, actor: options.actor, action: 'seed', before: null, after: inserted, calendarVersion: meta?.version ?? 1 });
  }
  return inserted;
}
