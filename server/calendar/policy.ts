/**
 * The calendar rules that are configuration (server/config.ts), gathered in one value that
 * intake, workers, the monitor and re-planning pass around.
 */
import type { Config } from '../config';
import { DEFAULT_INTAKE_RULES, type IntakeRules } from './clock';
import { DEFAULT_DEADLINE_POLICY, type DeadlinePolicy } from './deadlines';
import { DEFAULT_DUE_SOON_POLICY, type DueSoonPolicy } from './status';

export interface CalendarPolicy {
  intake: IntakeRules;
  deadlines: DeadlinePolicy;
  dueSoon: DueSoonPolicy;
  replanBatchSize: number;
  refreshMs: number;
}

export const DEFAULT_CALENDAR_POLICY: CalendarPolicy = {
  intake: DEFAULT_INTAKE_RULES,
  deadlines: DEFAULT_DEADLINE_POLICY,
  dueSoon: DEFAULT_DUE_SOON_POLICY,
  replanBatchSize: 1000,
  refreshMs: 30_000,
};

export type CalendarConfig = Pick<
  Config,
  | 'WORKING_DAY_MINUTES'
  | 'INTAKE_PAPER_CUTOFF'
  | 'INTAKE_ONLINE_CUTOFF'
  | 'SLA_DUE_SOON_PERCENT'
  | 'SLA_DUE_SOON_MINUTES'
  | 'CALENDAR_REPLAN_BATCH_SIZE'
  | 'CALENDAR_REFRESH_MS'
>;

export function calendarPolicyFromConfig(config: CalendarConfig): CalendarPolicy {
  return {
    intake: { paperCutoffMinutes: config.INTAKE_PAPER_CUTOFF, onlineCutoffMinutes: config.INTAKE_ONLINE_CUTOFF },
    deadlines: { workingDayMinutes: config.WORKING_DAY_MINUTES },
    dueSoon: { percent: config.SLA_DUE_SOON_PERCENT, minutes: config.SLA_DUE_SOON_MINUTES },
    replanBatchSize: config.CALENDAR_REPLAN_BATCH_SIZE,
    refreshMs: config.CALENDAR_REFRESH_MS,
  };
}
