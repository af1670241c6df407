/** Task inbox API: list, claim, release, complete. Staff only; role and unit checked per task. */
import { Router, type Response } from 'express';
import { authenticate } from '../auth/middleware';
import type { AuthDeps } from '../auth/models';
import { claimTask, completeTask, InboxError, listTasks, releaseTask, type InboxDeps } from './inbox';

function fail(res: Response, error: unknown): void {
  if (error instanceof InboxError) res.status(error.status).json({ error: error.message });
  else throw error;
}

export function inboxRoutes(deps: { inbox: InboxDeps; auth: AuthDeps }): Router {
  const router = Router();
  router.use(authenticate(deps.auth));
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
      const body = req.body as { data?: unknown; lateReason?: unknown } | undefined;
      res.json(await completeTask(deps.inbox, req.principal, req.params.id, body?.data, body?.lateReason));
    } catch (error) {
      fail(res, error);
    }
  });
  return router;
}
