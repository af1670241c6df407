/**
 * `POST /api/handovers` (administrators only): the same handover as `lltp handover`, the acting
 * user being the logged-in administrator. Body `{ from, to, on, dryRun? }`; answers the report
 * (200), or 400 naming the field.
 */
import { Router } from 'express';
import { z } from 'zod';
import { authenticate, requireRole } from '../auth/middleware';
import type { AuthDeps } from '../auth/models';
import { noStore } from '../api/no-store';
import { HandoverInputError, handOver, type HandoverDeps } from './handover';

/** An agency code as processes/agencies.json writes them (the answer never echoes more than that). */
const agencyCode = (what: string) => z.string({ error: `cần mã cơ quan ${what}` }).regex(/^[A-Z0-9.]{1,30}$/, `cần mã cơ quan ${what} (chữ in hoa, số, dấu chấm)`);
const body = z.object({
  from: agencyCode('giao'),
  to: agencyCode('nhận'),
  on: z.string({ error: 'cần ngày dạng YYYY-MM-DD' }).regex(/^\d{4}-\d{2}-\d{2}$/, 'cần ngày dạng YYYY-MM-DD'),
  dryRun: z.boolean({ error: 'chỉ nhận true hoặc false' }).default(false),
});

export function handoverRoutes(deps: { handover: HandoverDeps; auth: AuthDeps }): Router {
  const router = Router();
  router.use(noStore, authenticate(deps.auth), requireRole('administrator'));
  router.post('/', async (req, res) => {
    const principal = req.principal;
    if (principal?.kind !== 'staff') return;
    const parsed = body.safeParse(req.body ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const parameter = String(issue.path[0] ?? 'body');
      res.status(400).json({ error: `${parameter}: ${issue.message}`, parameter });
      return;
    }
    try {
      res.json(await handOver(deps.handover, { ...parsed.data, actor: principal.username }));
    } catch (error) {
      if (!(error instanceof HandoverInputError)) throw error;
      res.status(400).json({ error: error.message, parameter: error.parameter });
    }
  });
  return router;
}
