/**
 * Who is calling. Integration partners send `X-Partner-Id` and `X-Api-Key`; staff send the
 * token from `POST /api/auth/login` as `Authorization: Bearer …` or the `lltp_session` cookie
 * (pages). Every endpoint except the health checks goes through `authenticate`.
 *
 * Cross-site request forgery: a browser sends the cookie with any request, even one another
 * site made it send; so a state-changing request (anything but GET, HEAD, OPTIONS)
 * authenticated by the cookie must come from the app's own pages: its `Origin` is the app's
 * origin (or, without `Origin`, `Sec-Fetch-Site: same-origin`), else 403. Bearer tokens and
 * partner keys are not sent by browsers on their own and are unaffected.
 */
import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { digest, type AuthDeps } from './models';
import type { Role } from './roles';

export type Principal =
  | { kind: 'staff'; username: string; displayName: string; roles: Role[]; unitId: string }
  | { kind: 'partner'; partnerId: string; scopes: string[] };

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

export const SESSION_COOKIE = 'lltp_session';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The request comes from a page of this app (its own origin). */
export function fromOwnPages(req: Request): boolean {
  const origin = req.header('origin');
  if (origin !== undefined) return origin === `${req.protocol}://${req.get('host') ?? ''}`;
  return req.header('sec-fetch-site') === 'same-origin';
}

/**
 * The request was sent by a browser: browsers add `Sec-Fetch-Site` to every request (and `Origin`
 * to every POST a page's script or form sends); API clients (curl, the partners' systems, the
 * tools) send neither.
 */
export function fromBrowser(req: Request): boolean {
  return req.header('sec-fetch-site') !== undefined || req.header('origin') !== undefined;
}

const sameDigest = (a: string, b: string): boolean => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

function deny(res: Response, status: 401 | 403, error: string): void {
  res.status(status).json({ error });
}

export function authenticate(deps: AuthDeps): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    void (async () => {
      const partnerId = req.header('x-partner-id');
      const apiKey = req.header('x-api-key');
      if (partnerId !== undefined || apiKey !== undefined) {
        const partner =
          partnerId && apiKey
            ? await deps.db.selectFrom('partners').select(['partnerId', 'keyDigest', 'scopes']).where('partnerId', '=', partnerId).where('active', '=', true).executeTakeFirst()
            : undefined;
        if (!partner || !apiKey || !sameDigest(partner.keyDigest, digest(apiKey))) {
          deny(res, 401, 'Mã đối tác hoặc khóa API không đúng (X-Partner-Id, X-Api-Key).');
          return;
        }
        req.principal = { kind: 'partner', partnerId: partner.partnerId, scopes: partner.scopes };
        next();
        return;
      }
      const bearer = /^Bearer (\S+)$/.exec(req.header('authorization') ?? '')?.[1];
      const cookies = req.cookies as Record<string, string> | undefined;
      const token = bearer ?? cookies?.[SESSION_COOKIE];
      if (!token) {
        deny(res, 401, 'Cần đăng nhập: gửi Authorization: Bearer <token> hoặc khóa API của đối tác.');
        return;
      }
      if (!bearer && !SAFE_METHODS.has(req.method) && !fromOwnPages(req)) {
        deny(res, 403, 'Origin: yêu cầu thay đổi dữ liệu bằng phiên đăng nhập (cookie) phải gửi từ chính trang của hệ thống.');
        return;
      }
      const user = await deps.db
        .selectFrom('sessions')
        .innerJoin('users', 'users.username', 'sessions.username')
        .select(['users.username', 'users.displayName', 'users.roles', 'users.unitId'])
        .where('sessions.tokenDigest', '=', digest(token))
        .where('sessions.expiresAt', '>', deps.now())
        .where('users.active', '=', true)
        .executeTakeFirst();
      if (!user) {
        deny(res, 401, 'Phiên đăng nhập không hợp lệ hoặc đã hết hạn: hãy đăng nhập lại.');
        return;
      }
      req.principal = { kind: 'staff', username: user.username, displayName: user.displayName, roles: user.roles as Role[], unitId: user.unitId };
      next();
    })().catch(next);
  };
}

/** Any signed-in staff member (partner keys work only on partner routes). */
export function requireStaff(): RequestHandler {
  return (req, res, next) => {
    if (req.principal?.kind === 'staff') next();
    else deny(res, 403, 'Chức năng này dành cho cán bộ đăng nhập; khóa API của đối tác chỉ dùng cho các địa chỉ dành cho đối tác.');
  };
}

/** Staff with at least one of `roles`. */
export function requireRole(...roles: Role[]): RequestHandler {
  return (req, res, next) => {
    const p = req.principal;
    if (p?.kind === 'staff' && roles.some((r) => p.roles.includes(r))) next();
    else deny(res, 403, `Chức năng này dành cho: ${roles.join(', ')}.`);
  };
}

/** An integration partner holding `scope`. */
export function requireScope(scope: string): RequestHandler {
  return (req, res, next) => {
    const p = req.principal;
    if (p?.kind === 'partner' && p.scopes.includes(scope)) next();
    else deny(res, 403, `Chức năng này dành cho hệ thống đối tác có quyền "${scope}".`);
  };
}
