/**
 * The 766 index computed in memory (issue 25, items 1 and 2): the fixture of 32 dossiers judged
 * as ./judge.ts judges one and counted as points.ts counts, against the scores worked out by hand
 * in test/support/scores-766-fixture.ts (every indicator to 0.01 points). The same fixture goes
 * through PostgreSQL in test/integration/scores/scores.int.test.ts.
 */
import { judge766, type Judgement766 } from '../../../server/scores/judge';
import { scorePeriod } from '../../../server/scores/period';
import { countsOf, pointsPerDossier, scopeScore, type ScopeScore } from '../../../server/scores/points';
import { INDICATOR_IDS, loadRegimes, regimeOn } from '../../../server/scores/regime';
import {
  AGENCY, at, EXPECTED_AGENCY, EXPECTED_U1, EXPECTED_U2, factsOf, FIXTURE, NOVEMBER, TOTAL_AGENCY, TOTAL_U1, TOTAL_U2, U1, U2, type Expected,
} from '../../support/scores-766-fixture';

const regime = loadRegimes()[0]!;
const hundredths = (x: number | null): number | null => (x === null ? null : Math.round(x * 100) / 100);

function scoreOf(unit: string | null): ScopeScore {
  const judged = FIXTURE.filter((f) => unit === null || f.unit === unit)
    .map((f) => judge766(factsOf(f), NOVEMBER.from, NOVEMBER.to))
    .filter((j): j is Judgement766 => j !== null);
  return scopeScore(regime, countsOf(judged, regime.syncOnTimeMinutes));
}

function expectScores(score: ScopeScore, expected: Expected, total: { points: number; max: number }): void {
  for (const id of INDICATOR_IDS) {
    const indicator = score.indicators.find((i) => i.id === id)!;
    expect({ id, points: hundredths(indicator.points), ratio: indicator.ratio === null ? null : indicator.ratio.toFixed(6) }).toEqual({
      id,
      points: expected[id]!.points,
      ratio: expected[id]!.ratio === null ? null : expected[id]!.ratio.toFixed(6),
    });
    expect(indicator.statusLabel).toBe(expected[id]!.points === null ? 'không có dữ liệu' : 'đã tính');
  }
  expect({ points: hundredths(score.total.points), max: score.total.max }).toEqual(total);
  expect(score.total.maxInRegime).toBe(66);
}

test('the fixture holds at least 30 dossiers and every case the issue names', () => {
  expect(FIXTURE.length).toBeGreaterThanOrEqual(30);
  const names = FIXTURE.map((f) => f.name).join(' ');
  for (const needle of ['EARLY', 'ON_TIME', 'LATE', 'LATE_WITH_APOLOGY', 'OPEN_PAST_DUE', 'OPEN_NOT_YET_DUE', 'ONE_SUPPLEMENT', 'TWO_SUPPLEMENTS', 'REFUSED', 'WITHDRAWN', 'UNPAID', 'DISSATISFIED']) {
    expect(names).toContain(needle);
  }
  expect(FIXTURE.some((f) => f.rating) && FIXTURE.some((f) => !f.rating)).toBe(true);
  expect(FIXTURE.some((f) => f.paidOnline) && FIXTURE.some((f) => f.paidOnline === false)).toBe(true);
});

test.each([
  ['U1', U1, EXPECTED_U1, TOTAL_U1],
  ['U2', U2, EXPECTED_U2, TOTAL_U2],
  [AGENCY, null, EXPECTED_AGENCY, TOTAL_AGENCY],
] as const)('%s: every indicator matches the hand-worked scores to 0.01 points', (_label, unit, expected, total) => {
  expectScores(scoreOf(unit), expected, total);
});

