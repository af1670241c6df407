/**
 * The index for a period: the version in force on its first day, the period's end as of now (a
 * period not over yet is judged at `now`: an open dossier not yet due is on time), and each
 * agency's and unit's scores.
 */
import type { Db } from '../db';
import type { WorkingCalendars } from '../calendar/working-calendar';
import { scoreCounts } from './queries';
import { scopeScore, type ScopeScore } from './points';
import { scorePeriod, type PeriodKind, type ScorePeriod } from './period';
import { regimeOn, type ScoreRegime } from './regime';

export interface ScoreDeps {
  db: Db;
  regimes: readonly ScoreRegime[];
  calendars: () => Promise<WorkingCalendars>;
  now: () => Date;
}

export interface ScoreRequest {
  period: PeriodKind;
  /** Any civil date in the period. */
  date: string;
  agency?: string;
  unit?: string;
}

export class NoRegimeError extends Error {}

export interface ScoreContext {
  regime: ScoreRegime;
  period: ScorePeriod;
  /** The instant the period is judged at: its end, or now while it runs. */
  judgedAt: Date;
}

export function scoreContext(deps: Pick<ScoreDeps, 'regimes' | 'now'>, request: ScoreRequest): ScoreContext {
  const period = scorePeriod(request.period, request.date);
  const regime = regimeOn(deps.regimes, period.first);
  if (!regime) throw new NoRegimeError(`không có bộ chỉ số nào có hiệu lực ngày ${period.first}`);
  const now = deps.now();
  return { regime, period, judgedAt: now < period.to ? now : period.to };
}

export interface ScopeScores {
  agencyCode: string;
  /** null: the agency as a whole. */
  unitId: string | null;
  score: ScopeScore;
}

export async function computeScores(deps: ScoreDeps, request: ScoreRequest): Promise<ScoreContext & { scopes: ScopeScores[] }> {
  const context = scoreContext(deps, request);
  const { period, regime, judgedAt } = context;
  const counts = await scoreCounts(deps.db, { from: period.from, to: judgedAt, agency: request.agency, unit: request.unit }, regime.syncOnTimeMinutes);
  return { ...context, scopes: counts.map((c) => ({ agencyCode: c.agencyCode, unitId: c.unitId, score: scopeScore(regime, c.counts) })) };
}
