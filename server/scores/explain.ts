/**
 * The index explained per dossier, for one unit and period: each dossier that cost points, per
 * indicator, with the reason in Vietnamese and the points it cost (what the indicator would gain
 * if it counted good); and the open dossiers not yet due whose appointment falls within the
 * period, with the points each would cost if not finished by then ("còn giữ được").
 */
import { sql } from 'kysely';
import { formatInstant } from '../calendar/civil-time';
import type { Judgement766 } from './judge';
import { judgedDossiersSql } from './queries';
import { countsOf, pointsPerDossier, scopeScore, type ScopeScore } from './points';
import type { IndicatorId } from './regime';
import { scoreContext, type ScoreContext, type ScoreDeps, type ScoreRequest } from './service';

interface JudgedRow extends Judgement766 {
  code: string;
  unitId: string;
  source: string;
  outcome: string | null;
  apologyIssuedAt: Date | null;
}

export interface CostingDossier {
  indicator: IndicatorId;
  code: string;
  reason: string;
  points: number;
}

export interface DossierAtRisk {
  code: string;
  dueAt: string;
  /** Working hours from the judging instant to the appointment. */
  workingHoursLeft: number;
  reason: string;
  points: number;
}

export interface Explanation extends ScoreContext {
  unit: string;
  score: ScopeScore;
  costing: CostingDossier[];
  atRisk: DossierAtRisk[];
}

/** Hours with one decimal and a decimal comma, as Vietnamese is written: 2,5. */
export const hours = (minutes: number): string => String(Math.round(minutes / 6) / 10).replace('.', ',');

/** The first timed step of each late dossier to overrun its due time by `end`. */
async function originSteps(deps: ScoreDeps, late: readonly JudgedRow[]): Promise<Map<string, { name: string; unitId: string; dueAt: Date; endAt: Date }>> {
  if (late.length === 0) return new Map();
  const ends = new Map(late.map((r) => [r.code, r.endAt]));
  const steps = await deps.db
    .selectFrom('steps')
    .select(['dossierCode', 'elementId', 'elementName', 'unitId', 'dueAt', 'finishedAt', 'startedAt'])
    .where('dossierCode', 'in', [...ends.keys()])
    .where('allotmentMinutes', '>', 0)
    .orderBy('dossierCode')
    .orderBy('dueAt')
    .execute();
  const origins = new Map<string, { name: string; unitId: string; dueAt: Date; endAt: Date }>();
  for (const s of steps) {
    const end = ends.get(s.dossierCode) as Date;
    if (origins.has(s.dossierCode) || s.startedAt >= end) continue;
    const stepEnd = s.finishedAt !== null && s.finishedAt < end ? s.finishedAt : end;
    if (stepEnd > s.dueAt) origins.set(s.dossierCode, { name: s.elementName ?? s.elementId, unitId: s.unitId, dueAt: s.dueAt, endAt: stepEnd });
  }
  return origins;
}

async function progressReasons(deps: ScoreDeps, late: readonly JudgedRow[]): Promise<Map<string, string>> {
  const calendars = await deps.calendars();
  const origins = await originSteps(deps, late);
  return new Map(
    late.map((r) => {
      const apology = r.apologyIssuedAt ? '; đã có văn bản xin lỗi' : '';
      if (r.supplementRequests > 1) return [r.code, `yêu cầu bổ sung ${r.supplementRequests} lần (từ lần thứ hai tính là trễ hạn)${apology}`];
      const dossierLate = r.dueAt ? calendars.forUnit(r.unitId).between(r.dueAt, r.endAt) : 0;
      const origin = origins.get(r.code);
      const where = origin ? ` ở bước ${origin.name}` : '';
      const stepLate = origin ? calendars.forUnit(origin.unitId).between(origin.dueAt, origin.endAt) : dossierLate;
      const lead = r.openAtEnd ? `chưa xong, quá hạn hẹn trả ${hours(dossierLate)} giờ làm việc` : `trễ hẹn trả ${hours(dossierLate)} giờ làm việc`;
      return [r.code, origin ? `trễ ${hours(stepLate)} giờ làm việc${where}; ${lead}${apology}` : `${lead}${apology}`];
    }),
  );
}

