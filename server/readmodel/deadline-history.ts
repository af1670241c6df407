/**
 * The deadlines a dossier had at a past instant (issue 23, item 6: a weekly report read as of
 * its cut-off). Every change a worker makes to a dossier's deadlines — step 6's plan by case
 * variant, the clock stopped for a supplement, the clock restarted — is recorded in
 * `deadline_moves` with the dossier's deadline facts before it, in the same transaction as the
 * change; the calendar's re-plans were recorded there already (with their from/to instants).
 *
 * As of an instant, a dossier's deadlines are those before the first change after that instant,
 * or its own when nothing changed since.
 */
import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { Db, Tables } from '../db';
import { toJson, type DeadlineFacts } from '../db/tables';
import type { CaseVariant } from '../sla';

export type { DeadlineFacts };

export type DeadlineChangeCause = 'plan' | 'supplement' | 'restart';

/** The dossier's fields a change can move, as the read model holds them. */
export interface DeadlineFields {
  statutoryDueAt: Date | null;
  targetDueAt: Date | null;
  apologyByAt: Date | null;
  appointmentAt: Date | null;
  clockStartAt: Date;
  caseVariant: CaseVariant;
  variant: 'ordinary' | 'verification';
  statutoryWorkingDays: number;
  targetWorkingDays: number;
}

const isoOrNull = (d: Date | null): string | null => (d === null ? null : d.toISOString());
const dateOrNull = (s: string | null): Date | null => (s === null ? null : new Date(s));

export function factsOf(d: DeadlineFields): DeadlineFacts {
  return {
    statutoryDueAt: isoOrNull(d.statutoryDueAt),
    targetDueAt: isoOrNull(d.targetDueAt),
    apologyByAt: isoOrNull(d.apologyByAt),
    appointmentAt: isoOrNull(d.appointmentAt),
    clockStartAt: d.clockStartAt.toISOString(),
    caseVariant: d.caseVariant,
    variant: d.variant,
    statutoryWorkingDays: d.statutoryWorkingDays,
    targetWorkingDays: d.targetWorkingDays,
  };
}

export interface DeadlineChange {
  dossierCode: string;
  changeId: string;
  cause: DeadlineChangeCause;
  at: Date;
  before: DeadlineFields;
}

/**
 * The statement that records a worker's change of the dossier's deadlines, once per `changeId`
 * (the job's element instance: a job delivered again records nothing more). Returned
 * unexecuted, so that it can be one part of the statement that writes the change.
 */
export function deadlineChangeQuery(db: Pick<Db, 'insertInto'>, change: DeadlineChange) {
  return db
    .insertInto('deadlineMoves')
    .values({
      changeId: change.changeId,
      at: change.at,
      dossierCode: change.dossierCode,
      cause: change.cause,
      before: toJson(factsOf(change.before)),
      statutoryDueFrom: change.before.statutoryDueAt,
      targetDueFrom: change.before.targetDueAt,
      apologyByFrom: change.before.apologyByAt,
    })
    .onConflict((oc) =>
      // the partial unique index's predicate, written out (a parameter there would match no index)
      oc.columns(['changeId', 'dossierCode']).where(sql<boolean>`cause <> 'calendar'`).doNothing(),
    );
}

/**
 * Records a worker's change of the dossier's deadlines (see {@link deadlineChangeQuery}). Call it
 * in the transaction that writes the change, with the dossier as it was read before.
 */
export async function recordDeadlineChange(tx: Transaction<Tables> | Db, change: DeadlineChange): Promise<void> {
  await deadlineChangeQuery(tx, change).execute();
}

interface FirstChange {
  dossierCode: string;
  cause: 'calendar' | DeadlineChangeCause;
  before: DeadlineFacts | null;
  statutoryDueFrom: Date | null;
  targetDueFrom: Date | null;
  apologyByFrom: Date | null;
}

/** The first change of each dossier's deadlines after `at` (none: nothing changed since). */
export async function firstChangesAfter(db: Db, codes: readonly string[], at: Date): Promise<Map<string, FirstChange>> {
  if (codes.length === 0) return new Map();
  const rows = await db
    .selectFrom('deadlineMoves')
    .select(['dossierCode', 'cause', 'before', 'statutoryDueFrom', 'targetDueFrom', 'apologyByFrom'])
    .distinctOn('dossierCode')
    .where('dossierCode', 'in', codes)
    .where('stepId', 'is', null)
    .where('at', '>', at)
    .orderBy('dossierCode')
    .orderBy('at')
    .orderBy('id')
    .execute();
  return new Map(rows.map((r) => [r.dossierCode, r]));
}

/** The dossier's deadline fields as they stood before `change` (a calendar re-plan moved only the due dates). */
export function fieldsBefore<T extends DeadlineFields>(row: T, change: FirstChange | undefined): T {
  if (!change) return row;
  if (change.cause === 'calendar' || change.before === null) {
    return { ...row, statutoryDueAt: change.statutoryDueFrom, targetDueAt: change.targetDueFrom, apologyByAt: change.apologyByFrom };
  }
  const b = change.before;
  return {
    ...row,
    statutoryDueAt: dateOrNull(b.statutoryDueAt),
    targetDueAt: dateOrNull(b.targetDueAt),
    apologyByAt: dateOrNull(b.apologyByAt),
    appointmentAt: dateOrNull(b.appointmentAt),
    clockStartAt: new Date(b.clockStartAt),
    caseVariant: b.caseVariant as CaseVariant,
    variant: b.variant as 'ordinary' | 'verification',
    statutoryWorkingDays: b.statutoryWorkingDays,
    targetWorkingDays: b.targetWorkingDays,
  };
}

/**
 * SQL (`dossiers as d`): the dossier's statutory or target due date as of `at`. `pastCutoff`
 * false reads the column (nothing is dated after now, and the dashboard counts every open
 * dossier: no look-up per row).
 */
export function dueAsOfSql(column: 'statutory' | 'target', at: Date, pastCutoff: boolean): RawBuilder<Date | null> {
  const own = column === 'statutory' ? sql.ref('d.statutory_due_at') : sql.ref('d.target_due_at');
  if (!pastCutoff) return sql<Date | null>`${own}`;
  const from = column === 'statutory' ? sql.ref('m.statutory_due_from') : sql.ref('m.target_due_from');
  const first = sql`FROM deadline_moves m WHERE m.dossier_code = d.code AND m.step_id IS NULL AND m.at > ${at}::timestamptz`;
  return sql<Date | null>`(CASE WHEN EXISTS (SELECT 1 ${first}) THEN (SELECT ${from} ${first} ORDER BY m.at, m.id LIMIT 1) ELSE ${own} END)`;
}
