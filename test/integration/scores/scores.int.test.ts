/**
 * The 766 index through PostgreSQL and the API (issue 25, items 1 and 2): the 32 dossiers of
 * test/support/scores-766-fixture.ts written into the read model (dossiers, supplement stops,
 * the late dossier's steps), scored for November 2026 by `GET /api/scores` and explained by
 * `GET /api/scores/explain`, against the scores worked out by hand in that file.
 *
 * The year's days off are the test's own (none in 2026): the working hours of the reasons rest
 * on office hours only.
 * @fixed-instants the product's clock is pinned at 8/12/2026 09:00 and the dossiers sit in November 2026, whatever LLTP_TEST_NOW says.
 */
import { createCalendarProvider } from '../../../server/calendar/provider';
import { seedCalendar } from '../../../server/calendar/store';
import { explainScores } from '../../../server/scores/explain';
import { loadRegimes } from '../../../server/scores/regime';
import { scoreRoutes } from '../../../server/scores/routes';
import type { ScoreDeps } from '../../../server/scores/service';
import { seedWithYear } from '../../support/calendar-seed';
import { testClock } from '../../support/clock';
import { startTestApp, type TestApp } from '../../support/app';
import {
  AGENCY, at, code, EXPECTED_AGENCY, EXPECTED_U1, EXPECTED_U2, EXPLAINED_U1, FIXTURE, TOTAL_AGENCY, TOTAL_U1, TOTAL_U2, U1, U2, type Expected,
} from '../../support/scores-766-fixture';
import { writeScoresFixture } from '../../support/scores-766-db';

const NOW = at('2026-12-08T09:00:00');
const MONTH = 'period=month&date=2026-11-15';

const NO_DAYS_OFF_2026 = seedWithYear(2026, {
  status: 'official',
  basis: ['Lịch riêng của bài kiểm thử chỉ số 766 (năm 2026 không có ngày nghỉ)'],
  daysOff: [],
  makeUpWorkingDays: [],
  pending: [],
});

let app: TestApp;
let deps: ScoreDeps;

beforeAll(async () => {
  const now = (): Date => NOW;
  app = await startTestApp('scores-766', (db) => {
    const provider = createCalendarProvider({ db, now, refreshMs: 3_600_000 });
    deps = { db, regimes: loadRegimes(), calendars: () => provider.current(), now };
    return [{ path: '/api/scores', router: scoreRoutes({ ...deps, auth: { db, now: testClock() }, agencyName: 'Sở Tư pháp tỉnh Khánh Hòa' }) }];
  });
  await seedCalendar(app.db, NO_DAYS_OFF_2026, { actor: 'test', now });
  await writeScoresFixture(app.db);
}, 60000);

afterAll(async () => app?.stop());

async function get(path: string, username = 'thanhtra'): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${app.url}${path}`, { headers: { authorization: `Bearer ${await app.login(username)}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

interface ScopeJson {
  agencyCode: string;
  unitId: string | null;
  score: { indicators: { id: string; points: number | null; ratio: number | null; statusLabel: string }[]; total: { points: number; max: number } };
}

const hundredths = (x: number | null): number | null => (x === null ? null : Math.round(x * 100) / 100);
const nameOf = (dossierCode: string): string => FIXTURE.find((f) => code(f) === dossierCode)?.name ?? dossierCode;

function expectScope(scope: ScopeJson | undefined, expected: Expected, total: { points: number; max: number }): void {
  expect(scope).toBeDefined();
  const got = Object.fromEntries(scope!.score.indicators.map((i) => [i.id, { points: hundredths(i.points), ratio: i.ratio === null ? null : i.ratio.toFixed(6) }]));
  const want = Object.fromEntries(Object.entries(expected).map(([id, e]) => [id, { points: e.points, ratio: e.ratio === null ? null : e.ratio.toFixed(6) }]));
  expect(got).toEqual(want);
  expect({ points: hundredths(scope!.score.total.points), max: scope!.score.total.max }).toEqual(total);
}

