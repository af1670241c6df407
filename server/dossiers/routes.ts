/**
 * `GET /api/dossiers/:code`: the dossier with its deadlines and step timeline (staff of the
 * Sở Tư pháp). `?details=1` adds the citizen's declaration for the roles that process it;
 * every read is audited.
 */
import { Router } from 'express';
import { apologyLetterId, findLetter } from '../apology/letter';
import { audit } from '../audit';
import { authenticate, requireRole } from '../auth/middleware';
import type { AuthDeps } from '../auth/models';
import type { Role } from '../auth/roles';
import { formatInstant } from '../calendar/civil-time';
import { classifyClosed, classifyOpen, type DueSoonPolicy } from '../calendar/status';
import type { WorkingCalendars } from '../calendar/working-calendar';
import type { Db } from '../db';
import { statusLabels } from '../glossary';
import { readDeclaration } from '../readmodel/declaration';
import { findDossier } from '../readmodel/dossier';

const STAFF: Role[] = ['administrator', 'oneStopOfficer', 'lltpOfficer', 'headOfDivision', 'leader', 'inspector', 'supervisor'];
const DETAIL_READERS: Role[] = ['oneStopOfficer', 'lltpOfficer', 'headOfDivision', 'leader'];

export interface DossierViewDeps {
  db: Db;
  calendars: () => Promise<WorkingCalendars>;
  dueSoon: DueSoonPolicy;
  auth: AuthDeps;
  now: () => Date;
}

const iso = (d: Date | null | undefined): string | null => (d ? formatInstant(d.getTime()) : null);

export function dossierRoutes(deps: DossierViewDeps): Router {
  const router = Router();
  router.use(authenticate(deps.auth), requireRole(...STAFF));

  router.get('/:code', async (req, res) => {
    const principal = req.principal;
    if (principal?.kind !== 'staff') return;
    const code = req.params.code;
    if (!/^[A-Za-z0-9.]+-\d{6}-\d{4}$/.test(code)) {
      res.status(400).json({ error: `Mã hồ sơ không hợp lệ: ${code}` });
      return;
    }
    const wantDetails = req.query.details === '1';
    if (wantDetails && !DETAIL_READERS.some((r) => principal.roles.includes(r))) {
      res.status(403).json({ error: 'Vai trò của bạn không được xem tờ khai của công dân.' });
      return;
    }
    const dossier = await findDossier(deps.db, code);
    if (!dossier) {
      res.status(404).json({ error: `Không có hồ sơ ${code}.` });
      return;
    }
    const now = deps.now();
    await audit(deps.db, { at: now, actor: principal.username, action: 'dossier.read', dossierCode: code, detail: wantDetails ? 'kèm tờ khai' : null });
    const calendars = await deps.calendars();
    const steps = await deps.db.selectFrom('steps').selectAll().where('dossierCode', '=', code).orderBy('startedAt').orderBy('id').execute();
    const timeline = steps.map((s) => {
      const calendar = calendars.forUnit(s.unitId);
      const status = s.finishedAt
        ? (() => {
            const c = classifyClosed(calendar, { dueAt: s.dueAt }, s.finishedAt);
            return { status: c.status, lateWorkingMinutes: c.latenessMinutes };
          })()
        : { status: classifyOpen(calendar, { dueAt: s.dueAt, allotmentMinutes: s.allotmentMinutes }, now, deps.dueSoon).status, lateWorkingMinutes: null };
      return {
        elementId: s.elementId,
        name: s.elementName ?? s.elementId,
        unitId: s.unitId,
        unitName: s.unitName ?? null,
        role: s.role ?? null,
        actor: s.actor ?? null,
        outcome: s.outcome ?? null,
        clock: s.clock ?? 'running',
        allotmentWorkingMinutes: s.allotmentMinutes,
        startedAt: iso(s.startedAt),
        dueAt: iso(s.dueAt),
        finishedAt: iso(s.finishedAt),
        status: status.status,
        statusLabel: statusLabels[status.status],
        lateWorkingMinutes: status.lateWorkingMinutes,
      };
    });
    const declaration = wantDetails
      ? await readDeclaration(deps.db, code, { actor: principal.username, purpose: 'xem chi tiết hồ sơ', at: now })
      : undefined;
    res.json({
      code: dossier.code,
      receiptNumber: dossier.receiptNumber ?? null,
      source: dossier.source ?? null,
      status: dossier.status,
      outcome: dossier.outcome ?? null,
      caseVariant: dossier.caseVariant ?? null,
      formType: dossier.formType ?? null,
      paperCopy: dossier.paperCopy ?? null,
      processInstanceKey: dossier.processInstanceKey ?? null,
      currentElementId: dossier.currentElementId ?? null,
      deadlines: {
        receivedAt: iso(dossier.receivedAt),
        clockStartAt: iso(dossier.clockStartAt),
        statutoryWorkingDays: dossier.statutoryWorkingDays,
        targetWorkingDays: dossier.targetWorkingDays,
        statutoryDueAt: iso(dossier.statutoryDueAt),
        targetDueAt: iso(dossier.targetDueAt),
        apologyByAt: iso(dossier.apologyByAt),
        appointmentAt: iso(dossier.appointmentAt ?? null),
        estimated: dossier.deadlinesEstimated,
      },
      stoppedIntervals: (dossier.stoppedIntervals ?? []).map((i) => ({ from: iso(i.from), to: iso(i.to), reason: i.reason ?? null })),
      apology: dossier.apology ?? null,
      finishedAt: iso(dossier.finishedAt),
      timeline,
      ...(declaration !== undefined ? { declaration } : {}),
    });
  });

  /** The apology letter (mẫu 04) as issued: `?format=pdf` (default) or `html`; it names the citizen, so only detail readers, audited. */
  router.get('/:code/letters/apology', async (req, res) => {
    const principal = req.principal;
    if (principal?.kind !== 'staff') return;
    const code = req.params.code;
    const format = req.query.format ?? 'pdf';
    if (format !== 'pdf' && format !== 'html') {
      res.status(400).json({ error: 'format: chỉ nhận pdf hoặc html.' });
      return;
    }
    if (!DETAIL_READERS.some((r) => principal.roles.includes(r))) {
      res.status(403).json({ error: 'Vai trò của bạn không được xem văn bản xin lỗi (có thông tin cá nhân của công dân).' });
      return;
    }
    const letter = await findLetter(deps.db, apologyLetterId(code));
    if (!letter) {
      res.status(404).json({ error: `Hồ sơ ${code} chưa có văn bản xin lỗi.` });
      return;
    }
    await audit(deps.db, { at: deps.now(), actor: principal.username, action: 'dossier.read-details', dossierCode: code, detail: `văn bản xin lỗi (${format})` });
    if (format === 'html') res.type('html').send(letter.html);
    else res.type('application/pdf').setHeader('content-disposition', `inline; filename="van-ban-xin-loi-${code}.pdf"`).send(letter.pdf);
  });
  return router;
}
