/**
 * The step timeline: one `steps` row per activation of a timed BPMN element, written when the
 * element starts (allotment and due time from the SLA plan, on the responsible unit's calendar)
 * and closed when it finishes (actor, outcome). Both writes are idempotent: the row id is
 * `step:<elementInstanceKey>` (insert on conflict do nothing), and finishing only touches an
 * open step, so a job delivered twice records one step, finished once.
 */
import { sql, type RawBuilder, type Selectable, type Updateable } from 'kysely';
import type { Db } from '../db';
import { stepDueAt } from '../calendar/deadlines';
import type { WorkingCalendars } from '../calendar/working-calendar';
import { toJson, type DossiersTable } from '../db/tables';
import type { CaseVariant, StepSla } from '../sla';
import { CASE_VARIANTS } from '../sla/spec';
import { bindProcessInstance, CHECK_AT_NEXT_TICK, dossierStopsColumn, toDossier, type Dossier } from './dossier';
import { stepId, type Step } from './step';

export interface TimelineDeps {
  db: Db;
  /** The calendar in force now (refreshed after administrators' edits). */
  calendars: () => WorkingCalendars;
  /** The SLA of a step for a dossier (its own, or its internal procedure's for a governed step); see ProcessCatalog.stepSla. */
  stepSla: (processId: string, elementId: string, internalProcessId?: string | null) => StepSla | undefined;
}

export interface StepStart {
  dossierCode: string;
  processId: string;
  processInstanceKey: string;
  elementId: string;
  elementInstanceKey: string;
  startedAt: Date;
  /** The dossier's internal procedure (the `internalProcessId` variable), which sets the SLA of governed steps. */
  internalProcessId?: string | null;
}

/** Why a step finished after its due time: the officer's words, or the outside system that kept it waiting. */
export interface LateReason {
  text: string;
  source: 'officer' | 'system';
}

export interface StepEnd {
  elementInstanceKey: string;
  finishedAt: Date;
  actor: string;
  outcome?: string;
  /** Recorded only if the step is timed (allotment > 0) and finishes after its due instant. */
  lateReason?: LateReason;
}

/** Reads the `activatedAt` variable (`=now()` in the model: `2026-…Z[Etc/UTC]`) as a Date. */
export function parseEngineInstant(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const date = new Date(value.replace(/\[[^\]]*\]$/, ''));
  return Number.isNaN(date.getTime()) ? null : date;
}

export class UnknownStepError extends Error {
  constructor(processId: string, elementId: string) {
    super(`No SLA for element ${elementId} of process ${processId}: is the process deployed from processes/?`);
    this.name = 'UnknownStepError';
  }
}

/** A second process instance of a dossier that is bound to another: it must be cancelled, its job not worked. */
export class DuplicateInstanceError extends Error {
  constructor(
    readonly dossierCode: string,
    readonly processInstanceKey: string,
    readonly boundTo: string | null,
  ) {
    super(`process instance ${processInstanceKey} duplicates instance ${boundTo ?? '?'} of dossier ${dossierCode}`);
    this.name = 'DuplicateInstanceError';
  }
}

export class UnknownDossierError extends Error {
  constructor(code: string) {
    super(`dossier ${code} is not in the read model (intake writes it before starting the process)`);
    this.name = 'UnknownDossierError';
  }
}

/**
 * Records the start of a step (idempotent) and the dossier's current element; returns the step
 * as stored. One round trip when the dossier is already bound to this process instance (or the
 * step belongs to another process than the dossier's own): {@link startBoundStep}. Otherwise,
 * and whenever that statement finds nothing, two: the dossier's case variant with any step
 * already stored (binding the instance, or refusing a duplicate), then one statement that inserts
 * the step and moves the dossier's current element together.
 */
export async function stepStarted(deps: TimelineDeps, start: StepStart): Promise<Step> {
  const sla = deps.stepSla(start.processId, start.elementId, start.internalProcessId);
  if (!sla) throw new UnknownStepError(start.processId, start.elementId);
  return (await startBoundStep(deps, start)) ?? startStepChecked(deps, sla, start);
}

/**
 * The one-statement start, as common table expressions to put in a larger statement: the
 * dossier's case variant read, the step inserted with that variant's allotment and due time
 * (each variant's computed beforehand, the statement picks one), the dossier's current element
 * moved, and only for a dossier bound to this instance (or a step of another process than the
 * dossier's). The last expression, `step`, holds the step as stored (inserted now, or stored
 * already: then the current element is left alone, as {@link startStepChecked} does). It holds
 * no row when nothing was found (no such dossier, an instance not bound yet or a duplicate, a
 * delivery of the same job inserting at the same moment): the caller takes the checked path.
 */