test('each indicator carries its threshold, source and a confidence label where the formula was inferred', () => {
  const score = scoreOf(U1);
  const online = score.indicators.find((i) => i.id === 'online.submission')!;
  expect(online).toMatchObject({ max: 12, threshold: 0.5, confidence: 'inferred' });
  expect(online.source).toContain('3.3');
  expect(online.confidenceLabel).toContain('suy luận');
  expect(score.indicators.find((i) => i.id === 'progress.onTime')).toMatchObject({ max: 20, threshold: 1, confidence: 'empirical' });
  expect(score.groups.find((g) => g.group === 'progress')).toMatchObject({ label: 'Tiến độ, kết quả giải quyết', maxInRegime: 20 });
});

describe('the rules one dossier at a time', () => {
  const judged = (name: string) => judge766(factsOf(FIXTURE.find((f) => f.name === name)!), NOVEMBER.from, NOVEMBER.to);
  test.each([
    ['EARLY', true],
    ['ON_TIME', true],
    ['LATE', false],
    ['LATE_WITH_APOLOGY', false],
    ['OPEN_PAST_DUE', false],
    ['OPEN_NOT_YET_DUE', true],
    ['ONE_SUPPLEMENT', true],
    ['SUPPLEMENT_PENDING', true],
    ['TWO_SUPPLEMENTS', false],
    ['REFUSED_ON_TIME', true],
    ['U2_REFUSED_LATE', false],
    ['WITHDRAWN', true],
    ['U2_WITHDRAWN_LATE', false],
    ['U2_UNSUPPLEMENTED', true],
    ['U2_TWO_SUPPLEMENTS_OPEN', false],
    ['DONE_AFTER_MONTH', true],
    ['DONE_AFTER_MONTH_LATE', false],
  ])('%s on time: %s', (name, onTime) => {
    expect(judged(name)?.onTime).toBe(onTime);
  });

  test('a pending supplement request ends the dossier at the request; a month with neither its receipt nor its work leaves it out', () => {
    expect(judged('SUPPLEMENT_PENDING')).toMatchObject({ pendingSupplement: true, endAt: at('2026-11-17T10:00:00') });
    expect(judged('OCTOBER_ONLY')).toBeNull();
  });
});

test('a dossier is worth the points one more counted good would add; nothing above the threshold', () => {
  const spec = { max: 12, fullAt: 0.5 };
  expect(pointsPerDossier(spec, 7, 17, 'cost')).toBeCloseTo(12 / 0.5 / 17, 10);
  expect(pointsPerDossier(spec, 8, 17, 'cost')).toBeCloseTo(12 - (12 * 8) / 17 / 0.5, 10); // 9/17 is past the threshold
  expect(pointsPerDossier(spec, 10, 17, 'cost')).toBe(0);
  expect(pointsPerDossier({ max: 20, fullAt: 1 }, 12, 19, 'atRisk')).toBeCloseTo(20 / 19, 10);
});

describe('periods and versions', () => {
  test.each([
    ['day', '2026-11-18', '2026-11-18', '2026-11-18'],
    ['week', '2026-11-18', '2026-11-16', '2026-11-22'],
    ['month', '2026-12-31', '2026-12-01', '2026-12-31'],
    ['quarter', '2026-11-18', '2026-10-01', '2026-12-31'],
    ['year', '2026-02-28', '2026-01-01', '2026-12-31'],
  ] as const)('the %s holding %s runs %s to %s, Việt Nam time', (kind, date, first, last) => {
    const period = scorePeriod(kind, date);
    expect([period.first, period.last]).toEqual([first, last]);
    expect(period.from).toEqual(at(`${first}T00:00:00`));
  });

  test('a period is scored by the version in force on its first day; a successor is data, not code', () => {
    const successor = { ...regime, id: 'successor', effectiveFrom: '2027-01-01' };
    const regimes = loadRegimes({ note: '', versions: [successor, regime] });
    expect(regimeOn(regimes, '2026-12-31')?.id).toBe(regime.id);
    expect(regimeOn(regimes, '2027-01-01')?.id).toBe('successor');
    expect(regimeOn(regimes, '2022-07-31')).toBeNull();
    expect(() => loadRegimes({ note: '', versions: [{ ...regime, indicators: [{ ...regime.indicators[0], max: -1 }] }] })).toThrow(/indicators\.0\.max/);
  });
});
