/** The API's short cache of active partners (server/auth/partner-cache.ts): it never outlives its time to live. */
import { PartnerCache, type ActivePartner } from '../../../server/auth/partner-cache';

const partner = (partnerId: string): ActivePartner => ({ partnerId, signingSecret: `secret-${partnerId}`, scopes: ['intake'], agencyCode: 'STP.KHA' });

/** A cache on a hand-moved monotonic clock. */
function cacheAt(ttlMs: number): { cache: PartnerCache; advance: (ms: number) => void } {
  let monotonic = 0;
  return { cache: new PartnerCache(ttlMs, () => monotonic), advance: (ms) => (monotonic += ms) };
}

test('a partner read is served again within the time to live, and read again after it', () => {
  const { cache, advance } = cacheAt(5000);
  cache.remember(partner('mot-cua-tinh'));
  advance(4999);
  expect(cache.get('mot-cua-tinh')?.signingSecret).toBe('secret-mot-cua-tinh');
  advance(1);
  expect(cache.get('mot-cua-tinh')).toBeUndefined();
});

test('a partner forgotten (its secret no longer verifies) is read again at once', () => {
  const { cache } = cacheAt(5000);
  cache.remember(partner('mot-cua-tinh'));
  cache.forget('mot-cua-tinh');
  expect(cache.get('mot-cua-tinh')).toBeUndefined();
});

test('a time to live of 0 keeps nothing', () => {
  const { cache } = cacheAt(0);
  cache.remember(partner('mot-cua-tinh'));
  expect(cache.get('mot-cua-tinh')).toBeUndefined();
});

test('the cache holds at most 1000 partners, dropping the oldest', () => {
  const { cache } = cacheAt(5000);
  for (let i = 0; i <= 1000; i++) cache.remember(partner(`p${i}`));
  expect(cache.get('p0')).toBeUndefined();
  expect(cache.get('p1')).toBeDefined();
  expect(cache.get('p1000')).toBeDefined();
});
