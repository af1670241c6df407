/**
 * `Cache-Control: no-store` on every answer of a router that serves personal data or data about
 * dossiers (declarations, apology letters, dossier details, inbox tasks, inspection lists, exports
 * and reports, sessions): a staff desk PC is shared, and nothing of it may stay in the browser's
 * cache or a proxy's. Set before authentication, so that refusals carry it too.
 */
import type { RequestHandler } from 'express';

export const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  res.set('Pragma', 'no-cache');
  next();
};
