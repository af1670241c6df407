/** Staff log-in and log-out; `GET /api/auth/me` says who the caller is. */
import { Router } from 'express';
import { z } from 'zod';
import { authenticate, SESSION_COOKIE } from './middleware';
import { digest, findActiveUser, newSecret, type AuthDeps } from './models';
import { verifyPassword } from './passwords';

const LoginBody = z.object({
  username: z.string().min(1, 'username is required').max(40),
  password: z.string().min(1, 'password is required').max(200),
});

export function authRoutes(deps: AuthDeps & { sessionHours: number; secureCookies: boolean }): Router {
  const router = Router();

  router.post('/login', async (req, res) => {
    const body = LoginBody.safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ error: `Thiếu hoặc sai trường: ${body.error.issues.map((i) => i.path.join('.') || i.message).join(', ')}` });
      return;
    }
    const user = await findActiveUser(deps.db, body.data.username);
    if (!user || !(await verifyPassword(body.data.password, user.passwordHash))) {
      res.status(401).json({ error: 'Tên đăng nhập hoặc mật khẩu không đúng.' });
      return;
    }
    const token = newSecret();
    const now = deps.now();
    const expiresAt = new Date(now.getTime() + deps.sessionHours * 3600_000);
    await deps.db.insertInto('sessions').values({ tokenDigest: digest(token), username: user.username, createdAt: now, expiresAt }).execute();
    res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: deps.secureCookies, expires: expiresAt, path: '/' });
    res.json({ token, expiresAt: expiresAt.toISOString(), user: { username: user.username, displayName: user.displayName, roles: user.roles, unitId: user.unitId } });
  });

  router.post('/logout', authenticate(deps), async (req, res) => {
    const bearer = /^Bearer (\S+)$/.exec(req.header('authorization') ?? '')?.[1];
    const token = bearer ?? (req.cookies as Record<string, string>)[SESSION_COOKIE];
    if (token) await deps.db.deleteFrom('sessions').where('tokenDigest', '=', digest(token)).execute();
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.json({ ok: true });
  });

  router.get('/me', authenticate(deps), (req, res) => {
    res.json(req.principal);
  });

  return router;
}
