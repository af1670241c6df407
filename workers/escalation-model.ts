/**
 * Read model: one `escalations` document per reminder or escalation a worker sent
 * (police reminders, escalations to the leader), keyed by dossier and element instance so
 * that a job delivered twice records one escalation and sends one e-mail.
 * No personal data: dossier code, step, unit, roles, times.
 */
import { Schema, type Connection, type Model } from 'mongoose';

export const ESCALATIONS_COLLECTION = 'escalations';

export interface EscalationDoc {
  /** `escalation:<dossierCode>:<elementInstanceKey>`. */
  _id: string;
  dossierCode: string;
  /** The service task that raised it (remindPolice, escalatePoliceLate, ...). */
  elementId: string;
  elementInstanceKey: string;
  processInstanceKey: string;
  /** `police-reminder`, `police-late`, `apology-already-issued`. */
  reason: string;
  /** The step that is late (e.g. awaitPoliceAnswer) and its unit. */
  stepElementId: string;
  unitId: string;
  roles: string[];
  dueAt: Date | null;
  /** Working minutes past `dueAt` when raised (0 when not late or unknown). */
  lateWorkingMinutes: number;
  at: Date;
  recipients: number;
  /** Message-ID of the e-mail; `mailedAt` null until it was handed to the SMTP server. */
  messageId: string;
  mailedAt: Date | null;
}

export function escalationModel(db: Connection): Model<EscalationDoc> {
  const existing = db.models.Escalation as Model<EscalationDoc> | undefined;
  if (existing) return existing;
  const schema = new Schema<EscalationDoc>(
    {
      _id: { type: String, required: true },
      dossierCode: { type: String, required: true },
      elementId: { type: String, required: true },
      elementInstanceKey: { type: String, required: true },
      processInstanceKey: { type: String, required: true },
      reason: { type: String, required: true },
      stepElementId: { type: String, required: true },
      unitId: { type: String, required: true },
      roles: { type: [String], default: [] },
      dueAt: { type: Date, default: null },
      lateWorkingMinutes: { type: Number, default: 0 },
      at: { type: Date, required: true },
      recipients: { type: Number, default: 0 },
      messageId: { type: String, required: true },
      mailedAt: { type: Date, default: null },
    },
    { versionKey: false, collection: ESCALATIONS_COLLECTION },
  );
  schema.index({ dossierCode: 1, at: 1 });
  return db.model<EscalationDoc>('Escalation', schema);
}
