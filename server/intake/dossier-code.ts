/**
 * Dossier codes `<agency code>-YYMMDD-NNNN` (Decree 61/2018): the receiving agency's code, the
 * receipt date in Việt Nam and a 4-digit daily sequence.
 *
 * Each number is taken by inserting a claim document `dossier:<agency>:<YYMMDD>:<NNNN>`: the
 * unique `_id` lets exactly one caller have it, with any number of API replicas, on MongoDB and
 * on FerretDB alike. (A `$inc` in findAndModify is atomic on MongoDB but not on FerretDB 1.24,
 * which reads and writes in two steps: two concurrent intakes got the same code in our
 * benchmark.) The day's counter document `dossier:<agency>:<YYMMDD>` only remembers where to
 * start looking (`$max`), so claims rarely collide.
 */
import { isDuplicateKey } from '../db';
import { Schema, type Connection, type Model } from 'mongoose';
import { dayNumberOf, localDateOf } from '../calendar/civil-time';

interface Counter {
  _id: string;
  seq: number;
}

export const AGENCY_CODE_PATTERN = /^[A-Z0-9.]{2,30}$/;
const DAILY_LIMIT = 9999;

export class DossierCodeExhaustedError extends Error {
  constructor(agency: string, day: string) {
    super(`Đã hết số thứ tự hồ sơ trong ngày ${day} của cơ quan ${agency} (tối đa ${DAILY_LIMIT}).`);
    this.name = 'DossierCodeExhaustedError';
  }
}

export function counterModel(db: Connection): Model<Counter> {
  return (
    (db.models.Counter as Model<Counter> | undefined) ??
    db.model<Counter>('Counter', new Schema<Counter>({ _id: { type: String, required: true }, seq: { type: Number, required: true } }, { versionKey: false }))
  );
}

/** `YYMMDD` of the civil day in Việt Nam that contains `at`. */
export function yymmdd(at: Date): string {
  return localDateOf(dayNumberOf(at.getTime())).slice(2).replaceAll('-', '');
}

export function formatDossierCode(agency: string, at: Date, seq: number): string {
  return `${agency}-${yymmdd(at)}-${String(seq).padStart(4, '0')}`;
}

export async function nextDossierCode(counters: Model<Counter>, agency: string, receivedAt: Date): Promise<string> {
  if (!AGENCY_CODE_PATTERN.test(agency)) throw new Error(`Mã cơ quan không hợp lệ: ${agency}`);
  const day = yymmdd(receivedAt);
  const counterId = `dossier:${agency}:${day}`;
  const hint = (await counters.findById(counterId).lean())?.seq ?? 0;
  for (let seq = hint + 1; seq <= DAILY_LIMIT; seq += 1) {
    try {
      await counters.create({ _id: `${counterId}:${String(seq).padStart(4, '0')}`, seq });
    } catch (error) {
      if (isDuplicateKey(error)) continue;
      throw error;
    }
    await counters.updateOne({ _id: counterId }, { $max: { seq } }, { upsert: true }).catch((error: unknown) => {
      if (!isDuplicateKey(error)) throw error;
    });
    return formatDossierCode(agency, receivedAt, seq);
  }
  throw new DossierCodeExhaustedError(agency, day);
}

