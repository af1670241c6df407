/** Staff log-in, sessions and partner keys, through the real API and database. */
import { requireStack } from '../../server/health';
import { hashPassword, verifyPassword } from '../../server/auth/passwords';
import { PARTNER_KEY, startTestApp, type TestApp } from '../support/app';
import { signedHeaders } from '../../server/auth/partner-signature';
import { monotonicMs, testNow, testNowMs } from '../support/clock';

let app: TestApp;
beforeAll(async () => {
  await requireStack();
  // as behind one reverse proxy (TRUST_PROXY=1): the test is the proxy, the right-most
  // X-Forwarded-For entry is the client; without the header the client is the test itself
  app = await startTestApp('auth', () => [], { trustProxy: 1 });
}, 30000);
afterAll(async () => app?.stop());

const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
/** A log-in from `address` (through the proxy: X-Forwarded-For). */
const logInFrom = (address: string, username: string, password: string): Promise<Response> =>
  fetch(`${app.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': address }, body: JSON.stringify({ username, password }) });
const auditOf = async (username: string, action: string, address?: string): Promise<number> =>
  (await app.db.selectFrom('audit').select('detail').where('actor', '=', `login:${username}`).where('action', '=', action).execute()).filter((a) => address === undefined || (a.detail ?? '').endsWith(`từ ${address}`)).length;

test('health checks are open, everything else under /api needs a caller', async () => {
  expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
  const me = await fetch(`${app.url}/api/auth/me`);
  expect(me.status).toBe(401);
  expect(((await me.json()) as { error: string }).error).toContain('Cần đăng nhập');
});

test('a staff user logs in; the token and the cookie both identify them, with role and unit', async () => {
  const login = await fetch(`${app.url}/api/auth/login`, json({ username: 'chuyenvien', password: 'test-password' }));
  expect(login.status).toBe(200);
  const { token } = (await login.json()) as { token: string };
  const cookie = login.headers.get('set-cookie') ?? '';
  expect(cookie).toMatch(/lltp_session=.*HttpOnly.*SameSite=Strict/i);

  const byToken = await fetch(`${app.url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
  expect(await byToken.json()).toEqual({ kind: 'staff', username: 'chuyenvien', displayName: 'Chuyên viên LLTP (demo)', roles: ['lltpOfficer'], unitId: 'stp-hctp', dueSoonDelivery: 'immediate', dueSoonDeliveryChosen: null });
  const byCookie = await fetch(`${app.url}/api/auth/me`, { headers: { cookie: cookie.split(';')[0]! } });
  expect(byCookie.status).toBe(200);
});

test('the password is stored hashed, and a session token only as a digest', async () => {
  const user = await app.db.selectFrom('users').select('passwordHash').where('username', '=', 'motcua').executeTakeFirst();
  expect(user?.passwordHash).toMatch(/^scrypt\$/);
  const token = await app.login('motcua');
  const sessions = await app.db.selectFrom('sessions').selectAll().where('username', '=', 'motcua').execute();
  expect(sessions.length).toBeGreaterThan(0);
  expect(JSON.stringify(sessions)).not.toContain(token);
});

test.each([
  [{ username: 'chuyenvien', password: 'wrong' }, 401, 'không đúng'],
  [{ username: 'nobody', password: 'test-password' }, 401, 'không đúng'],
  [{ username: 'chuyenvien' }, 400, 'password'],
  [{ password: 'x' }, 400, 'username'],
])('a bad log-in %j is refused (%i)', async (body, status, message) => {
  const response = await fetch(`${app.url}/api/auth/login`, json(body));
  expect(response.status).toBe(status);
  expect(((await response.json()) as { error: string }).error).toContain(message);
});

