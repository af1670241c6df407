/**
 * Finding a dossier by what a caller has in hand: its code (`STP.KHA-261201-0001`, any letter
 * case) or its VNeID receipt number. Exact matches only, each on a unique index, so a search costs
 * two index look-ups whatever the size of the read model. The answer is a short list without
 * personal data: code, receipt number, status, receipt, due date and the step it is at.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db';

/** `q`: a dossier code or a receipt number (letters, digits, `.`, `-`, `_`, `/`). */
export const dossierSearchQuery = z.object({
  q: z
    .string({ error: 'q (mã hồ sơ hoặc số biên nhận) là bắt buộc' })
    .trim()
    .min(3, 'q (mã hồ sơ hoặc số biên nhận) phải có ít nhất 3 ký tự')
    .max(64, 'q (mã hồ sơ hoặc số biên nhận) dài tối đa 64 ký tự')
    .regex(/^[A-Za-z0-9._\-/]+$/, 'q (mã hồ sơ hoặc số biên nhận) chỉ gồm chữ, số và . - _ /'),
});

export interface DossierSearchHit {
  code: string;
  receiptNumber: string;
  status: 'open' | 'closed';
  receivedAt: Date;
  /** The appointment given to the citizen (the statutory due date unless an apology moved it). */
  dueAt: Date | null;
  finishedAt: Date | null;
  /** The open step the dossier is at (the latest started), if any. */
  currentStep: { elementId: string; name: string; dueAt: Date | null } | null;
}

/** Dossiers whose code or receipt number is exactly `q` (at most a handful). */
export async function searchDossiers(db: Db, q: string): Promise<DossierSearchHit[]> {
  const codes = [...new Set([q, q.toUpperCase()])];
  const rows = await db
    .selectFrom('dossiers as d')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('steps as s')
          .select(['s.elementId', 's.elementName', 's.dueAt'])
          .whereRef('s.dossierCode', '=', 'd.code')
          .where('s.finishedAt', 'is', null)
          .orderBy('s.startedAt', 'desc')
          .limit(1)
          .as('open'),
      (join) => join.onTrue(),
    )
    .select([
      'd.code',
      'd.receiptNumber',
      'd.status',
      'd.receivedAt',
      'd.finishedAt',
      sql<Date | null>`coalesce(d.appointment_at, d.statutory_due_at)`.as('dueAt'),
      'open.elementId as stepElementId',
      'open.elementName as stepName',
      'open.dueAt as stepDueAt',
    ])
    .where((eb) => eb.or([eb('d.code', 'in', codes), eb('d.receiptNumber', '=', q)]))
    .orderBy('d.receivedAt', 'desc')
    .limit(10)
    .execute();
  return rows.map((r) => ({
    code: r.code,
    receiptNumber: r.receiptNumber,
    status: r.status,
    receivedAt: r.receivedAt,
    dueAt: r.dueAt,
    finishedAt: r.finishedAt ?? null,
    currentStep: r.stepElementId ? { elementId: r.stepElementId, name: r.stepName ?? r.stepElementId, dueAt: r.stepDueAt ?? null } : null,
  }));
}
