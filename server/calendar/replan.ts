/**
 * Re-planning: after a calendar edit (a newly announced day off, a confirmed pending day, a
 * removed day, new office hours, a confirmed year), recompute the deadlines of the open
 * dossiers and steps the change touches and write only those that moved.
 *
 * A dossier or step is touched when its span [clock start, latest deadline] overlaps the
 * changed days (and, for office hours, when it belongs to the unit): a walk that ends before
 * the changed days or starts after them cannot see the change. The rows are streamed through
 * a cursor on the partial indexes of open work (`dossiers_open_latest_due`, `steps_open_due`);
 * what moved is written in batches while reading, one statement per batch (`UPDATE … FROM
 * unnest(…)`), each row guarded by the values it was computed from so that a worker's
 * concurrent write is never overwritten with deadlines from stale clock data. Each moved
 * deadline is recorded in `deadline_moves`, and the moved rows are judged again by the SLA
 * monitor at its next tick.
 */
import { sql } from 'kysely';
import type { Db } from '../db';
import { toJson } from '../db/tables';
import { dayNumberOfLocalDate, dayStartMs, type LocalDate } from './civil-time';
import { dossierDeadlines, stepDueAt, type DeadlinePolicy } from './deadlines';
import type { WorkingCalendars } from './working-calendar';
import { CHECK_AT_NEXT_TICK, dossierStopsColumn } from '../readmodel/dossier';

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
  db: Db;
  /** The calendar after the change. */
  calendars: WorkingCalendars;
  policy: { deadlines: DeadlinePolicy; replanBatchSize: number };
  now: () => Date;
}

export interface ReplanOptions {
  /** Compute and count what would move, write nothing (a preview). */
  dryRun?: boolean;
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

const DOSSIER_FIELDS = ['statutoryDueAt', 'targetDueAt', 'apologyByAt'] as const;

const sameInstant = (a: Date | null | undefined, b: Date | null): boolean => (a ?? null)?.getTime() === b?.getTime();

/** Instants bounding the changed days: [start of the first, start of the day after the last). */
export function changeSpan(change: Pick<CalendarChange, 'fromDate' | 'toDate'>): { from: Date; to: Date } {
  return { from: new Date(dayStartMs(dayNumberOfLocalDate(change.fromDate))), to: new Date(dayStartMs(dayNumberOfLocalDate(change.toDate) + 1)) };
}

/** Measures the time spent computing; the rest of the wall time is spent with the database. */
class Stopwatch {
  computeMs = 0;
  compute<T>(work: () => T): T {
    const started = performance.now();
    try {
      return work();
    } finally {
      this.computeMs += performance.now() - started;
    }
  }
}

interface Move {
  field: (typeof DOSSIER_FIELDS)[number] | 'dueAt';
  from: Date | null;
  to: Date | null;
}

interface DossierUpdate {
  code: string;
  was: { clockStartAt: Date; statutoryDueAt: Date | null };
  next: { statutoryDueAt: Date | null; targetDueAt: Date | null; apologyByAt: Date | null; estimated: boolean };
  moves: Move[];
}

interface StepUpdate {
  id: string;
  dossierCode: string;
  was: { startedAt: Date; dueAt: Date };
  next: { dueAt: Date; estimated: boolean };
  moves: Move[];
}

/** Records the moves of the rows that were updated. */
async function recordMoves(db: Db, change: CalendarChange, at: Date, moved: { dossierCode: string; stepId: string | null; moves: Move[] }[]): Promise<void> {
  const rows = moved.flatMap((m) => m.moves.map((move) => ({ changeId: change.changeId, at, dossierCode: m.dossierCode, stepId: m.stepId, field: move.field, fromAt: move.from, toAt: move.to })));
  if (rows.length) await db.insertInto('deadlineMoves').values(rows).execute();
}

/** One statement for a batch of dossiers; only rows still as they were read are written. */
async function writeDossiers(db: Db, change: CalendarChange, at: Date, version: number, batch: DossierUpdate[]): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const updated = await sql<{ code: string }>`
      UPDATE dossiers AS d
      SET statutory_due_at = v.statutory_due_at, target_due_at = v.target_due_at, apology_by_at = v.apology_by_at,
          deadlines_estimated = v.estimated, calendar_version = ${version}, next_check_at = ${CHECK_AT_NEXT_TICK}
      FROM unnest(${batch.map((u) => u.code)}::text[], ${batch.map((u) => u.was.clockStartAt)}::timestamptz[],
                  ${batch.map((u) => u.was.statutoryDueAt)}::timestamptz[], ${batch.map((u) => u.next.statutoryDueAt)}::timestamptz[],
                  ${batch.map((u) => u.next.targetDueAt)}::timestamptz[], ${batch.map((u) => u.next.apologyByAt)}::timestamptz[],
                  ${batch.map((u) => u.next.estimated)}::boolean[])
        AS v (code, was_clock_start_at, was_statutory_due_at, statutory_due_at, target_due_at, apology_by_at, estimated)
      WHERE d.code = v.code AND d.status = 'open' AND d.clock_start_at = v.was_clock_start_at
        AND d.statutory_due_at IS NOT DISTINCT FROM v.was_statutory_due_at
      RETURNING d.code`.execute(tx);
    const written = new Set(updated.rows.map((r) => r.code));
    await recordMoves(tx, change, at, batch.filter((u) => written.has(u.code)).map((u) => ({ dossierCode: u.code, stepId: null, moves: u.moves })));
    return written.size;
  });
}

