/**
 * Read model: one document per dossier (*hồ sơ*) in the `dossiers` collection, keyed by its
 * code. Written by intake and the workers, read by the monitor, inspection lists and reports;
 * the calendar's re-planning rewrites the deadlines of open dossiers after a calendar edit.
 * This is the minimal shape the calendar needs; see server/readmodel/README.md.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import type { Channel } from '../calendar/clock';

export const DOSSIERS_COLLECTION = 'dossiers';

export interface StoppedIntervalDoc {
  from: Date;
  /** `null` while the clock is stopped. */
  to: Date | null;
  reason?: string;
}

/** One moved deadline, appended by re-planning: which change moved which field from/to what. */
export interface DeadlineMoveDoc {
  changeId: string;
  at: Date;
  field: string;
  from: Date | null;
  to: Date | null;
}

export interface DossierDoc {
  /** `<agency code>-YYMMDD-NNNN`, the business key. */
  code: string;
  receivedAt: Date;
  channel: Channel;
  /** The receiving unit: its office hours govern the dossier's clock. */
  unitId: string;
  /** `ordinary` (no record: pilot target 3 wd) or `verification` (9 wd). */
  variant: 'ordinary' | 'verification';
  statutoryWorkingDays: number;
  targetWorkingDays: number;
  /** When the clock (re)started: channel rules applied; reset when a supplement arrives. */
  clockStartAt: Date;
  stoppedIntervals: StoppedIntervalDoc[];
  statutoryDueAt: Date | null;
  targetDueAt: Date | null;
  apologyByAt: Date | null;
  /** Some deadline depends on a year whose schedule is only estimated. */
  deadlinesEstimated: boolean;
  /** Calendar version the deadlines were computed with. */
  calendarVersion: number;
  status: 'open' | 'closed';
  finishedAt: Date | null;
  deadlineMoves: DeadlineMoveDoc[];

  // --- the dossier's flow (issue 5): set by intake and the workers -------------------------
  /** Số biên nhận of the one-stop system (unique per dossier; see `intake_receipts`). */
  receiptNumber?: string;
  /** Receiving agency (processes/agencies.json). */
  agencyCode?: string;
  /** Where the request came from: VNeID or another channel (for the VNeID share). */
  source?: DossierSource;
  formType?: 1 | 2;
  paperCopy?: 'none' | 'post' | 'desk';
  /** Zeebe process instance of the national procedure; absent for dossiers of other channels. */
  processInstanceKey?: string;
  processId?: string;
  /** Case variant of the models' SLA: ordinary / verification / statutory (15 wd). */
  caseVariant?: 'ordinary' | 'verification' | 'statutory';
  /** Appointment for the result (ngày hẹn trả): the statutory due date, moved once by an apology. */
  appointmentAt?: Date | null;
  /** How the dossier ended. */
  outcome?: DossierOutcome | null;
  /** Element id of the step the dossier is at, for lists. */
  currentElementId?: string | null;
  apology?: { reason: string; newReturnDate: string; issuedAt: Date; issuedBy: string } | null;
  /** The police's first answer to the verification request. */
  policeAnswer?: { requestId: string; result: 'noRecord' | 'recordFound'; answeredAt: Date; receivedAt: Date } | null;
  /** Simulator hint for the demo feed; never set in production. */
  demoScenario?: string | null;
}

export const DOSSIER_SOURCES = ['vneid', 'nationalPortal', 'provincialPortal', 'inPerson', 'post'] as const;
export type DossierSource = (typeof DOSSIER_SOURCES)[number];
export const DOSSIER_OUTCOMES = ['issued', 'refused', 'withdrawn', 'unsupplemented'] as const;
export type DossierOutcome = (typeof DOSSIER_OUTCOMES)[number];

export const stoppedIntervalSchema = new Schema<StoppedIntervalDoc>(
  { from: { type: Date, required: true }, to: { type: Date, default: null }, reason: String },
  { _id: false },
);

export const deadlineMoveSchema = new Schema<DeadlineMoveDoc>(
  { changeId: { type: String, required: true }, at: { type: Date, required: true }, field: { type: String, required: true }, from: Date, to: Date },
  { _id: false },
);

const dossierSchema = new Schema<DossierDoc>(
  {
    code: { type: String, required: true, unique: true },
    receivedAt: { type: Date, required: true },
    channel: { type: String, enum: ['online', 'paper'], required: true },
    unitId: { type: String, required: true },
    variant: { type: String, enum: ['ordinary', 'verification'], required: true },
    statutoryWorkingDays: { type: Number, required: true },
    targetWorkingDays: { type: Number, required: true },
    clockStartAt: { type: Date, required: true },
    stoppedIntervals: { type: [stoppedIntervalSchema], default: [] },
    statutoryDueAt: { type: Date, default: null },
    targetDueAt: { type: Date, default: null },
    apologyByAt: { type: Date, default: null },
    deadlinesEstimated: { type: Boolean, default: false },
    calendarVersion: { type: Number, default: 0 },
    status: { type: String, enum: ['open', 'closed'], required: true },
    finishedAt: { type: Date, default: null },
    deadlineMoves: { type: [deadlineMoveSchema], default: [] },
    receiptNumber: String,
    agencyCode: String,
    source: { type: String, enum: DOSSIER_SOURCES },
    formType: Number,
    paperCopy: { type: String, enum: ['none', 'post', 'desk'] },
    processInstanceKey: String,
    processId: String,
    caseVariant: { type: String, enum: ['ordinary', 'verification', 'statutory'] },
    appointmentAt: { type: Date, default: null },
    outcome: { type: String, enum: [...DOSSIER_OUTCOMES, null], default: null },
    currentElementId: { type: String, default: null },
    apology: { type: new Schema({ reason: String, newReturnDate: String, issuedAt: Date, issuedBy: String }, { _id: false }), default: null },
    policeAnswer: {
      type: new Schema({ requestId: String, result: String, answeredAt: Date, receivedAt: Date }, { _id: false }),
      default: null,
    },
    demoScenario: { type: String, default: null },
  },
  { versionKey: false, collection: DOSSIERS_COLLECTION },
);
// re-planning and the monitor look for open dossiers by due date
dossierSchema.index({ status: 1, statutoryDueAt: 1 });
dossierSchema.index({ status: 1, unitId: 1 });
// reports: received per channel and period
dossierSchema.index({ source: 1, receivedAt: 1 });

export function dossierModel(connection: Connection): Model<DossierDoc> {
  return (connection.models.Dossier as Model<DossierDoc> | undefined) ?? connection.model<DossierDoc>('Dossier', dossierSchema);
}
