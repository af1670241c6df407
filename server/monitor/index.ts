/** Builds the monitor's dependencies from the configuration (the `monitor` role, tests, the benchmark). */
import { calendarPolicyFromConfig } from '../calendar/policy';
import type { CalendarProvider } from '../calendar/provider';
import type { Config } from '../config';
import type { Db } from '../db';
import { agencyNameOf, inspectionService } from '../inspection';
import type { Logger } from '../logger';
import type { Mailer } from '../mail';
import { OutageLog } from '../outage';
import { retentionPolicy } from '../retention';
import { processesDirOf, type ProcessCatalog } from '../sla/catalog';
import { loadUnitHeads } from '../inspection/unit-heads';
import { loadRegimes } from '../scores/regime';
import { escalationSchema } from '../sla/spec';
import type { MonitorDeps, MonitorSettings } from './tick';

export class MonitorConfigError extends Error {}

export function monitorSettings(config: Config, catalog: ProcessCatalog): MonitorSettings {
  const chain = escalationSchema.safeParse(config.MONITOR_DOSSIER_ESCALATION);
  if (!chain.success) throw new MonitorConfigError(`MONITOR_DOSSIER_ESCALATION: ${chain.error.issues.map((i) => i.message).join('; ')}`);
  const policy = calendarPolicyFromConfig(config);
  // an unknown agency is reported by intake; the mails then name the code
  const agencyName = agencyNameOf(config, catalog);
  return {
    notifyDoneLate: config.MONITOR_NOTIFY_DONE_LATE,
    agencyName,
    appUrl: (config.PUBLIC_APP_URL || config.PUBLIC_BASE_URL).replace(/\/$/, ''),
    dueSoon: policy.dueSoon,
    workingDayMinutes: policy.deadlines.workingDayMinutes,
    dossierEscalation: chain.data,
    sendOutsideWorkingTime: config.MONITOR_SEND_OUTSIDE_HOURS,
    retryMs: config.MONITOR_MAIL_RETRY_MS,
    retryMaxMs: config.MONITOR_MAIL_RETRY_MAX_MS,
    maxAttempts: config.MONITOR_MAIL_MAX_ATTEMPTS,
    leaseMs: config.MONITOR_LEASE_MS,
    vneidTargetPercent: config.VNEID_SHARE_TARGET_PERCENT,
    weekCutoff: config.REPORT_WEEK_CUTOFF,
    retention: retentionPolicy(config),
    partitionMonthsAhead: config.PARTITION_MONTHS_AHEAD,
    scoreSnapshotCatchUpDays: config.SCORE_SNAPSHOT_CATCH_UP_DAYS,
  };
}

/** `now`: the clock of the weekly and monthly reports' inspection service (the monitor passes its own instant to every run). */
export function createMonitorDeps(input: { db: Db; config: Config; catalog: ProcessCatalog; calendars: CalendarProvider; mailer: Mailer; logger: Logger; settings?: Partial<MonitorSettings>; now?: () => Date }): MonitorDeps {
  const service = inspectionService({ db: input.db, config: input.config, catalog: input.catalog, calendars: () => input.calendars.current(), now: input.now ?? ((): Date => new Date()) });
  return {
    db: input.db,
    catalog: input.catalog,
    calendars: input.calendars,
    mailer: input.mailer,
    logger: input.logger,
    outages: new OutageLog(input.logger),
    settings: { ...monitorSettings(input.config, input.catalog), ...input.settings },
    weeklyReport: {
      service,
      mailer: input.mailer,
      logger: input.logger,
      cutoff: input.config.REPORT_WEEK_CUTOFF,
      recipients: input.config.REPORT_WEEKLY_RECIPIENTS,
    },
    monthlyReport: {
      report: { service, agencyCode: input.config.AGENCY_CODE, lineage: input.catalog.lineage(input.config.AGENCY_CODE), regimes: loadRegimes(), heads: loadUnitHeads(processesDirOf(input.config)) },
      mailer: input.mailer,
      logger: input.logger,
      cutoff: input.config.REPORT_MONTH_CUTOFF,
      recipients: input.config.REPORT_MONTHLY_RECIPIENTS,
    },
  };
}

export { createMonitor } from './monitor';
