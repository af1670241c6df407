/**
 * The pure parts of the status feed and of the rating callback: the feed's back-off (doubled,
 * capped, never a give-up) and the rating's validation (a bad field is named).
 */
import { describeIssues } from '../../../server/api/text';
import { CitizenRating } from '../../../server/callbacks/vneid';
import { feedRetryDelayMs } from '../../../server/portal/feed';

const settings = { retryMs: 5000, retryMaxMs: 600000 };

test.each([
  [1, 5000],
  [2, 10000],
  [3, 20000],
  [7, 320000],
  [8, 600000],
  [50, 600000],
])('attempt %i failed: sent again after %i ms', (attempt, ms) => {
  expect(feedRetryDelayMs(attempt, settings)).toBe(ms);
});

const good = { eventId: 'rating:STP.KHA-261201-0001', dossierCode: 'STP.KHA-261201-0001', rating: 'satisfied' };

test.each([
  ['a rating outside the scale', { ...good, rating: 'happy' }, 'rating'],
  ['no event id', { ...good, eventId: '' }, 'eventId'],
  ['a dossier code that is not one', { ...good, dossierCode: 'x' }, 'dossierCode'],
  ['an unknown field', { ...good, stars: 5 }, 'stars'],
])('%s is refused naming the field', (_case, body, field) => {
  const parsed = CitizenRating.safeParse(body);
  expect(parsed.success).toBe(false);
  if (!parsed.success) expect(describeIssues(parsed.error)).toContain(field);
});

test('a good rating passes as it is', () => {
  expect(CitizenRating.parse(good)).toEqual(good);
});
