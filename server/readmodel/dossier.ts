/**
 * Read model: one row per dossier (*hồ sơ*) in `dossiers`, keyed by its code, with its clock
 * stops in `clock_stops`. Written by intake and the workers, read by the monitor, inspection
 * lists and reports; the calendar's re-planning rewrites the deadlines of open dossiers after a
 * calendar edit. See server/readmodel/README.md.
 *
 * `nextCheckAt` belongs to the SLA monitor: every write that changes what the monitor would
 * say about a dossier (its deadlines, its clock, its apology) sets it to `CHECK_AT_NEXT_TICK`,
 * and the monitor's next tick judges the dossier and stores when it changes status next.
 */
import { sql, type Selectable } from 'kysely';
import type { Db } from '../db';
import type { DossiersTable } from '../db/tables';
import type { StoppedInterval } from '../calendar/clock';

export const DOSSIER_SOURCES = ['vneid', 'nationalPortal', 'provincialPortal', 'inPerson', 'post'] as const;
export type DossierSource = (typeof DOSSIER_SOURCES)[number];
export const DOSSIER_OUTCOMES = ['issued', 'refused', 'withdrawn', 'unsupplemented'] as const;
export type DossierOutcome = (typeof DOSSIER_OUTCOMES)[number];
export type CaseVariantName = 'ordinary' | 'verification' | 'statutory';

/** Judge this row at the monitor's next tick (the earliest instant: any tick has passed it). */
export const CHECK_AT_NEXT_TICK = new Date(0);

export interface Apology {
  reason: string;
  /** `YYYY-MM-DD`: the new return date the leader set. */
  newReturnDate: string;
  issuedAt: Date;
  issuedBy: string;
}

export interface PoliceAnswerRecord {
  requestId: string;
  result: 'noRecord' | 'recordFound';
  answeredAt: Date;
  receivedAt: Date;
}

type DossierRow = Selectable<DossiersTable>;

/** A dossier as the code sees it: the row, its clock stops, the apology and police answer as objects. */
export interface Dossier
  extends Omit<
    DossierRow,
    | 'apologyReason'
    | 'apologyNewReturnDate'
    | 'apologyIssuedAt'
    | 'apologyIssuedBy'
    | 'policeRequestId'
    | 'policeResult'
    | 'policeAnsweredAt'
    | 'policeReceivedAt'
    | 'nextCheckAt'
    | 'createdAt'
  > {
  stoppedIntervals: StoppedInterval[];
  apology: Apology | null;
  policeAnswer: PoliceAnswerRecord | null;
}

/** What intake (or a test) writes for a new dossier. */
export type NewDossier = Pick<
  Dossier,
  | 'code'
  | 'receiptNumber'
  | 'agencyCode'
  | 'source'
  | 'channel'
  | 'unitId'
  | 'variant'
  | 'statutoryWorkingDays'
  | 'targetWorkingDays'
  | 'apologyLeadMinutes'
  | 'receivedAt'
  | 'clockStartAt'
  | 'statutoryDueAt'
  | 'targetDueAt'
  | 'apologyByAt'
  | 'appointmentAt'
  | 'deadlinesEstimated'
  | 'calendarVersion'
  | 'status'
> &
  Partial<Pick<Dossier, 'apologyPromptMinutes' | 'formType' | 'paperCopy' | 'processId' | 'internalProcessId' | 'caseVariant' | 'outcome' | 'finishedAt' | 'demoScenario' | 'currentElementId' | 'feeCategory' | 'feePaidOnline'>>;

const parseJsonInstant = (value: unknown): Date | null => (typeof value === 'string' ? new Date(value) : null);

/** The dossier's clock stops, oldest first, as one JSON column of the dossier query. */
export const dossierStopsColumn = sql<{ from: string; to: string | null; reason: string }[]>`(
  SELECT coalesce(jsonb_agg(jsonb_build_object('from', s.started_at, 'to', s.ended_at, 'reason', s.reason) ORDER BY s.started_at), '[]'::jsonb)
  FROM clock_stops s WHERE s.dossier_code = dossiers.code)`;

