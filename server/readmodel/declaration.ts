/**
 * The citizen's declaration (tờ khai): personal data, kept apart from the dossier row in
 * `declarations` so that lists, the monitor and reports never load it. Every read goes through
 * `readDeclaration`, which writes an audit entry first. RETENTION_DECLARATION_DAYS after a dossier
 * closed, the daily retention job empties it (server/retention).
 */
import type { Db } from '../db';
import { toJson } from '../db/tables';
import { audit } from '../audit';
import type { VneidRequest } from '../intake/vneid-request';

/** Stores the declaration of a new dossier; a repeat (same dossier) changes nothing. */
export async function insertDeclaration(db: Db, dossierCode: string, request: VneidRequest, createdAt: Date): Promise<void> {
  await db
    .insertInto('declarations')
    .values({ dossierCode, request: toJson(request), createdAt })
    .onConflict((oc) => oc.column('dossierCode').doNothing())
    .execute();
}

/** Reads a dossier's declaration for `purpose`, recording who read it and why; null when there is none or retention anonymised it (server/retention). */
export async function readDeclaration(db: Db, dossierCode: string, reader: { actor: string; purpose: string; at: Date }): Promise<VneidRequest | null> {
  await audit(db, { at: reader.at, actor: reader.actor, action: 'dossier.read-details', dossierCode, detail: reader.purpose });
  const row = await db.selectFrom('declarations').select(['request', 'anonymisedAt']).where('dossierCode', '=', dossierCode).executeTakeFirst();
  return row && !row.anonymisedAt ? (row.request as VneidRequest) : null;
}
