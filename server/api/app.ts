/**
 * The HTTP API. Health endpoints are the only ones open without authentication:
 * `/healthz` says the process is alive, `/readyz` checks Zeebe, the database and SMTP.
 */
import express, { type Express } from 'express';
import type { ComponentCheck } from '../health';

export interface ApiDeps {
  checkStack: () => Promise<ComponentCheck[]>;
  trustProxy: boolean;
}

export function createApp(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy);

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

  app.use((_req, res) => {
    res.status(404).json({ error: 'Không tìm thấy địa chỉ này.' });
  });
  return app;
}
