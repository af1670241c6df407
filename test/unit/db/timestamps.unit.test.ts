/** Timestamps as the database sends them (UTC sessions) are read exactly; other forms go to node-postgres's parser. */
import { parseUtcTimestamp } from '../../../server/db';

test.each([
  ['2026-11-24 03:00:00+00', '2026-11-24T03:00:00.000Z'],
  ['2026-11-24 03:00:00.5+00', '2026-11-24T03:00:00.500Z'],
  ['2026-11-24 03:00:00.123456+00', '2026-11-24T03:00:00.123Z'],
  ['2024-02-29 23:59:59.999+00', '2024-02-29T23:59:59.999Z'],
  ['1970-01-01 00:00:00+00', '1970-01-01T00:00:00.000Z'],
  ['2026-11-24 10:00:00+07', '2026-11-24T03:00:00.000Z'],
])('%s', (text, iso) => {
  expect(parseUtcTimestamp(text).toISOString()).toBe(iso);
});

test('infinity is left to node-postgres', () => {
  expect(parseUtcTimestamp('infinity') as unknown).toBe(Infinity);
});
