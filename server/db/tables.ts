/**
 * The tables as TypeScript sees them through Kysely (camelCase; the database has snake_case).
 * Kept by hand beside the migrations: a change to a migration changes this file in the same
 * commit, and `test/integration/db/schema.int.test.ts` compares the two column by column.
 *
 * jsonb columns are written as JSON text (`toJson(value)`, node-postgres would otherwise send
 * an array as a PostgreSQL array) and read back parsed.
 */
import type { ColumnType, Generated } from 'kysely';

/** A jsonb column: read as `T`, written as JSON text from `toJson`. */
export type Json<T> = ColumnType<T, JsonText, JsonText>;
declare const jsonBrand: unique symbol;
export type JsonText = string & { readonly [jsonBrand]: true };
export const toJson = (value: unknown): JsonText => JSON.stringify(value) as JsonText;

/** A column with a default: optional when inserting. */
type Defaulted<T> = ColumnType<T, T | undefined, T>;

export interface DossiersTable {
  code: string;
  receiptNumber: string;
  agencyCode: string;
  source: 'vneid' | 'nationalPortal' | 'provincialPortal' | 'inPerson' | 'post';
  channel: 'online' | 'paper';
  unitId: string;
  formType: 1 | 2 | null;
  paperCopy: Defaulted<'none' | 'post' | 'desk'>;
  processId: string | null;
  /** The internal procedure version the dossier runs under (`internalProcessId`); null for other channels. */
  internalProcessId: Defaulted<string | null>;
  processInstanceKey: string | null;
  variant: 'ordinary' | 'verification';
  caseVariant: Defaulted<'ordinary' | 'verification' | 'statutory'>;
  statutoryWorkingDays: number;
  targetWorkingDays: number;
  apologyLeadMinutes: number;
  /** Working minutes before apologyByAt at which the leader is asked for the apology. */
  apologyPromptMinutes: Defaulted<number>;
  receivedAt: Date;
  clockStartAt: Date;
  statutoryDueAt: Date | null;
  targetDueAt: Date | null;
  apologyByAt: Date | null;
  appointmentAt: Date | null;
  /** When the due date moved to the extended statutory time (15 working days) and the citizen and desk were told. */
  extendedAt: Defaulted<Date | null>;
  deadlinesEstimated: Defaulted<boolean>;
  calendarVersion: Defaulted<number>;
  status: 'open' | 'closed';
  outcome: 'issued' | 'refused' | 'withdrawn' | 'unsupplemented' | null;
  finishedAt: Date | null;
  currentElementId: string | null;
  apologyReason: string | null;
  /** `YYYY-MM-DD`. */
  apologyNewReturnDate: string | null;
  apologyIssuedAt: Date | null;
  apologyIssuedBy: string | null;
  policeRequestId: string | null;
  policeResult: 'noRecord' | 'recordFound' | null;
  policeAnsweredAt: Date | null;
  policeReceivedAt: Date | null;
  lltpSoftwareId: string | null;
  certificateNumber: string | null;
  signatureId: string | null;
  signedAt: Date | null;
  postTrackingNumber: string | null;
  demoScenario: string | null;
  /** The fee owed (`exempt`: no financial obligation) and whether it was paid online (migration 0013). */
  feeCategory: Defaulted<'full' | 'reduced' | 'exempt' | null>;
  feePaidOnline: Defaulted<boolean | null>;
  /** The citizen's rating of the handling through VNeID, when it came and VNeID's id of it (server/callbacks/vneid.ts). */
  citizenRating: Defaulted<'satisfied' | 'neutral' | 'dissatisfied' | null>;
  citizenRatedAt: Defaulted<Date | null>;
  citizenRatingEventId: Defaulted<string | null>;
  /** The status feed to the national portal (server/portal/feed.ts): last acknowledged, worst delay in minutes. */
  portalSyncedAt: Defaulted<Date | null>;
  portalSyncDelayMinutes: Defaulted<number | null>;
  nextCheckAt: Date | null;
  createdAt: Generated<Date>;
}

