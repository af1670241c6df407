/**
 * A dossier's three clocks (domain brief §4) and each step's due time:
 * - statutory due date: 10 working days (15 for the extended cases), Law on LLTP Art. 48;
 * - pilot target: 3 working days (no record) or 9 (verification needed), Quy trình 570;
 * - apology-by: the statutory due date minus the apology lead (one working day by the rules:
 *   the apology letter, form 04, must go out no later than that; the lead is the national
 *   model's `lltp:deadline.apologyLead`); computed with `add(due, −lead)`, so a due date at 17:00
 *   and a lead of one day give 07:30 the same day — the same working instant as 17:00 the day before;
 * - apology prompt: `apologyByAt` minus the prompt lead (`lltp:deadline.apologyPrompt`, at least the
 *   leader's allotment for the apology): lateness is foreseeable from then, the leader is asked
 *   then, so that the letter can go out by `apologyByAt` — across lunch, nights, weekends and
 *   holidays alike, since the lead is working time;
 * - a step's due time: its start plus its allotment in working minutes, on its unit's hours.
 */
import { dueOnClock, type DossierClock } from './clock';
import { CalendarInputError } from './errors';
import type { WorkingCalendar } from './working-calendar';

export interface DeadlinePolicy {
  /** Working minutes in one working day (480 = 8 hours). */
  workingDayMinutes: number;
}

export const DEFAULT_DEADLINE_POLICY: DeadlinePolicy = { workingDayMinutes: 480 };

export interface DossierTerms {
  statutoryWorkingDays: number;
  targetWorkingDays: number;
  /** Working minutes before the statutory due date by which an apology must go out. */
  apologyLeadMinutes: number;
  /** Working minutes before `apologyByAt` at which the leader is asked for the apology (0: at `apologyByAt`). */
  apologyPromptMinutes?: number;
}

export interface DossierDeadlines {
  statutoryDueAt: Date | null;
  targetDueAt: Date | null;
  apologyByAt: Date | null;
  /** When the apology is asked for: `apologyByAt` minus the prompt lead. */
  apologyPromptAt: Date | null;
  /** Some deadline depends on a day of a year whose schedule is only estimated. */
  estimated: boolean;
}

function checkDays(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > 3650) {
    throw new CalendarInputError(`${name} phải là số nguyên ngày làm việc từ 0 đến 3650 (nhận: ${value})`);
  }
  return value;
}

/** All deadlines of a dossier; `null` deadlines while the clock is stopped before reaching them. */
export function dossierDeadlines(calendar: WorkingCalendar, clock: DossierClock, terms: DossierTerms, policy: DeadlinePolicy = DEFAULT_DEADLINE_POLICY): DossierDeadlines {
  const day = policy.workingDayMinutes;
  const statutory = dueOnClock(calendar, clock, checkDays(terms.statutoryWorkingDays, 'statutoryWorkingDays') * day);
  const target = dueOnClock(calendar, clock, checkDays(terms.targetWorkingDays, 'targetWorkingDays') * day);
  const apology = statutory ? calendar.add(statutory.dueAt, -terms.apologyLeadMinutes) : null;
  const prompt = apology ? apologyPromptOf(calendar, apology.dueAt, terms.apologyPromptMinutes ?? 0) : null;
  return {
    statutoryDueAt: statutory?.dueAt ?? null,
    targetDueAt: target?.dueAt ?? null,
    apologyByAt: apology?.dueAt ?? null,
    apologyPromptAt: prompt?.dueAt ?? null,
    estimated: Boolean(statutory?.estimated || target?.estimated || apology?.estimated || prompt?.estimated),
  };
}

/** When the leader is asked for the apology: `promptMinutes` of working time before `apologyByAt`. */
export function apologyPromptOf(calendar: WorkingCalendar, apologyByAt: Date, promptMinutes: number): { dueAt: Date; estimated: boolean } {
  if (!Number.isSafeInteger(promptMinutes) || promptMinutes < 0) {
    throw new CalendarInputError(`apologyPromptMinutes phải là số nguyên phút không âm (nhận: ${promptMinutes})`);
  }
  return calendar.add(apologyByAt, -promptMinutes);
}

/** A step's due time from its start and its allotment (working minutes) on its unit's calendar. */
export function stepDueAt(calendar: WorkingCalendar, startedAt: Date, allotmentMinutes: number): { dueAt: Date; estimated: boolean } {
  if (!Number.isSafeInteger(allotmentMinutes) || allotmentMinutes < 0) {
    throw new CalendarInputError(`allotmentMinutes phải là số nguyên phút không âm (nhận: ${allotmentMinutes})`);
  }
  return calendar.add(startedAt, allotmentMinutes);
}
