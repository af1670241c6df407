/**
 * Intake of a VNeID request (bước 2–3): one dossier and one process instance per receipt
 * number, however many times the request arrives.
 *
 * 1. One transaction stores the receipt (`intake_receipts`, keyed by receipt number), the
 *    dossier with its deadlines and a new code from the daily counter, the declaration and the
 *    audit entry: all of them or nothing. Two requests racing for one receipt number: the
 *    second waits for the first's commit, finds the receipt and gets the same answer (its
 *    transaction, counter included, rolls back).
 * 2. The process instance is started by whoever holds the receipt's short start lease; its key
 *    is stored on the receipt and the dossier together. If Zeebe is down the caller gets 503 and
 *    a retry of the same request finishes the start: nothing is lost, nothing is started twice.
 */
import { createHash } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import { restartClock } from '../calendar/clock';
import { formatInstant, localDateOf, dayNumberOf } from '../calendar/civil-time';
import { dossierDeadlines, type DossierTerms } from '../calendar/deadlines';
import type { CalendarPolicy } from '../calendar/policy';
import type { WorkingCalendars } from '../calendar/working-calendar';
import type { StartVariables } from '../../processes/contracts';
import type { Db } from '../db';
import { toJson, type IntakeReceiptsTable } from '../db/tables';
import { bindProcessInstance, CHECK_AT_NEXT_TICK, newDossier, type DossierSource, type NewDossier } from '../readmodel/dossier';
import { dossierTermsOf, type ProcessCatalog } from '../sla';
import type { ZeebeGrpcClient } from '../zeebe';
import { dossierCodesExhausted, nextDossierCodeQuery } from './dossier-code';
import { issuingProvinceFor, type ProvinceOnDay } from './administrative-units';
import { receiptDateOf } from './request-rules';
import { isExtendedCase, type OtherChannelRecord, type VneidRequest } from './vneid-request';

/**
 * One receipt number as received (`intake_receipts`): its dossier, the SHA-256 of the request as
 * first received (the same number with other content is a conflict), the process instance once
 * started and the short lease of whoever is starting it.
 */
export type IntakeReceipt = Selectable<IntakeReceiptsTable>;

export interface IntakeDeps {
  db: Db;
  calendars: () => Promise<WorkingCalendars>;
  catalog: ProcessCatalog;
  zeebe: Pick<ZeebeGrpcClient, 'createProcessInstance' | 'cancelProcessInstance'>;
  policy: CalendarPolicy;
  /** AGENCY_CODE: any code of the receiving agency's lineage; each dossier goes to the one in force on its receipt date. */
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
  /** The province whose police issue the certificate on the receipt date (null: none in Việt Nam, Cục Hồ sơ nghiệp vụ). */
  issuingProvince: ProvinceOnDay | null;
  /** The body that issues to residents of that province on the receipt date (no province: Cục Hồ sơ nghiệp vụ, V06). */
  issuingAgency: { code: string; name: string } | null;
  procedure: string;
  statutoryWorkingDays: number;
  appointmentAt: string;
  appointmentDate: string;
  estimated: boolean;
  /** False when this request had already been received: the same dossier is returned. */
  created: boolean;
}

