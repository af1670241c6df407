/**
 * Intake of a VNeID request (bước 2–3): one dossier and one process instance per receipt
 * number, however many times the request arrives.
 *
 * 1. `intake_receipts` holds one document per receipt number (its `_id`): the first caller
 *    creates it with a new dossier code; every later caller finds it and gets the same answer.
 * 2. The dossier (with its deadlines) and the declaration are upserted by dossier code.
 * 3. The process instance is started by whoever holds the receipt's short start lease; its key
 *    is stored. If Zeebe is down the caller gets 503 and a retry of the same request finishes
 *    the start: nothing is lost, nothing is started twice.
 */
import { isDuplicateKey } from '../db';
import { createHash } from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';
import { restartClock } from '../calendar/clock';
import { formatInstant, localDateOf, dayNumberOf } from '../calendar/civil-time';
import { dossierDeadlines } from '../calendar/deadlines';
import type { CalendarPolicy } from '../calendar/policy';
import type { WorkingCalendars } from '../calendar/working-calendar';
import { audit, type AuditEntry } from '../audit';
import type { DeclarationDoc } from '../readmodel/declaration';
import type { DossierDoc, DossierSource } from '../readmodel/dossier';
import type { ProcessCatalog } from '../sla';
import type { ZeebeGrpcClient } from '../zeebe';
import { nextDossierCode, type counterModel } from './dossier-code';
import { isExtendedCase, type OtherChannelRecord, type VneidRequest } from './vneid-request';

export interface IntakeReceipt {
  _id: string;
  dossierCode: string;
  source: DossierSource;
  /** SHA-256 of the request as first received: the same receipt number with other content is a conflict. */
  requestDigest: string;
  processInstanceKey: string | null;
  startLeaseUntil: Date | null;
  createdAt: Date;
}

export function intakeReceiptModel(db: Connection): Model<IntakeReceipt> {
  const existing = db.models.IntakeReceipt as Model<IntakeReceipt> | undefined;
  if (existing) return existing;
  return db.model<IntakeReceipt>(
    'IntakeReceipt',
    new Schema<IntakeReceipt>(
      {
        _id: { type: String, required: true },
        dossierCode: { type: String, required: true },
        source: { type: String, required: true },
        requestDigest: { type: String, required: true },
        processInstanceKey: { type: String, default: null },
        startLeaseUntil: { type: Date, default: null },
        createdAt: { type: Date, required: true },
      },
      { versionKey: false, collection: 'intake_receipts' },
    ),
  );
}

export interface IntakeDeps {
  dossiers: Model<DossierDoc>;
  declarations: Model<DeclarationDoc>;
  receipts: Model<IntakeReceipt>;
  counters: ReturnType<typeof counterModel>;
  audit: Model<AuditEntry>;
  calendars: () => Promise<WorkingCalendars>;
  catalog: ProcessCatalog;
  zeebe: Pick<ZeebeGrpcClient, 'createProcessInstance'>;
  policy: CalendarPolicy;
  agencyCode: string;
  /** The receiving unit (its office hours govern the dossier's clock). */
  unitId: string;
  now: () => Date;
}

/** The content of the receipt and appointment slip (Giấy tiếp nhận hồ sơ và hẹn trả kết quả, mẫu 01). */
export interface IntakeAnswer {
  dossierCode: string;
  receiptNumber: string;
  receivedAt: string;
  agencyName: string;
  procedure: string;
  statutoryWorkingDays: number;
  appointmentAt: string;
  appointmentDate: string;
  estimated: boolean;
  /** False when this request had already been received: the same dossier is returned. */
  created: boolean;
}

export class IntakeUnavailableError extends Error {
  constructor(readonly dossierCode: string, cause: unknown) {
    super(`Đã ghi nhận hồ sơ ${dossierCode} nhưng chưa khởi động được quy trình (${(cause as Error).message}); gửi lại yêu cầu để hoàn tất.`);
    this.name = 'IntakeUnavailableError';
  }
}

export class IntakeConflictError extends Error {
  constructor(readonly receiptNumber: string, readonly dossierCode: string) {
    super(`Số biên nhận ${receiptNumber} đã được dùng cho hồ sơ ${dossierCode} với nội dung khác.`);
    this.name = 'IntakeConflictError';
  }
}

const START_LEASE_MS = 30_000;

