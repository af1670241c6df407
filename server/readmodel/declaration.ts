/**
 * The citizen's declaration (tờ khai): personal data, kept apart from the dossier document so
 * that lists, the monitor and reports never load it. Every read goes through
 * `readDeclaration`, which writes an audit entry first.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import { audit, type AuditEntry } from '../audit';
import type { VneidRequest } from '../intake/vneid-request';

export interface DeclarationDoc {
  dossierCode: string;
  /** The validated request as received (strict schema: no `.` or `$` keys). */
  request: VneidRequest;
  createdAt: Date;
}

export function declarationModel(db: Connection): Model<DeclarationDoc> {
  const existing = db.models.Declaration as Model<DeclarationDoc> | undefined;
  if (existing) return existing;
  const schema = new Schema<DeclarationDoc>(
    {
      dossierCode: { type: String, required: true, unique: true },
      request: { type: Schema.Types.Mixed, required: true },
      createdAt: { type: Date, required: true },
    },
    { versionKey: false, collection: 'declarations', minimize: false },
  );
  return db.model<DeclarationDoc>('Declaration', schema);
}

/** Reads a dossier's declaration for `purpose`, recording who read it and why. */
export async function readDeclaration(
  models: { declarations: Model<DeclarationDoc>; audit: Model<AuditEntry> },
  dossierCode: string,
  reader: { actor: string; purpose: string; at: Date },
): Promise<VneidRequest | null> {
  await audit(models.audit, { at: reader.at, actor: reader.actor, action: 'dossier.read-details', dossierCode, detail: reader.purpose });
  const doc = await models.declarations.findOne({ dossierCode }).lean();
  return doc ? doc.request : null;
}
