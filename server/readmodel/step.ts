/**
 * Read model: one document per executed step (*bước xử lý*) of a dossier in the `steps`
 * collection: which BPMN element, which unit, when it started, its allotment in working
 * minutes and the due time computed from it on the unit's calendar. A step that runs again
 * (a loop) is a new document. See server/readmodel/README.md.
 */
import { Schema, Types, type Connection, type Model } from 'mongoose';
import { deadlineMoveSchema, type DeadlineMoveDoc } from './dossier';

export const STEPS_COLLECTION = 'steps';

export interface StepDoc {
  dossierCode: string;
  /** BPMN element id of the task. */
  elementId: string;
  unitId: string;
  startedAt: Date;
  allotmentMinutes: number;
  dueAt: Date;
  dueEstimated: boolean;
  calendarVersion: number;
  finishedAt: Date | null;
  deadlineMoves: DeadlineMoveDoc[];

  // --- the step timeline (issue 5) ----------------------------------------------------------
  /** `step:<elementInstanceKey>` for steps recorded from the engine: one document per activation. */
  _id?: string;
  processId?: string;
  processInstanceKey?: string;
  elementInstanceKey?: string;
  elementName?: string;
  /** Responsible role and unit name from the SLA metadata. */
  role?: string;
  unitName?: string | null;
  /** Who finished it: a staff username, a partner id, or `system`. */
  actor?: string | null;
  /** What the step decided or produced, in a word (accept, noRecord, signed, ...). */
  outcome?: string | null;
  /** `stopped`: the dossier's clock does not run during this step (waiting for the citizen). */
  clock?: 'running' | 'stopped' | 'restart';
  /** The dossier's case variant whose allotment applies. */
  caseVariant?: string;
}

const stepSchema = new Schema<StepDoc>(
  {
    _id: { type: String, default: () => new Types.ObjectId().toHexString() },
    dossierCode: { type: String, required: true },
    elementId: { type: String, required: true },
    unitId: { type: String, required: true },
    startedAt: { type: Date, required: true },
    allotmentMinutes: { type: Number, required: true },
    dueAt: { type: Date, required: true },
    dueEstimated: { type: Boolean, default: false },
    calendarVersion: { type: Number, default: 0 },
    finishedAt: { type: Date, default: null },
    deadlineMoves: { type: [deadlineMoveSchema], default: [] },
    processId: String,
    processInstanceKey: String,
    elementInstanceKey: String,
    elementName: String,
    role: String,
    unitName: { type: String, default: null },
    actor: { type: String, default: null },
    outcome: { type: String, default: null },
    clock: { type: String, enum: ['running', 'stopped', 'restart'] },
    caseVariant: String,
  },
  { versionKey: false, collection: STEPS_COLLECTION },
);
stepSchema.index({ dossierCode: 1, elementId: 1 });
// re-planning and the monitor look for unfinished steps by due time
stepSchema.index({ finishedAt: 1, dueAt: 1 });

export function stepModel(connection: Connection): Model<StepDoc> {
  return (connection.models.Step as Model<StepDoc> | undefined) ?? connection.model<StepDoc>('Step', stepSchema);
}
