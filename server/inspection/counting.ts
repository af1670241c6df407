/**
 * How the province counts (domain brief §4–5), in one place for every figure a user reads: the
 * inspection summary and list, the weekly report and its mail, the dashboard's KPIs and the
 * monitor's weekly summary.
 *
 * - **On-time rate** = certificates issued by their statutory due date ÷ certificates issued.
 *   A refusal (form 03), a withdrawal and a dossier closed for want of a supplement are each
 *   counted on their own line, outside the rate (a refusal raised it when it counted as on time).
 * - **Resolved** (*giải quyết*) = issued or refused.
 * - **VNeID ratio**, the province's definition: dossiers through VNeID ÷ every dossier the
 *   one-stop desk received in the period on every channel (*hồ sơ giải quyết trên VNeID / tổng số
 *   hồ sơ một cửa điện tử tiếp nhận*), given for the dossiers received through VNeID and for those
 *   resolved through VNeID, each labelled. Both have the same denominator.
 * - **Late on three clocks**: against the statutory due date, the Quy trình 570 target date, and
 *   the provincial allotment of each internal step (QĐ 2799); a dossier counts in each clock it
 *   overran. SQL compares instants (ended, or `now` while open, after the due instant); the
 *   engine gives the same dossiers' lateness in working time.
 *
 * The SQL fragments read `dossiers as d`.
 */
import { sql, type RawBuilder } from 'kysely';
import { dueAsOfSql } from '../readmodel/deadline-history';

/** Outcomes that resolve a dossier (*giải quyết*): a certificate issued, or a refusal (form 03). */
export const RESOLVED_OUTCOMES = ['issued', 'refused'] as const;

export const isResolved = (outcome: string | null): boolean => outcome !== null && (RESOLVED_OUTCOMES as readonly string[]).includes(outcome);

export const share = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

/** Issued on time ÷ issued (refusals and withdrawals are outside the rate). */
export const onTimeRate = (issuedOnTime: number, issued: number): number | null => share(issuedOnTime, issued);

/** The province's VNeID ratios: received through VNeID, and resolved through VNeID, each ÷ all received on every channel. */
export function vneidShares(c: { received: number; receivedVneid: number; resolvedVneid: number }): { vneidShareReceived: number | null; vneidShareResolved: number | null } {
  return { vneidShareReceived: share(c.receivedVneid, c.received), vneidShareResolved: share(c.resolvedVneid, c.received) };
}

/** The labels users read next to these figures. */
export const countLabels = {
  vneidShareReceived: 'Tỷ lệ qua VNeID theo hồ sơ tiếp nhận (tiếp nhận qua VNeID / tổng hồ sơ Một cửa tiếp nhận, mọi kênh)',
  vneidShareResolved: 'Tỷ lệ qua VNeID theo hồ sơ đã giải quyết (giải quyết qua VNeID / tổng hồ sơ Một cửa tiếp nhận, mọi kênh)',
  issued: 'Đã cấp Phiếu',
  onTimeRate: 'Tỷ lệ đúng hạn (cấp Phiếu đúng hạn / số Phiếu đã cấp)',
  refused: 'Từ chối (mẫu 03), không tính vào tỷ lệ đúng hạn',
  withdrawn: 'Công dân rút hồ sơ, không tính vào tỷ lệ đúng hạn',
  unsupplemented: 'Không bổ sung, kết thúc, không tính vào tỷ lệ đúng hạn',
  lateStatutory: 'Trễ so với hạn luật định',
  lateTarget: 'Trễ so với chỉ tiêu Quy trình 570',
  lateStep: 'Trễ ở ít nhất một bước nội bộ (QĐ 2799)',
  lateTargetOrStepOnly: 'Đúng hạn luật định nhưng trễ chỉ tiêu Quy trình 570 hoặc một bước nội bộ',
} as const;

const count = (condition: RawBuilder<unknown>): RawBuilder<string> => sql<string>`count(*) FILTER (WHERE ${condition})`;

const issued = sql`d.outcome = 'issued'`;
const resolved = sql`d.outcome IN ('issued', 'refused')`;
/**
 * The dossier's end as of `now`: its finish if it had finished by then, else `now` (a weekly
 * report's `now` is its cut-off, and a dossier closed after it was still open then: as-of.ts).
 */
const endAsOf = (now: Date): RawBuilder<Date> => sql<Date>`least(coalesce(d.finished_at, ${now}::timestamptz), ${now}::timestamptz)`;
/**
 * Ended (or, while open, `now`) after the statutory due date. `pastCutoff`: `now` is a past
 * cut-off, so the due date is the one the dossier had then (deadline-history.ts).
 */
