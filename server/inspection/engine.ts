/**
 * The inspection engine: which dossiers a filter selects, and for each what an inspector asks
 * (domain brief §4–5): its three due dates (statutory, the Quy trình 570 target, the sum of the
 * provincial allotments along its path), the appointment and whether an apology letter moved
 * it, when it ended and how, how late it is against each due date, where it is if open, its
 * supplement stops, and its late steps — who held them, how late, why, and which one was the
 * origin of the dossier's lateness (the first to overrun; the others were absorbed later).
 *
 * Lateness is working time on the unit's calendar: a dossier's is the working time run on its
 * clock (stopped intervals excluded) by its end, minus the term; a step's is the working time
 * from its due instant to its end on its unit's calendar. "On time" is judged against the
 * statutory due date the dossier had before any apology (the letter moves the appointment, it
 * never makes a late dossier on time): verdicts onTime / late / lateWithApology for issued
 * dossiers; a refusal (form 03) and a withdrawal have verdicts of their own, outside the on-time
 * rate (./counting.ts); openOnTrack / openOverdue; closedOther (closed unsupplemented).
 * Lateness is given on each of the three clocks (`lateAgainst`): the statutory date, the 570
 * target, and the internal steps; a dossier may be late on one and not on another.
 *
 * Queries: one for the page (or one cursor for an export), then one for the clock stops and one
 * for the steps of a whole batch of dossiers: never a query per dossier.
 */
import { sql, type ExpressionBuilder, type Selectable, type SelectQueryBuilder } from 'kysely';
import { dueOnClock, elapsedOnClock, type DossierClock } from '../calendar/clock';
import { WORKING_DAY_MINUTES } from '../sla/working-time';
import type { WorkingCalendars } from '../calendar/working-calendar';
import type { Db, Tables } from '../db';
import type { StepsTable } from '../db/tables';
import type { DossierSource } from '../readmodel/dossier';
import type { CaseVariant, ProcessCatalog } from '../sla';
import { lateAnyClockSql, lateTargetOrStepSql } from './counting';
import type { InspectionFilters, SortKey } from './filters';
import { clockStoppedAt, dossierAsOf, openAt, stepAsOf, stepRunningAt, stopsAsOf } from './as-of';
import { dueAsOfSql, fieldsBefore, firstChangesAfter } from '../readmodel/deadline-history';
import { inRegimeSql, regimeSql } from './regimes';

export interface InspectionDeps {
  db: Db;
  catalog: ProcessCatalog;
  calendars: () => Promise<WorkingCalendars>;
  now: () => Date;
  /** `now()` is a past cut-off (a weekly report): what is known only today is left out (as-of.ts). */
  pastCutoff?: boolean;
}

export const VERDICTS = ['onTime', 'late', 'lateWithApology', 'refused', 'withdrawn', 'openOnTrack', 'openOverdue', 'closedOther'] as const;
export type Verdict = (typeof VERDICTS)[number];

export const verdictLabels: Record<Verdict, string> = {
  onTime: 'đúng hạn',
  late: 'trễ hạn',
  lateWithApology: 'trễ hạn, có văn bản xin lỗi',
  refused: 'từ chối (mẫu 03), ngoài tỷ lệ đúng hạn',
  withdrawn: 'công dân rút hồ sơ, ngoài tỷ lệ đúng hạn',
  openOnTrack: 'đang giải quyết, trong hạn',
  openOverdue: 'đang giải quyết, quá hạn',
  closedOther: 'kết thúc khác (không bổ sung)',
};

export interface InspectionStep {
  elementId: string;
  name: string;
  unitId: string;
  unitName: string | null;
  role: string | null;
  /** Who holds the task now (open) or held it when it was completed; null for automated steps. */
  heldBy: string | null;
  /** Who completed it (`system` for an automated step, `partner:…` for an outside answer). */
  completedBy: string | null;
  startedAt: Date;
  allotmentMinutes: number;
  dueAt: Date;
  finishedAt: Date | null;
  /** Working minutes past the due instant (by the end, or by now while open). */
  lateMinutes: number;
  /** The first step of a late dossier to overrun: where its lateness originated. */
  origin: boolean;
  reason: string | null;
  reasonSource: 'officer' | 'system' | null;
}

