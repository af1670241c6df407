/**
 * The 766 index's export document (issue 25, item 3): U1's November of the hand-worked fixture
 * (test/support/scores-766-fixture.ts) as the document the route writes: sheets a file can hold,
 * one row per indicator, group, costing dossier and dossier still to keep, points written as
 * Vietnamese read them; written as XLSX it reads back with its rows digest. The route, the audit
 * and `lltp inspection verify` are in test/integration/scores/page.int.test.ts.
 */
import { validateDocument, verifyExport, writeExport, type ExportSheet } from '../../../server/inspection/export';
import { pointsText, scoresDocument } from '../../../server/scores/export';
import type { Explanation } from '../../../server/scores/explain';
import { judge766, type Judgement766 } from '../../../server/scores/judge';
import { scorePeriod } from '../../../server/scores/period';
import { countsOf, scopeScore } from '../../../server/scores/points';
import { loadRegimes } from '../../../server/scores/regime';
import { at, factsOf, FIXTURE, NOVEMBER, TOTAL_U1, U1 } from '../../support/scores-766-fixture';

const regime = loadRegimes()[0]!;
const judged = FIXTURE.filter((f) => f.unit === U1)
  .map((f) => judge766(factsOf(f), NOVEMBER.from, NOVEMBER.to))
  .filter((j): j is Judgement766 => j !== null);
const explanation: Explanation = {
  regime,
  period: scorePeriod('month', '2026-11-15'),
  judgedAt: NOVEMBER.to,
  unit: U1,
  score: scopeScore(regime, countsOf(judged, regime.syncOnTimeMinutes)),
  costing: [{ indicator: 'progress.onTime', code: 'STP.KHA-261101-0003', reason: 'trễ hẹn trả 10,5 giờ làm việc', points: 20 / 19 }],
  atRisk: [{ code: 'STP.KHA-261101-0030', dueAt: '2026-11-26T17:00:00+07:00', workingHoursLeft: 6.5, reason: 'còn giữ được: còn 6,5 giờ làm việc đến hẹn trả', points: 20 / 18 }],
};
async function rowCount(rows: ExportSheet['rows']): Promise<number> {
  let n = 0;
  for await (const row of rows) if (row) n += 1;
  return n;
}

const actor = { username: 'giamsat', displayName: 'Giám sát' };
const doc = () => scoresDocument(explanation, { agencyName: 'Sở Tư pháp tỉnh Khánh Hòa', actor, generatedAt: at('2026-12-08T09:00:00') });

test.each([
  [46.0149, '46,01'],
  [20 / 19, '1,05'],
  [0, '0,00'],
  [12, '12,00'],
  [null, null],
])('points %p are written %p', (points, text) => {
  expect(pointsText(points)).toBe(text);
});

test('the document holds the indicators, the groups, the costing dossiers and those still to keep, as a file can', async () => {
  const document = doc();
  expect(() => validateDocument(document)).not.toThrow();
  const counts = await Promise.all(document.sheets.map(async (s) => ({ name: s.name, rows: await rowCount(s.rows) })));
  expect(counts).toEqual([
    { name: 'Chỉ số', rows: 10 },
    { name: 'Nhóm chỉ số', rows: explanation.score.groups.length },
    { name: 'Hồ sơ làm mất điểm', rows: 1 },
    { name: 'Còn giữ được', rows: 1 },
  ]);
  expect(document.summary.find((i) => i.label.startsWith('Tổng điểm'))?.value).toBe(pointsText(TOTAL_U1.points));
  expect(document.periodText).toBe('tháng từ 01/11/2026 đến 30/11/2026, tính đến 00:00 ngày 01/12/2026');
});

test('written as XLSX, it reads back with its rows digest', async () => {
  const written = await writeExport('xlsx', doc());
  const checked = await verifyExport(written.bytes);
  expect({ unchanged: checked.unchanged, rows: checked.rowCount, digest: checked.recomputedRowsSha256 }).toEqual({ unchanged: true, rows: written.rowCount, digest: written.rowsSha256 });
  // the same document again: the same rows digest
  expect((await writeExport('xlsx', doc())).rowsSha256).toBe(written.rowsSha256);
});
