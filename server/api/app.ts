/**
 * The HTTP API. Health endpoints are the only ones open without authentication:
 * `/healthz` says the process is alive, `/readyz` says whether Zeebe, the database and SMTP
 * answer (up or down, nothing more; the errors and addresses are at `/readyz/details`, for
 * administrators, and in the log); both are rate-limited per client address.
 * Everything under `/api` (except log-in) needs a staff session or a partner key.
 */
import cookieParser from 'cookie-parser';
import express, { type ErrorRequestHandler, type Express, type Router } from 'express';
import helmet from 'helmet';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from '../logger';
import type { ComponentCheck } from '../health';
import { authenticate, requireRole } from '../auth/middleware';
import { authRoutes } from '../auth/routes';
import type { TrustProxy } from '../config';
import type { AuthDeps } from '../auth/models';
import type { LoginPolicy } from '../auth/throttle';
import { constraintAnswer, DatabaseBusyError } from '../db';
import { OutageLog, RETRY_AFTER_SECONDS, unavailableMessage } from '../outage';
import { BodyRefusedError, jsonBody, nfcQuery } from './json-body';

export interface ApiDeps {
  /** The readiness of the components, asked through the process's own clients (`processReadiness`). */
  checkStack: () => Promise<ComponentCheck[]>;
  trustProxy: TrustProxy;
  /** Calls of /healthz, /readyz and /readyz/details a client address may make per minute (default 120). */
  healthCallsPerMinute?: number;
  logger: Logger;
  auth: AuthDeps & { sessionHours: number; secureCookies: boolean; loginPolicy?: LoginPolicy };
  /** Feature routers mounted under /api, each doing its own authentication and role checks. */
  routers?: readonly { path: string; router: Router }[];
  /** The process's outage log, shared with the routes and workers that meet outages themselves. */
  outages?: OutageLog;
}

/** Answers to body-parser's errors (by `type`) that a caller can act on. */
const KNOWN_REQUEST_ERRORS: Record<string, string> = {
  'encoding.unsupported': 'Content-Encoding: chỉ nhận nội dung không nén hoặc nén gzip, deflate, br.',
  'request.aborted': 'Yêu cầu bị ngắt trước khi gửi hết nội dung.',
  'request.size.invalid': 'Content-Length không khớp với độ dài nội dung gửi lên.',
};

/** A fixed one-minute window per client address; past `limit` calls: 429 with Retry-After. */
function perMinuteLimit(limit: number): express.RequestHandler {
  const MAX_ADDRESSES = 10_000;
  let windowStart = 0;
  const calls = new Map<string, number>();
  return (req, res, next) => {
    const now = Date.now();
    if (now - windowStart >= 60_000) {
      windowStart = now;
      calls.clear();
    }
    const key = req.ip ?? 'unknown';
    const n = (calls.get(key) ?? (calls.size >= MAX_ADDRESSES ? limit : 0)) + 1;
    calls.set(key, n);
    if (n <= limit) {
      next();
      return;
    }
    const seconds = Math.max(1, Math.ceil((windowStart + 60_000 - now) / 1000));
    res.status(429).set('Retry-After', String(seconds)).json({ error: `Quá ${limit} lần hỏi tình trạng hệ thống trong một phút từ địa chỉ này: thử lại sau ${seconds} giây.` });
  };
}