export interface InspectionDossier {
  code: string;
  agencyCode: string;
  /** The national model version that governs it (./regimes.ts): its process's, or the one in force on its receipt date. */
  regime: string | null;
  /** Its statutory working days (its own version's). */
  statutoryWorkingDays: number;
  processId: string | null;
  internalProcessId: string | null;
  channel: DossierSource;
  unitId: string;
  caseVariant: CaseVariant;
  receivedAt: Date;
  statutoryDueAt: Date | null;
  targetDueAt: Date | null;
  provincialDueAt: Date | null;
  appointmentAt: Date | null;
  apologyIssuedAt: Date | null;
  /** The return date promised by the apology letter (`YYYY-MM-DD`). */
  apologyNewReturnDate: string | null;
  status: 'open' | 'closed';
  outcome: string | null;
  finishedAt: Date | null;
  verdict: Verdict;
  /** Working minutes past each due date (negative: ahead of it), by the end or by now while open. */
  lateMinutes: { statutory: number | null; target: number | null; provincial: number | null };
  /**
   * Late on each clock: past the statutory date, past the Quy trình 570 target, past the sum of
   * the provincial allotments along its path; `steps`: how many internal steps overran theirs.
   */
  lateAgainst: { statutory: boolean; target: boolean; provincial: boolean; steps: number };
  currentStep: { elementId: string; name: string; unitId: string; since: Date; dueAt: Date } | null;
  stops: { count: number; stoppedMinutes: number };
  lateSteps: InspectionStep[];
  /** The element id of the origin step, if the dossier is late and a step overran. */
  originStep: string | null;
}

type DossierQuery = SelectQueryBuilder<Tables & { d: Tables['dossiers'] }, 'd', object>;

/** Which dates the period applies to; `any`: none (the other filters only). */
export type ScopeBasis = InspectionFilters['basis'] | 'any';

/** The dossiers the filters select (apart from the verdict), as a WHERE on `dossiers as d`. */
function scoped(deps: InspectionDeps, f: InspectionFilters, query: DossierQuery, basis: ScopeBasis = f.basis): DossierQuery {
  let q = query;
  if (basis === 'any') {
    // no period
  } else if (basis === 'received') q = q.where('d.receivedAt', '>=', f.from).where('d.receivedAt', '<', f.to);
  else if (basis === 'finished') q = q.where('d.finishedAt', '>=', f.from).where('d.finishedAt', '<', f.to);
  else {
    q = q.where((eb) =>
      eb.or([eb.and([eb('d.receivedAt', '>=', f.from), eb('d.receivedAt', '<', f.to)]), eb.and([eb('d.finishedAt', '>=', f.from), eb('d.finishedAt', '<', f.to)])]),
    );
  }
  if (f.agency) q = q.where('d.agencyCode', '=', f.agency);
  if (f.agencies) q = q.where('d.agencyCode', 'in', f.agencies);
  if (f.regime) q = q.where(inRegimeSql(deps.catalog, f.regime));
  if (f.channel) q = q.where('d.source', '=', f.channel);
  if (f.version) {
    const version = f.version;
    q = q.where((eb) => eb.or([eb('d.processId', '=', version), eb('d.internalProcessId', '=', version)]));
  } else if (f.procedure) {
    const ids = deps.catalog.versions(f.procedure).map((v) => v.processId);
    q = q.where((eb) => eb.or([eb('d.processId', 'in', ids), eb('d.internalProcessId', 'in', ids)]));
  }
  if (f.unit) {
    const unit = f.unit;
    q = q.where((eb) => eb.exists(eb.selectFrom('steps as s').select(sql`1`.as('one')).whereRef('s.dossierCode', '=', 'd.code').where('s.unitId', '=', unit)));
  }
  return q;
}

/** The status filter in SQL (the verdicts as `verdictOf` gives them; the clocks as ./counting.ts counts them). */
function withStatus(f: InspectionFilters, q: DossierQuery, now: Date, pastCutoff: boolean): DossierQuery {
  const issued = (eb: ExpressionBuilder<Tables & { d: Tables['dossiers'] }, 'd'>) => eb.and([eb('d.status', '=', 'closed'), eb('d.outcome', '=', 'issued')]);
  switch (f.status) {
    case 'late':
      return q.where((eb) => eb.and([issued(eb), eb('d.finishedAt', '>', eb.ref('d.statutoryDueAt'))]));
    case 'onTime':
      return q.where((eb) => eb.and([issued(eb), eb.or([eb('d.statutoryDueAt', 'is', null), eb('d.finishedAt', '<=', eb.ref('d.statutoryDueAt'))])]));
    case 'overdue':
      return q.where((eb) => openAt(eb, now)).where(sql<boolean>`${dueAsOfSql('statutory', now, pastCutoff)} < ${now}::timestamptz`);
    case 'lateTargetOrStep':
      return q.where(lateTargetOrStepSql(now, pastCutoff));
    case 'lateAnyClock':
      return q.where(lateAnyClockSql(now, pastCutoff));
    case 'openLateAnyClock':
      return q.where((eb) => openAt(eb, now)).where(lateAnyClockSql(now, pastCutoff));
    default:
      return q;
  }
}

