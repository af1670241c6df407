/**
 * For the routers whose bad input is an `InspectionInputError` (inspection, reports, dashboard):
 * a handler wrapper that answers it 400 with the message and the parameter, a list too large for
 * its file format 413 (the cap and the count), an export beyond the running ones allowed 429 with
 * Retry-After (server/inspection/limits.ts); anything else goes to the app's error handler.
 * Also what those routers share: the staff member asking, and a written export as the answer.
 */
import type { Request, Response } from 'express';
import type { WrittenExport } from './export/model';
import type { Actor } from './service';
import { InspectionInputError } from './filters';
import { ExportBusyError, ExportTooLargeError } from './limits';

export type Handler = (req: Request, res: Response) => Promise<void>;

export const answering =
  (handler: Handler): Handler =>
  async (req, res) => {
    try {
      await handler(req, res);
    } catch (error) {
      if (error instanceof InspectionInputError) res.status(400).json({ error: error.message, parameter: error.parameter });
      else if (error instanceof ExportTooLargeError) res.status(413).json({ error: error.message, format: error.format, limit: error.limit, count: error.count });
      else if (error instanceof ExportBusyError) res.status(429).set('Retry-After', String(error.retryAfterSeconds)).json({ error: error.message });
      else throw error;
    }
  };

/** The staff member asking (the routes run after requireRole). */
export function actorOf(req: Request): Actor {
  const principal = req.principal;
  if (principal?.kind !== 'staff') throw new Error('inspection routes are for staff (requireRole runs first)');
  return { username: principal.username, displayName: principal.displayName };
}

/** A written export as the answer: an attachment with its digests in headers (the 766 index's exports too). */
export function sendFile(res: Response, written: Pick<WrittenExport, 'contentType' | 'fileName' | 'rowsSha256' | 'fileSha256' | 'bytes'>): void {
  res
    .status(200)
    .set('Content-Type', written.contentType)
    .set('Content-Disposition', `attachment; filename="${written.fileName}"`)
    .set('X-Rows-SHA256', written.rowsSha256)
    .set('X-File-SHA256', written.fileSha256)
    .set('Cache-Control', 'no-store')
    .send(written.bytes);
}