/**
 * Inserts a document unless its unique key exists already. (Not an upsert with $setOnInsert:
 * FerretDB 1.24 leaves empty arrays and nulls out of an upserted document.)
 */
async function insertOnce<T>(model: Model<T>, doc: Partial<T>): Promise<void> {
  try {
    await model.create(doc);
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
}

const digestOf = (value: unknown): string => createHash('sha256').update(JSON.stringify(value)).digest('hex');

async function claimReceipt(
  deps: IntakeDeps,
  receiptNumber: string,
  source: DossierSource,
  receivedAt: Date,
  content: unknown,
): Promise<{ receipt: IntakeReceipt; created: boolean }> {
  const requestDigest = digestOf(content);
  const same = (receipt: IntakeReceipt): { receipt: IntakeReceipt; created: boolean } => {
    if (receipt.requestDigest !== requestDigest) throw new IntakeConflictError(receiptNumber, receipt.dossierCode);
    return { receipt, created: false };
  };
  const found = await deps.receipts.findById(receiptNumber).lean();
  if (found) return same(found);
  const dossierCode = await nextDossierCode(deps.counters, deps.agencyCode, receivedAt);
  try {
    const receipt = await deps.receipts.create({ _id: receiptNumber, dossierCode, source, requestDigest, processInstanceKey: null, startLeaseUntil: null, createdAt: deps.now() });
    return { receipt: receipt.toObject(), created: true };
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    // Another replica won the race for this receipt number: use its dossier (our code number stays unused).
    const winner = await deps.receipts.findById(receiptNumber).lean();
    if (!winner) throw error;
    return same(winner);
  }
}

export async function intakeVneid(deps: IntakeDeps, request: VneidRequest, actor: string): Promise<IntakeAnswer> {
  const receivedAt = new Date(request.receivedAt);
  const { receipt, created } = await claimReceipt(deps, request.receiptNumber, 'vneid', receivedAt, request);
  const { dossierCode } = receipt;
  const agency = deps.catalog.agency(deps.agencyCode);
  const { nationalProcessId } = deps.catalog.processesFor(deps.agencyCode, receivedAt);
  const extended = isExtendedCase(request);
  const statutoryWorkingDays = extended ? deps.policy.terms.statutoryExtendedWorkingDays : deps.policy.terms.statutoryWorkingDays;
  const targetWorkingDays = deps.policy.terms.targetOrdinaryWorkingDays;

  const calendars = await deps.calendars();
  const calendar = calendars.forUnit(deps.unitId);
  const clock = restartClock(calendar, receivedAt, 'online', deps.policy.intake);
  const deadlines = dossierDeadlines(calendar, clock, { statutoryWorkingDays, targetWorkingDays }, deps.policy.deadlines);

  await insertOnce(deps.dossiers, {
    code: dossierCode,
    receivedAt,
    channel: 'online',
    unitId: deps.unitId,
    variant: 'ordinary',
    statutoryWorkingDays,
    targetWorkingDays,
    clockStartAt: clock.clockStartAt,
    stoppedIntervals: [],
    statutoryDueAt: deadlines.statutoryDueAt,
    targetDueAt: deadlines.targetDueAt,
    apologyByAt: deadlines.apologyByAt,
    deadlinesEstimated: deadlines.estimated,
    calendarVersion: calendars.version,
    status: 'open',
    finishedAt: null,
    deadlineMoves: [],
    receiptNumber: request.receiptNumber,
    agencyCode: deps.agencyCode,
    source: 'vneid',
    formType: request.formType,
    paperCopy: request.copies.delivery === 'none' ? 'none' : request.copies.delivery,
    processId: nationalProcessId,
    caseVariant: 'ordinary',
    appointmentAt: deadlines.statutoryDueAt,
    outcome: null,
    currentElementId: null,
    apology: null,
  });
  await insertOnce(deps.declarations, { dossierCode, request, createdAt: deps.now() });
  if (created) await audit(deps.audit, { at: deps.now(), actor, action: 'dossier.intake', dossierCode, detail: `VNeID, biên nhận ${request.receiptNumber}` });

  await ensureStarted(deps, receipt, nationalProcessId, {
    dossierCode,
    agencyCode: deps.agencyCode,
    receivedAt: formatInstant(receivedAt.getTime()),
    paperCopy: request.copies.delivery === 'none' ? 'none' : request.copies.delivery,
  });

  const dossier = await deps.dossiers.findOne({ code: dossierCode }).lean();
  const appointment = dossier?.appointmentAt ?? deadlines.statutoryDueAt;
  return {
    dossierCode,
    receiptNumber: request.receiptNumber,
    receivedAt: formatInstant(receivedAt.getTime()),
    agencyName: agency.name,
    procedure: nationalProcessId,
    statutoryWorkingDays: dossier?.statutoryWorkingDays ?? statutoryWorkingDays,
    appointmentAt: appointment ? formatInstant(appointment.getTime()) : '',
    appointmentDate: appointment ? localDateOf(dayNumberOf(appointment.getTime())) : '',
    estimated: dossier?.deadlinesEstimated ?? deadlines.estimated,
    created,
  };
}

async function ensureStarted(deps: IntakeDeps, receipt: IntakeReceipt, processId: string, variables: Record<string, string>): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const current = await deps.receipts.findById(receipt._id).lean();
    if (current?.processInstanceKey) return;
    const now = deps.now();
    const lease = await deps.receipts.findOneAndUpdate(
      { _id: receipt._id, processInstanceKey: null, $or: [{ startLeaseUntil: null }, { startLeaseUntil: { $lt: now } }] },
      { $set: { startLeaseUntil: new Date(now.getTime() + START_LEASE_MS) } },
      { returnDocument: 'after' },
    );
    if (!lease) {
      // Another request holds the lease and is starting the instance right now.
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    let processInstanceKey: string;
    try {
      const instance = await deps.zeebe.createProcessInstance({ bpmnProcessId: processId, variables });
      processInstanceKey = instance.processInstanceKey;
    } catch (error) {
      await deps.receipts.updateOne({ _id: receipt._id }, { $set: { startLeaseUntil: null } });
      throw new IntakeUnavailableError(receipt.dossierCode, error);
    }
    await deps.receipts.updateOne({ _id: receipt._id }, { $set: { processInstanceKey, startLeaseUntil: null } });
    await deps.dossiers.updateOne({ code: receipt.dossierCode }, { $set: { processInstanceKey } });
    return;
  }
  throw new IntakeUnavailableError(receipt.dossierCode, new Error('the start lease was held too long'));
}

