/**
 * The audit trail (`audit`): who read or changed what, when. Every read of a dossier's details
 * (the citizen's declaration) and every decision is recorded here; entries are never updated.
 */
import type { Db } from './db';

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

export type AuditInput = Omit<AuditEntry, 'detail' | 'dossierCode'> & Partial<Pick<AuditEntry, 'detail' | 'dossierCode'>>;

/** The statement that records an entry, unexecuted (to be one part of a larger statement). */
export const auditQuery = (db: Db, entry: AuditInput) => db.insertInto('audit').values({ dossierCode: null, detail: null, ...entry });

export async function audit(db: Db, entry: AuditInput): Promise<void> {
  await auditQuery(db, entry).execute();
}
