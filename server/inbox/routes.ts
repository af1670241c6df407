/** Task inbox API: list, claim, release, complete. Staff only; role and unit checked per task. */
import { Router, type Response } from 'express';
import { authenticate } from '../auth/middleware';
import type { AuthDeps } from '../auth/models';
import { noStore } from '../api/no-store';
import { checkParam, IDS } from '../api/ids';
import { claimTask, completeTask, InboxError, listTasks, releaseTask, type InboxDeps } from './inbox';

function fail(res: Response, error: unknown): void {
  if (error instanceof InboxError) res.status(error.status).json({ error: error.message });
  else throw error;
}

export function inboxRoutes(deps: { inbox: InboxDeps; auth: AuthDeps }): Router {
  const router = Router();
  router.use(noStore, authenticate(deps.auth));
  router.param('id', checkParam(IDS.taskId));
  router.get('/', async (req, res) => {
    try {
      res.json({ tasks: await listTasks(deps.inbox, req.principal) });
    } catch (error) {
      fail(res, error);
    }
  });
  router.post('/:id/claim', async (req, res) => {
    try {
      res.json(await claimTask(deps.inbox, req.principal, req.params.id));
    } catch (error) {
      fail(res, error);
    }
  });
  router.post('/:id/release', async (req, res) => {
    try {
      res.json(await releaseTask(deps.inbox, req.principal, req.params.id));
    } catch (error) {
      fail(res, error);
    }
  });
  router.post('/:id/complete', async (req, res) => {
    try {
      const body: unknown = req.body;
      const { data, lateReason } = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as { data?: unknown; lateReason?: unknown }) : {};
      res.json(await completeTask(deps.inbox, req.principal, req.params.id, data, lateReason));
    } catch (error) {
      fail(res, error);
    }
  });
  return router;
}