/** Records a dossier received through another channel (no process here): counts for the VNeID share. */
export async function recordOtherChannel(deps: IntakeDeps, record: OtherChannelRecord, actor: string): Promise<{ dossierCode: string; created: boolean }> {
  const receivedAt = new Date(record.receivedAt);
  const { receipt, created } = await claimReceipt(deps, record.receiptNumber, record.channel, receivedAt, record);
  const calendars = await deps.calendars();
  const calendar = calendars.forUnit(deps.unitId);
  const channel = record.channel === 'inPerson' || record.channel === 'post' ? 'paper' : 'online';
  const clock = restartClock(calendar, receivedAt, channel, deps.policy.intake);
  const terms = { statutoryWorkingDays: deps.policy.terms.statutoryWorkingDays, targetWorkingDays: deps.policy.terms.targetOrdinaryWorkingDays };
  const deadlines = dossierDeadlines(calendar, clock, terms, deps.policy.deadlines);
  const finishedAt = record.finishedAt ? new Date(record.finishedAt) : null;
  await insertOnce(deps.dossiers, {
    code: receipt.dossierCode, receivedAt, channel, unitId: deps.unitId, variant: 'ordinary', ...terms,
    clockStartAt: clock.clockStartAt, stoppedIntervals: [], statutoryDueAt: deadlines.statutoryDueAt, targetDueAt: deadlines.targetDueAt,
    apologyByAt: deadlines.apologyByAt, deadlinesEstimated: deadlines.estimated, calendarVersion: calendars.version,
    status: finishedAt ? 'closed' : 'open', finishedAt, deadlineMoves: [], receiptNumber: record.receiptNumber, agencyCode: deps.agencyCode,
    source: record.channel, formType: record.formType, paperCopy: 'none', caseVariant: 'ordinary', appointmentAt: deadlines.statutoryDueAt,
    outcome: finishedAt ? 'issued' : null,
  });
  if (created) await audit(deps.audit, { at: deps.now(), actor, action: 'dossier.intake', dossierCode: receipt.dossierCode, detail: `kênh ${record.channel}` });
  return { dossierCode: receipt.dossierCode, created };
}
