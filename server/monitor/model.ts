/**
 * What the SLA monitor keeps in the database:
 * - `alerts`: one row per condition, keyed so that the same condition is never raised (nor
 *   mailed) twice, whichever replica sees it and however often: `step:<step id>:<kind>`,
 *   `dossier:<code>:<kind>`, `digest:<username>:<date>`, `weekly:<username>:<date>`. It records
 *   the change of status (when it was seen, how late) and is the outbox of its e-mail: pending
 *   until the SMTP server took it; attempts, next attempt, last error; claimed by one sender at
 *   a time. `alert_sends` keeps one row per delivery attempt;
 * - `monitor_runs`: one row per run (tick, daily reconciliation and digest, weekly summary) with
 *   its counts;
 * - `leases`: the lease that lets one replica at a time run the monitor;
 * - `monitor_requests`: "run now" requests of administrators, taken by the lease holder.
 * The open steps and dossiers themselves carry `next_check_at`: when the monitor looks again.
 */
import type { Selectable } from 'kysely';
import type { AlertsTable, MonitorRunsTable, RecipientJson } from '../db/tables';
import type { RetentionCounts } from '../retention';
import type { RenderedMail } from './templates';

export const ALERT_KINDS = ['dueSoon', 'overdue', 'escalation', 'apologyDue', 'apologyIssued', 'appointmentExtended', 'doneLate', 'digest', 'weekly'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
/**
 * Notices in writing to the one-stop desk (Decree 61/2018, Art. 19): the apology went out, the
 * due date moved to the extended statutory time. Each is mailed on its own, never in a digest,
 * and is news, not a call to act (not marked urgent).
 */
export const DESK_NOTICE_KINDS: ReadonlySet<AlertKind> = new Set(['apologyIssued', 'appointmentExtended']);
export const DELIVERY_STATUSES = ['pending', 'sent', 'failed', 'noRecipient', 'superseded', 'inDigest'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export type Recipient = RecipientJson;

/** An alert as stored. */
export type Alert = Selectable<AlertsTable>;

/**
 * An alert about to be raised: what the condition says (the alert's columns, among them the
 * escalation `level`, the `role` alerted and `remainingMinutes`, negative when late), to whom,
 * and its mail: stored as its template version and data, rendered again identically when sent.
 */
export type NewAlert = Pick<
  Alert,
  'id' | 'kind' | 'subject' | 'level' | 'dossierCode' | 'stepId' | 'elementId' | 'stepName' | 'unitId' | 'unitName' | 'role' | 'dueAt' | 'remainingMinutes' | 'detectedAt' | 'runId'
> & {
  recipients: Recipient[];
  mail: RenderedMail;
  /** Nobody is mailed now because every recipient takes it in the daily digest. */
  inDigest?: boolean;
};

export interface RunCounts {
  /** Open steps and dossiers by status: of those judged in this run (a tick judges only what changed). */
  steps: Record<string, number>;
  dossiers: Record<string, number>;
  /** Open steps and dossiers past their due time, counted in the database. */
  openOverdueSteps: number;
  openLateDossiers: number;
  alertsRaised: number;
  mailsSent: number;
  mailsFailed: number;
  /** Alerts not sent because their condition no longer held when they were due to leave. */
  mailsSuperseded: number;
  mailsWaiting: number;
  /** Expired log-in sessions deleted (the daily run's retention). */
  sessionsRemoved: number;
  /** What the daily run's retention job deleted or anonymised (server/retention); absent from other runs. */
  retention?: RetentionCounts;
  /** Log-in attempts older than a day deleted (the daily run; server/auth/throttle.ts). */
  loginAttemptsRemoved?: number;
  /** History partitions (audit, steps, alerts by month) the daily run created ahead (server/retention/partitions.ts). */
  partitionsCreated?: number;
  /** The 766 index's snapshots the daily run stored: the days and their indicator rows (server/scores/snapshots.ts). */
  scoreSnapshots?: { days: string[]; rows: number };
}

export type MonitorRun = Omit<Selectable<MonitorRunsTable>, 'counts'> & { counts: RunCounts };
