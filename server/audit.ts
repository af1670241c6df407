/**
 * The audit trail: who read or changed what, when. Every read of a dossier's details (the
 * citizen's declaration) and every decision is recorded here; entries are never updated.
 */
import { Schema, type Connection, type Model } from 'mongoose';

export interface AuditEntry {
  at: Date;
  /** Staff username, partner id, or `system:<job type>` for workers. */
  actor: string;
  /** `dossier.read-details`, `task.complete`, `dossier.intake`, ... */
  action: string;
  dossierCode: string | null;
  /** Why, in a few words (no personal data). */
  detail: string | null;
}

export function auditModel(db: Connection): Model<AuditEntry> {
  const existing = db.models.AuditEntry as Model<AuditEntry> | undefined;
  if (existing) return existing;
  const schema = new Schema<AuditEntry>(
    {
      at: { type: Date, required: true },
      actor: { type: String, required: true },
      action: { type: String, required: true },
      dossierCode: { type: String, default: null },
      detail: { type: String, default: null },
    },
    { versionKey: false, collection: 'audit' },
  );
  schema.index({ dossierCode: 1, at: 1 });
  schema.index({ actor: 1, at: 1 });
  return db.model<AuditEntry>('AuditEntry', schema);
}

export async function audit(model: Model<AuditEntry>, entry: Omit<AuditEntry, 'detail' | 'dossierCode'> & Partial<Pick<AuditEntry, 'detail' | 'dossierCode'>>): Promise<void> {
  await model.create({ dossierCode: null, detail: null, ...entry });
}
