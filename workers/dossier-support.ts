/**
 * Helpers the dossier workers share: reading the dossier (missing = technical fault: intake
 * writes it before starting the process), instants as contract strings (+07:00), deadlines
 * on the dossier's clock, writing new deadlines (the monitor judges the dossier again at its
 * next tick), and closing a dossier once.
 */
import { formatInstant } from '../server/calendar/civil-time';
import { apologyPromptOf, dossierDeadlines, type DossierDeadlines, type DossierTerms } from '../server/calendar/deadlines';
import type { Db } from '../server/db';
import { CHECK_AT_NEXT_TICK, findDossier, type Dossier, type DossierOutcome } from '../server/readmodel/dossier';
import type { SlaPlan } from '../server/sla/plan';
import type { DeadlineName } from '../server/sla/spec';
import { TechnicalFault, type JobContext, type WorkerDeps } from './framework';

/** An instant as the contract wants it: ISO 8601 in Việt Nam time, `…+07:00`. */
export const iso = (date: Date): string => formatInstant(date.getTime());

export async function loadDossier(deps: WorkerDeps, code: string): Promise<Dossier> {
  const dossier = await findDossier(deps.db, code);
  if (!dossier) throw new TechnicalFault(`dossier ${code} is not in the read model (intake writes it before starting the process)`);
  return dossier;
}

export function planOf(deps: WorkerDeps, processId: string): SlaPlan {
  const plan = deps.catalog.plan(processId);
  if (!plan) throw new TechnicalFault(`no SLA plan for process ${processId}: is it deployed from processes/?`);
  return plan;
}

/** A named deadline of the process (`lltp:deadline.<name>`), in working minutes. */
export function namedDeadline(plan: SlaPlan, name: DeadlineName): number {
  const minutes = plan.deadlines[name];
  if (minutes === undefined) throw new TechnicalFault(`process ${plan.processId} has no lltp:deadline.${name}`);
  return minutes;
}

export interface Deadlines {
  statutoryDueAt: Date;
  targetDueAt: Date;
  apologyByAt: Date;
  estimated: boolean;
}

/** The three deadlines on the dossier's clock; all known (the clock is running). */
export function deadlinesOf(ctx: JobContext<unknown, unknown>, dossier: Pick<Dossier, 'unitId' | 'clockStartAt' | 'stoppedIntervals' | 'code'>, terms: DossierTerms): Deadlines {
  const computed: DossierDeadlines = dossierDeadlines(
    ctx.calendars.forUnit(dossier.unitId),
    { clockStartAt: dossier.clockStartAt, stoppedIntervals: dossier.stoppedIntervals },
    terms,
    ctx.deps.policy.deadlines,
  );
  const { statutoryDueAt, targetDueAt, apologyByAt } = computed;
  if (!statutoryDueAt || !targetDueAt || !apologyByAt) throw new TechnicalFault(`dossier ${dossier.code}: its clock is stopped, the deadlines are not known`);
  return { statutoryDueAt, targetDueAt, apologyByAt, estimated: computed.estimated };
}

/**
 * When the leader is asked for the apology due by `apologyByAt`: the dossier's prompt lead
 * (`lltp:deadline.apologyPrompt`, kept on the dossier at intake) before it, on its unit's calendar.
 */
export function apologyPromptAt(ctx: JobContext<unknown, unknown>, dossier: Pick<Dossier, 'unitId' | 'apologyPromptMinutes'>, apologyByAt: Date): Date {
  return apologyPromptOf(ctx.calendars.forUnit(dossier.unitId), apologyByAt, dossier.apologyPromptMinutes).dueAt;
}

/** The fields a worker writes when it computes a dossier's deadlines again. */
export type DeadlineUpdate = Partial<Pick<Dossier, 'statutoryDueAt' | 'targetDueAt' | 'apologyByAt' | 'appointmentAt' | 'deadlinesEstimated' | 'calendarVersion' | 'caseVariant' | 'variant' | 'statutoryWorkingDays' | 'targetWorkingDays' | 'clockStartAt' | 'extendedAt'>>;

/** Writes new deadlines of an open dossier; its SLA status is judged again at the monitor's next tick. */
export async function updateOpenDossier(ctx: JobContext<unknown, unknown>, update: DeadlineUpdate, db: Db = ctx.deps.db): Promise<void> {
  await db
    .updateTable('dossiers')
    .set({ ...update, nextCheckAt: CHECK_AT_NEXT_TICK })
    .where('code', '=', ctx.dossierCode)
    .where('status', '=', 'open')
    .execute();
}

/**
 * Closes an open dossier with its outcome; a repeat (already closed) changes nothing and
 * returns when it was closed.
 */
export async function closeDossier(ctx: JobContext<unknown, unknown>, outcome: DossierOutcome): Promise<Date> {
  const closed = await ctx.deps.db
    .updateTable('dossiers')
    .set({ status: 'closed', finishedAt: ctx.now, outcome, currentElementId: null, nextCheckAt: null })
    .where('code', '=', ctx.dossierCode)
    .where('status', '=', 'open')
    .returning('finishedAt')
    .executeTakeFirst();
  if (closed?.finishedAt) return closed.finishedAt;
  // not open: closed already (a repeat of this job, or another end)
  const dossier = await ctx.deps.db.selectFrom('dossiers').select(['status', 'finishedAt', 'outcome']).where('code', '=', ctx.dossierCode).executeTakeFirst();
  if (dossier?.status !== 'closed' || !dossier.finishedAt) throw new TechnicalFault(`dossier ${ctx.dossierCode} could not be closed`);
  if (dossier.outcome !== outcome) ctx.logger.warn({ outcome: dossier.outcome, wanted: outcome }, 'dossier was already closed with another outcome');
  return dossier.finishedAt;
}