export class IntakeUnavailableError extends Error {
  /** The broker's own error stays on `cause` (for logs): the caller gets a sentence in Vietnamese. */
  constructor(readonly dossierCode: string, cause: unknown) {
    super(`Đã ghi nhận hồ sơ ${dossierCode} nhưng Bộ máy quy trình (Zeebe) chưa nhận khởi động quy trình; gửi lại đúng yêu cầu này để hoàn tất, hồ sơ không bị tạo hai lần.`, { cause });
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

const digestOf = (value: unknown): string => createHash('sha256').update(JSON.stringify(value)).digest('hex');

interface NewIntake {
  /** The agency in force on the receipt date: the prefix of the dossier code. */
  agencyCode: string;
  receiptNumber: string;
  source: DossierSource;
  receivedAt: Date;
  content: unknown;
  /** The dossier to store under the code the counter gives. */
  dossier: (code: string) => NewDossier;
  declaration?: VneidRequest;
  actor: string;
  auditDetail: string;
  /** Whether the intake starts a process instance: then the new receipt is stored with the start lease taken. */
  starts: boolean;
}

/** A receipt as stored, with what the answer needs of its dossier. */
export interface ReceivedDossier {
  receipt: IntakeReceipt;
  /** False when the receipt number had been received before: the same dossier. */
  created: boolean;
  /** The process instance the dossier is bound to (a worker may have bound it before the receipt records it). */
  boundKey: string | null;
  dossier: Pick<NewDossier, 'appointmentAt' | 'statutoryWorkingDays' | 'deadlinesEstimated'>;
}

const isViolation = (error: unknown, code: string, constraint?: string): boolean => {
  const e = error as { code?: string; constraint?: string } | null;
  return e?.code === code && (constraint === undefined || e.constraint === constraint);
};

/**
 * Stores a new dossier with its receipt in one statement (counter, dossier, declaration, audit
 * entry and receipt: all of them or nothing, as one statement is), or finds the receipt stored by
 * an earlier request with the same receipt number (same content: the same dossier; other
 * content: a conflict). A receipt number taken already fails the statement on the receipt's key
 * (a racing request waits for the first's commit), so the counter gives its number back.
 */
async function receive(deps: IntakeDeps, intake: NewIntake): Promise<ReceivedDossier> {
  const requestDigest = digestOf(intake.content);
  const now = deps.now();
  const dossier = intake.dossier('');
  try {
    const receipt = await insertIntake(deps.db, intake, dossier, requestDigest, now);
    return { receipt, created: true, boundKey: null, dossier };
  } catch (error) {
    // a receipt stored before answers first, whatever else this content would have broken
    const earlier = await storedReceipt(deps, intake.receiptNumber, requestDigest);
    if (earlier) return earlier;
    if (isViolation(error, '23502') && (error as { column?: string }).column === 'dossier_code') {
      throw dossierCodesExhausted(intake.agencyCode, intake.receivedAt);
    }
    if (isViolation(error, '23505', 'intake_receipts_pkey')) throw new Error(`receipt ${intake.receiptNumber} was taken by another request but cannot be read`);
    throw error;
  }
}

/** The receipt stored before under this number, with its dossier's answer (other content: a conflict); null when there is none. */
async function storedReceipt(deps: IntakeDeps, receiptNumber: string, requestDigest: string): Promise<ReceivedDossier | null> {
  const found = await deps.db
    .selectFrom('intakeReceipts')
    .innerJoin('dossiers', 'dossiers.code', 'intakeReceipts.dossierCode')
    .selectAll('intakeReceipts')
    .select(['dossiers.processInstanceKey as boundKey', 'dossiers.appointmentAt', 'dossiers.statutoryWorkingDays', 'dossiers.deadlinesEstimated'])
    .where('intakeReceipts.receiptNumber', '=', receiptNumber)
    .executeTakeFirst();
  if (!found) return null;
  const { boundKey, appointmentAt, statutoryWorkingDays, deadlinesEstimated, ...receipt } = found;
  if (receipt.requestDigest !== requestDigest) throw new IntakeConflictError(receiptNumber, receipt.dossierCode);
  return { receipt, created: false, boundKey, dossier: { appointmentAt, statutoryWorkingDays, deadlinesEstimated } };
}

/** The one statement of a new intake; returns the receipt stored. */
async function insertIntake(db: Db, intake: NewIntake, dossier: NewDossier, requestDigest: string, now: Date): Promise<IntakeReceipt> {
  const { declaration } = intake;
  const query = db
    .with('counter', (qb) => nextDossierCodeQuery(qb, intake.agencyCode, intake.receivedAt))
    .with('dossier', (qb) =>
      qb
        .insertInto('dossiers')
        .values((eb) => ({ ...dossier, code: eb.selectFrom('counter').select('code'), nextCheckAt: dossier.status === 'open' ? CHECK_AT_NEXT_TICK : null }))
        .onConflict((oc) => oc.column('code').doNothing()),
    )
    .with('declaration', (qb) =>
      qb
        .insertInto('declarations')
        .columns(['dossierCode', 'request', 'createdAt'])
        .expression((eb) =>
          eb
            .selectFrom('counter')
            .select(['code', sql<string>`${toJson(declaration ?? {})}::jsonb`.as('request'), sql<Date>`${now}::timestamptz`.as('createdAt')])
            .where(sql<boolean>`${declaration !== undefined}`),
        )
        .onConflict((oc) => oc.column('dossierCode').doNothing()),
    )
    .with('entry', (qb) =>
      qb.insertInto('audit').values((eb) => ({ at: now, actor: intake.actor, action: 'dossier.intake', dossierCode: eb.selectFrom('counter').select('code'), detail: intake.auditDetail })),
    );
  return query
    .insertInto('intakeReceipts')
    .values((eb) => ({
      receiptNumber: intake.receiptNumber,
      dossierCode: eb.selectFrom('counter').select('code'),
      source: intake.source,
      requestDigest,
      processInstanceKey: null,
      // the intake that creates the receipt starts its instance: it holds the start lease already
      startLeaseUntil: intake.starts ? new Date(now.getTime() + START_LEASE_MS) : null,
      createdAt: now,
    }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A new dossier's terms: those of the national procedure version in force on its receipt date (ordinary case until the search). */
function nationalTerms(deps: IntakeDeps, nationalProcessId: string, extended: boolean): DossierTerms {
  const plan = deps.catalog.plan(nationalProcessId);
  if (!plan) throw new Error(`no SLA plan for ${nationalProcessId}`);
  return dossierTermsOf(plan, 'ordinary', extended);
}

export async function intakeVneid(deps: IntakeDeps, request: VneidRequest, actor: string): Promise<IntakeAnswer> {
  const receivedAt = new Date(request.receivedAt);
  const agency = deps.catalog.agencyInForce(deps.agencyCode, receivedAt);
  const { nationalProcessId, internalProcessId } = deps.catalog.processesFor(agency.code, receivedAt);
  const terms = nationalTerms(deps, nationalProcessId, isExtendedCase(request));

  const calendars = await deps.calendars();
  const calendar = calendars.forUnit(deps.unitId);
  const clock = restartClock(calendar, receivedAt, 'online', deps.policy.intake);
  const deadlines = dossierDeadlines(calendar, clock, terms, deps.policy.deadlines);
  const paperCopy = request.copies.delivery === 'none' ? 'none' : request.copies.delivery;

  const received = await receive(deps, {
    agencyCode: agency.code,
    receiptNumber: request.receiptNumber,
    source: 'vneid',
    receivedAt,
    content: request,
    actor,
    auditDetail: `VNeID, biên nhận ${request.receiptNumber}`,
    declaration: request,
    starts: true,
    dossier: (code) =>
      newDossier(
        {
          code,
          receiptNumber: request.receiptNumber,
          agencyCode: agency.code,
          source: 'vneid',
          channel: 'online',
          unitId: deps.unitId,
          receivedAt,
          clockStartAt: clock.clockStartAt,
          terms,
          deadlines,
          calendarVersion: calendars.version,
        },
        { formType: request.formType, paperCopy, processId: nationalProcessId, internalProcessId, feeCategory: request.feeCategory, feePaidOnline: request.feeCategory !== 'exempt' },
      ),
  });
  const { dossierCode } = received.receipt;

  await ensureStarted(deps, received, nationalProcessId, {
    dossierCode,
    agencyCode: agency.code,
    receivedAt: formatInstant(receivedAt.getTime()),
    paperCopy,
    channel: 'vneid',
  } satisfies StartVariables);

  const { dossier, created } = received;
  const issuingProvince = issuingProvinceFor(request.declaration.residences, receiptDateOf(request.receivedAt));
  const appointment = dossier.appointmentAt ?? deadlines.statutoryDueAt;
  return {
    dossierCode,
    receiptNumber: request.receiptNumber,
    receivedAt: formatInstant(receivedAt.getTime()),
    agencyName: agency.name,
    issuingProvince,
    issuingAgency: pick(deps.catalog.agencyForResidence(issuingProvince?.code ?? null, receivedAt)),
    procedure: nationalProcessId,
    statutoryWorkingDays: dossier.statutoryWorkingDays,
    appointmentAt: appointment ? formatInstant(appointment.getTime()) : '',
    appointmentDate: appointment ? localDateOf(dayNumberOf(appointment.getTime())) : '',
    estimated: dossier.deadlinesEstimated ?? deadlines.estimated,
    created,
  };
}

const pick = (agency: { code: string; name: string } | null): { code: string; name: string } | null => (agency ? { code: agency.code, name: agency.name } : null);

/**
 * Starts the dossier's process instance once. The start may be ambiguous (the gateway did not
 * answer in time, yet the instance may exist): the dossier is bound to the first instance that
 * reports for it, here or in a worker taking its first job (server/readmodel/timeline.ts), and any
 * other instance of the dossier is cancelled. A retry of the request finds the binding and
 * returns; nothing is started twice for long. A new receipt was stored with the start lease
 * taken: its intake goes straight to the start.
 */
async function ensureStarted(deps: IntakeDeps, received: ReceivedDossier, processId: string, variables: Record<string, string>): Promise<void> {
  const { receipt } = received;
  const { receiptNumber, dossierCode } = receipt;
  if (!received.created && received.boundKey) {
    await adopt(deps, receipt, received.boundKey);
    return;
  }
  let leased = received.created;
  for (let attempt = 0; !leased; attempt += 1) {
    if (attempt >= 50) throw new IntakeUnavailableError(dossierCode, new Error('the start lease was held too long'));
    if (attempt > 0) {
      // Another request holds the lease and is starting the instance right now.
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (await adoptBinding(deps, receiptNumber, dossierCode)) return;
    }
    leased = await takeStartLease(deps, receiptNumber);
  }
  let processInstanceKey: string;
  try {
    const instance = await deps.zeebe.createProcessInstance({ bpmnProcessId: processId, variables });
    processInstanceKey = instance.processInstanceKey;
  } catch (error) {
    await deps.db.updateTable('intakeReceipts').set({ startLeaseUntil: null }).where('receiptNumber', '=', receiptNumber).execute();
    throw new IntakeUnavailableError(dossierCode, error);
  }
  const bound = await bindProcessInstance(deps.db, dossierCode, processInstanceKey);
  if (bound !== processInstanceKey) {
    // An earlier, ambiguous start of this dossier reported first: this one is the duplicate.
    await deps.zeebe.cancelProcessInstance(processInstanceKey).catch(() => undefined);
  }
}

/** The receipt's start lease, if nobody holds it and no instance is recorded: true when taken. */
async function takeStartLease(deps: IntakeDeps, receiptNumber: string): Promise<boolean> {
  const now = deps.now();
  const lease = await deps.db
    .updateTable('intakeReceipts')
    .set({ startLeaseUntil: new Date(now.getTime() + START_LEASE_MS) })
    .where('receiptNumber', '=', receiptNumber)
    .where('processInstanceKey', 'is', null)
    .where((eb) => eb.or([eb('startLeaseUntil', 'is', null), eb('startLeaseUntil', '<', now)]))
    .returning('receiptNumber')
    .executeTakeFirst();
  return lease !== undefined;
}

/** The receipt takes the instance a worker already bound to its dossier, if any; true when there is one. */
async function adoptBinding(deps: IntakeDeps, receiptNumber: string, dossierCode: string): Promise<boolean> {
  const row = await deps.db
    .selectFrom('dossiers')
    .innerJoin('intakeReceipts', 'intakeReceipts.dossierCode', 'dossiers.code')
    .select(['dossiers.processInstanceKey as bound', 'intakeReceipts.processInstanceKey as recorded'])
    .where('dossiers.code', '=', dossierCode)
    .executeTakeFirst();
  if (!row?.bound) return false;
  await adopt(deps, { receiptNumber, processInstanceKey: row.recorded }, row.bound);
  return true;
}

/** The receipt records the instance its dossier is bound to (once: nothing to do when it does). */
async function adopt(deps: IntakeDeps, receipt: Pick<IntakeReceipt, 'receiptNumber' | 'processInstanceKey'>, bound: string): Promise<void> {
  if (receipt.processInstanceKey === bound) return;
  await deps.db.updateTable('intakeReceipts').set({ processInstanceKey: bound, startLeaseUntil: null }).where('receiptNumber', '=', receipt.receiptNumber).execute();
}

/** Records a dossier received through another channel (no process here): counts for the VNeID share. */
export async function recordOtherChannel(deps: IntakeDeps, record: OtherChannelRecord, actor: string): Promise<{ dossierCode: string; created: boolean }> {
  const receivedAt = new Date(record.receivedAt);
  const calendars = await deps.calendars();
  const calendar = calendars.forUnit(deps.unitId);
  const channel = record.channel === 'inPerson' || record.channel === 'post' ? 'paper' : 'online';
  const clock = restartClock(calendar, receivedAt, channel, deps.policy.intake);
  const agency = deps.catalog.agencyInForce(deps.agencyCode, receivedAt);
  const { nationalProcessId } = deps.catalog.processesFor(agency.code, receivedAt);
  const terms = nationalTerms(deps, nationalProcessId, false);
  const deadlines = dossierDeadlines(calendar, clock, terms, deps.policy.deadlines);
  const finishedAt = record.finishedAt ? new Date(record.finishedAt) : null;
  const { receipt, created } = await receive(deps, {
    agencyCode: agency.code,
    receiptNumber: record.receiptNumber,
    source: record.channel,
    receivedAt,
    content: record,
    actor,
    auditDetail: `kênh ${record.channel}`,
    starts: false,
    dossier: (code) =>
      newDossier(
        {
          code,
          receiptNumber: record.receiptNumber,
          agencyCode: agency.code,
          source: record.channel,
          channel,
          unitId: deps.unitId,
          receivedAt,
          clockStartAt: clock.clockStartAt,
          terms,
          deadlines,
          calendarVersion: calendars.version,
        },
        { formType: record.formType, ...(finishedAt ? { status: 'closed', finishedAt, outcome: 'issued' } : {}) },
      ),
  });
  return { dossierCode: receipt.dossierCode, created };
}