/** The outbox of the status feed to the national portal (migration 0018, server/portal/feed.ts). */
export interface PortalFeedTable {
  id: Generated<number>;
  dossierCode: string;
  status: 'received' | 'inProgress' | 'supplement' | 'result' | 'closed';
  outcome: string | null;
  changedAt: Date;
  attempts: Defaulted<number>;
  /** Null: due at once. */
  nextAttemptAt: Defaulted<Date | null>;
  claimedUntil: Defaulted<Date | null>;
  lastError: Defaulted<string | null>;
  acknowledgedAt: Defaulted<Date | null>;
  delayMinutes: Defaulted<number | null>;
}

/** A process model deployed to Zeebe (migration 0019): who, how, the file's SHA-256 and the key Zeebe gave it. */
export interface ProcessDeploymentsTable {
  id: Generated<number>;
  bpmnProcessId: string;
  zeebeVersion: number;
  processDefinitionKey: string;
  resourceName: string;
  sha256: string;
  deployedAt: Date;
  actor: string;
  via: 'cli' | 'startup' | 'approval';
  submissionId: Defaulted<number | null>;
}

/** A model version submitted for a leader's approval (migration 0020, server/processes/submissions.ts). */
export interface ProcessSubmissionsTable {
  id: Generated<number>;
  bpmnProcessId: string;
  procedure: string;
  /** Civil date YYYY-MM-DD (read as text: server/db/index.ts). */
  effectiveFrom: string;
  effectiveTo: string | null;
  resourceName: string;
  xml: string;
  sha256: string;
  /** The lint's problems that do not fail it (budgets, a missing image), as shown to the leader. */
  lint: ColumnType<SubmissionLintJson, JsonText | undefined, JsonText>;
  submittedBy: string;
  submittedAt: Date;
  status: Defaulted<'submitted' | 'approved' | 'rejected' | 'deployed' | 'failed'>;
  decidedBy: Defaulted<string | null>;
  decidedAt: Defaulted<Date | null>;
  reason: Defaulted<string | null>;
  deployError: Defaulted<string | null>;
  deployedAt: Defaulted<Date | null>;
  processDefinitionKey: Defaulted<string | null>;
  zeebeVersion: Defaulted<number | null>;
}

export type SubmissionLintJson = { elementId: string; rule: string; category: string; message: string }[];

export interface ClockStopsTable {
  dossierCode: string;
  startedAt: Date;
  endedAt: Date | null;
  reason: string;
}

export interface StepsTable {
  id: string;
  dossierCode: string;
  elementId: string;
  elementName: string | null;
  processId: string | null;
  processInstanceKey: string | null;
  elementInstanceKey: string | null;
  unitId: string;
  unitName: string | null;
  role: string | null;
  clock: Defaulted<'running' | 'stopped' | 'restart'>;
  caseVariant: string | null;
  startedAt: Date;
  allotmentMinutes: number;
  dueAt: Date;
  dueEstimated: Defaulted<boolean>;
  calendarVersion: Defaulted<number>;
  /** The escalation chain of the step's SLA when it started (who is alerted, how late). */
  escalation: ColumnType<EscalationLevelJson[], JsonText | undefined, JsonText>;
  finishedAt: Date | null;
  actor: string | null;
  outcome: string | null;
  /** Why the step finished after its due time (the officer's words, or the outside system that was late). */
  lateReason: Defaulted<string | null>;
  lateReasonSource: Defaulted<'officer' | 'system' | null>;
  nextCheckAt: Date | null;
}

export interface EscalationLevelJson {
  role: string;
  afterWorkingMinutes: number;
}