export function boundStepStartCtes(deps: TimelineDeps, start: StepStart): RawBuilder<unknown> {
  const sla = deps.stepSla(start.processId, start.elementId, start.internalProcessId);
  if (!sla) throw new UnknownStepError(start.processId, start.elementId);
  const id = stepId(start.elementInstanceKey);
  const calendars = deps.calendars();
  const calendar = calendars.forUnit(sla.unit);
  const byVariant = (pick: (variant: CaseVariant) => unknown) =>
    sql.join(CASE_VARIANTS.map((variant) => sql`WHEN ${variant} THEN ${pick(variant)}`), sql` `);
  const dues = Object.fromEntries(CASE_VARIANTS.map((v) => [v, stepDueAt(calendar, start.startedAt, sla.allotments[v])])) as Record<CaseVariant, { dueAt: Date; estimated: boolean }>;
  return sql`
    d AS (
      SELECT case_variant FROM dossiers
      WHERE code = ${start.dossierCode} AND (process_id IS DISTINCT FROM ${start.processId} OR process_instance_key = ${start.processInstanceKey})
    ),
    stored AS (SELECT * FROM steps WHERE id = ${id}),
    cur AS (
      UPDATE dossiers SET current_element_id = ${start.elementId}
      WHERE code = ${start.dossierCode} AND status = 'open' AND EXISTS (SELECT 1 FROM d) AND NOT EXISTS (SELECT 1 FROM stored)
    ),
    ins AS (
      INSERT INTO steps (id, dossier_code, element_id, element_name, process_id, process_instance_key, element_instance_key,
        unit_id, unit_name, role, clock, case_variant, started_at, allotment_minutes, due_at, due_estimated, calendar_version,
        escalation, next_check_at)
      SELECT ${id}, ${start.dossierCode}, ${start.elementId}, ${sla.name}, ${start.processId}, ${start.processInstanceKey}, ${start.elementInstanceKey},
        ${sla.unit}, ${sla.unitName}, ${sla.role}, ${sla.clock}, d.case_variant, ${start.startedAt}::timestamptz,
        CASE d.case_variant ${byVariant((v) => sla.allotments[v])} END::integer,
        CASE d.case_variant ${byVariant((v) => dues[v].dueAt)} END::timestamptz,
        CASE d.case_variant ${byVariant((v) => dues[v].estimated)} END::boolean,
        ${calendars.version}::integer, ${toJson(sla.escalation)}::jsonb, ${CHECK_AT_NEXT_TICK}::timestamptz
      FROM d WHERE NOT EXISTS (SELECT 1 FROM stored) AND d.case_variant IN (${sql.join([...CASE_VARIANTS])})
      RETURNING *
    ),
    step AS (SELECT * FROM ins UNION ALL SELECT stored.* FROM stored, d)`;
}

/** The one-statement start ({@link boundStepStartCtes}): the step as stored, or null (take the checked path). */
async function startBoundStep(deps: TimelineDeps, start: StepStart): Promise<Step | null> {
  const { rows } = await sql<Step>`WITH ${boundStepStartCtes(deps, start)} SELECT * FROM step`.execute(deps.db);
  return rows[0] ?? null;
}

/**
 * The one-statement start ({@link boundStepStartCtes}) that answers the dossier as it stands,
 * its clock stops with it, instead of the step: a job's handler reads its dossier without a
 * statement of its own. The current element is the step's when the statement moved it. Null
 * when the statement found nothing: take the checked path ({@link stepStartedChecked}).
 */
export async function stepStartedReadingDossier(deps: TimelineDeps, start: StepStart): Promise<Dossier | null> {
  const { rows } = await sql<Selectable<DossiersTable> & { stops: { from: string; to: string | null; reason: string }[]; moved: boolean }>`
    WITH ${boundStepStartCtes(deps, start)}
    SELECT dossiers.*, ${dossierStopsColumn} AS stops, EXISTS (SELECT 1 FROM ins) AS moved
    FROM dossiers WHERE code = ${start.dossierCode} AND EXISTS (SELECT 1 FROM step)`.execute(deps.db);
  const row = rows[0];
  if (!row) return null;
  const { moved, ...dossier } = row;
  // the statement reads the dossier as it was before its own update of the current element
  return toDossier(moved && dossier.status === 'open' ? { ...dossier, currentElementId: start.elementId } : dossier);
}

/** The checked start alone (the path {@link stepStarted} takes when its one statement found nothing). */
export async function stepStartedChecked(deps: TimelineDeps, start: StepStart): Promise<Step> {
  const sla = deps.stepSla(start.processId, start.elementId, start.internalProcessId);
  if (!sla) throw new UnknownStepError(start.processId, start.elementId);
  return startStepChecked(deps, sla, start);
}

