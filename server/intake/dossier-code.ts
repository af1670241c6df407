/**
 * Dossier codes `<agency code>-YYMMDD-NNNN` (Decree 61/2018): the receiving agency's code, the
 * receipt date in Việt Nam and a 4-digit daily sequence.
 *
 * The number comes from `dossier_counters` (agency, day): one `INSERT … ON CONFLICT DO UPDATE
 * SET seq = seq + 1 … RETURNING seq`, atomic under any number of API replicas. Called inside
 * the intake's statement (or transaction): the counter row stays locked until the dossier is
 * committed, and a rolled-back intake gives its number back, so the daily sequence has no gaps.
 */
import { sql, type QueryCreator } from 'kysely';
import type { Db } from '../db';
import type { Tables } from '../db/tables';
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

/** The counter's upsert for (agency, day): the next number, or none when the day is exhausted. */
function counterUpsert(db: QueryCreator<Tables>, agency: string, day: string) {
  return db
    .insertInto('dossierCounters')
    .values({ agencyCode: agency, day, seq: 1 })
    .onConflict((oc) =>
      oc
        .columns(['agencyCode', 'day'])
        .doUpdateSet({ seq: sql<number>`dossier_counters.seq + 1` })
        .where('dossierCounters.seq', '<', DAILY_LIMIT),
    );
}

function dayOf(agency: string, receivedAt: Date): string {
  if (!AGENCY_CODE_PATTERN.test(agency)) throw new Error(`Mã cơ quan không hợp lệ: ${agency}`);
  return localDateOf(dayNumberOf(receivedAt.getTime()));
}

/** Takes the next number of the agency's day; call it inside the transaction that stores the dossier. */
export async function nextDossierCode(db: Db, agency: string, receivedAt: Date): Promise<string> {
  const day = dayOf(agency, receivedAt);
  const row = await counterUpsert(db, agency, day).returning('seq').executeTakeFirst();
  if (!row) throw new DossierCodeExhaustedError(agency, day);
  return formatDossierCode(agency, receivedAt, row.seq);
}

/**
 * The same, unexecuted, as one part of a larger statement (the intake's): returns the new code as
 * `code`, or no row when the day is exhausted (then the statement's `code` is null).
 */
export function nextDossierCodeQuery(db: QueryCreator<Tables>, agency: string, receivedAt: Date) {
  const prefix = `${agency}-${yymmdd(receivedAt)}-`;
  return counterUpsert(db, agency, dayOf(agency, receivedAt)).returning(sql<string>`${prefix} || lpad(seq::text, 4, '0')`.as('code'));
}

/** The error for an exhausted day of the agency of `receivedAt`. */
export const dossierCodesExhausted = (agency: string, receivedAt: Date): DossierCodeExhaustedError => new DossierCodeExhaustedError(agency, dayOf(agency, receivedAt));
