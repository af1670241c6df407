/**
 * Operations of the SLA monitor over the API:
 * - `GET /api/monitor/status` (administrators, supervisors, leaders, inspectors, heads of
 *   division): the last run of each kind (when, how long, counts by status), the lease holder,
 *   the alert deliveries by status;
 * - `POST /api/monitor/run` (administrators) `{ "kind": "tick" | "daily" | "weekly" }`: a "run
 *   now" request that the replica holding the lease serves within MONITOR_REQUEST_POLL_MS;
 *   answers 202 with the request id;
 * - `GET /metrics` (Prometheus text; `Authorization: Bearer <METRICS_TOKEN>` or an
 *   administrator's session): alert e-mails by delivery status, open late dossiers, the last
 *   tick's duration and time. Read from the database, so every API replica answers the same.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import { sql } from 'kysely';
import { Gauge, Registry } from 'prom-client';
import { z } from 'zod';
import { authenticate, requireRole } from '../auth/middleware';
import type { AuthDeps } from '../auth/models';
import type { Db } from '../db';
import { currentLease } from './lease';
import { DELIVERY_STATUSES, type MonitorRun } from './model';
import { LEASE_NAME } from './monitor';

interface Deps {
  db: Db;
  auth: AuthDeps;
  metricsToken: string;
}

async function lastRun(db: Db, kind: MonitorRun['kind']): Promise<MonitorRun | null> {
  const run = await db.selectFrom('monitorRuns').selectAll().where('kind', '=', kind).where('finishedAt', 'is not', null).orderBy('startedAt', 'desc').limit(1).executeTakeFirst();
  return run ? ({ ...run, counts: run.counts as unknown as MonitorRun['counts'] }) : null;
}

async function lastRuns(db: Db): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const kind of ['tick', 'daily', 'weekly', 'monthly'] as const) {
    const run = await lastRun(db, kind);
    out[kind] = run ? { id: run.id, at: run.at, startedAt: run.startedAt, durationMs: run.durationMs, holder: run.holder, counts: run.counts, outsideWorkingTime: run.outsideWorkingTime, error: run.error } : null;
  }
  return out;
}

async function deliveries(db: Db): Promise<Record<string, number>> {
  const rows = await db.selectFrom('alerts').select(['deliveryStatus', sql<number>`count(*)`.as('n')]).groupBy('deliveryStatus').execute();
  const counts = new Map(rows.map((r) => [r.deliveryStatus, Number(r.n)]));
  return Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, counts.get(s) ?? 0]));
}

const runRequest = z.object({ kind: z.enum(['tick', 'daily', 'weekly', 'monthly']).default('tick') }).strict();

export function monitorRoutes(deps: Deps): Router {
  const router = Router();
  router.use(authenticate(deps.auth));
  router.get('/status', requireRole('administrator', 'supervisor', 'leader', 'inspector', 'headOfDivision'), async (_req, res) => {
    const lease = await currentLease(deps.db, LEASE_NAME);
    const now = deps.auth.now();
    const pending = await deps.db.selectFrom('monitorRequests').select(sql<number>`count(*)`.as('n')).where('takenBy', 'is', null).executeTakeFirstOrThrow();
    res.json({
      lastRuns: await lastRuns(deps.db),
      lease: { holder: lease.holder, until: lease.until, active: Boolean(lease.until && lease.until.getTime() >= now.getTime()) },
      deliveries: await deliveries(deps.db),
      pendingRequests: Number(pending.n),
    });
  });
  router.post('/run', requireRole('administrator'), async (req, res) => {
    const parsed = runRequest.safeParse(req.body ?? {});
    if (!parsed.success) {
      res.status(400).json({ error: `Yêu cầu không hợp lệ: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}` });
      return;
    }
    const principal = req.principal as { username: string };
    const request = { id: randomUUID(), kind: parsed.data.kind, requestedBy: principal.username, requestedAt: deps.auth.now(), takenBy: null, runId: null };
    await deps.db.insertInto('monitorRequests').values(request).execute();
    res.status(202).json({ requestId: request.id, kind: request.kind, message: 'Đã ghi nhận yêu cầu chạy giám sát; bản chạy sẽ bắt đầu trong vài giây.' });
  });
  return router;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

export function metricsRoute(deps: Deps): RequestHandler {
  const registry = new Registry();
  const mails = new Gauge({ name: 'lltp_alert_mails', help: 'Alert e-mails by delivery status (sent, pending, failed, noRecipient).', labelNames: ['status'], registers: [registry] });
  const failedAttempts = new Gauge({ name: 'lltp_alert_mail_failed_attempts', help: 'Delivery attempts the SMTP server did not accept (all alerts).', registers: [registry] });
  const openLate = new Gauge({ name: 'lltp_open_late_dossiers', help: 'Open dossiers past their due time at the last monitor tick.', registers: [registry] });
  const tickSeconds = new Gauge({ name: 'lltp_monitor_tick_duration_seconds', help: 'Duration of the last monitor tick.', registers: [registry] });
  const tickAt = new Gauge({ name: 'lltp_monitor_last_tick_timestamp_seconds', help: 'When the last monitor tick finished (Unix time).', registers: [registry] });
  const collect = async (): Promise<void> => {
    for (const [status, n] of Object.entries(await deliveries(deps.db))) mails.set({ status }, n);
    const failed = await deps.db.selectFrom('alertSends').select(sql<number>`count(*)`.as('n')).where('outcome', '=', 'failed').executeTakeFirstOrThrow();
    failedAttempts.set(Number(failed.n));
    const tick = await lastRun(deps.db, 'tick');
    openLate.set(tick?.counts.openLateDossiers ?? 0);
    tickSeconds.set((tick?.durationMs ?? 0) / 1000);
    tickAt.set(tick?.finishedAt ? tick.finishedAt.getTime() / 1000 : 0);
  };
  const serve: RequestHandler = (_req, res, next) => {
    collect()
      .then(async () => {
        res.type(registry.contentType).send(await registry.metrics());
      })
      .catch(next);
  };
  const authenticated = authenticate(deps.auth);
  const administrator = requireRole('administrator');
  return (req, res, next) => {
    const bearer = /^Bearer (\S+)$/.exec(req.header('authorization') ?? '')?.[1];
    if (deps.metricsToken && bearer && timingSafeEqual(digest(bearer), digest(deps.metricsToken))) {
      serve(req, res, next);
      return;
    }
    authenticated(req, res, (error?: unknown) => {
      if (error) return next(error);
      administrator(req, res, (denied?: unknown) => (denied ? next(denied) : serve(req, res, next)));
    });
  };
}