/** The checked start (two round trips): binds the dossier's instance or refuses a duplicate first. */
async function startStepChecked(deps: TimelineDeps, sla: StepSla, start: StepStart): Promise<Step> {
  const id = stepId(start.elementInstanceKey);
  const found = await deps.db
    .selectFrom('dossiers')
    .leftJoin('steps', (join) => join.on('steps.id', '=', id))
    .select(['dossiers.caseVariant', 'dossiers.processId', 'dossiers.processInstanceKey', 'steps.id as storedId'])
    .where('dossiers.code', '=', start.dossierCode)
    .executeTakeFirst();
  if (!found) throw new UnknownDossierError(start.dossierCode);
  if (found.processId === start.processId && found.processInstanceKey !== start.processInstanceKey) {
    // A job of the dossier's own (national) process: the first instance to report is the
    // dossier's; another one is a duplicate start (an intake retried after an ambiguous answer).
    const bound = found.processInstanceKey ?? (await bindProcessInstance(deps.db, start.dossierCode, start.processInstanceKey));
    if (bound !== start.processInstanceKey) throw new DuplicateInstanceError(start.dossierCode, start.processInstanceKey, bound);
  }
  if (found.storedId) return deps.db.selectFrom('steps').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const caseVariant: CaseVariant = found.caseVariant;
  const allotmentMinutes = sla.allotments[caseVariant];
  const calendars = deps.calendars();
  const due = stepDueAt(calendars.forUnit(sla.unit), start.startedAt, allotmentMinutes);
  const inserted = await deps.db
    .with('current', () => deps.db.updateTable('dossiers').set({ currentElementId: start.elementId }).where('code', '=', start.dossierCode).where('status', '=', 'open'))
    .insertInto('steps')
    .values({
      id,
      dossierCode: start.dossierCode,
      elementId: start.elementId,
      elementName: sla.name,
      processId: start.processId,
      processInstanceKey: start.processInstanceKey,
      elementInstanceKey: start.elementInstanceKey,
      unitId: sla.unit,
      unitName: sla.unitName,
      role: sla.role,
      clock: sla.clock,
      caseVariant,
      startedAt: start.startedAt,
      allotmentMinutes,
      dueAt: due.dueAt,
      dueEstimated: due.estimated,
      calendarVersion: calendars.version,
      escalation: toJson(sla.escalation),
      nextCheckAt: CHECK_AT_NEXT_TICK,
    })
    // no ON CONFLICT: `steps` is partitioned; its trigger skips a step whose id is already claimed (migration 0014)
    .returningAll()
    .executeTakeFirst();
  // nothing inserted: a delivery of the same job got there first; its step stands
  return inserted ?? deps.db.selectFrom('steps').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/**
 * The statement that closes open steps matching `where` (an id, or a dossier's waiting step). A
 * step whose overdue alert was raised stays marked for the monitor's next tick (the done-late
 * notice to the people who were told it was late); any other step leaves the monitor's view.
 * A late reason is kept only where the step is timed and finishes after its due instant.
 * Returned unexecuted, so that it can be one part of a larger statement (the inbox's completion).
 */
export function finishStepsQuery(db: Db, where: { id: string } | { dossierCode: string; elementId: string }, end: Omit<StepEnd, 'elementInstanceKey'>) {
  const late = sql<boolean>`(allotment_minutes > 0 AND ${end.finishedAt}::timestamptz > due_at)`;
  const query = db
    .updateTable('steps')
    .set({
      finishedAt: end.finishedAt,
      actor: end.actor,
      outcome: end.outcome ?? null,
      ...(end.lateReason
        ? {
            lateReason: sql<string | null>`CASE WHEN ${late} THEN ${end.lateReason.text} END`,
            lateReasonSource: sql<'officer' | 'system' | null>`CASE WHEN ${late} THEN ${end.lateReason.source} END`,
          }
        : {}),
      nextCheckAt: sql<Date | null>`CASE WHEN EXISTS (SELECT 1 FROM alerts a WHERE a.id = 'step:' || steps.id || ':overdue') THEN ${CHECK_AT_NEXT_TICK}::timestamptz END`,
    })
    .where('finishedAt', 'is', null);
  return 'id' in where ? query.where('id', '=', where.id) : query.where('dossierCode', '=', where.dossierCode).where('elementId', '=', where.elementId);
}

/** Closes open steps matching `where` (see finishStepsQuery); returns how many it closed. */
export async function finishSteps(db: Db, where: { id: string } | { dossierCode: string; elementId: string }, end: Omit<StepEnd, 'elementInstanceKey'>): Promise<number> {
  const result = await finishStepsQuery(db, where, end).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Records the end of a step; a repeat (or an unknown step) changes nothing. */
export async function stepFinished(deps: Pick<TimelineDeps, 'db'>, end: StepEnd): Promise<boolean> {
  return (await finishSteps(deps.db, { id: stepId(end.elementInstanceKey) }, end)) === 1;
}

/**
 * Records the end of a step and writes the columns of its dossier that the step's job set, in one
 * statement: each part as idempotent as alone (a repeat finishes nothing more and writes the same
 * columns again).
 */
export async function stepFinishedWritingDossier(deps: Pick<TimelineDeps, 'db'>, end: StepEnd, dossierCode: string, dossier: Updateable<DossiersTable>): Promise<void> {
  await deps.db
    .with('step', () => finishStepsQuery(deps.db, { id: stepId(end.elementInstanceKey) }, end))
    .updateTable('dossiers')
    .set(dossier)
    .where('code', '=', dossierCode)
    .execute();
}