export const lateStatutorySql = (now: Date, pastCutoff = false): RawBuilder<boolean> => sql<boolean>`${endAsOf(now)} > ${dueAsOfSql('statutory', now, pastCutoff)}`;
/** Ended (or, while open, `now`) after the Quy trình 570 target date. */
export const lateTargetSql = (now: Date, pastCutoff = false): RawBuilder<boolean> => sql<boolean>`${endAsOf(now)} > ${dueAsOfSql('target', now, pastCutoff)}`;
/**
 * A timed step (a provincial allotment) late at `now`: started by then, due before it, and
 * ended after its due instant or not ended (a step that ended late after `now` was running past
 * its due instant at `now`). Two tests, each on a partial index (`steps_finished_late`,
 * `steps_open_due`), so that a year's figures never scan the steps.
 */
export const stepLateAtSql = (now: Date): RawBuilder<boolean> => sql<boolean>`s.allotment_minutes > 0 AND s.due_at < ${now}::timestamptz AND s.started_at <= ${now}::timestamptz`;
export const lateStepSql = (now: Date): RawBuilder<boolean> =>
  sql<boolean>`(EXISTS (SELECT 1 FROM steps s WHERE s.dossier_code = d.code AND s.finished_at > s.due_at AND ${stepLateAtSql(now)})
    OR EXISTS (SELECT 1 FROM steps s WHERE s.dossier_code = d.code AND s.finished_at IS NULL AND ${stepLateAtSql(now)}))`;
/**
 * The dossiers with a step late at `now`, one row each, to left-join as `ls` when counting a
 * whole population (every open dossier): the late steps are read once from the two partial
 * indexes and joined by hash. A `d.code IN (…)` in a count's FILTER ran as a per-row subplan once
 * the set outgrew work_mem (120,000 open dossiers: over 60 s; joined: 0.17 s).
 */
export const lateStepDossiersSql = (now: Date) =>
  sql<{ dossierCode: string }>`(SELECT s.dossier_code FROM steps s WHERE s.finished_at > s.due_at AND ${stepLateAtSql(now)}
    UNION SELECT s.dossier_code FROM steps s WHERE s.finished_at IS NULL AND ${stepLateAtSql(now)})`.as('ls');
/** Late against the 570 target or a QĐ 2799 step. */
export const lateTargetOrStepSql = (now: Date, pastCutoff = false): RawBuilder<boolean> => sql<boolean>`(${lateTargetSql(now, pastCutoff)} OR ${lateStepSql(now)})`;
/** Late against any of the three clocks. */
export const lateAnyClockSql = (now: Date, pastCutoff = false): RawBuilder<boolean> => sql<boolean>`(${lateStatutorySql(now, pastCutoff)} OR ${lateTargetOrStepSql(now, pastCutoff)})`;

/** Aggregates over closed dossiers (`dossiers as d`) ended in a period; each a count as text. */
export function closedCounts(now: Date) {
  const onTime = sql`(d.statutory_due_at IS NULL OR d.finished_at <= d.statutory_due_at)`;
  return {
    issued: count(issued),
    issuedOnTime: count(sql`${issued} AND ${onTime}`),
    issuedLate: count(sql`${issued} AND d.finished_at > d.statutory_due_at AND d.apology_issued_at IS NULL`),
    issuedLateWithApology: count(sql`${issued} AND d.finished_at > d.statutory_due_at AND d.apology_issued_at IS NOT NULL`),
    issuedOnTarget: count(sql`${issued} AND (d.target_due_at IS NULL OR d.finished_at <= d.target_due_at)`),
    issuedLateTarget: count(sql`${issued} AND ${lateTargetSql(now)}`),
    issuedLateStep: count(sql`${issued} AND ${lateStepSql(now)}`),
    issuedLateTargetOrStepOnly: count(sql`${issued} AND ${onTime} AND ${lateTargetOrStepSql(now)}`),
    refused: count(sql`d.outcome = 'refused'`),
    withdrawn: count(sql`d.outcome = 'withdrawn'`),
    unsupplemented: count(sql`d.outcome IS NULL OR d.outcome = 'unsupplemented'`),
    resolved: count(resolved),
    resolvedVneid: count(sql`${resolved} AND d.source = 'vneid'`),
  };
}

export type ClosedCountKey = keyof ReturnType<typeof closedCounts>;
export type ClosedCounts = Record<ClosedCountKey, number>;

/** The aggregates of `closedCounts` as numbers (missing: 0). */
export function closedCountsOf(row: Readonly<Record<string, unknown>> | undefined): ClosedCounts {
  const keys = Object.keys(closedCounts(new Date(0))) as ClosedCountKey[];
  return Object.fromEntries(keys.map((k) => [k, Number(row?.[k] ?? 0)])) as ClosedCounts;
}

/** Aggregates over open dossiers (`dossiers as d`, left-joined with `lateStepDossiersSql(now)`) at `now`: late against each clock. */
export function openCounts(now: Date, pastCutoff = false) {
  return {
    openLateStatutory: count(lateStatutorySql(now, pastCutoff)),
    openLateTarget: count(lateTargetSql(now, pastCutoff)),
    openLateStep: count(sql`ls.dossier_code IS NOT NULL`),
  };
}
