/**
 * Read model: one document per executed step (*bước xử lý*) of a dossier in the `steps`
 * collection: which BPMN element, which unit, when it started, its allotment in working
 * minutes and the due time computed from it on the unit's calendar. A step that runs again
 * (a loop) is a new document. See server/readmodel/README.md.
 */
import { Schema, type Connection, type Model } from 'mongoose';
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
}

const stepSchema = new Schema<StepDoc>(
  {
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
  },
  { versionKey: false, collection: STEPS_COLLECTION },
);
stepSchema.index({ dossierCode: 1, elementId: 1 });
// re-planning and the monitor look for unfinished steps by due time
stepSchema.index({ finishedAt: 1, dueAt: 1 });

export function stepModel(connection: Connection): Model<StepDoc> {
  return (connection.models.Step as Model<StepDoc> | undefined) ?? connection.model<StepDoc>('Step', stepSchema);
}
