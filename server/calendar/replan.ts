/**
 * Re-planning: after a calendar edit (a newly announced day off, a confirmed pending day, a
 * removed day, new office hours, a confirmed year), recompute the deadlines of the open
 * dossiers and steps the change touches and write only those that moved.
 *
 * A dossier or step is touched when its span [clock start, latest deadline] overlaps the
 * changed days (and, for office hours, when it belongs to the unit): a walk that ends before
 * the changed days or starts after them cannot see the change. The query uses the read
 * model's indexes and a projection; the updates (only for what moved) are collected, then sent
 * with `bulkWrite` in batches once the cursor is closed, each guarded by the values it was
 * computed from, and each moved deadline is appended to `deadlineMoves`.
 *
 * On FerretDB 1.24 with SQLite (the local stack) every update scans the whole collection (its
 * UPDATE statement does not match the `_id` index expression), so re-planning many documents
 * there is slow however it is batched; see tools/bench/calendar.ts for the figures.
 */
import type { AnyBulkWriteOperation, Connection } from 'mongoose';
import { dayNumberOfLocalDate, dayStartMs, type LocalDate } from './civil-time';
import { dossierDeadlines, stepDueAt, type DeadlinePolicy } from './deadlines';
import { calendarModels } from './store';
import type { WorkingCalendars } from './working-calendar';
import { dossierModel, type DeadlineMoveDoc, type DossierDoc } from '../readmodel/dossier';
import { stepModel, type StepDoc } from '../readmodel/step';

export interface CalendarChange {
  changeId: string;
  reason: string;
  /** First and last civil day whose working time changed (inclusive). */
  fromDate: LocalDate;
  toDate: LocalDate;
  /** Only work of these units (a change of office hours); every unit when absent. */
  unitIds?: readonly string[];
}

export interface ReplanDeps {
  connection: Connection;
  /** The calendar after the change. */
  calendars: WorkingCalendars;
  policy: { deadlines: DeadlinePolicy; replanBatchSize: number };
  now: () => Date;
}

export interface ReplanOptions {
  /** Compute and count what would move, write nothing (a preview, and the benchmark's read/compute share). */
  dryRun?: boolean;
  /**
   * Guard each update with the values it was computed from (clock start, due date), so that a
   * worker's concurrent write is never overwritten with deadlines from stale clock data.
   * Default: on, except on FerretDB, whose SQLite backend turns any filter other than `_id`
   * into a scan of the whole collection per update (see `isFerretDb`).
   */
  guardedWrites?: boolean;
}

/** FerretDB answers `buildInfo` with `ferretdbVersion` (and `ferretdbFeatures`) fields. */
export async function isFerretDb(connection: Connection): Promise<boolean> {
  const db = connection.db;
  if (!db) return false;
  const info = await db.admin().command({ buildInfo: 1 });
  return 'ferretdbVersion' in info;
}

export interface ReplanReport {
  changeId: string;
  dossiersExamined: number;
  dossiersMoved: number;
  stepsExamined: number;
  stepsMoved: number;
  failed: number;
  failures: { key: string; message: string }[];
  /** Wall time of the whole re-planning, and the part spent waiting for the database. */
  seconds: number;
  databaseSeconds: number;
}

const MAX_REPORTED_FAILURES = 20;

type DossierProjection = Pick<
  DossierDoc,
  'code' | 'unitId' | 'clockStartAt' | 'stoppedIntervals' | 'statutoryWorkingDays' | 'targetWorkingDays' | 'statutoryDueAt' | 'targetDueAt' | 'apologyByAt' | 'deadlinesEstimated'
> & { _id: unknown };
type StepProjection = Pick<StepDoc, 'unitId' | 'startedAt' | 'allotmentMinutes' | 'dueAt' | 'dueEstimated' | 'dossierCode' | 'elementId'> & { _id: unknown };

const DOSSIER_FIELDS = ['statutoryDueAt', 'targetDueAt', 'apologyByAt'] as const;

const sameInstant = (a: Date | null | undefined, b: Date | null): boolean => (a ?? null)?.getTime() === b?.getTime();

/** Instants bounding the changed days: [start of the first, start of the day after the last). */
export function changeSpan(change: Pick<CalendarChange, 'fromDate' | 'toDate'>): { from: Date; to: Date } {
  return { from: new Date(dayStartMs(dayNumberOfLocalDate(change.fromDate))), to: new Date(dayStartMs(dayNumberOfLocalDate(change.toDate) + 1)) };
}

class Stopwatch {
  databaseMs = 0;
  async db<T>(work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.databaseMs += performance.now() - started;
    }
  }
}