const dossierColumns = [
  'd.code',
  'd.agencyCode',
  'd.processId',
  'd.internalProcessId',
  'd.source',
  'd.unitId',
  'd.caseVariant',
  'd.statutoryWorkingDays',
  'd.targetWorkingDays',
  'd.receivedAt',
  'd.clockStartAt',
  'd.statutoryDueAt',
  'd.targetDueAt',
  'd.appointmentAt',
  'd.apologyByAt',
  'd.variant',
  'd.apologyIssuedAt',
  'd.apologyNewReturnDate',
  'd.status',
  'd.outcome',
  'd.finishedAt',
] as const;

type DossierRow = Pick<
  Tables['dossiers'],
  | 'code'
  | 'agencyCode'
  | 'processId'
  | 'source'
  | 'unitId'
  | 'statutoryWorkingDays'
  | 'targetWorkingDays'
  | 'receivedAt'
  | 'clockStartAt'
  | 'statutoryDueAt'
  | 'targetDueAt'
  | 'appointmentAt'
  | 'apologyByAt'
  | 'variant'
  | 'apologyIssuedAt'
  | 'apologyNewReturnDate'
  | 'status'
  | 'outcome'
  | 'finishedAt'
> & { internalProcessId: string | null; caseVariant: CaseVariant; regime: string | null };

function ordered(q: DossierQuery, sort: SortKey, descending: boolean, now: Date): DossierQuery {
  const direction = descending ? 'desc' : 'asc';
  switch (sort) {
    case 'code':
      return q.orderBy('d.code', direction);
    case 'finishedAt':
      return q.orderBy('d.finishedAt', (ob) => (descending ? ob.desc() : ob.asc()).nullsLast()).orderBy('d.code');
    case 'lateness':
      return q.orderBy(sql`coalesce(d.finished_at, ${now}::timestamptz) - d.statutory_due_at`, (ob) => (descending ? ob.desc() : ob.asc()).nullsLast()).orderBy('d.code');
    default:
      return q.orderBy('d.receivedAt', direction).orderBy('d.code');
  }
}

export interface PageRequest {
  page: number;
  pageSize: number;
  sort: SortKey;
  descending: boolean;
}

/** One page of the list, with the number of dossiers the filters select. */
export async function listDossiers(deps: InspectionDeps, f: InspectionFilters, page: PageRequest): Promise<{ total: number; dossiers: InspectionDossier[] }> {
  const now = deps.now();
  const base = withStatus(f, scoped(deps, f, deps.db.selectFrom('dossiers as d')), now, deps.pastCutoff ?? false);
  const [{ total }] = (await base.select(sql<string>`count(*)`.as('total')).execute()) as [{ total: string }];
  const rows = (await ordered(base.select(dossierColumns).select(regimeSql(deps.catalog).as('regime')), page.sort, page.descending, now)
    .limit(page.pageSize)
    .offset((page.page - 1) * page.pageSize)
    .execute()) as DossierRow[];
  return { total: Number(total), dossiers: await enrich(deps, rows, now) };
}

/** How many dossiers the filters select (what an export of the list would hold). */
export async function countDossiers(deps: InspectionDeps, f: InspectionFilters): Promise<number> {
  const base = withStatus(f, scoped(deps, f, deps.db.selectFrom('dossiers as d')), deps.now(), deps.pastCutoff ?? false);
  const [{ total }] = (await base.select(sql<string>`count(*)`.as('total')).execute()) as [{ total: string }];
  return Number(total);
}

