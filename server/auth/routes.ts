/**
 * Staff log-in and log-out; `GET /api/auth/me` says who the caller is (and, for staff, how they
 * take due-soon notices); `PUT /api/auth/me/preferences {"dueSoonDelivery": "immediate"|"digest"|null}`
 * sets it (null: the default of the person's roles), audited.
 */
import { Router } from 'express';
import { z } from 'zod';
import { authenticate, fromBrowser, requireRole, requireStaff, SESSION_COOKIE } from './middleware';
import { digest, findActiveUser, newSecret, type AuthDeps } from './models';
import { hashPassword, verifyPassword } from './passwords';
import { admitAttempt, attemptFailed, attemptSucceeded, clearAccount, DEFAULT_LOGIN_POLICY, type LoginPolicy } from './throttle';
import { formatVnInstant } from '../monitor/format';
import { audit } from '../audit';
import { defaultDueSoonDelivery, DUE_SOON_DELIVERIES } from '../monitor/directory';
import { noStore } from '../api/no-store';
import { checkParam, IDS } from '../api/ids';
import { describeIssues, nfcText } from '../api/text';

const Preferences = z
  .object({
    dueSoonDelivery: z
      .enum(DUE_SOON_DELIVERIES, { error: 'phải là "immediate" (gửi ngay), "digest" (gộp vào thư tổng hợp ngày) hoặc null (mặc định theo vai trò)' })
      .nullable(),
  })
  .strict();

const LoginBody = z.object({
  username: nfcText(40),
  password: z.string({ error: 'phải là chuỗi ký tự' }).min(1, 'không được để trống').max(200, 'dài tối đa 200 ký tự'),
});

export function authRoutes(deps: AuthDeps & { sessionHours: number; secureCookies: boolean; loginPolicy?: LoginPolicy }): Router {
  const router = Router();
  // session tokens and account details: never cached
  router.use(noStore);
  router.param('username', checkParam(IDS.username));

  // an unknown account costs the same scrypt as a known one (no timing difference)
  const dummyHash = hashPassword(newSecret());
  const policy = deps.loginPolicy ?? DEFAULT_LOGIN_POLICY;

  router.post('/login', async (req, res) => {
    const body = LoginBody.safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ error: `Thiếu hoặc sai trường: ${describeIssues(body.error)}` });
      return;
    }
    const { username, password } = body.data;
    const address = req.ip ?? 'unknown';
    const actor = `login:${username.slice(0, 40)}`;
    const admission = await admitAttempt(deps.db, policy, username, address, deps.now());
    if (!admission.admitted) {
      const seconds = Math.max(1, Math.ceil((admission.lockedUntil.getTime() - deps.now().getTime()) / 1000));
      const what = admission.lockedBy === 'pair' ? 'tài khoản này từ địa chỉ máy này' : 'địa chỉ máy';
      await audit(deps.db, { at: deps.now(), actor, action: 'auth.login-locked', dossierCode: null, detail: `${admission.lockedBy === 'pair' ? 'tài khoản từ địa chỉ này' : 'địa chỉ'} bị tạm khóa; từ ${address}` });
      res
        .status(429)
        .set('Retry-After', String(seconds))
        .json({ error: `Đăng nhập sai quá nhiều lần: ${what} tạm khóa đến ${formatVnInstant(admission.lockedUntil)} (thử lại sau ${Math.ceil(seconds / 60)} phút, đăng nhập từ máy khác, hoặc nhờ quản trị mở khóa).` });
      return;
    }
    if (admission.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, admission.delayMs));
    const user = await findActiveUser(deps.db, username);
    const valid = await verifyPassword(password, user?.passwordHash ?? (await dummyHash));
    if (!user || !valid) {
      await attemptFailed(deps.db, admission.attemptId);
      await audit(deps.db, { at: deps.now(), actor, action: 'auth.login-failed', dossierCode: null, detail: `từ ${address}` });
      res.status(401).json({ error: 'Tên đăng nhập hoặc mật khẩu không đúng.' });
      return;
    }
    await attemptSucceeded(deps.db, admission.attemptId, username, address);
    const token = newSecret();
    const now = deps.now();
    const expiresAt = new Date(now.getTime() + deps.sessionHours * 3600_000);
    await deps.db.insertInto('sessions').values({ tokenDigest: digest(token), username: user.username, createdAt: now, expiresAt }).execute();
    // Max-Age, not Expires: the browser counts it on its own clock (an Expires from the product's clock, set
    // back in a test, or a skewed server, would arrive already past and the cookie would be dropped)
    res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: deps.secureCookies, maxAge: deps.sessionHours * 3600_000, path: '/' });
    const answer = { expiresAt: expiresAt.toISOString(), user: { username: user.username, displayName: user.displayName, roles: user.roles, unitId: user.unitId } };
    // a browser (a page's script) gets the HttpOnly cookie only: a token in the body would be
    // readable by any script on the page; API clients (no Origin, no Sec-Fetch-Site) get the token
    res.json(fromBrowser(req) ? answer : { token, ...answer });
  });

  router.post('/users/:username/unlock', authenticate(deps), requireRole('administrator'), async (req, res) => {
    const username = String(req.params.username);
    const principal = req.principal as { username: string };
    const cleared = await deps.db.transaction().execute(async (tx) => {
      const n = await clearAccount(tx, username);
      await audit(tx, { at: deps.now(), actor: principal.username, action: 'auth.unlock', dossierCode: null, detail: `mở khóa đăng nhập ${username} (${n} lần thử được xóa)` });
      return n;
    });
    res.json({ username, cleared });
  });

  router.post('/logout', authenticate(deps), requireStaff(), async (req, res) => {
    const bearer = /^Bearer (\S+)$/.exec(req.header('authorization') ?? '')?.[1];
    const token = bearer ?? (req.cookies as Record<string, string>)[SESSION_COOKIE];
    if (token) {
      deps.sessions?.forget(digest(token));
      await deps.db.deleteFrom('sessions').where('tokenDigest', '=', digest(token)).execute();
      deps.sessions?.forget(digest(token));
    }
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.json({ ok: true });
  });

  router.get('/me', authenticate(deps), requireStaff(), async (req, res) => {
    const principal = req.principal;
    if (principal?.kind !== 'staff') {
      res.json(principal);
      return;
    }
    const user = await deps.db.selectFrom('users').select('dueSoonDelivery').where('username', '=', principal.username).executeTakeFirst();
    res.json({ ...principal, dueSoonDelivery: user?.dueSoonDelivery ?? defaultDueSoonDelivery(principal.roles), dueSoonDeliveryChosen: user?.dueSoonDelivery ?? null });
  });

  router.put('/me/preferences', authenticate(deps), requireStaff(), async (req, res) => {
    const principal = req.principal;
    if (principal?.kind !== 'staff') {
      res.status(403).json({ error: 'Chỉ cán bộ có tài khoản mới đặt được cách nhận thông báo.' });
      return;
    }
    const body = Preferences.safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ error: describeIssues(body.error) });
      return;
    }
    const chosen = body.data.dueSoonDelivery;
    await deps.db.transaction().execute(async (tx) => {
      await tx.updateTable('users').set({ dueSoonDelivery: chosen }).where('username', '=', principal.username).execute();
      await audit(tx, { at: deps.now(), actor: principal.username, action: 'user.preferences', dossierCode: null, detail: `dueSoonDelivery=${chosen ?? 'mặc định'}` });
    });
    res.json({ dueSoonDelivery: chosen ?? defaultDueSoonDelivery(principal.roles), dueSoonDeliveryChosen: chosen });
  });

  return router;
}
