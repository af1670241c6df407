/** The API's short session cache (server/auth/session-cache.ts): it never outlives its time to live, the session or a logout. */
import { SessionCache, type StaffSession } from '../../../server/auth/session-cache';
import { TEST_NOW_MS } from '../../support/clock';

const now = new Date(TEST_NOW_MS);
const session = (expiresInMs: number): StaffSession => ({ username: 'chuyenvien', displayName: 'Chuyên viên', roles: ['lltpOfficer'], unitId: 'stp-hctp', expiresAt: new Date(TEST_NOW_MS + expiresInMs) });

/** A cache on a hand-moved monotonic clock. */
function cacheAt(ttlMs: number): { cache: SessionCache; advance: (ms: number) => void } {
  let monotonic = 0;
  return { cache: new SessionCache(ttlMs, () => monotonic), advance: (ms) => (monotonic += ms) };
}

test('a session read is served again within the time to live, and read again after it', () => {
  const { cache, advance } = cacheAt(2000);
  cache.remember('d1', session(3_600_000));
  advance(1999);
  expect(cache.get('d1', now)?.username).toBe('chuyenvien');
  advance(1);
  expect(cache.get('d1', now)).toBeUndefined();
});

test('a session that expires on the product clock is not served, whatever the time to live', () => {
  const { cache } = cacheAt(2000);
  cache.remember('d1', session(1000));
  expect(cache.get('d1', new Date(TEST_NOW_MS + 999))).toBeDefined();
  expect(cache.get('d1', new Date(TEST_NOW_MS + 1000))).toBeUndefined();
});

test('a logout in this process forgets the session at once', () => {
  const { cache } = cacheAt(2000);
  cache.remember('d1', session(3_600_000));
  cache.forget('d1');
  expect(cache.get('d1', now)).toBeUndefined();
});

test('a time to live of 0 keeps nothing', () => {
  const { cache } = cacheAt(0);
  cache.remember('d1', session(3_600_000));
  expect(cache.get('d1', now)).toBeUndefined();
});
