/**
 * The HTTP API. Health endpoints are the only ones open without authentication:
 * `/healthz` says the process is alive, `/readyz` checks Zeebe, the database and SMTP.
 * Everything under `/api` (except log-in) needs a staff session or a partner key.
 */
import cookieParser from 'cookie-parser';
import express, { type ErrorRequestHandler, type Express, type Router } from 'express';
import helmet from 'helmet';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from '../logger';
import type { ComponentCheck } from '../health';
import { authRoutes } from '../auth/routes';
import type { AuthDeps } from '../auth/models';
import type { LoginPolicy } from '../auth/throttle';
import { constraintAnswer, DatabaseBusyError } from '../db';
import { OutageLog, RETRY_AFTER_SECONDS, unavailableMessage } from '../outage';
import { BodyRefusedError, jsonBody, nfcQuery } from './json-body';

export interface ApiDeps {
  checkStack: () => Promise<ComponentCheck[]>;
  trustProxy: boolean;
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

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    const checks = await deps.checkStack();
    const ready = checks.every((c) => c.ok);
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not ready',
      components: checks.map((c) => ({ component: c.component, ok: c.ok, ...(c.ok ? {} : { detail: c.detail }) })),
    });
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