/** One row per dossier or step a calendar change moved; a deadline that did not move has the same from and to. */
/** A dossier's deadline facts before a worker changed them (ISO instants; server/readmodel/deadline-history.ts). */
export interface DeadlineFacts {
  statutoryDueAt: string | null;
  targetDueAt: string | null;
  apologyByAt: string | null;
  appointmentAt: string | null;
  clockStartAt: string;
  caseVariant: string;
  variant: string;
  statutoryWorkingDays: number;
  targetWorkingDays: number;
}

export interface DeadlineMovesTable {
  id: Generated<number>;
  changeId: string;
  at: Date;
  dossierCode: string;
  stepId: string | null;
  statutoryDueFrom: Date | null;
  statutoryDueTo: Date | null;
  targetDueFrom: Date | null;
  targetDueTo: Date | null;
  apologyByFrom: Date | null;
  apologyByTo: Date | null;
  dueFrom: Date | null;
  dueTo: Date | null;
  /** What moved them: the calendar's re-plan, or a worker's change (migration 0009). */
  cause: Defaulted<'calendar' | 'plan' | 'supplement' | 'restart'>;
  /** A worker's change: the dossier's deadline facts before it (server/readmodel/deadline-history.ts). */
  before: Json<DeadlineFacts> | null;
}

export interface TasksTable {
  id: string;
  jobKey: string;
  dossierCode: string;
  processInstanceKey: string;
  processId: string;
  elementId: string;
  elementName: string;
  formKey: string;
  title: string;
  role: string;
  unitId: string;
  startedAt: Date;
  dueAt: Date;
  status: 'open' | 'claimed' | 'completed' | 'cancelled';
  claimedBy: string | null;
  completedAt: Date | null;
  completedBy: string | null;
  decision: string | null;
  shown: Json<Record<string, string>>;
  /** The completion as sent to Zeebe, recorded before (see completeTask). */
  completion: Json<TaskCompletion> | null;
}

export interface TaskCompletion {
  variables: Record<string, unknown>;
  lateReason: string | null;
  at: string;
  by: string;
}

export interface DeclarationsTable {
  dossierCode: string;
  request: Json<unknown>;
  createdAt: Date;
  /** When the retention job emptied the declaration of the closed dossier (server/retention). */
  anonymisedAt: Defaulted<Date | null>;
}

export interface IntakeReceiptsTable {
  receiptNumber: string;
  dossierCode: string;
  source: string;
  requestDigest: string;
  processInstanceKey: string | null;
  startLeaseUntil: Date | null;
  createdAt: Date;
}

export interface DossierCountersTable {
  agencyCode: string;
  /** `YYYY-MM-DD`. */
  day: string;
  seq: number;
}

export interface LettersTable {
  id: string;
  dossierCode: string;
  kind: 'apology';
  fields: Json<Record<string, string>>;
  html: string;
  pdf: Buffer;
  createdAt: Date;
}

export interface EscalationsTable {
  id: string;
  dossierCode: string;
  elementId: string;
  elementInstanceKey: string;
  processInstanceKey: string;
  reason: string;
  stepElementId: string;
  unitId: string;
  roles: Defaulted<string[]>;
  dueAt: Date | null;
  lateWorkingMinutes: Defaulted<number>;
  at: Date;
  recipients: Defaulted<number>;
  messageId: string;
  mailedAt: Date | null;
}

/** The ids of steps ever recorded (migration 0014): a partitioned `steps` cannot keep them unique itself. */
export interface StepIdsTable {
  id: string;
  startedAt: Date;
}

/** The ids of alerts ever raised (migration 0014), for the same reason. */
export interface AlertIdsTable {
  id: string;
  detectedAt: Date;
}

export interface AuditTable {
  id: Generated<number>;
  at: Date;
  actor: string;
  action: string;
  dossierCode: string | null;
  detail: string | null;
}

