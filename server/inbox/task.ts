/**
 * The task inbox's read model: one document per human step (job-worker user task, job type
 * `io.camunda.zeebe:userTask`), keyed by its element instance, so a job re-delivered after a
 * timeout updates the same task with its new job key.
 */
import { Schema, type Connection, type Model } from 'mongoose';

export const TASK_STATUSES = ['open', 'claimed', 'completed', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export interface TaskDoc {
  _id: string;
  jobKey: string;
  dossierCode: string;
  processInstanceKey: string;
  processId: string;
  elementId: string;
  elementName: string;
  formKey: string;
  title: string;
  /** Role the task is offered to (candidate group). */
  role: string;
  /** Unit the task belongs to (SLA metadata). */
  unitId: string;
  startedAt: Date;
  dueAt: Date;
  status: TaskStatus;
  claimedBy: string | null;
  completedAt: Date | null;
  completedBy: string | null;
  /** Decision in a word (accept, supplement, refuse, noRecord, approve, ...). */
  decision: string | null;
  /** Values shown with the task (dates, ids; never personal data), as text. */
  shown: Record<string, string>;
}

export const taskDocumentId = (elementInstanceKey: string): string => `task:${elementInstanceKey}`;

export function taskModel(db: Connection): Model<TaskDoc> {
  const existing = db.models.InboxTask as Model<TaskDoc> | undefined;
  if (existing) return existing;
  const schema = new Schema<TaskDoc>(
    {
      _id: { type: String, required: true },
      jobKey: { type: String, required: true },
      dossierCode: { type: String, required: true },
      processInstanceKey: { type: String, required: true },
      processId: { type: String, required: true },
      elementId: { type: String, required: true },
      elementName: { type: String, required: true },
      formKey: { type: String, required: true },
      title: { type: String, required: true },
      role: { type: String, required: true },
      unitId: { type: String, required: true },
      startedAt: { type: Date, required: true },
      dueAt: { type: Date, required: true },
      status: { type: String, enum: TASK_STATUSES, required: true },
      claimedBy: { type: String, default: null },
      completedAt: { type: Date, default: null },
      completedBy: { type: String, default: null },
      decision: { type: String, default: null },
      shown: { type: Schema.Types.Mixed, default: {} },
    },
    { versionKey: false, collection: 'tasks', minimize: false },
  );
  schema.index({ status: 1, role: 1, unitId: 1, dueAt: 1 });
  schema.index({ dossierCode: 1 });
  return db.model<TaskDoc>('InboxTask', schema);
}
