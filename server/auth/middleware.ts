/**
 * Who is calling. Integration partners sign each request (`X-Partner-Id`, `X-LLTP-Timestamp`,
 * `X-LLTP-Signature`: server/auth/partner-signature.ts); staff send the
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
import type { ActivePartner } from './partner-cache';
import { partnerSignature, SIGNATURE_HEADERS, SIGNATURE_WINDOW_MS } from './partner-signature';
import type { Role } from './roles';
import type { StaffSession } from './session-cache';

export type Principal =
  | { kind: 'staff'; username: string; displayName: string; roles: Role[]; unitId: string }
  | { kind: 'partner'; partnerId: string; scopes: string[]; agencyCode: string | null };

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
    /** The JSON body's bytes as received (server/api/json-body.ts): what a partner signed. */
    rawBody?: Buffer;
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

function deny(res: Response, status: 401 | 403, error: string): void {
  res.status(status).json({ error });
}

const HEX_SIGNATURE = /^[0-9a-f]{64}$/;
/** Most bytes of a body that is not JSON read to check its signature (a JSON body is read by express.json, within its limit). */
const OTHER_BODY_LIMIT = 256 * 1024;

/** The body's bytes as received: kept by express.json for JSON; read here for any other type (no route reads it); null past the limit. */
async function bodyBytes(req: Request): Promise<Buffer | null> {
  if (req.rawBody) return req.rawBody;
  if (!req.readable || (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined)) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > OTHER_BODY_LIMIT) return null;
    chunks.push(chunk);
  }
  req.rawBody = Buffer.concat(chunks);
  return req.rawBody;
}

/** The active partner `partnerId` as the database has it now (remembered for PARTNER_CACHE_MS), or undefined. */
async function activePartner(deps: AuthDeps, partnerId: string): Promise<ActivePartner | undefined> {
  const row = await deps.db
    .selectFrom('partners')
    .select(['partnerId', 'signingSecret', 'scopes', 'agencyCode'])
    .where('partnerId', '=', partnerId)
    .where('active', '=', true)
    .executeTakeFirst();
  if (!row?.signingSecret) {
    deps.partners?.forget(partnerId);
    return undefined;
  }
  const partner = { ...row, signingSecret: row.signingSecret };
  deps.partners?.remember(partner);
  return partner;
}

/** The partner that signed this request, or why it is refused (the 401's message). */
async function signedPartner(deps: AuthDeps, req: Request): Promise<Extract<Principal, { kind: 'partner' }> | string> {
  const partnerId = req.header(SIGNATURE_HEADERS.partnerId);
  const timestamp = req.header(SIGNATURE_HEADERS.timestamp);
  const signature = req.header(SIGNATURE_HEADERS.signature)?.toLowerCase();
  if (!partnerId || !timestamp || !signature) {
    return req.header('x-api-key') !== undefined && !signature
      ? 'X-Api-Key không còn được chấp nhận: đối tác phải ký yêu cầu (X-Partner-Id, X-LLTP-Timestamp, X-LLTP-Signature: HMAC-SHA256, xem README).'
      : 'Yêu cầu của đối tác phải có đủ X-Partner-Id, X-LLTP-Timestamp và X-LLTP-Signature (HMAC-SHA256, xem README).';
  }
  if (!/^\d{1,16}$/.test(timestamp)) return 'X-LLTP-Timestamp phải là thời điểm gửi, tính bằng mili giây từ 1970-01-01T00:00:00Z.';
  const now = deps.now();
  if (Math.abs(now.getTime() - Number(timestamp)) > SIGNATURE_WINDOW_MS) {
    return `X-LLTP-Timestamp lệch quá ${SIGNATURE_WINDOW_MS / 60000} phút so với đồng hồ của hệ thống (${now.toISOString()}): ký lại yêu cầu với thời điểm gửi.`;
  }
  if (!HEX_SIGNATURE.test(signature)) return 'X-LLTP-Signature phải là 64 chữ số hex (HMAC-SHA256).';
  const body = await bodyBytes(req);
  if (!body) return `Nội dung gửi lên quá lớn để kiểm tra chữ ký (tối đa ${OTHER_BODY_LIMIT / 1024} KB).`;
  const signs = (partner: ActivePartner | undefined): partner is ActivePartner => {
    const expected = partnerSignature(partner?.signingSecret ?? 'no partner', timestamp, req.method, req.originalUrl, body);
    return timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(signature, 'hex')) && partner !== undefined;
  };
  let partner = deps.partners?.get(partnerId);
  // not remembered, or remembered with another secret (replaced since): the row as it is now
  if (!signs(partner)) partner = await activePartner(deps, partnerId);
  if (!signs(partner)) {
    return 'Chữ ký X-LLTP-Signature không đúng (HMAC-SHA256 của thời điểm, phương thức, đường dẫn và nội dung bằng khóa bí mật của đối tác), hoặc X-Partner-Id không phải đối tác đang hoạt động.';
  }
  const fresh = await deps.db
    .insertInto('partnerSignatures')
    .values({ partnerId, signature, seenAt: now })
    .onConflict((oc) => oc.columns(['partnerId', 'signature']).doNothing())
    .returning('signature')
    .executeTakeFirst();
  if (!fresh) return 'Yêu cầu này đã được nhận (chữ ký đã dùng): mỗi yêu cầu gửi lại phải ký với thời điểm X-LLTP-Timestamp mới.';
  // About one request in 256 (its signature starts with 00) also forgets the signatures seen
  // before the window: older ones are refused by their timestamp anyway.
  if (signature.startsWith('00')) await deps.db.deleteFrom('partnerSignatures').where('seenAt', '<', new Date(now.getTime() - 2 * SIGNATURE_WINDOW_MS)).execute();
  return { kind: 'partner', partnerId: partner.partnerId, scopes: partner.scopes, agencyCode: partner.agencyCode };
}

/** The live session of a token digest and its active user: from the process's short cache (deps.sessions), else the database. */
async function staffSession(deps: AuthDeps, tokenDigest: string): Promise<StaffSession | undefined> {
  const now = deps.now();
  const cached = deps.sessions?.get(tokenDigest, now);
  if (cached) return cached;
  const row = await deps.db
    .selectFrom('sessions')
    .innerJoin('users', 'users.username', 'sessions.username')
    .select(['users.username', 'users.displayName', 'users.roles', 'users.unitId', 'sessions.expiresAt'])
    .where('sessions.tokenDigest', '=', tokenDigest)
    .where('sessions.expiresAt', '>', now)
    .where('users.active', '=', true)
    .executeTakeFirst();
  if (!row) return undefined;
  const session: StaffSession = { ...row, roles: row.roles as Role[] };
  deps.sessions?.remember(tokenDigest, session);
  return session;
}

export function authenticate(deps: AuthDeps): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    // authenticated already by another router on the way (a partner's signature is accepted once: a second check would see a replay)
    if (req.principal) {
      next();
      return;
    }
    void (async () => {
      if (['x-partner-id', 'x-api-key', SIGNATURE_HEADERS.timestamp, SIGNATURE_HEADERS.signature].some((h) => req.header(h) !== undefined)) {
        const partner = await signedPartner(deps, req);
        if (typeof partner === 'string') {
          deny(res, 401, partner);
          return;
        }
        req.principal = partner;
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
      const user = await staffSession(deps, digest(token));
      if (!user) {
        deny(res, 401, 'Phiên đăng nhập không hợp lệ hoặc đã hết hạn: hãy đăng nhập lại.');
        return;
      }
      req.principal = { kind: 'staff', username: user.username, displayName: user.displayName, roles: user.roles, unitId: user.unitId };
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
