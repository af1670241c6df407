/**
 * Dossier codes `<agency code>-YYMMDD-NNNN` (Decree 61/2018): the receiving agency's code, the
 * receipt date in Việt Nam and a 4-digit daily sequence.
 *
 * The number comes from `dossier_counters` (agency, day): one `INSERT … ON CONFLICT DO UPDATE
 * SET seq = seq + 1 … RETURNING seq`, atomic under any number of API replicas. Called inside
 * the intake transaction: the counter row stays locked until the dossier is committed, and a
 * rolled-back intake gives its number back, so the daily sequence has no gaps.
 */
import { sql } from 'kysely';
import type { Db } from '../db';
import { dayNumberOf, localDateOf } from '../calendar/civil-time';

export const AGENCY_CODE_PATTERN = /^[A-Z0-9.]{2,30}$/;
const DAILY_LIMIT = 9999;

export class DossierCodeExhaustedError extends Error {
  constructor(agency: string, day: string) {
    super(`Đã hết số thứ tự hồ sơ trong ngày ${day} của cơ quan ${agency} (tối đa ${DAILY_LIMIT}).`);
    this.name = 'DossierCodeExhaustedError';
  }
}

/** `YYMMDD` of the civil day in Việt Nam that contains `at`. */
export function yymmdd(at: Date): string {
  return localDateOf(dayNumberOf(at.getTime())).slice(2).replaceAll('-', '');
}

export function formatDossierCode(agency: string, at: Date, seq: number): string {
  return `${agency}-${yymmdd(at)}-${String(seq).padStart(4, '0')}`;
}

/** Takes the next number of the agency's day; call it inside the transaction that stores the dossier. */
export async function nextDossierCode(db: Db, agency: string, receivedAt: Date): Promise<string> {
  if (!AGENCY_CODE_PATTERN.test(agency)) throw new Error(`Mã cơ quan không hợp lệ: ${agency}`);
  const day = localDateOf(dayNumberOf(receivedAt.getTime()));
  const row = await db
    .insertInto('dossierCounters')
    .values({ agencyCode: agency, day, seq: 1 })
    .onConflict((oc) =>
      oc
        .columns(['agencyCode', 'day'])
        .doUpdateSet({ seq: sql<number>`dossier_counters.seq + 1` })
        .where('dossierCounters.seq', '<', DAILY_LIMIT),
    )
    .returning('seq')
    .executeTakeFirst();
  if (!row) throw new DossierCodeExhaustedError(agency, day);
  return formatDossierCode(agency, receivedAt, row.seq);
}
