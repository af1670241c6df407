/**
 * The step timeline: one `steps` document per activation of a timed BPMN element, written
 * when the element starts (allotment and due time from the SLA plan, on the responsible
 * unit's calendar) and closed when it finishes (actor, outcome). Both writes are idempotent:
 * the document id is `step:<elementInstanceKey>`, and finishing only touches an open step,
 * so a job delivered twice records one step, finished once.
 */
import type { Model } from 'mongoose';
import { stepDueAt } from '../calendar/deadlines';
import type { WorkingCalendars } from '../calendar/working-calendar';
import type { CaseVariant, SlaPlan } from '../sla';
import type { DossierDoc } from './dossier';
import type { StepDoc } from './step';

export interface TimelineDeps {
  steps: Model<StepDoc>;
  dossiers: Model<DossierDoc>;
  /** The calendar in force now (refreshed after administrators' edits). */
  calendars: () => WorkingCalendars;
  /** SLA plan of a deployed process id. */
  plan: (processId: string) => SlaPlan | undefined;
}

export interface StepStart {
  dossierCode: string;
  processId: string;
  processInstanceKey: string;
  elementId: string;
  elementInstanceKey: string;
  startedAt: Date;
}

export interface StepEnd {
  elementInstanceKey: string;
  finishedAt: Date;
  actor: string;
  outcome?: string;
}

export const stepDocumentId = (elementInstanceKey: string): string => `step:${elementInstanceKey}`;

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

/** Records the start of a step (idempotent); returns the step as stored. */
export async function stepStarted(deps: TimelineDeps, start: StepStart): Promise<StepDoc> {
  const sla = deps.plan(start.processId)?.steps[start.elementId];
  if (!sla) throw new UnknownStepError(start.processId, start.elementId);
  const dossier = await deps.dossiers.findOne({ code: start.dossierCode }, { caseVariant: 1 }).lean();
  const caseVariant: CaseVariant = dossier?.caseVariant ?? 'ordinary';
  const allotmentMinutes = sla.allotments[caseVariant];
  const calendars = deps.calendars();
  const due = stepDueAt(calendars.forUnit(sla.unit), start.startedAt, allotmentMinutes);
  const _id = stepDocumentId(start.elementInstanceKey);
  const step = await deps.steps
    .findOneAndUpdate(
      { _id },
      {
        $setOnInsert: {
          _id,
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
          finishedAt: null,
          deadlineMoves: [],
        },
      },
      { upsert: true, returnDocument: 'after' },
    )
    .lean();
  await deps.dossiers.updateOne({ code: start.dossierCode, status: 'open' }, { $set: { currentElementId: start.elementId } });
  return step;
}

/** Records the end of a step; a repeat (or an unknown step) changes nothing. */
export async function stepFinished(deps: Pick<TimelineDeps, 'steps'>, end: StepEnd): Promise<boolean> {
  const result = await deps.steps.updateOne(
    { _id: stepDocumentId(end.elementInstanceKey), finishedAt: null },
    { $set: { finishedAt: end.finishedAt, actor: end.actor, outcome: end.outcome ?? null } },
  );
  return result.modifiedCount === 1;
}
