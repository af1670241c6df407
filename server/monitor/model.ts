/**
 * What the SLA monitor keeps in the database:
 * - `alerts`: one document per condition, keyed so that the same condition is never raised
 *   (nor mailed) twice, whichever replica sees it and however often: `step:<step id>:<kind>`,
 *   `dossier:<code>:<kind>`, `digest:<username>:<date>`, `weekly:<username>:<date>`. It records
 *   the change of status (when it was seen, how late) and its delivery (outbox: pending until
 *   the SMTP server took it; attempts, next attempt, last error; claimed by one sender at a time);
 * - `monitor_runs`: one document per run (tick, daily digest, weekly summary) with its counts;
 * - `monitor_leases`: the lease that lets one replica at a time run the monitor;
 * - `monitor_requests`: "run now" requests of administrators, taken by the lease holder.
 */
import { Schema, type Connection, type Model } from 'mongoose';

export const ALERT_KINDS = ['dueSoon', 'overdue', 'escalation', 'apologyDue', 'doneLate', 'digest', 'weekly'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
export const DELIVERY_STATUSES = ['pending', 'sent', 'failed', 'noRecipient'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface Recipient {
  username: string;
  email: string;
  displayName: string;
}

export interface AlertDoc {
  _id: string;
  kind: AlertKind;
  subject: 'step' | 'dossier' | 'person';
  /** Escalation level (1: first escalation, 2: second, ...); 0 otherwise. */
  level: number;
  dossierCode: string | null;
  stepId: string | null;
  elementId: string | null;
  stepName: string | null;
  unitId: string | null;
  unitName: string | null;
  /** The role alerted. */
  role: string | null;
  dueAt: Date | null;
  /** Working minutes left when the condition was seen (negative: how late). */
  remainingMinutes: number;
  detectedAt: Date;
  /** Monitor run that raised it. */
  runId: string;
  recipients: Recipient[];
  /** Rendered message (subject, text, html), fixed when raised so that a retry sends the same mail. */
  mail: { subject: string; text: string; html: string } | null;
  delivery: {
    status: DeliveryStatus;
    attempts: number;
    nextAttemptAt: Date | null;
    lastError: string | null;
    sentAt: Date | null;
    messageId: string;
    claimedBy: string | null;
    claimedUntil: Date | null;
  };
}

export interface MonitorRunDoc {
  _id: string;
  kind: 'tick' | 'daily' | 'weekly';
  holder: string;
  /** The monitor's clock (injected in tests) when the run started. */
  at: Date;
  startedAt: Date;
  finishedAt: Date | null;
  durationMs: number | null;
  counts: {
    steps: Record<string, number>;
    dossiers: Record<string, number>;
    alertsRaised: number;
    mailsSent: number;
    mailsFailed: number;
    mailsWaiting: number;
    openLateDossiers: number;
  };
  /** The monitor held mails back: outside working time. */
  outsideWorkingTime: boolean;
  error: string | null;
}

export interface LeaseDoc {
  _id: string;
  holder: string;
  until: Date;
  acquiredAt: Date;
}

export interface MonitorRequestDoc {
  _id: string;
  kind: 'tick' | 'daily' | 'weekly';
  requestedBy: string;
  requestedAt: Date;
  takenBy: string | null;
  runId: string | null;
}

const recipientSchema = new Schema<Recipient>({ username: String, email: String, displayName: String }, { _id: false });

const alertSchema = new Schema<AlertDoc>(
  {
    _id: { type: String, required: true },
    kind: { type: String, enum: ALERT_KINDS, required: true },
    subject: { type: String, required: true },
    level: { type: Number, default: 0 },
    dossierCode: { type: String, default: null },
    stepId: { type: String, default: null },
    elementId: { type: String, default: null },
    stepName: { type: String, default: null },
    unitId: { type: String, default: null },
    unitName: { type: String, default: null },
    role: { type: String, default: null },
    dueAt: { type: Date, default: null },
    remainingMinutes: { type: Number, default: 0 },
    detectedAt: { type: Date, required: true },
    runId: { type: String, required: true },
    recipients: { type: [recipientSchema], default: undefined },
    mail: { type: { subject: String, text: String, html: String }, default: null },
    delivery: {
      status: { type: String, enum: DELIVERY_STATUSES, required: true },
      attempts: { type: Number, default: 0 },
      nextAttemptAt: { type: Date, default: null },
      lastError: { type: String, default: null },
      sentAt: { type: Date, default: null },
      messageId: { type: String, required: true },
      claimedBy: { type: String, default: null },
      claimedUntil: { type: Date, default: null },
    },
  },
  { versionKey: false, collection: 'alerts' },
);
alertSchema.index({ 'delivery.status': 1, 'delivery.nextAttemptAt': 1 });
alertSchema.index({ dossierCode: 1 });

const runSchema = new Schema<MonitorRunDoc>(
  {
    _id: { type: String, required: true },
    kind: { type: String, required: true },
    holder: { type: String, required: true },
    at: { type: Date, required: true },
    startedAt: { type: Date, required: true },
    finishedAt: { type: Date, default: null },
    durationMs: { type: Number, default: null },
    counts: { type: Schema.Types.Mixed, default: {} },
    outsideWorkingTime: { type: Boolean, default: false },
    error: { type: String, default: null },
  },
  { versionKey: false, collection: 'monitor_runs' },
);
runSchema.index({ startedAt: -1 });

const leaseSchema = new Schema<LeaseDoc>(
  { _id: { type: String, required: true }, holder: { type: String, required: true }, until: { type: Date, required: true }, acquiredAt: { type: Date, required: true } },
  { versionKey: false, collection: 'monitor_leases' },
);

const requestSchema = new Schema<MonitorRequestDoc>(
  {
    _id: { type: String, required: true },
    kind: { type: String, required: true },
    requestedBy: { type: String, required: true },
    requestedAt: { type: Date, required: true },
    takenBy: { type: String, default: null },
    runId: { type: String, default: null },
  },
  { versionKey: false, collection: 'monitor_requests' },
);

/** One claim per delivery attempt (`<alert id>#<attempt>`): only the replica that inserted it sends. */
export interface AlertSendDoc {
  _id: string;
  holder: string;
  at: Date;
}

const sendSchema = new Schema<AlertSendDoc>(
  { _id: { type: String, required: true }, holder: { type: String, required: true }, at: { type: Date, required: true } },
  { versionKey: false, collection: 'alert_sends' },
);

export interface MonitorModels {
  alerts: Model<AlertDoc>;
  sends: Model<AlertSendDoc>;
  runs: Model<MonitorRunDoc>;
  leases: Model<LeaseDoc>;
  requests: Model<MonitorRequestDoc>;
}

export function monitorModels(db: Connection): MonitorModels {
  const get = <T>(name: string, schema: Schema<T>): Model<T> => (db.models[name] as Model<T> | undefined) ?? db.model<T>(name, schema);
  return {
    alerts: get('Alert', alertSchema),
    sends: get('AlertSend', sendSchema),
    runs: get('MonitorRun', runSchema),
    leases: get('MonitorLease', leaseSchema),
    requests: get('MonitorRequest', requestSchema),
  };
}
