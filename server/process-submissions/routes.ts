/**
 * `/api/process-submissions`: deploying a model version with a second person's approval.
 *
 * - `POST /` (process designers): the `.bpmn` file as the body (`Content-Type: application/xml`,
 *   its bytes as saved: the SHA-256 is the file's), `?effectiveFrom=YYYY-MM-DD` the model's own
 *   `lltp:effectiveFrom`. 201 with the submission; 400/413/422 naming the field, 409 naming the
 *   version it collides with.
 * - `GET /` (designers, leaders, administrators): the submissions, newest first, without the XML;
 *   `GET /<id>/xml`: the file as submitted.
 * - `POST /<id>/approve` (leaders, never the submitter: 403): deploys it; again: the same answer.
 * - `POST /<id>/reject` (leaders, never the submitter) `{"reason": "…"}`.
 */
import express, { Router, type ErrorRequestHandler, type Response } from 'express';
import { isUtf8 } from 'node:buffer';
import { z } from 'zod';
import { authenticate, requireRole } from '../auth/middleware';
import type { AuthDeps } from '../auth/models';
import { noStore } from '../api/no-store';
import { checkParam, IDS } from '../api/ids';
import { nfcText } from '../api/text';
import { SubmissionRefusal } from './rules';
import { approveVersion, listSubmissions, rejectVersion, submitVersion, type SubmissionDeps } from './submissions';
import { receiptDate } from '../sla/catalog';

/** The most bytes a model file may have (the national models are about 85 KB). */
export const MAX_MODEL_BYTES = 1024 * 1024;
const MODEL_TYPES = ['application/xml', 'text/xml', 'application/octet-stream', 'application/bpmn+xml'];

const validDate = (s: string): boolean => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);
const submitQuery = z.object({
  effectiveFrom: z
    .string({ error: 'cần ngày hiệu lực dạng YYYY-MM-DD (tham số effectiveFrom)' })
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'cần ngày hiệu lực dạng YYYY-MM-DD')
    .refine(validDate, 'không phải ngày có thật'),
});
const rejectBody = z.object({
  // free text (no control characters, well-formed, not blank), saying at least a few words
  reason: nfcText(1000, 'cần lý do từ chối').refine((v) => v.length >= 5, 'lý do từ chối cần ít nhất 5 ký tự'),
});

function refused(res: Response, error: SubmissionRefusal): void {
  res.status(error.status).json({ error: error.message, ...(error.parameter ? { parameter: error.parameter } : {}), ...error.extra });
}

function invalid(res: Response, issues: readonly { path: PropertyKey[]; message: string }[], fallback: string): void {
  const issue = issues[0]!;
  const parameter = String(issue.path[0] ?? fallback);
  res.status(400).json({ error: `${parameter}: ${issue.message}`, parameter });
}

/** The body of a submission: express.raw within MAX_MODEL_BYTES; too large is 413 naming `xml`. */
const modelBody = express.raw({ type: MODEL_TYPES, limit: MAX_MODEL_BYTES });
const tooLarge: ErrorRequestHandler = (error: unknown, _req, res, next) => {
  if ((error as { type?: string }).type !== 'entity.too.large') return next(error);
  res.status(413).json({ error: `xml: tệp mô hình quá lớn (tối đa ${MAX_MODEL_BYTES / 1024} KB).`, parameter: 'xml' });
};

export function processSubmissionRoutes(deps: { submissions: SubmissionDeps; auth: AuthDeps }): Router {
  const router = Router();
  router.param('id', checkParam(IDS.submissionId));
  router.use(noStore, authenticate(deps.auth));
  const staffName = (res: Response): string => {
    const p = res.req.principal;
    return p?.kind === 'staff' ? p.username : '';
  };
  const answer = (handler: (req: express.Request, res: Response) => Promise<void>): express.RequestHandler => async (req, res) => {
    try {
      await handler(req, res);
    } catch (error) {
      if (!(error instanceof SubmissionRefusal)) throw error;
      refused(res, error);
    }
  };

  router.get('/', requireRole('processDesigner', 'leader', 'administrator'), async (_req, res) => {
    res.json({ today: receiptDate(deps.submissions.now()), submissions: await listSubmissions(deps.submissions.db) });
  });

  router.get('/:id/xml', requireRole('processDesigner', 'leader', 'administrator'), async (req, res) => {
    const row = await deps.submissions.db.selectFrom('processSubmissions').select(['xml', 'resourceName']).where('id', '=', Number(req.params.id)).executeTakeFirst();
    if (!row) {
      res.status(404).json({ error: `id: không có đề nghị triển khai số ${String(req.params.id)}.`, parameter: 'id' });
      return;
    }
    res.type('application/xml').set('Content-Disposition', `attachment; filename="${row.resourceName}"`).send(row.xml);
  });

  router.post(
    '/',
    requireRole('processDesigner'),
    modelBody,
    tooLarge,
    answer(async (req, res) => {
      const query = submitQuery.safeParse(req.query);
      if (!query.success) return invalid(res, query.error.issues, 'effectiveFrom');
      const bytes: unknown = req.body;
      if (!Buffer.isBuffer(bytes) || bytes.length === 0) {
        res.status(400).json({ error: 'xml: gửi nội dung tệp .bpmn làm thân yêu cầu (Content-Type: application/xml).', parameter: 'xml' });
        return;
      }
      if (!isUtf8(bytes)) {
        res.status(400).json({ error: 'xml: tệp mô hình phải mã hóa UTF-8 (như Camunda Modeler lưu).', parameter: 'xml' });
        return;
      }
      const submission = await submitVersion(deps.submissions, { bytes, effectiveFrom: query.data.effectiveFrom, actor: staffName(res) });
      res.status(201).json({ submission });
    }),
  );

  router.post(
    '/:id/approve',
    requireRole('leader'),
    answer(async (req, res) => {
      const result = await approveVersion(deps.submissions, { id: Number(req.params.id), actor: staffName(res) });
      res.json(result);
    }),
  );

  router.post(
    '/:id/reject',
    requireRole('leader'),
    answer(async (req, res) => {
      const body = rejectBody.safeParse(req.body ?? {});
      if (!body.success) return invalid(res, body.error.issues, 'reason');
      res.json({ submission: await rejectVersion(deps.submissions, { id: Number(req.params.id), actor: staffName(res), reason: body.data.reason }) });
    }),
  );
  return router;
}