export function createApp(deps: ApiDeps): Express {
  const app = express();
  // Outages are logged once per component per window, not once per request.
  const outages = deps.outages ?? new OutageLog(deps.logger);
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy);
  app.set('query parser', nfcQuery);
  // Security headers (helmet): no inline script runs unless it carries this response's nonce
  // (the pages' own scripts get it when rendered: server/pages/routes.ts); no framing; nosniff;
  // no referrer. The same for styles: a style element needs the nonce, and no style attribute
  // in markup is applied (the pages and the libraries set positions through the style object).
  app.use((_req, res, next) => {
    res.locals.cspNonce = randomBytes(16).toString('base64');
    next();
  });
  const nonce = (_req: unknown, res: unknown): string => `'nonce-${String((res as express.Response).locals.cspNonce)}'`;
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'", nonce],
          styleSrc: ["'self'", nonce],
          imgSrc: ["'self'", 'data:'],
          frameAncestors: ["'none'"],
          formAction: ["'self'"],
          baseUri: ["'none'"],
          objectSrc: ["'none'"],
        },
      },
      referrerPolicy: { policy: 'no-referrer' },
    }),
  );
  app.use(jsonBody('256kb'));
  app.use(cookieParser());

  const healthLimit = perMinuteLimit(deps.healthCallsPerMinute ?? 120);
  app.get('/healthz', healthLimit, (_req, res) => {
    res.json({ status: 'ok' });
  });

  // anonymous callers learn up or down per component; the driver's messages (which name the
  // database user, host, port and name) and the addresses only administrators, and the log
  app.get('/readyz', healthLimit, async (_req, res) => {
    const checks = await deps.checkStack();
    const ready = checks.every((c) => c.ok);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', components: checks.map((c) => ({ component: c.component, ok: c.ok })) });
  });

  app.get('/readyz/details', healthLimit, authenticate(deps.auth), requireRole('administrator'), async (_req, res) => {
    const checks = await deps.checkStack();
    const ready = checks.every((c) => c.ok);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', components: checks });
  });

  app.use('/api/auth', authRoutes(deps.auth));
  for (const { path, router } of deps.routers ?? []) app.use(path, router);

  app.use((_req, res) => {
    res.status(404).json({ error: 'Không tìm thấy địa chỉ này.' });
  });

  const onError: ErrorRequestHandler = (error: unknown, req, res, _next) => {
    const status = (error as { status?: number }).status;
    if (error instanceof BodyRefusedError) {
      res.status(error.status).json({ error: error.message });
      return;
    }
    if ((error as { type?: string }).type === 'entity.parse.failed') {
      res.status(400).json({ error: 'Nội dung gửi lên không phải JSON hợp lệ.' });
      return;
    }
    if ((error as { type?: string }).type === 'entity.too.large') {
      res.status(413).json({ error: 'Nội dung gửi lên quá lớn.' });
      return;
    }
    if (error instanceof URIError) {
      res.status(400).json({ error: 'Địa chỉ (URL) có mã phần trăm (%) không hợp lệ.' });
      return;
    }
    const known = KNOWN_REQUEST_ERRORS[(error as { type?: string }).type ?? ''];
    if (status !== undefined && status >= 400 && status < 500) {
      res.status(status).json({ error: known ?? 'Yêu cầu không hợp lệ.' });
      return;
    }
    const refused = constraintAnswer(error);
    if (refused) {
      res.status(refused.status).json({ error: refused.message, ...(refused.field ? { field: refused.field } : {}) });
      return;
    }
    if (error instanceof DatabaseBusyError) {
      res.status(503).setHeader('retry-after', String(RETRY_AFTER_SECONDS)).json({ error: 'Hệ thống đang bận (mọi kết nối cơ sở dữ liệu đang được dùng); không có gì bị mất, vui lòng gửi lại yêu cầu sau ít giây.', component: 'postgres' });
      return;
    }
    const down = outages.record(error);
    if (down) {
      res.status(503).setHeader('retry-after', String(RETRY_AFTER_SECONDS)).json({ error: unavailableMessage(down), component: down });
      return;
    }
    const errorId = randomUUID();
    deps.logger.error({ err: error, errorId, method: req.method, path: req.path }, 'request failed');
    res.status(500).json({ error: `Lỗi hệ thống, mã lỗi ${errorId}. Vui lòng thử lại hoặc báo quản trị.` });
  };
  app.use(onError);
  return app;
}