describe('GET /api/scores (item 1)', () => {
  test('November per agency and per unit: every indicator matches the hand-worked scores to 0.01 points', async () => {
    const reply = await get(`/api/scores?${MONTH}`, 'giamsat');
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ regime: { id: 'qd-766-2022' }, period: { kind: 'month', first: '2026-11-01', last: '2026-11-30' } });
    const scopes = reply.body.scopes as ScopeJson[];
    expect(scopes.map((s) => [s.agencyCode, s.unitId])).toEqual([[AGENCY, null], [AGENCY, U1], [AGENCY, U2]]);
    expectScope(scopes[0], EXPECTED_AGENCY, TOTAL_AGENCY);
    expectScope(scopes[1], EXPECTED_U1, TOTAL_U1);
    expectScope(scopes[2], EXPECTED_U2, TOTAL_U2);
    expect(scopes[2]!.score.indicators.find((i) => i.id === 'satisfaction.handling')?.statusLabel).toBe('không có dữ liệu');
    expect(scopes[0]!.score.indicators.find((i) => i.id === 'transparency.sync')?.statusLabel).toBe('không có dữ liệu');
  });

  test('one unit asked for: that unit and its agency only', async () => {
    const reply = await get(`/api/scores?${MONTH}&unit=${U2}`);
    const scopes = reply.body.scopes as ScopeJson[];
    expect(scopes.map((s) => s.unitId)).toEqual([null, U2]);
    expectScope(scopes[1], EXPECTED_U2, TOTAL_U2);
  });

  test.each([
    ['period=month', 'date', 'thiếu tham số'],
    ['period=fortnight&date=2026-11-15', 'period', 'phải là một trong'],
    ['period=month&date=2026-11-31', 'date', 'YYYY-MM-DD'],
    ['period=month&date=2026-11-15&unit=%20x', 'unit', 'mã đơn vị'],
    ['period=month&date=2026-11-15&sort=code', 'sort', 'không được hỗ trợ'],
    ['period=year&date=2021-06-01', 'date', 'không có bộ chỉ số'],
  ])('?%s is a 400 naming %s', async (query, parameter, message) => {
    const reply = await get(`/api/scores?${query}`);
    expect(reply.status).toBe(400);
    expect(reply.body.parameter).toBe(parameter);
    expect(String(reply.body.error)).toContain(message);
  });

  test('an officer of the one-stop desk is refused (403)', async () => {
    expect((await get(`/api/scores?${MONTH}`, 'motcua')).status).toBe(403);
  });
});

describe('GET /api/scores/explain (item 2)', () => {
  test('the dossiers that cost U1 points, with the reason in Vietnamese and the points each cost', async () => {
    const reply = await get(`/api/scores/explain?${MONTH}&unit=${U1}`, 'giamsat');
    expect(reply.status).toBe(200);
    const costing = reply.body.costing as { indicator: string; code: string; reason: string; points: number }[];
    const shown = costing
      .filter((c) => ['progress.onTime', 'digitisation.resultFile', 'satisfaction.handling'].includes(c.indicator))
      .map((c) => ({ indicator: c.indicator, name: nameOf(c.code), reason: c.reason, points: hundredths(c.points) }));
    expect(shown).toEqual(EXPLAINED_U1);
    const reasonFor = (indicator: string, name: string) => costing.find((c) => c.indicator === indicator && nameOf(c.code) === name)?.reason;
    expect(reasonFor('online.submission', 'NO_RESULT_FILE')).toBe('không đính kèm kết quả điện tử');
    expect(reasonFor('online.submission', 'LATE_WITH_APOLOGY')).toBe('nộp hồ sơ giấy, không trực tuyến');
    expect(reasonFor('payment.dossiersPaidOnline', 'PROVINCIAL_UNPAID')).toBe('không thanh toán phí trực tuyến');
    expect(reasonFor('payment.dossiersPaidOnline', 'FEE_EXEMPT')).toBeUndefined();
    // a past month: nothing left to keep
    expect(reply.body.atRisk).toEqual([]);
  });

  test('during the month, an open dossier due before its end is "còn giữ được", with the points it would cost', async () => {
    // 26/11 09:00: PROVINCIAL_UNPAID (due 26/11 17:00, done 16:00) is open: 09:00–11:30 + 13:00–17:00 = 6.5 h left;
    // U1's population then holds 18 dossiers (OPEN_NOT_YET_DUE arrives 27/11): one more late costs 20/18 = 1.11
    const during = { ...deps, now: () => at('2026-11-26T09:00:00') };
    const explained = await explainScores(during, { period: 'month', date: '2026-11-15', unit: U1 });
    expect(explained.atRisk.map((r) => ({ name: nameOf(r.code), hours: r.workingHoursLeft, reason: r.reason, points: hundredths(r.points) }))).toEqual([
      { name: 'PROVINCIAL_UNPAID', hours: 6.5, reason: 'còn giữ được: còn 6,5 giờ làm việc đến hẹn trả', points: 1.11 },
    ]);
  });

  test('without a unit: a 400 naming unit', async () => {
    const reply = await get(`/api/scores/explain?${MONTH}`);
    expect(reply.status).toBe(400);
    expect(reply.body.parameter).toBe('unit');
  });
});