export interface UsersTable {
  username: string;
  displayName: string;
  email: string;
  roles: string[];
  unitId: string;
  passwordHash: string;
  active: Defaulted<boolean>;
  createdAt: Date;
  /** How the person takes due-soon notices; null: the default of their roles (server/monitor/directory.ts). */
  dueSoonDelivery: Defaulted<'immediate' | 'digest' | null>;
}

export interface PartnersTable {
  partnerId: string;
  name: string;
  /** The secret the partner signs its requests with (HMAC-SHA256; server/auth/partner-signature.ts); null: it cannot call. */
  signingSecret: string | null;
  /** The agency (processes/agencies.json) a one-stop partner serves; its callbacks reach only that agency's dossiers. */
  agencyCode: string | null;
  scopes: string[];
  active: Defaulted<boolean>;
}

/** Signatures seen within the signature window: a second request with one of them is a replay. */
export interface PartnerSignaturesTable {
  partnerId: string;
  signature: string;
  seenAt: Date;
}

/** A verification request the product sent the police, and the answer it received. */
export interface PoliceRequestsTable {
  requestId: string;
  dossierCode: string;
  /** The partner that must answer it. */
  partnerId: string;
  sentAt: Date;
  /** When the product received the answer (its own clock). */
  answeredAt: Date | null;
  result: 'noRecord' | 'recordFound' | null;
  /** The partner that answered. */
  answeredBy: string | null;
  /** When the engine was told (message `lltp.police.verification-answered`, which carries no result). */
  publishedAt: Date | null;
}