/** Every dossier the filters select, in batches (an export streams them; a year is never held at once). */
export async function* streamDossiers(
  deps: InspectionDeps,
  f: InspectionFilters,
  options: { batch?: number; sort?: SortKey; descending?: boolean; basis?: ScopeBasis } = {},
): AsyncGenerator<InspectionDossier> {
  const now = deps.now();
  const batchSize = options.batch ?? 500;
  const scope = scoped(deps, f, deps.db.selectFrom('dossiers as d'), options.basis ?? f.basis);
  const query = ordered(withStatus(f, scope, now, deps.pastCutoff ?? false).select(dossierColumns).select(regimeSql(deps.catalog).as('regime')), options.sort ?? 'receivedAt', options.descending ?? false, now);
  let batch: DossierRow[] = [];
  for await (const row of query.stream(batchSize)) {
    batch.push(row as DossierRow);
    if (batch.length === batchSize) {
      yield* await enrich(deps, batch, now);
      batch = [];
    }
  }
  if (batch.length) yield* await enrich(deps, batch, now);
}

/** A late or open step as the engine reads it, with the officer holding its task. */
type StepRow = Pick<
  Selectable<StepsTable>,
  'dossierCode' | 'elementId' | 'elementName' | 'unitId' | 'unitName' | 'role' | 'actor' | 'startedAt' | 'allotmentMinutes' | 'dueAt' | 'finishedAt' | 'lateReason' | 'lateReasonSource'
> & { heldBy: string | null };

