/**
 * For the routers whose bad input is an `InspectionInputError` (inspection, reports, dashboard):
 * a handler wrapper that answers it 400 with the message and the parameter, a list too large for
 * its file format 413 (the cap and the count), an export beyond the running ones allowed 429 with
 * Retry-After (server/inspection/limits.ts); anything else goes to the app's error handler.
 */
import type { Request, Response } from 'express';
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