/** Why a received dossier does not count good for an indicator; null: it counts good. */
function reasonOf(id: IndicatorId, r: JudgedRow, syncOnTimeMinutes: number): string | null {
  switch (id) {
    case 'online.submission':
      if (!r.online) return 'nộp hồ sơ giấy, không trực tuyến';
      return r.electronicResult ? null : r.issuedByEnd ? 'không đính kèm kết quả điện tử' : 'chưa có kết quả điện tử';
    case 'payment.dossiersPaidOnline':
      return r.feeOwed && !r.paidOnline ? 'không thanh toán phí trực tuyến' : null;
    case 'digitisation.components':
      if (!r.online) return 'thành phần hồ sơ nộp giấy, chưa số hóa';
      return r.issuedByEnd && !r.electronicResult ? 'không đính kèm kết quả điện tử' : null;
    case 'digitisation.reuse':
      return r.vneid ? null : 'không tái sử dụng dữ liệu dân cư (không nộp qua VNeID)';
    case 'digitisation.vneidAccount':
      return r.vneid ? null : 'không dùng tài khoản đã xác thực VNeID';
    case 'transparency.sync':
      return r.syncDelayMinutes !== null && r.syncDelayMinutes > syncOnTimeMinutes ? `đồng bộ lên Cổng DVC quốc gia trễ ${r.syncDelayMinutes} phút` : null;
    default:
      return null;
  }
}

/** The numerator and denominator of an indicator, as the score gave them (0/0 when not scored). */
const fractionOf = (score: ScopeScore, id: IndicatorId): [number, number] => {
  const i = score.indicators.find((x) => x.id === id);
  return [i?.numerator ?? 0, i?.status === 'scored' ? (i.denominator ?? 0) : 0];
};

export async function explainScores(deps: ScoreDeps, request: ScoreRequest & { unit: string }): Promise<Explanation> {
  const context = scoreContext(deps, request);
  const { period, regime, judgedAt } = context;
  const { rows } = await sql`SELECT j.* FROM (${judgedDossiersSql({ from: period.from, to: judgedAt, agency: request.agency, unit: request.unit }, regime.syncOnTimeMinutes)}) j ORDER BY j.code`.execute(deps.db);
  const judged = rows as JudgedRow[];
  const score = scopeScore(regime, countsOf(judged, regime.syncOnTimeMinutes));
  const costOf = (id: IndicatorId): number => {
    const spec = regime.indicators.find((s) => s.id === id);
    return spec ? pointsPerDossier(spec, ...fractionOf(score, id), 'cost') : 0;
  };
  const costing: CostingDossier[] = [];
  const late = judged.filter((r) => !r.onTime);
  const reasons = await progressReasons(deps, late);
  for (const r of late) costing.push({ indicator: 'progress.onTime', code: r.code, reason: reasons.get(r.code) ?? '', points: costOf('progress.onTime') });
  for (const r of judged.filter((x) => x.issuedInPeriod && !x.electronicResult)) {
    costing.push({ indicator: 'digitisation.resultFile', code: r.code, reason: 'không đính kèm kết quả điện tử', points: costOf('digitisation.resultFile') });
  }
  if (score.indicators.find((i) => i.id === 'satisfaction.handling')?.status === 'scored') {
    for (const r of judged.filter((x) => x.rating === 'dissatisfied')) {
      costing.push({ indicator: 'satisfaction.handling', code: r.code, reason: 'đánh giá không hài lòng', points: costOf('satisfaction.handling') });
    }
  }
  const perReceived: IndicatorId[] = ['online.submission', 'payment.dossiersPaidOnline', 'digitisation.components', 'digitisation.reuse', 'digitisation.vneidAccount', 'transparency.sync'];
  for (const id of perReceived) {
    if (score.indicators.find((i) => i.id === id)?.status !== 'scored') continue;
    for (const r of judged.filter((x) => x.received)) {
      const reason = reasonOf(id, r, regime.syncOnTimeMinutes);
      if (reason !== null) costing.push({ indicator: id, code: r.code, reason, points: costOf(id) });
    }
  }
  return { ...context, unit: request.unit, score, costing, atRisk: await atRiskOf(deps, context, judged, score) };
}

/** Open and on time at the judging instant, due before the period ends: late by then unless finished. */
async function atRiskOf(deps: ScoreDeps, context: ScoreContext, judged: readonly JudgedRow[], score: ScopeScore): Promise<DossierAtRisk[]> {
  const spec = context.regime.indicators.find((s) => s.id === 'progress.onTime');
  if (!spec) return [];
  const points = pointsPerDossier(spec, ...fractionOf(score, 'progress.onTime'), 'atRisk');
  const calendars = await deps.calendars();
  return judged
    .filter((r) => r.openAtEnd && r.onTime && !r.pendingSupplement && r.dueAt !== null && r.dueAt < context.period.to)
    .sort((a, b) => (a.dueAt as Date).getTime() - (b.dueAt as Date).getTime())
    .map((r) => {
      const left = calendars.forUnit(r.unitId).between(context.judgedAt, r.dueAt as Date);
      return {
        code: r.code,
        dueAt: formatInstant((r.dueAt as Date).getTime()),
        workingHoursLeft: Math.round(left / 6) / 10,
        reason: `còn giữ được: còn ${hours(left)} giờ làm việc đến hẹn trả`,
        points,
      };
    });
}
