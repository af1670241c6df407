/**
 * From counts to points: each indicator's ratio, points, threshold, source and confidence, for
 * one scope (an agency or a unit) and period. Points = max × min(1, ratio ÷ fullAt), rounded to
 * hundredths only when shown. An indicator with no data in the scope (no rating, no status feed)
 * is "không có dữ liệu", never a guess; one with no dossier to count is "không có hồ sơ".
 */
import type { Judgement766 } from './judge';
import { confidenceLabels, groupLabels, GROUPS, type IndicatorGroup, type IndicatorId, type IndicatorSpec, type ScoreRegime } from './regime';

/** What a scope's dossiers add up to in a period (./queries.ts counts the same in SQL). */
export interface ScoreCounts {
  /** Received in the period or open at its start; on time among them. */
  progress: number;
  onTime: number;
  /** Received in the period, and among them: */
  received: number;
  onlineWithResult: number;
  feeOwed: number;
  paidOnline: number;
  digitisedComponents: number;
  vneid: number;
  /** Issued in the period, and among them with an electronic result. */
  issued: number;
  issuedWithFile: number;
  /** Progress population: rated by the period's end, and rated "không hài lòng". */
  rated: number;
  dissatisfied: number;
  /** Received in the period with a status feed, and fed on time. */
  synced: number;
  syncedOnTime: number;
}

export const ZERO_COUNTS: ScoreCounts = {
  progress: 0, onTime: 0, received: 0, onlineWithResult: 0, feeOwed: 0, paidOnline: 0, digitisedComponents: 0, vneid: 0,
  issued: 0, issuedWithFile: 0, rated: 0, dissatisfied: 0, synced: 0, syncedOnTime: 0,
};

/** The counts of several scopes together (a lineage's agencies: the Sở's and the police's). */
export function sumCounts(all: readonly ScoreCounts[]): ScoreCounts {
  const sum = { ...ZERO_COUNTS };
  for (const c of all) for (const key of Object.keys(sum) as (keyof ScoreCounts)[]) sum[key] += c[key];
  return sum;
}

/** Digitised at input (an online dossier) and with its electronic result where one was issued. */
export const digitisedComponents = (j: Judgement766): boolean => j.online && (!j.issuedByEnd || j.electronicResult);

/** The counts of a set of judged dossiers (the pure twin of the SQL's). */
export function countsOf(judged: readonly Judgement766[], syncOnTimeMinutes: number): ScoreCounts {
  const c = { ...ZERO_COUNTS };
  for (const j of judged) {
    c.progress += 1;
    if (j.onTime) c.onTime += 1;
    if (j.rating !== null) c.rated += 1;
    if (j.rating === 'dissatisfied') c.dissatisfied += 1;
    if (j.issuedInPeriod) {
      c.issued += 1;
      if (j.electronicResult) c.issuedWithFile += 1;
    }
    if (!j.received) continue;
    c.received += 1;
    if (j.online && j.electronicResult) c.onlineWithResult += 1;
    if (j.feeOwed) c.feeOwed += 1;
    if (j.paidOnline) c.paidOnline += 1;
    if (digitisedComponents(j)) c.digitisedComponents += 1;
    if (j.vneid) c.vneid += 1;
    if (j.syncDelayMinutes !== null) {
      c.synced += 1;
      if (j.syncDelayMinutes <= syncOnTimeMinutes) c.syncedOnTime += 1;
    }
  }
  return c;
}

export type IndicatorStatus = 'scored' | 'noData' | 'noDossiers';
export const statusLabels: Record<IndicatorStatus, string> = {
  scored: 'đã tính',
  noData: 'không có dữ liệu',
  noDossiers: 'không có hồ sơ trong kỳ',
};

export interface IndicatorScore {
  id: IndicatorId;
  group: IndicatorGroup;
  name: string;
  status: IndicatorStatus;
  statusLabel: string;
  numerator: number | null;
  denominator: number | null;
  ratio: number | null;
  points: number | null;
  max: number;
  /** The ratio from which the indicator gives full points. */
  threshold: number;
  source: string;
  confidence: IndicatorSpec['confidence'];
  confidenceLabel: string;
  note: string | null;
}

