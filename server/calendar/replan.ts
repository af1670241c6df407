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
 * unnest(…)`, three batches in flight on their own connections), each row guarded by the values it
 * was computed from so that a worker's concurrent write is never overwritten with deadlines from
 * stale clock data. Each moved dossier or step is recorded in `deadline_moves` (its deadlines
 * before and after), and the moved rows are judged again by the SLA monitor at its next tick.
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

/** Batches written at once on their own connections while the next ones are read and computed. */
const WRITERS = 3;

/** Keeps at most WRITERS writes in flight; the first failure is thrown by the next `add` or by `drain`. */
class WritePipeline {
  private readonly inFlight: Promise<void>[] = [];
  async add(write: () => Promise<void>): Promise<void> {
    if (this.inFlight.length >= WRITERS) await this.inFlight.shift();
    const running = write();
    running.catch(() => undefined); // observed when awaited
    this.inFlight.push(running);
  }
  async drain(): Promise<void> {
    while (this.inFlight.length) await this.inFlight.shift();
  }
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

interface DossierUpdate {
  code: string;
  was: { clockStartAt: Date; statutoryDueAt: Date | null; targetDueAt: Date | null; apologyByAt: Date | null };
  next: { statutoryDueAt: Date | null; targetDueAt: Date | null; apologyByAt: Date | null; estimated: boolean };
  /** A deadline moved (not only the estimated flag): recorded in deadline_moves. */
  moved: boolean;
}

interface StepUpdate {
  id: string;
  dossierCode: string;
  was: { startedAt: Date; dueAt: Date };
  next: { dueAt: Date; estimated: boolean };
  moved: boolean;
}

const column = <T, V>(rows: readonly T[], pick: (row: T) => V): V[] => rows.map(pick);

/** Records the dossiers that moved: one row each, before and after (one statement: arrays, not thousands of parameters). */
async function recordDossierMoves(db: Db, change: CalendarChange, at: Date, moved: readonly DossierUpdate[]): Promise<void> {
  if (moved.length === 0) return;
  await sql`
    INSERT INTO deadline_moves (change_id, at, dossier_code, statutory_due_from, statutory_due_to, target_due_from, target_due_to, apology_by_from, apology_by_to)
    SELECT ${change.changeId}, ${at}, v.*
    FROM unnest(${column(moved, (u) => u.code)}::text[],
                ${column(moved, (u) => u.was.statutoryDueAt)}::timestamptz[], ${column(moved, (u) => u.next.statutoryDueAt)}::timestamptz[],
                ${column(moved, (u) => u.was.targetDueAt)}::timestamptz[], ${column(moved, (u) => u.next.targetDueAt)}::timestamptz[],
                ${column(moved, (u) => u.was.apologyByAt)}::timestamptz[], ${column(moved, (u) => u.next.apologyByAt)}::timestamptz[]) AS v`.execute(db);
}

async function recordStepMoves(db: Db, change: CalendarChange, at: Date, moved: readonly StepUpdate[]): Promise<void> {
  if (moved.length === 0) return;
  await sql`
    INSERT INTO deadline_moves (change_id, at, dossier_code, step_id, due_from, due_to)
    SELECT ${change.changeId}, ${at}, v.*
    FROM unnest(${column(moved, (u) => u.dossierCode)}::text[], ${column(moved, (u) => u.id)}::text[],
                ${column(moved, (u) => u.was.dueAt)}::timestamptz[], ${column(moved, (u) => u.next.dueAt)}::timestamptz[]) AS v`.execute(db);
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
    await recordDossierMoves(tx, change, at, batch.filter((u) => u.moved && written.has(u.code)));
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
    await recordStepMoves(tx, change, at, batch.filter((u) => u.moved && written.has(u.id)));
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
    .select(['code', 'unitId', 'clockStartAt', 'statutoryWorkingDays', 'targetWorkingDays', 'apologyLeadMinutes', 'statutoryDueAt', 'targetDueAt', 'apologyByAt', 'deadlinesEstimated'])
    .select(dossierStopsColumn.as('stops'))
    .where('status', '=', 'open')
    .where('clockStartAt', '<', span.to)
    .where(sql<Date>`greatest(statutory_due_at, target_due_at)`, '>=', span.from);
  if (change.unitIds) dossierQuery = dossierQuery.where('unitId', 'in', [...change.unitIds]);
  let dossiersExamined = 0;
  let dossiersMoved = 0;
  let dossierBatch: DossierUpdate[] = [];
  const writes = new WritePipeline();
  const flushDossiers = async (): Promise<void> => {
    const batch = dossierBatch;
    dossierBatch = [];
    if (batch.length === 0) return;
    if (options.dryRun) dossiersMoved += batch.length;
    else {
      await writes.add(async () => {
        const written = await writeDossiers(deps.db, change, at, version, batch);
        dossiersMoved += written; // after the await: concurrent batches must not read a stale total
      });
    }
  };
  for await (const doc of dossierQuery.stream(batchSize)) {
    dossiersExamined++;
    const update = watch.compute((): DossierUpdate | null => {
      try {
        const stoppedIntervals = doc.stops.map((s) => ({ from: new Date(s.from), to: s.to === null ? null : new Date(s.to) }));
        const next = dossierDeadlines(
          deps.calendars.forUnit(doc.unitId),
          { clockStartAt: doc.clockStartAt, stoppedIntervals },
          { statutoryWorkingDays: doc.statutoryWorkingDays, targetWorkingDays: doc.targetWorkingDays, apologyLeadMinutes: doc.apologyLeadMinutes },
          deps.policy.deadlines,
        );
        const moved = DOSSIER_FIELDS.some((f) => !sameInstant(doc[f], next[f]));
        if (!moved && doc.deadlinesEstimated === next.estimated) return null;
        return { code: doc.code, was: { clockStartAt: doc.clockStartAt, statutoryDueAt: doc.statutoryDueAt, targetDueAt: doc.targetDueAt, apologyByAt: doc.apologyByAt }, next, moved };
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
    else {
      await writes.add(async () => {
        const written = await writeSteps(deps.db, change, at, version, batch);
        stepsMoved += written;
      });
    }
  };
  for await (const doc of stepQuery.stream(batchSize)) {
    stepsExamined++;
    const update = watch.compute((): StepUpdate | null => {
      try {
        const next = stepDueAt(deps.calendars.forUnit(doc.unitId), doc.startedAt, doc.allotmentMinutes);
        const moved = !sameInstant(doc.dueAt, next.dueAt);
        if (!moved && doc.dueEstimated === next.estimated) return null;
        return { id: doc.id, dossierCode: doc.dossierCode, was: { startedAt: doc.startedAt, dueAt: doc.dueAt }, next, moved };
      } catch (error) {
        fail(`${doc.dossierCode}/${doc.elementId}`, error);
        return null;
      }
    });
    if (update) stepBatch.push(update);
    if (stepBatch.length >= batchSize) await flushSteps();
  }
  await flushSteps();
  await writes.drain();

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