/** The clock stops and the late or open steps of a batch of dossiers, then each dossier's facts. */
async function enrich(deps: InspectionDeps, rows: readonly DossierRow[], now: Date): Promise<InspectionDossier[]> {
  if (rows.length === 0) return [];
  const codes = rows.map((r) => r.code);
  const [stops, steps, calendars] = await Promise.all([
    deps.db.selectFrom('clockStops').select(['dossierCode', 'startedAt', 'endedAt', 'reason']).where('dossierCode', 'in', codes).orderBy('startedAt').execute(),
    deps.db
      .selectFrom('steps as s')
      .select([
        's.dossierCode',
        's.elementId',
        's.elementName',
        's.unitId',
        's.unitName',
        's.role',
        's.actor',
        // the task of the step, by its key (a lookup per late or open step, never a scan of the tasks)
        (eb) => eb.selectFrom('tasks as t').select('t.claimedBy').where('t.id', '=', sql<string>`'task:' || substr(s.id, 6)`).as('heldBy'),
        's.startedAt',
        's.allotmentMinutes',
        's.dueAt',
        's.finishedAt',
        's.lateReason',
        's.lateReasonSource',
      ])
      .where('s.dossierCode', 'in', codes)
      .where('s.startedAt', '<=', now)
      .where((eb) => eb.or([stepRunningAt(eb, now), eb.and([eb('s.allotmentMinutes', '>', 0), eb('s.finishedAt', '>', eb.ref('s.dueAt'))])]))
      .orderBy('s.dueAt')
      .execute() as Promise<StepRow[]>,
    deps.calendars(),
  ]);
  // a past cut-off: the deadlines the dossiers had then (deadline-history.ts)
  const changes = deps.pastCutoff ? await firstChangesAfter(deps.db, codes, now) : undefined;
  // read as of `now` (as-of.ts): a weekly report's now is its cut-off
  const stopsOf = groupBy(stopsAsOf(stops, now), (s) => s.dossierCode);
  const stepsOf = groupBy(
    steps.map((s) => stepAsOf(s, now, deps.pastCutoff ?? false)),
    (s) => s.dossierCode,
  );
  return rows.map((row) => {
    const rowStops = stopsOf.get(row.code) ?? [];
    return dossierFacts(deps, calendars, dossierAsOf(fieldsBefore(row, changes?.get(row.code)), rowStops, now), rowStops, stepsOf.get(row.code) ?? [], now);
  });
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** The verdict of a dossier (the same rule as the SQL filter `withStatus`). */
export function verdictOf(d: Pick<DossierRow, 'status' | 'outcome' | 'finishedAt' | 'statutoryDueAt' | 'apologyIssuedAt'>, now: Date): Verdict {
  if (d.status === 'open') return d.statutoryDueAt && d.statutoryDueAt < now ? 'openOverdue' : 'openOnTrack';
  if (d.outcome === 'refused') return 'refused';
  if (d.outcome === 'withdrawn') return 'withdrawn';
  if (d.outcome !== 'issued' || !d.finishedAt) return 'closedOther';
  if (!d.statutoryDueAt || d.finishedAt <= d.statutoryDueAt) return 'onTime';
  return d.apologyIssuedAt ? 'lateWithApology' : 'late';
}

function dossierFacts(
  deps: InspectionDeps,
  calendars: WorkingCalendars,
  row: DossierRow,
  stops: readonly { startedAt: Date; endedAt: Date | null; reason: string }[],
  steps: readonly StepRow[],
  now: Date,
): InspectionDossier {
  const calendar = calendars.forUnit(row.unitId);
  const clock: DossierClock = { clockStartAt: row.clockStartAt, stoppedIntervals: stops.map((s) => ({ from: s.startedAt, to: s.endedAt, reason: s.reason })) };
  const end = row.finishedAt ?? now;
  const elapsed = elapsedOnClock(calendar, clock, end);
  // a stopped clock has no due dates (the complete supplement restarts it from zero): none on the internal procedure either
  const budget = row.processId && !clockStoppedAt(stops) ? deps.catalog.budget(row.processId, row.internalProcessId)?.[row.caseVariant] : undefined;
  const verdict = verdictOf(row, now);
  const lateMinutes = {
    statutory: row.statutoryDueAt ? elapsed - row.statutoryWorkingDays * WORKING_DAY_MINUTES : null,
    target: row.targetDueAt ? elapsed - row.targetWorkingDays * WORKING_DAY_MINUTES : null,
    provincial: budget === undefined ? null : elapsed - budget,
  };
  const late = (lateMinutes.statutory ?? 0) > 0 || verdict === 'late' || verdict === 'lateWithApology' || verdict === 'openOverdue';

  const lateSteps: InspectionStep[] = [];
  let current: InspectionDossier['currentStep'] = null;
  for (const s of steps) {
    if (s.finishedAt === null && (!current || s.startedAt >= current.since)) {
      current = { elementId: s.elementId, name: s.elementName ?? s.elementId, unitId: s.unitId, since: s.startedAt, dueAt: s.dueAt };
    }
    if (s.allotmentMinutes === 0) continue;
    const lateMinutes = calendars.forUnit(s.unitId).between(s.dueAt, s.finishedAt ?? now);
    if (lateMinutes <= 0) continue;
    lateSteps.push({
      elementId: s.elementId,
      name: s.elementName ?? s.elementId,
      unitId: s.unitId,
      unitName: s.unitName,
      role: s.role,
      heldBy: s.heldBy,
      completedBy: s.actor,
      startedAt: s.startedAt,
      allotmentMinutes: s.allotmentMinutes,
      dueAt: s.dueAt,
      finishedAt: s.finishedAt,
      lateMinutes,
      origin: false,
      reason: s.lateReason,
      reasonSource: s.lateReasonSource,
    });
  }
  // Steps come ordered by due instant: on a late dossier the first to overrun is the origin.
  const origin = late ? lateSteps[0] : undefined;
  if (origin) origin.origin = true;

  return {
    code: row.code,
    agencyCode: row.agencyCode,
    regime: row.regime,
    statutoryWorkingDays: row.statutoryWorkingDays,
    processId: row.processId,
    internalProcessId: row.internalProcessId,
    channel: row.source,
    unitId: row.unitId,
    caseVariant: row.caseVariant,
    receivedAt: row.receivedAt,
    statutoryDueAt: row.statutoryDueAt,
    targetDueAt: row.targetDueAt,
    provincialDueAt: budget === undefined ? null : (dueOnClock(calendar, clock, budget)?.dueAt ?? null),
    appointmentAt: row.appointmentAt,
    apologyIssuedAt: row.apologyIssuedAt,
    apologyNewReturnDate: row.apologyNewReturnDate,
    status: row.status,
    outcome: row.outcome,
    finishedAt: row.finishedAt,
    verdict,
    lateMinutes,
    lateAgainst: {
      statutory: (lateMinutes.statutory ?? 0) > 0,
      target: (lateMinutes.target ?? 0) > 0,
      provincial: (lateMinutes.provincial ?? 0) > 0,
      steps: lateSteps.length,
    },
    currentStep: row.status === 'open' ? current : null,
    stops: { count: stops.length, stoppedMinutes: stops.reduce((sum, s) => sum + Math.max(0, calendar.between(s.startedAt, s.endedAt ?? now)), 0) },
    lateSteps,
    originStep: origin?.elementId ?? null,
  };
}

/** For the summary: the scoped query on `dossiers as d`, the period applied to `basis`. */
export function scopedDossiers(deps: InspectionDeps, f: InspectionFilters, basis: ScopeBasis): DossierQuery {
  return scoped(deps, f, deps.db.selectFrom('dossiers as d'), basis);
}