test('malformed JSON gets a 400 that says so', async () => {
  const response = await fetch(`${app.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":' });
  expect(response.status).toBe(400);
  expect(((await response.json()) as { error: string }).error).toContain('JSON');
});

test('after log-out the token no longer works', async () => {
  const token = await app.login('lanhdao');
  expect((await fetch(`${app.url}/api/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  expect((await fetch(`${app.url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
});

test('an integration partner is identified by its signature, works only on partner routes; a wrong secret, or the key alone, is refused', async () => {
  const signed = (method: string, path: string, secret = PARTNER_KEY): Record<string, string> => signedHeaders({ partnerId: 'mot-cua-tinh', secret }, method, path, '', testNowMs() + (stamp += 1));
  // a right signature on a staff route: 403 (not 401: the partner is known), and it says why
  const me = await fetch(`${app.url}/api/auth/me`, { headers: signed('GET', '/api/auth/me') });
  expect(me.status).toBe(403);
  expect(((await me.json()) as { error: string }).error).toMatch(/đối tác/);
  expect((await fetch(`${app.url}/api/auth/logout`, { method: 'POST', headers: signed('POST', '/api/auth/logout') })).status).toBe(403);
  const wrong = await fetch(`${app.url}/api/auth/me`, { headers: signed('GET', '/api/auth/me', 'guess') });
  expect(wrong.status).toBe(401);
  const missing = await fetch(`${app.url}/api/auth/me`, { headers: { 'x-partner-id': 'mot-cua-tinh' } });
  expect(missing.status).toBe(401);
  const keyOnly = await fetch(`${app.url}/api/auth/me`, { headers: { 'x-partner-id': 'mot-cua-tinh', 'x-api-key': PARTNER_KEY } });
  expect(keyOnly.status).toBe(401);
  expect(((await keyOnly.json()) as { error: string }).error).toContain('X-LLTP-Signature');
});
let stamp = 0;

test('cross-site request forgery: a state-changing request authenticated by the cookie must come from the app\'s own pages', async () => {
  const login = await fetch(`${app.url}/api/auth/login`, json({ username: 'motcua', password: 'test-password' }));
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const { token } = (await login.json()) as { token: string };
  const preference = (headers: Record<string, string>, body = '{"dueSoonDelivery":"digest"}') => fetch(`${app.url}/api/auth/me/preferences`, { method: 'PUT', headers: { cookie, ...headers }, body });
  // a foreign origin, a text/plain body (no preflight), no origin at all, a cross-site fetch: refused, nothing changed
  const attempts: Record<string, string>[] = [{ origin: 'https://evil.example', 'content-type': 'text/plain' }, { 'content-type': 'application/json' }, { 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' }];
  for (const headers of attempts) {
    const refused = await preference(headers);
    expect([JSON.stringify(headers), refused.status]).toEqual([JSON.stringify(headers), 403]);
    expect(((await refused.json()) as { error: string }).error).toMatch(/^Origin: /);
  }
  expect((await app.db.selectFrom('users').select('dueSoonDelivery').where('username', '=', 'motcua').executeTakeFirstOrThrow()).dueSoonDelivery).toBeNull();
  // the app's own pages (same origin), and a bearer token from a script: accepted
  expect((await preference({ origin: app.url, 'content-type': 'application/json' })).status).toBe(200);
  expect((await preference({ 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' }, '{"dueSoonDelivery":null}')).status).toBe(200);
  const bearer = await fetch(`${app.url}/api/auth/me/preferences`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"dueSoonDelivery":null}' });
  expect(bearer.status).toBe(200);
  // reading with the cookie from anywhere is not a change: allowed (the browser will not show it to another site)
  expect((await fetch(`${app.url}/api/auth/me`, { headers: { cookie, origin: 'https://evil.example' } })).status).toBe(200);
});

test('security headers: scripts and styles only from the app or with the response\'s nonce, no framing, nosniff, no referrer', async () => {
  const response = await fetch(`${app.url}/api/auth/me`);
  const csp = response.headers.get('content-security-policy') ?? '';
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
  expect(csp).toMatch(/style-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
  expect(csp).not.toContain("'unsafe-inline'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  expect(response.headers.get('x-powered-by')).toBeNull();
  // a new nonce for every response
  const again = (await fetch(`${app.url}/api/auth/me`)).headers.get('content-security-policy');
  expect(again).not.toBe(csp);
});

test('login throttling: each attempt at an account delays the next answer; after 5 failures from one address that address may not try the account, even with the right password, but the owner gets in from another; an administrator unlocks; all audited', async () => {
  const attacker = '198.51.100.11';
  const owner = '203.0.113.12';
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = monotonicMs();
    expect((await logInFrom(attacker, 'truongphong', 'wrong')).status).toBe(401);
    times.push(monotonicMs() - started);
  }
  // the 5th answer waited 250 × 2³ ms before it even looked at the password: a lower bound that no
  // slow machine breaks (10 ms below it for the timers' millisecond rounding), and that an answer
  // without the delay never reaches (one scrypt and a few queries)
  expect(times[4]).toBeGreaterThan(1990);
  const locked = await logInFrom(attacker, 'truongphong', 'test-password');
  expect(locked.status).toBe(429);
  expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(((await locked.json()) as { error: string }).error).toMatch(/tài khoản này từ địa chỉ máy này tạm khóa đến/);
  // the owner, from elsewhere: slowed by the account's failures (4 s at most), never refused
  const started = monotonicMs();
  expect((await logInFrom(owner, 'truongphong', 'test-password')).status).toBe(200);
  expect(monotonicMs() - started).toBeGreaterThan(3990);
  expect((await logInFrom(attacker, 'truongphong', 'test-password')).status).toBe(429);
  expect(await auditOf('truongphong', 'auth.login-failed', attacker)).toBe(5);
  expect(await auditOf('truongphong', 'auth.login-locked', attacker)).toBe(2);

  // only an administrator unlocks; then the right password works from that address again
  const officer = await app.login('motcua');
  expect((await fetch(`${app.url}/api/auth/users/truongphong/unlock`, { method: 'POST', headers: { authorization: `Bearer ${officer}` } })).status).toBe(403);
  const admin = await app.login('quantri');
  const unlock = await fetch(`${app.url}/api/auth/users/truongphong/unlock`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } });
  expect(await unlock.json()).toEqual({ username: 'truongphong', cleared: 5 });
  expect((await app.db.selectFrom('audit').select('detail').where('actor', '=', 'quantri').where('action', '=', 'auth.unlock').execute()).map((a) => a.detail)).toEqual(['mở khóa đăng nhập truongphong (5 lần thử được xóa)']);
  expect((await logInFrom(attacker, 'truongphong', 'test-password')).status).toBe(200);
}, 60000);

test('login throttling holds under parallel attempts: of 200 wrong passwords sent at once for one account from one address, at most 5 reach the password check; meanwhile the owner logs in from another address', async () => {
  const attacker = '198.51.100.21';
  const hammer = Promise.all(Array.from({ length: 200 }, () => logInFrom(attacker, 'giamsat', 'wrong').then((r) => r.status)));
  await new Promise((resolve) => setTimeout(resolve, 50));
  const owner = await logInFrom('203.0.113.22', 'giamsat', 'test-password');
  expect(owner.status).toBe(200);
  const statuses = await hammer;
  const reached = statuses.filter((status) => status === 401).length;
  // what reached the password check, counted twice: the 401s, and the audit rows written after a wrong password
  expect(reached).toBe(await auditOf('giamsat', 'auth.login-failed', attacker));
  expect(reached).toBeGreaterThan(0);
  expect(reached).toBeLessThanOrEqual(app.config.LOGIN_MAX_FAILURES);
  expect(statuses.filter((status) => status === 429)).toHaveLength(200 - reached);
  // the attempts recorded for the pair are those that were let through, no more
  expect(await app.db.selectFrom('loginAttempts').select('outcome').where('account', '=', 'giamsat').where('address', '=', attacker).execute()).toHaveLength(reached);
}, 60000);

test('one client address trying many accounts is refused after 30 failures, however many are sent at once', async () => {
  const address = '198.51.100.31';
  const statuses = await Promise.all(Array.from({ length: 60 }, (_v, i) => logInFrom(address, `doan${i}`, 'wrong').then((r) => r.status)));
  expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(app.config.LOGIN_MAX_FAILURES_PER_ADDRESS);
  expect(statuses.filter((status) => status === 401).length + statuses.filter((status) => status === 429).length).toBe(60);
  const locked = await logInFrom(address, 'chuyenvien', 'test-password');
  expect(locked.status).toBe(429);
  expect(((await locked.json()) as { error: string }).error).toMatch(/địa chỉ máy tạm khóa/);
  // another address is not concerned
  expect((await logInFrom('203.0.113.32', 'chuyenvien', 'test-password')).status).toBe(200);
}, 60000);

test('TRUST_PROXY=1: a client\'s own X-Forwarded-For entries are not believed; the address throttled and audited is the one the proxy saw (the right-most entry)', async () => {
  const spoofed = '192.0.2.99';
  const seen = '198.51.100.41';
  const refused = await fetch(`${app.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': `${spoofed}, ${seen}` }, body: JSON.stringify({ username: 'thanhtra', password: 'wrong' }) });
  expect(refused.status).toBe(401);
  expect(await auditOf('thanhtra', 'auth.login-failed', seen)).toBe(1);
  expect(await auditOf('thanhtra', 'auth.login-failed', spoofed)).toBe(0);
  expect((await app.db.selectFrom('loginAttempts').select('address').where('account', '=', 'thanhtra').execute()).map((r) => r.address)).toEqual([seen]);
});

test('a page\'s log-in (a browser: Origin, Sec-Fetch-Site) gets the HttpOnly cookie only, no token in the body; an API client gets the token', async () => {
  const page = await fetch(`${app.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: app.url, 'sec-fetch-site': 'same-origin' }, body: JSON.stringify({ username: 'chuyenvien', password: 'test-password' }) });
  expect(page.status).toBe(200);
  const body = (await page.json()) as Record<string, unknown>;
  expect(body).not.toHaveProperty('token');
  expect(body.user).toMatchObject({ username: 'chuyenvien' });
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
  expect(cookie).toMatch(/^lltp_session=.+/);
  expect(JSON.stringify(body)).not.toContain(cookie.slice('lltp_session='.length));
  expect((await fetch(`${app.url}/api/auth/me`, { headers: { cookie } })).status).toBe(200);
  const api = (await (await fetch(`${app.url}/api/auth/login`, json({ username: 'chuyenvien', password: 'test-password' }))).json()) as Record<string, unknown>;
  expect(typeof api.token).toBe('string');
});

/** Samples of each kind in the comparison below: a threshold on measured costs rests on at least 9. */
const COST_SAMPLES = 9;

test('an unknown account costs the same as a known one with a wrong password', async () => {
  // First failures only (a failure delays the next answer of its account): nine known accounts
  // of this test's own and nine unknown names, in turns. The cost of a log-in is the CPU time
  // this process spends on it (the app runs here; scrypt runs on libuv's threads, counted too):
  // other processes' load does not inflate it as it does wall-clock time (on the 2-core build
  // machine at a load of 15, ratios of wall-clock medians of 9 ranged from 0.6 to 1.2, of CPU
  // medians from 0.92 to 0.99).
  const passwordHash = await hashPassword('test-password');
  const known = Array.from({ length: COST_SAMPLES }, (_v, i) => `thoigian${i + 1}`);
  await app.db
    .insertInto('users')
    .values(known.map((username) => ({ username, displayName: username, email: `${username}@stp.example.vn`, roles: ['lltpOfficer'], unitId: 'stp-hctp', passwordHash, createdAt: testNow() })))
    .execute();
  const cpuMs = async (work: () => Promise<unknown>): Promise<number> => {
    const before = process.cpuUsage();
    await work();
    const spent = process.cpuUsage(before);
    return (spent.user + spent.system) / 1000;
  };
  const failedLogIn = async (username: string): Promise<void> => {
    expect((await fetch(`${app.url}/api/auth/login`, json({ username, password: 'wrong' }))).status).toBe(401);
  };
  const knownMs: number[] = [];
  const unknownMs: number[] = [];
  const scryptMs: number[] = [];
  for (let i = 0; i < COST_SAMPLES; i++) {
    knownMs.push(await cpuMs(() => failedLogIn(known[i]!)));
    unknownMs.push(await cpuMs(() => failedLogIn(`khongco${i + 1}`)));
    scryptMs.push(await cpuMs(() => verifyPassword('wrong', passwordHash)));
  }
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  // The comparison can tell: scrypt is most of a failed log-in's cost (measured: 31 of 37-40 ms),
  // so an unknown name that skipped the dummy scrypt would cost about a fifth of a known one.
  expect(median(scryptMs) / median(knownMs)).toBeGreaterThan(0.5);
  // And it does not skip it. The margin, half to twice, is wide of both the ratio measured
  // (0.92-0.99) and the one without the dummy scrypt (about 0.2).
  const ratio = median(unknownMs) / median(knownMs);
  expect(ratio).toBeGreaterThan(0.5);
  expect(ratio).toBeLessThan(2);
}, 60000);