/** The ratio of each indicator as numerator ÷ denominator; null numerator: no data. */
function fractions(c: ScoreCounts): Record<IndicatorId, [number | null, number]> {
  // satisfaction = 1 − (late rate + dissatisfied rate), as a numerator over the progress population
  const satisfied = c.progress - (c.progress - c.onTime) - c.dissatisfied;
  return {
    'progress.onTime': [c.onTime, c.progress],
    'online.submission': [c.onlineWithResult, c.received],
    'payment.dossiersPaidOnline': [c.paidOnline, c.feeOwed],
    'payment.transactions': [c.paidOnline > 0 ? 1 : 0, c.feeOwed > 0 ? 1 : 0],
    'digitisation.resultFile': [c.issuedWithFile, c.issued],
    'digitisation.components': [c.digitisedComponents, c.received],
    'digitisation.reuse': [c.vneid, c.received],
    'digitisation.vneidAccount': [c.vneid, c.received],
    'satisfaction.handling': [c.rated === 0 ? null : Math.max(0, satisfied), c.progress],
    'transparency.sync': [c.synced === 0 ? null : c.syncedOnTime, c.received],
  };
}

/** max × min(1, ratio ÷ fullAt). */
export const pointsFor = (spec: Pick<IndicatorSpec, 'max' | 'fullAt'>, ratio: number): number => spec.max * Math.min(1, ratio / spec.fullAt);

export function indicatorScore(spec: IndicatorSpec, numerator: number | null, denominator: number): IndicatorScore {
  const status: IndicatorStatus = numerator === null ? 'noData' : denominator === 0 ? 'noDossiers' : 'scored';
  const ratio = status === 'scored' ? (numerator as number) / denominator : null;
  return {
    id: spec.id,
    group: spec.group,
    name: spec.name,
    status,
    statusLabel: statusLabels[status],
    numerator: status === 'noData' ? null : numerator,
    denominator: status === 'noData' ? null : denominator,
    ratio,
    points: ratio === null ? null : pointsFor(spec, ratio),
    max: spec.max,
    threshold: spec.fullAt,
    source: spec.source,
    confidence: spec.confidence,
    confidenceLabel: confidenceLabels[spec.confidence],
    note: spec.note ?? null,
  };
}

export interface GroupScore {
  group: IndicatorGroup;
  label: string;
  /** Points over the indicators scored; `max` over those scored, `maxInRegime` over all. */
  points: number;
  max: number;
  maxInRegime: number;
}

export interface ScopeScore {
  indicators: IndicatorScore[];
  groups: GroupScore[];
  /** Over the indicators scored; `max` is what they can give, `maxInRegime` what the regime's product-fed indicators can. */
  total: { points: number; max: number; maxInRegime: number };
  counts: ScoreCounts;
}

export function scopeScore(regime: ScoreRegime, counts: ScoreCounts): ScopeScore {
  const f = fractions(counts);
  const indicators = regime.indicators.map((spec) => indicatorScore(spec, ...f[spec.id]));
  const groups = GROUPS.map((group) => {
    const of = indicators.filter((i) => i.group === group);
    const scored = of.filter((i) => i.points !== null);
    return {
      group,
      label: groupLabels[group],
      points: scored.reduce((s, i) => s + (i.points ?? 0), 0),
      max: scored.reduce((s, i) => s + i.max, 0),
      maxInRegime: of.reduce((s, i) => s + i.max, 0),
    };
  }).filter((g) => g.maxInRegime > 0);
  const total = {
    points: groups.reduce((s, g) => s + g.points, 0),
    max: groups.reduce((s, g) => s + g.max, 0),
    maxInRegime: groups.reduce((s, g) => s + g.maxInRegime, 0),
  };
  return { indicators, groups, total, counts };
}

/**
 * What one dossier is worth to an indicator: `cost`, the points it would add if it counted good
 * (a dossier that cost points); `atRisk`, the points lost if one counted good turns bad (an
 * open dossier not yet due). 0 where the indicator is at full points either way.
 */
export function pointsPerDossier(spec: Pick<IndicatorSpec, 'max' | 'fullAt'>, numerator: number, denominator: number, kind: 'cost' | 'atRisk'): number {
  if (denominator === 0) return 0;
  const [good, bad] = kind === 'cost' ? [Math.min(denominator, numerator + 1), numerator] : [numerator, Math.max(0, numerator - 1)];
  return pointsFor(spec, good / denominator) - pointsFor(spec, bad / denominator);
}
