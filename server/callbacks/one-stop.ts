/**
 * Events from the provincial one-stop system about a dossier it forwarded (partners with the
 * `intake` scope): the citizen supplemented the dossier, or withdrew it in VNeID. Each becomes
 * a Zeebe message correlated by dossier code, with a message id that makes a repeat a no-op.
 * A partner reaches only the dossiers of the agency it serves (`partners.agency_code`): another
 * agency's dossier is 403, with nothing published.
 */
import type { ProcessCatalog } from '../sla/catalog';
import { Router } from 'express';
import { z } from 'zod';
import { audit } from '../audit';
import { authenticate, requireScope } from '../auth/middleware';
import type { AuthDeps } from '../auth/models';
import type { Db } from '../db';
import { checkParam, IDS } from '../api/ids';
import { describeIssues, nfcText } from '../api/text';
import { isDuplicateMessage, type ZeebeGrpcClient } from '../zeebe';

const EVENTS = {
  supplemented: { message: 'lltp.dossier.supplemented', variable: 'supplementedAt' },
  withdrawn: { message: 'lltp.dossier.withdrawn', variable: 'withdrawnAt' },
} as const;

const Event = z.strictObject({
  at: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with an offset' }),
  /** The one-stop system's id of this event; a repeat with the same id is ignored. */
  eventId: nfcText(100),
});

export function oneStopEventRoutes(deps: {
  zeebe: Pick<ZeebeGrpcClient, 'publishMessage'>;
  db: Db;
  auth: AuthDeps;
  /** Agencies by date: a partner of an agency serves its successors' dossiers too (one lineage). */
  catalog: Pick<ProcessCatalog, 'sameLineage'>;
  now: () => Date;
}): Router {
  const router = Router();
  router.param('code', checkParam(IDS.dossierCode));
  router.param('event', checkParam(IDS.oneStopEvent));
  router.post('/one-stop/:code/:event', authenticate(deps.auth), requireScope('intake'), async (req, res) => {
    const event = String(req.params.event) as keyof typeof EVENTS;
    const code = String(req.params.code);
    const parsed = Event.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: describeIssues(parsed.error) });
      return;
    }
    const dossier = await deps.db.selectFrom('dossiers').select(['status', 'agencyCode']).where('code', '=', code).executeTakeFirst();
    if (!dossier) {
      res.status(404).json({ error: `Không có hồ sơ ${code}.` });
      return;
    }
    const caller = req.principal?.kind === 'partner' ? req.principal : undefined;
    if (!caller || caller.agencyCode === null || !deps.catalog.sameLineage(caller.agencyCode, dossier.agencyCode)) {
      res.status(403).json({ error: `Hồ sơ ${code} không thuộc cơ quan mà đối tác ${caller?.partnerId ?? '?'} phục vụ (${caller?.agencyCode ?? 'chưa gán cơ quan'}); không có gì được ghi nhận.` });
      return;
    }
    if (dossier.status !== 'open') {
      res.status(409).json({ error: `Hồ sơ ${code} đã kết thúc.` });
      return;
    }
    const spec = EVENTS[event];
    let duplicate = false;
    await deps.zeebe.publishMessage({
      name: spec.message,
      correlationKey: code,
      messageId: `${event}:${parsed.data.eventId}`,
      timeToLive: 24 * 3600 * 1000,
      variables: { [spec.variable]: parsed.data.at },
    }).catch((error: unknown) => {
      if (!isDuplicateMessage(error)) throw error;
      duplicate = true;
    });
    if (!duplicate) await audit(deps.db, { at: deps.now(), actor: `partner:${caller.partnerId}`, action: `dossier.${event}`, dossierCode: code, detail: parsed.data.eventId });
    res.status(202).json({ accepted: true, duplicate });
  });
  return router;
}
