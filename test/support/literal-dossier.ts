/**
 * A VNeID dossier written into the read model as intake writes it, with literal deadlines
 * (10 and 3 working days as terms), for tests of the reporting paths that need no broker.
 */
import type { Db } from '../../server/db';
import { insertDossier, newDossier } from '../../server/readmodel/dossier';

export interface LiteralDossier {
  code: string;
  receiptNumber: string;
  receivedAt: Date;
  statutoryDueAt: Date;
  targetDueAt: Date;
  calendarVersion: number;
  processId: string;
  internalProcessId: string;
}

/** Inserts the dossier; false when its code exists already. */
export async function insertLiteralDossier(db: Db, d: LiteralDossier): Promise<boolean> {
  const intake = {
    code: d.code,
    receiptNumber: d.receiptNumber,
    agencyCode: 'STP.KHA',
    source: 'vneid' as const,
    channel: 'online' as const,
    unitId: 'stp-mot-cua',
    receivedAt: d.receivedAt,
    clockStartAt: d.receivedAt,
    terms: { statutoryWorkingDays: 10, targetWorkingDays: 3, apologyLeadMinutes: 480 },
    deadlines: { statutoryDueAt: d.statutoryDueAt, targetDueAt: d.targetDueAt, apologyByAt: d.statutoryDueAt, estimated: false },
    calendarVersion: d.calendarVersion,
  };
  return insertDossier(db, newDossier(intake, { processId: d.processId, internalProcessId: d.internalProcessId }));
}