async function writeSteps(db: Db, change: CalendarChange, at: Date, version: number, batch: StepUpdate[]): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const updated = await sql<{ id: string }>`
      UPDATE steps AS s
      SET due_at = v.due_at, due_estimated = v.estimated, calendar_version = ${version}, next_check_at = ${CHECK_AT_NEXT_TICK}
      FROM unnest(${batch.map((u) => u.id)}::text[], ${batch.map((u) => u.was.startedAt)}::timestamptz[], ${batch.map((u) => u.was.dueAt)}::timestamptz[],
                  ${batch.map((u) => u.next.dueAt)}::timestamptz[], ${batch.map((u) => u.next.estimated)}::boolean[])
        AS v (id, was_started_at, was_due_at, due_at, estimated)
      WHERE s.id = v.id AND s.finished_at IS NULL AND s.started_at = v.was_started_at AND s.due_at = v.was_due_at
      RETURNING s.id`.execute(tx);
    const written = new Set(updated.rows.map((r) => r.id));
    await recordMoves(tx, change, at, batch.filter((u) => written.has(u.id)).map((u) => ({ dossierCode: u.dossierCode, stepId: u.id, moves: u.moves })));
    return written.size;
  });
}

export async function replanOpenWork(deps: ReplanDeps, change: CalendarChange, options: ReplanOptions = {}): Promise<ReplanReport> {
  const started = performance.now();
  const watch = new Stopwatch();
  const span = changeSpan(change);
  const at = deps.now();
  const version = deps.calendars.version;
  const batchSize = deps.policy.replanBatchSize;
  const failures: { key: string; message: string }[] = [];
  let failed = 0;
  const fail = (key: string, error: unknown): void => {
    failed++;
    if (failures.length < MAX_REPORTED_FAILURES) failures.push({ key, message: (error as Error).message });
  };

  // dossiers
  let dossierQuery = deps.db
    .selectFrom('dossiers')
    .select(['code', 'unitId', 'clockStartAt', 'statutoryWorkingDays', 'targetWorkingDays', 'statutoryDueAt', 'targetDueAt', 'apologyByAt', 'deadlinesEstimated'])
    .select(dossierStopsColumn.as('stops'))
    .where('status', '=', 'open')
    .where('clockStartAt', '<', span.to)
    .where(sql<Date>`greatest(statutory_due_at, target_due_at)`, '>=', span.from);
  if (change.unitIds) dossierQuery = dossierQuery.where('unitId', 'in', [...change.unitIds]);
  let dossiersExamined = 0;
  let dossiersMoved = 0;
  let dossierBatch: DossierUpdate[] = [];
  const flushDossiers = async (): Promise<void> => {
    const batch = dossierBatch;
    dossierBatch = [];
    if (batch.length === 0) return;
    if (options.dryRun) dossiersMoved += batch.length;
    else dossiersMoved += await writeDossiers(deps.db, change, at, version, batch);
  };
  for await (const doc of dossierQuery.stream(batchSize)) {
    dossiersExamined++;
    const update = watch.compute((): DossierUpdate | null => {
      try {
        const stoppedIntervals = doc.stops.map((s) => ({ from: new Date(s.from), to: s.to === null ? null : new Date(s.to) }));
        const next = dossierDeadlines(
          deps.calendars.forUnit(doc.unitId),
          { clockStartAt: doc.clockStartAt, stoppedIntervals },
          { statutoryWorkingDays: doc.statutoryWorkingDays, targetWorkingDays: doc.targetWorkingDays },
          deps.policy.deadlines,
        );
        const moves = DOSSIER_FIELDS.filter((f) => !sameInstant(doc[f], next[f])).map((field) => ({ field, from: doc[field], to: next[field] }));
        if (moves.length === 0 && doc.deadlinesEstimated === next.estimated) return null;
        return { code: doc.code, was: { clockStartAt: doc.clockStartAt, statutoryDueAt: doc.statutoryDueAt }, next, moves };
      } catch (error) {
        fail(doc.code, error);
        return null;
      }
    });
    if (update) dossierBatch.push(update);
    if (dossierBatch.length >= batchSize) await flushDossiers();
  }
  await flushDossiers();

  // steps
  let stepQuery = deps.db
    .selectFrom('steps')
    .select(['id', 'unitId', 'startedAt', 'allotmentMinutes', 'dueAt', 'dueEstimated', 'dossierCode', 'elementId'])
    .where('finishedAt', 'is', null)
    .where('startedAt', '<', span.to)
    .where('dueAt', '>=', span.from);
  if (change.unitIds) stepQuery = stepQuery.where('unitId', 'in', [...change.unitIds]);
  let stepsExamined = 0;
  let stepsMoved = 0;
  let stepBatch: StepUpdate[] = [];
  const flushSteps = async (): Promise<void> => {
    const batch = stepBatch;
    stepBatch = [];
    if (batch.length === 0) return;
    if (options.dryRun) stepsMoved += batch.length;
    else stepsMoved += await writeSteps(deps.db, change, at, version, batch);
  };
  for await (const doc of stepQuery.stream(batchSize)) {
    stepsExamined++;
    const update = watch.compute((): StepUpdate | null => {
      try {
        const next = stepDueAt(deps.calendars.forUnit(doc.unitId), doc.startedAt, doc.allotmentMinutes);
        const moved = !sameInstant(doc.dueAt, next.dueAt);
        if (!moved && doc.dueEstimated === next.estimated) return null;
        return { id: doc.id, dossierCode: doc.dossierCode, was: { startedAt: doc.startedAt, dueAt: doc.dueAt }, next, moves: moved ? [{ field: 'dueAt', from: doc.dueAt, to: next.dueAt }] : [] };
      } catch (error) {
        fail(`${doc.dossierCode}/${doc.elementId}`, error);
        return null;
      }
    });
    if (update) stepBatch.push(update);
    if (stepBatch.length >= batchSize) await flushSteps();
  }
  await flushSteps();

  const seconds = (performance.now() - started) / 1000;
  const report: ReplanReport = {
    changeId: change.changeId,
    dossiersExamined,
    dossiersMoved,
    stepsExamined,
    stepsMoved,
    failed,
    failures,
    seconds,
    databaseSeconds: Math.max(0, seconds - watch.computeMs / 1000),
  };
  // the summary of what moved (the moves themselves are in deadline_moves)
  if (!options.dryRun) {
    await deps.db
      .insertInto('calendarReplans')
      .values({ ...report, failures: toJson(report.failures), at, reason: change.reason })
      .execute();
  }
  return report;
}
