/**
 * The recorded history read as of an instant (issue 23, item 6): a weekly report is computed as
 * of its cut-off, so that the report rebuilt a month later is the archived one, row for row.
 * Whatever the history dates after that instant has not happened yet:
 * - a dossier that ended after it is open, with no outcome; an apology letter issued after it
 *   is not issued (the appointment is still the statutory due date);
 * - a step that started after it does not exist; one that ended after it is running, with no
 *   one who completed it and no late reason (both are given at the end);
 * - a clock stop that started after it does not exist; one that ended after it is still
 *   running: the dossier's clock is stopped, so it has no due dates and no lateness on its
 *   clock then (the read model itself blanks the due dates while the clock is stopped, and the
 *   complete supplement restarts the clock from zero);
 * - who holds a running step's task is known only now (claims carry no recorded time): a report
 *   as of a past cut-off leaves it blank rather than print today's holder.
 * What happened at the instant itself has happened (a dossier closed at the very cut-off is closed
 * then; the week's resolved count, [from, to), gives it to the next week). Read "as of now", the
 * same rules change nothing: nothing is dated after now.
 *
 * - deadlines moved after it (step 6's plan by case variant, a clock stopped or restarted, a
 *   calendar re-plan) are read as they were then, from the recorded changes
 *   (server/readmodel/deadline-history.ts); a step's own due time moved by a calendar re-plan
 *   after it is still read as it is now.
 */
import type { ExpressionBuilder, Expression, SqlBool } from 'kysely';
import type { Tables } from '../db';

type DossierScope = ExpressionBuilder<Tables & { d: Tables['dossiers'] }, 'd'>;
type StepScope = ExpressionBuilder<Tables & { s: Tables['steps'] }, 's'>;

/** SQL: the dossier was open at `at` (received before it, not ended by it). */
export function openAt(eb: DossierScope, at: Date): Expression<SqlBool> {
  return eb.and([eb('d.receivedAt', '<=', at), eb.or([eb('d.status', '=', 'open'), eb('d.finishedAt', '>', at)])]);
}

/** SQL: the step had started and not ended at `at`. */
export function stepRunningAt(eb: StepScope, at: Date): Expression<SqlBool> {
  return eb.and([eb('s.startedAt', '<=', at), eb.or([eb('s.finishedAt', 'is', null), eb('s.finishedAt', '>', at)])]);
}

/** SQL: the timed step was late at `at`: ended late before it, or running past its due instant. */
export function stepLateAt(eb: StepScope, at: Date): Expression<SqlBool> {
  return eb.and([
    eb('s.allotmentMinutes', '>', 0),
    eb.or([eb.and([eb('s.finishedAt', '<=', at), eb('s.finishedAt', '>', eb.ref('s.dueAt'))]), eb.and([stepRunningAt(eb, at), eb('s.dueAt', '<', at)])]),
  ]);
}

interface DossierFacts {
  status: 'open' | 'closed';
  outcome: string | null;
  finishedAt: Date | null;
  statutoryDueAt: Date | null;
  targetDueAt: Date | null;
  appointmentAt: Date | null;
  apologyIssuedAt: Date | null;
  apologyNewReturnDate: string | null;
}

interface StopFacts {
  startedAt: Date;
  endedAt: Date | null;
}

/** The clock stops recorded by `at`, a stop that ended after it still running. */
export function stopsAsOf<T extends StopFacts>(stops: readonly T[], at: Date): T[] {
  return stops.filter((s) => s.startedAt <= at).map((s) => (s.endedAt !== null && s.endedAt > at ? { ...s, endedAt: null } : s));
}

/** Whether the dossier's clock was stopped at `at` (the stops already read as of `at`). */
export const clockStoppedAt = (stops: readonly StopFacts[]): boolean => stops.some((s) => s.endedAt === null);

/** The dossier as it stood at `at` (its stops already read as of `at`). */
export function dossierAsOf<T extends DossierFacts>(row: T, stops: readonly StopFacts[], at: Date): T {
  let d = row;
  if (d.finishedAt !== null && d.finishedAt > at) d = { ...d, status: 'open', outcome: null, finishedAt: null };
  if (d.apologyIssuedAt !== null && d.apologyIssuedAt > at) d = { ...d, apologyIssuedAt: null, apologyNewReturnDate: null, appointmentAt: d.statutoryDueAt };
  if (clockStoppedAt(stops)) d = { ...d, statutoryDueAt: null, targetDueAt: null, appointmentAt: null };
  return d;
}

interface StepFacts {
  startedAt: Date;
  finishedAt: Date | null;
  actor: string | null;
  lateReason: string | null;
  lateReasonSource: 'officer' | 'system' | null;
  heldBy: string | null;
}

/**
 * The step as it stood at `at` (steps started after it are left out by the query). `pastCutoff`:
 * the instant is a past cut-off, so the holder of a step running then is not known.
 */
export function stepAsOf<T extends StepFacts>(step: T, at: Date, pastCutoff: boolean): T {
  const running = step.finishedAt === null || step.finishedAt > at;
  if (!running) return step;
  return { ...step, finishedAt: null, actor: null, lateReason: null, lateReasonSource: null, heldBy: pastCutoff ? null : step.heldBy };
}