export function toDossier(row: DossierRow & { stops?: { from: string; to: string | null; reason: string }[] }): Dossier {
  const {
    apologyReason,
    apologyNewReturnDate,
    apologyIssuedAt,
    apologyIssuedBy,
    policeRequestId,
    policeResult,
    policeAnsweredAt,
    policeReceivedAt,
    // the monitor's next check and the insert time belong to the read model, not the dossier
    nextCheckAt,
    createdAt,
    stops,
    ...rest
  } = row;
  return {
    ...rest,
    stoppedIntervals: (stops ?? []).map((s) => ({ from: new Date(s.from), to: parseJsonInstant(s.to), reason: s.reason })),
    apology:
      apologyNewReturnDate && apologyIssuedAt
        ? { reason: apologyReason ?? '', newReturnDate: apologyNewReturnDate, issuedAt: apologyIssuedAt, issuedBy: apologyIssuedBy ?? '' }
        : null,
    policeAnswer:
      policeResult && policeAnsweredAt
        ? { requestId: policeRequestId ?? '', result: policeResult, answeredAt: policeAnsweredAt, receivedAt: policeReceivedAt ?? policeAnsweredAt }
        : null,
  };
}

export async function findDossier(db: Db, code: string): Promise<Dossier | null> {
  const row = await db.selectFrom('dossiers').selectAll('dossiers').select(dossierStopsColumn.as('stops')).where('code', '=', code).executeTakeFirst();
  return row ? toDossier(row) : null;
}

/** What a new dossier is made of: who received it, when its clock starts, its terms and deadlines. */
export interface DossierIntake {
  code: string;
  receiptNumber: string;
  agencyCode: string;
  source: DossierSource;
  channel: Dossier['channel'];
  unitId: string;
  receivedAt: Date;
  clockStartAt: Date;
  terms: { statutoryWorkingDays: number; targetWorkingDays: number; apologyLeadMinutes: number; apologyPromptMinutes?: number };
  deadlines: { statutoryDueAt: Date | null; targetDueAt: Date | null; apologyByAt: Date | null; estimated: boolean };
  calendarVersion: number;
}

/**
 * The one builder of a new dossier (intake, tests, benchmarks): open, ordinary case, the
 * appointment on the statutory due date; `extra` for what the caller knows besides.
 */
export function newDossier(intake: DossierIntake, extra: Partial<NewDossier> = {}): NewDossier {
  const { terms, deadlines, ...rest } = intake;
  return {
    ...rest,
    ...terms,
    variant: 'ordinary',
    caseVariant: 'ordinary',
    statutoryDueAt: deadlines.statutoryDueAt,
    targetDueAt: deadlines.targetDueAt,
    apologyByAt: deadlines.apologyByAt,
    appointmentAt: deadlines.statutoryDueAt,
    deadlinesEstimated: deadlines.estimated,
    status: 'open',
    ...extra,
  };
}

/**
 * Inserts a new open (or, for other channels, closed) dossier with its clock stops, if any;
 * false when the code exists already (nothing written then).
 */
export async function insertDossier(db: Db, dossier: NewDossier, stops: readonly StoppedInterval[] = []): Promise<boolean> {
  const inserted = await db
    .insertInto('dossiers')
    .values({ ...dossier, nextCheckAt: dossier.status === 'open' ? CHECK_AT_NEXT_TICK : null })
    .onConflict((oc) => oc.column('code').doNothing())
    .returning('code')
    .executeTakeFirst();
  if (inserted && stops.length) {
    await db
      .insertInto('clockStops')
      .values(stops.map((s) => ({ dossierCode: dossier.code, startedAt: s.from, endedAt: s.to, reason: s.reason ?? 'supplement' })))
      .execute();
  }
  return inserted !== undefined;
}

/**
 * Binds the dossier to its process instance (the national process's root instance): the first
 * key to arrive wins, here from the intake or from a worker taking the instance's first job, and
 * the receipt records the same key. Returns the key the dossier is bound to: another key than
 * `processInstanceKey` means that instance is a duplicate start of the dossier (to be cancelled).
 */
export async function bindProcessInstance(db: Db, dossierCode: string, processInstanceKey: string): Promise<string | null> {
  const bound = await db
    .with('dossier', (qb) =>
      qb.updateTable('dossiers').set({ processInstanceKey }).where('code', '=', dossierCode).where('processInstanceKey', 'is', null).returning('code'),
    )
    .updateTable('intakeReceipts')
    .set({ processInstanceKey, startLeaseUntil: null })
    .where('dossierCode', 'in', (qb) => qb.selectFrom('dossier').select('code'))
    .returning('dossierCode')
    .execute();
  if (bound.length > 0) return processInstanceKey;
  const row = await db.selectFrom('dossiers').select('processInstanceKey').where('code', '=', dossierCode).executeTakeFirst();
  return row?.processInstanceKey ?? null;
}