export interface SessionsTable {
  tokenDigest: string;
  username: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface RecipientJson {
  username: string;
  email: string;
  displayName: string;
}

export interface AlertsTable {
  id: string;
  kind: 'dueSoon' | 'overdue' | 'escalation' | 'apologyDue' | 'apologyIssued' | 'appointmentExtended' | 'doneLate' | 'digest' | 'weekly';
  subject: 'step' | 'dossier' | 'person';
  level: Defaulted<number>;
  dossierCode: string | null;
  stepId: string | null;
  elementId: string | null;
  stepName: string | null;
  unitId: string | null;
  unitName: string | null;
  role: string | null;
  dueAt: Date | null;
  remainingMinutes: Defaulted<number>;
  detectedAt: Date;
  runId: string;
  recipients: Json<RecipientJson[]>;
  mailSubject: string | null;
  mailText: string | null;
  mailHtml: string | null;
  /** The template version (`mail_templates`) and data the mail is rendered from when it is sent (null: an alert raised before migration 0012, or its mail cleared by retention). */
  mailTemplate: Defaulted<string | null>;
  mailData: ColumnType<Record<string, unknown> | null, JsonText | null | undefined, JsonText | null>;
  deliveryStatus: 'pending' | 'sent' | 'failed' | 'noRecipient' | 'superseded' | 'inDigest';
  attempts: Defaulted<number>;
  nextAttemptAt: Date | null;
  lastError: string | null;
  sentAt: Date | null;
  /** Why the alert was not sent: its condition no longer held when the mail was due to leave. */
  supersededReason: Defaulted<string | null>;
  messageId: string;
  claimedBy: string | null;
  claimedUntil: Date | null;
}

/** One version of a mail template, stored once (its sources and shared values), that alerts are rendered from. */
export interface MailTemplatesTable {
  version: string;
  name: string;
  layout: string;
  html: string;
  text: string;
  /** Values many mails share (the agency's name, the lead of an alert's kind), covered by the version's digest. */
  shared: Json<Record<string, string | number | boolean>>;
  createdAt: Date;
}

export interface AlertSendsTable {
  alertId: string;
  attempt: number;
  holder: string;
  at: Date;
  outcome: 'sent' | 'failed' | null;
  error: string | null;
}

export interface MonitorRunsTable {
  id: string;
  kind: 'tick' | 'daily' | 'weekly' | 'monthly';
  holder: string;
  at: Date;
  startedAt: Date;
  finishedAt: Date | null;
  durationMs: number | null;
  counts: Json<Record<string, unknown>>;
  outsideWorkingTime: Defaulted<boolean>;
  error: string | null;
}

export interface LeasesTable {
  name: string;
  holder: string;
  term: number;
  until: Date;
  acquiredAt: Date;
}

export interface MonitorRequestsTable {
  id: string;
  kind: 'tick' | 'daily' | 'weekly' | 'monthly';
  requestedBy: string;
  requestedAt: Date;
  takenBy: string | null;
  runId: string | null;
}

export interface CalendarMetaTable {
  id: 'calendar';
  timezone: string;
  weeklyRestDays: string[];
  version: number;
  seededAt: Date;
  updatedAt: Date;
}

export interface CalendarYearsTable {
  year: number;
  status: 'official' | 'estimated';
  basis: string[];
  daysOff: Json<unknown[]>;
  makeUpWorkingDays: Json<unknown[]>;
  pending: Json<unknown[]>;
  revision: number;
  updatedAt: Date;
  updatedBy: string;
}

export interface CalendarUnitsTable {
  unitId: string;
  name: string;
  workingDay: Json<unknown[]>;
  restDayHours: Json<Record<string, unknown>>;
  updatedAt: Date;
  updatedBy: string;
}

export interface CalendarAuditTable {
  id: Generated<number>;
  at: Date;
  actor: string;
  action: string;
  year: number | null;
  date: string | null;
  unitId: string | null;
  reason: string | null;
  before: Json<unknown> | null;
  after: Json<unknown> | null;
  calendarVersion: number;
  replan: Json<unknown> | null;
}

export interface CalendarReplansTable {
  changeId: string;
  at: Date;
  reason: string;
  dossiersExamined: number;
  dossiersMoved: number;
  stepsExamined: number;
  stepsMoved: number;
  failed: number;
  failures: Json<{ key: string; message: string }[]>;
  seconds: number;
  databaseSeconds: number;
}

/** Every inspection list, summary or report exported: what `lltp inspection verify` looks up. */
export interface InspectionExportsTable {
  id: Generated<number>;
  at: Date;
  actor: string;
  kind: 'dossiers' | 'summary' | 'weekly' | 'scores' | 'monthly';
  format: 'csv' | 'xlsx' | 'pdf';
  filters: Json<Record<string, string>>;
  rowCount: number;
  rowsSha256: string;
  fileSha256: string;
  fileName: string;
}

/** The 766 index's daily snapshots: one row per day, period kind, scope and indicator (migration 0015). */
export interface ScoreSnapshotsTable {
  /** The civil day (Việt Nam) the snapshot is of, `YYYY-MM-DD` (read as text). */
  day: string;
  periodKind: 'day' | 'week' | 'month' | 'quarter' | 'year';
  agencyCode: string;
  /** `''`: the agency as a whole. */
  unitId: string;
  indicatorId: string;
  regimeId: string;
  periodFirst: string;
  status: 'scored' | 'noData' | 'noDossiers';
  numerator: number | null;
  denominator: number | null;
  ratio: number | null;
  points: number | null;
  maxPoints: number;
  threshold: number;
  computedAt: Date;
  computedBy: string;
}

/** The days whose snapshot is stored (written with its rows, in one transaction). */
export interface ScoreSnapshotDaysTable {
  day: string;
  computedAt: Date;
  computedBy: string;
  rowCount: number;
}

/** The archive of the weekly report (Đề án 06), one row per report week and revision. */
export interface WeeklyReportsTable {
  /** `YYYY-MM-DD`: the civil date of the week's cut-off. */
  weekEnding: string;
  revision: number;
  periodFrom: Date;
  periodTo: Date;
  generatedAt: Date;
  generatedBy: string;
  summary: Json<Record<string, unknown>>;
  rowsSha256: string;
  /** SHA-256 of the canonical content: the rows digest and every summary figure (null: archived before migration 0008). */
  contentSha256: string | null;
  xlsx: Buffer;
  xlsxSha256: string;
  pdf: Buffer;
  pdfSha256: string;
  sentAt: Date | null;
  recipients: Defaulted<string[]>;
}

/** A monthly Đề án 06 report as archived: one revision of one agency's month (migration 0016). */
export interface MonthlyReportsTable {
  agencyCode: string;
  /** `YYYY-MM`. */
  month: string;
  revision: number;
  periodFrom: Date;
  periodTo: Date;
  generatedAt: Date;
  generatedBy: string;
  summary: Json<Record<string, unknown>>;
  rowsSha256: string;
  contentSha256: string;
  xlsx: Buffer;
  xlsxSha256: string;
  pdf: Buffer;
  pdfSha256: string;
  sentAt: Date | null;
  recipients: Defaulted<string[]>;
}

/** What a handover moved of one dossier: its open steps and tasks, each with the unit before and after. */
export interface HandoverMovedJson {
  steps: { id: string; elementId: string; fromUnit: string; toUnit: string }[];
  tasks: { id: string; elementId: string; fromUnit: string; toUnit: string; releasedFrom: string | null }[];
}

/** A dossier handed over to a successor agency (migration 0017); one row per dossier and receiving agency. */
export interface HandoversTable {
  dossierCode: string;
  fromAgency: string;
  toAgency: string;
  /** `YYYY-MM-DD`: the date the successor takes over. */
  onDate: ColumnType<string, string, string>;
  at: Date;
  actor: string;
  fromInternalProcessId: string | null;
  toInternalProcessId: string;
  /** The internal (call activity) process instance migrated to the successor's model, if one was active. */
  migratedInstanceKey: string | null;
  moved: Json<HandoverMovedJson>;
}

/** One log-in attempt, recorded before its password is checked (`pending`), `failed` after a wrong one. */
export interface LoginAttemptsTable {
  id: Generated<number>;
  /** The account name tried, lower case (known or not). */
  account: string;
  /** The client address (Express's `req.ip` under `TRUST_PROXY`). */
  address: string;
  attemptedAt: Date;
  outcome: 'pending' | 'failed';
}

export interface Tables {
  loginAttempts: LoginAttemptsTable;
  dossiers: DossiersTable;
  clockStops: ClockStopsTable;
  steps: StepsTable;
  stepIds: StepIdsTable;
  deadlineMoves: DeadlineMovesTable;
  tasks: TasksTable;
  declarations: DeclarationsTable;
  intakeReceipts: IntakeReceiptsTable;
  dossierCounters: DossierCountersTable;
  letters: LettersTable;
  escalations: EscalationsTable;
  audit: AuditTable;
  users: UsersTable;
  partners: PartnersTable;
  partnerSignatures: PartnerSignaturesTable;
  policeRequests: PoliceRequestsTable;
  portalFeed: PortalFeedTable;
  processDeployments: ProcessDeploymentsTable;
  processSubmissions: ProcessSubmissionsTable;
  sessions: SessionsTable;
  alerts: AlertsTable;
  alertIds: AlertIdsTable;
  alertSends: AlertSendsTable;
  mailTemplates: MailTemplatesTable;
  monitorRuns: MonitorRunsTable;
  leases: LeasesTable;
  monitorRequests: MonitorRequestsTable;
  calendarMeta: CalendarMetaTable;
  calendarYears: CalendarYearsTable;
  calendarUnits: CalendarUnitsTable;
  calendarAudit: CalendarAuditTable;
  calendarReplans: CalendarReplansTable;
  inspectionExports: InspectionExportsTable;
  weeklyReports: WeeklyReportsTable;
  scoreSnapshots: ScoreSnapshotsTable;
  scoreSnapshotDays: ScoreSnapshotDaysTable;
  monthlyReports: MonthlyReportsTable;
  handovers: HandoversTable;
}
