/**
 * Regression (issue 25): /chi-so showed the note of "đồng bộ lên Cổng DVC quốc gia đúng hạn" with
 * the raw field name `syncOnTimeMinutes`. A note now names its version's values in words.
 */
import data from '../../../server/scores/regimes.json';
import { loadRegimes, syncOnTimeText } from '../../../server/scores/regime';

test.each([
  [1440, 'trong 24 giờ'],
  [60, 'trong 1 giờ'],
  [2880, 'trong 48 giờ'],
  [90, 'trong 90 phút'],
  [15, 'trong 15 phút'],
])('%i minutes read "%s"', (minutes, text) => {
  expect(syncOnTimeText(minutes)).toBe(text);
});

test('the shipped notes name no field and leave no placeholder: the sync note says "trong 24 giờ"', () => {
  const notes = loadRegimes().flatMap((v) => v.indicators.map((i) => i.note ?? ''));
  expect(notes.filter((n) => /[{}]|\b[a-z]+[A-Z]\w*\b/.test(n))).toEqual([]);
  const sync = loadRegimes()[0]!.indicators.find((i) => i.id === 'transparency.sync')!;
  expect(sync.note).toBe('Đúng hạn: trạng thái của hồ sơ được đồng bộ lên Cổng DVC quốc gia trong 24 giờ (suy luận)');
});

test('a note naming an unknown value is refused, naming the indicator', () => {
  const raw = structuredClone(data);
  raw.versions[0]!.indicators[0]!.note = 'trễ quá {syncOnTimeMinutes}';
  expect(() => loadRegimes(raw)).toThrow('server/scores/regimes.json: qd-766-2022.indicators.0.note: {syncOnTimeMinutes} is not one of {syncOnTime}');
});