export async function replanOpenWork(deps: ReplanDeps, change: CalendarChange, options: ReplanOptions = {}): Promise<ReplanReport> {
  const started = performance.now();
  const watch = new Stopwatch();
  const guarded = options.guardedWrites ?? !(await watch.db(() => isFerretDb(deps.connection)));
  const span = changeSpan(change);
  const at = deps.now();
  const version = deps.calendars.version;
  const units = change.unitIds ? { unitId: { $in: [...change.unitIds] } } : {};
  const failures: { key: string; message: string }[] = [];
  let failed = 0;
  const fail = (key: string, error: unknown): void => {
    failed++;
    if (failures.length < MAX_REPORTED_FAILURES) failures.push({ key, message: (error as Error).message });
  };
  const move = (field: string, from: Date | null | undefined, to: Date | null): DeadlineMoveDoc => ({ changeId: change.changeId, at, field, from: from ?? null, to });

  // dossiers
  const dossiers = dossierModel(deps.connection);
  const dossierCursor = dossiers
    .find({ status: 'open', clockStartAt: { $lt: span.to }, $or: [{ statutoryDueAt: { $gte: span.from } }, { targetDueAt: { $gte: span.from } }], ...units })
    .select({ code: 1, unitId: 1, clockStartAt: 1, stoppedIntervals: 1, statutoryWorkingDays: 1, targetWorkingDays: 1, statutoryDueAt: 1, targetDueAt: 1, apologyByAt: 1, deadlinesEstimated: 1 })
    .lean<DossierProjection[]>()
    .cursor({ batchSize: deps.policy.replanBatchSize });
  let dossiersExamined = 0;
  let dossiersMoved = 0;
  // Updates are collected while reading and written once the cursor is closed, so that no cursor
  // stays open during long writes (a full 120k re-plan on FerretDB 1.24 stalled with the writes
  // interleaved with an open cursor; not reproduced at small scale).
  let pending: AnyBulkWriteOperation[] = [];
  const write = async (collection: 'dossiers' | 'steps'): Promise<void> => {
    const ops = pending;
    pending = [];
    if (options.dryRun) return;
    const model = collection === 'dossiers' ? dossiers : stepModel(deps.connection);
    for (let i = 0; i < ops.length; i += deps.policy.replanBatchSize) {
      const slice = ops.slice(i, i + deps.policy.replanBatchSize);
      await watch.db(() => model.collection.bulkWrite(slice as Parameters<typeof model.collection.bulkWrite>[0], { ordered: false }));
    }
  };
  for (;;) {
    const doc = await watch.db(() => dossierCursor.next());
    if (!doc) break;
    dossiersExamined++;
    try {
      const next = dossierDeadlines(
        deps.calendars.forUnit(doc.unitId),
        { clockStartAt: doc.clockStartAt, stoppedIntervals: doc.stoppedIntervals },
        { statutoryWorkingDays: doc.statutoryWorkingDays, targetWorkingDays: doc.targetWorkingDays },
        deps.policy.deadlines,
      );
      const moves = DOSSIER_FIELDS.filter((f) => !sameInstant(doc[f], next[f])).map((f) => move(f, doc[f], next[f]));
      if (moves.length === 0 && doc.deadlinesEstimated === next.estimated) continue;
      dossiersMoved++;
      pending.push({
        updateOne: {
          filter: guarded ? { _id: doc._id, clockStartAt: doc.clockStartAt, statutoryDueAt: doc.statutoryDueAt } : { _id: doc._id },
          update: {
            $set: { statutoryDueAt: next.statutoryDueAt, targetDueAt: next.targetDueAt, apologyByAt: next.apologyByAt, deadlinesEstimated: next.estimated, calendarVersion: version },
            ...(moves.length > 0 ? { $push: { deadlineMoves: { $each: moves } } } : {}),
          },
        },
      });
    } catch (error) {
      fail(doc.code, error);
    }
  }
  await watch.db(() => dossierCursor.close());
  await write('dossiers');

  // steps
  const steps = stepModel(deps.connection);
  const stepCursor = steps
    .find({ finishedAt: null, startedAt: { $lt: span.to }, dueAt: { $gte: span.from }, ...units })
    .select({ unitId: 1, startedAt: 1, allotmentMinutes: 1, dueAt: 1, dueEstimated: 1, dossierCode: 1, elementId: 1 })
    .lean<StepProjection[]>()
    .cursor({ batchSize: deps.policy.replanBatchSize });
  let stepsExamined = 0;
  let stepsMoved = 0;
  for (;;) {
    const doc = await watch.db(() => stepCursor.next());
    if (!doc) break;
    stepsExamined++;
    try {
      const next = stepDueAt(deps.calendars.forUnit(doc.unitId), doc.startedAt, doc.allotmentMinutes);
      const moved = !sameInstant(doc.dueAt, next.dueAt);
      if (!moved && doc.dueEstimated === next.estimated) continue;
      stepsMoved++;
      pending.push({
        updateOne: {
          filter: guarded ? { _id: doc._id, startedAt: doc.startedAt, dueAt: doc.dueAt } : { _id: doc._id },
          update: {
            $set: { dueAt: next.dueAt, dueEstimated: next.estimated, calendarVersion: version },
            ...(moved ? { $push: { deadlineMoves: { $each: [move('dueAt', doc.dueAt, next.dueAt)] } } } : {}),
          },
        },
      });
    } catch (error) {
      fail(`${doc.dossierCode}/${doc.elementId}`, error);
    }
  }
  await watch.db(() => stepCursor.close());
  await write('steps');

  const report: ReplanReport = {
    changeId: change.changeId,
    dossiersExamined,
    dossiersMoved,
    stepsExamined,
    stepsMoved,
    failed,
    failures,
    seconds: (performance.now() - started) / 1000,
    databaseSeconds: watch.databaseMs / 1000,
  };
  // the summary of what moved (the moves themselves are on each document)
  if (!options.dryRun) await calendarModels(deps.connection).replans.create({ ...report, at, reason: change.reason });
  return report;
}
