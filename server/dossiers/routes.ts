/**
 * `GET /api/dossiers/:code`: the dossier with its deadlines and step timeline, the issuing body
 * and the process version that govern it (staff of the receiving agency). `?details=1` adds the citizen's declaration for the roles that process it;
 * every read is audited. `GET /api/dossiers?q=…` finds a dossier by code or receipt number
 * (a short list without personal data; search.ts).
 */
import { Router, type Response } from 'express';
import { apologyLetterId, findLetter } from '../apology/letter';
import { audit } from '../audit';
import { authenticate, requireRole, type Principal } from '../auth/middleware';
import type { AuthDeps } from '../auth/models';
import { withNonce } from '../api/csp';
import { noStore } from '../api/no-store';
import { checkParam, IDS } from '../api/ids';
import type { Role } from '../auth/roles';
import { formatInstant } from '../calendar/civil-time';
import { classifyClosed, classifyOpen, type DueSoonPolicy } from '../calendar/status';
import type { WorkingCalendar, WorkingCalendars } from '../calendar/working-calendar';
import type { Selectable } from 'kysely';
import type { Db } from '../db';
import type { HandoversTable } from '../db/tables';
import { statusLabels } from '../glossary';
import { readDeclaration } from '../readmodel/declaration';
import { findDossier } from '../readmodel/dossier';
import type { ProcessCatalog } from '../sla/catalog';
import type { Step } from '../readmodel/step';
import { dossierSearchQuery, searchDossiers } from './search';

const STAFF: Role[] = ['administrator', 'oneStopOfficer', 'lltpOfficer', 'headOfDivision', 'leader', 'inspector', 'supervisor'];
const DETAIL_READERS: Role[] = ['oneStopOfficer', 'lltpOfficer', 'headOfDivision', 'leader'];

export interface DossierViewDeps {
  db: Db;
  /** The agency this installation serves: leaders read the personal data of its lineage's dossiers. */
  agencyCode: string;
  /** Agencies by date (names, lineage) and the model versions. */
  catalog: Pick<ProcessCatalog, 'agencies' | 'sameLineage'>;
  calendars: () => Promise<WorkingCalendars>;
  dueSoon: DueSoonPolicy;
  auth: AuthDeps;
  now: () => Date;
}

const iso = (d: Date | null | undefined): string | null => (d ? formatInstant(d.getTime()) : null);

type Staff = Extract<Principal, { kind: 'staff' }>;

/**
 * Whether a detail reader may read this dossier's personal data (declaration, letters): leaders
 * those of their agency; officers and heads of division those of their unit, that is dossiers
 * their unit received or holds or held a step of.
 */
async function mayReadPersonalData(deps: DossierViewDeps, principal: Staff, dossier: { code: string; agencyCode: string; unitId: string }): Promise<boolean> {
  if (principal.roles.includes('leader') && deps.catalog.sameLineage(deps.agencyCode, dossier.agencyCode)) return true;
  if (!principal.roles.some((r) => r !== 'leader' && DETAIL_READERS.includes(r))) return false;
  if (dossier.unitId === principal.unitId) return true;
  const step = await deps.db.selectFrom('steps').select('id').where('dossierCode', '=', dossier.code).where('unitId', '=', principal.unitId).limit(1).executeTakeFirst();
  return step !== undefined;
}

/** Refuses a read of personal data outside the reader's scope, and records the refusal. */
async function refuseOutOfScope(deps: DossierViewDeps, res: Response, principal: Staff, code: string, what: string): Promise<void> {
  await audit(deps.db, { at: deps.now(), actor: principal.username, action: 'dossier.read-denied', dossierCode: code, detail: `${what}: ngoài phạm vi đơn vị ${principal.unitId}` });
  res.status(403).json({ error: `Hồ sơ ${code} không thuộc đơn vị của bạn: không được xem ${what}.` });
}

/**
 * One step of the timeline: its allotment and the working time it has taken so far (to its end,
 * or to now while open) on its unit's calendar, its status, and why it was late if it was.
 */
const agencyName = (deps: DossierViewDeps, code: string): string => deps.catalog.agencies.find((a) => a.code === code)?.name ?? code;

/** A handover of the dossier to a successor agency (server/handover), as the view shows it. */
function handoverView(deps: DossierViewDeps, h: Selectable<HandoversTable>) {
  return {
    from: { code: h.fromAgency, name: agencyName(deps, h.fromAgency) },
    to: { code: h.toAgency, name: agencyName(deps, h.toAgency) },
    on: h.onDate,
    at: iso(h.at),
    actor: h.actor,
    internalProcessId: { from: h.fromInternalProcessId, to: h.toInternalProcessId },
    migratedInstanceKey: h.migratedInstanceKey,
    moved: h.moved,
  };
}

function stepView(s: Step, calendar: WorkingCalendar, now: Date, dueSoon: DueSoonPolicy) {
  const status = s.finishedAt
    ? (() => {
        const c = classifyClosed(calendar, { dueAt: s.dueAt }, s.finishedAt);
        return { status: c.status, lateWorkingMinutes: c.latenessMinutes };
      })()
    : { status: classifyOpen(calendar, { dueAt: s.dueAt, allotmentMinutes: s.allotmentMinutes }, now, dueSoon).status, lateWorkingMinutes: null };
  const end = s.finishedAt ?? now;
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
    workingMinutes: end > s.startedAt ? calendar.between(s.startedAt, end) : 0,
    startedAt: iso(s.startedAt),
    dueAt: iso(s.dueAt),
    dueEstimated: s.dueEstimated,
    finishedAt: iso(s.finishedAt),
    status: status.status,
    statusLabel: statusLabels[status.status],
    lateWorkingMinutes: status.lateWorkingMinutes,
    lateReason: s.lateReason ?? null,
    lateReasonSource: s.lateReasonSource ?? null,
  };
}

export function dossierRoutes(deps: DossierViewDeps): Router {
  const router = Router();
  router.use(noStore, authenticate(deps.auth), requireRole(...STAFF));
  router.param('code', checkParam(IDS.dossierCode));

  router.get('/', async (req, res) => {
    const principal = req.principal;
    if (principal?.kind !== 'staff') return;
    const parsed = dossierSearchQuery.safeParse({ q: req.query.q });
    if (!parsed.success) {
      res.status(400).json({ error: parsed.error.issues.map((i) => i.message).join('; '), parameter: 'q' });
      return;
    }
    const hits = await searchDossiers(deps.db, parsed.data.q);
    await audit(deps.db, { at: deps.now(), actor: principal.username, action: 'dossier.search', detail: `q=${parsed.data.q}: ${hits.length} hồ sơ` });
    res.json({
      q: parsed.data.q,
      dossiers: hits.map((h) => ({
        code: h.code,
        receiptNumber: h.receiptNumber,
        status: h.status,
        receivedAt: iso(h.receivedAt),
        dueAt: iso(h.dueAt),
        finishedAt: iso(h.finishedAt),
        currentStep: h.currentStep ? { elementId: h.currentStep.elementId, name: h.currentStep.name, dueAt: iso(h.currentStep.dueAt) } : null,
      })),
    });
  });

  router.get('/:code', async (req, res) => {
    const principal = req.principal;
    if (principal?.kind !== 'staff') return;
    const code = req.params.code;
    const details = req.query.details;
    if (details !== undefined && details !== '1' && details !== '0') {
      res.status(400).json({ error: 'details: chỉ nhận 1 (kèm tờ khai) hoặc 0.', parameter: 'details' });
      return;
    }
    const wantDetails = details === '1';
    if (wantDetails && !DETAIL_READERS.some((r) => principal.roles.includes(r))) {
      res.status(403).json({ error: 'Vai trò của bạn không được xem tờ khai của công dân.' });
      return;
    }
    const dossier = await findDossier(deps.db, code);
    if (!dossier) {
      res.status(404).json({ error: `Không có hồ sơ ${code}.` });
      return;
    }
    if (wantDetails && !(await mayReadPersonalData(deps, principal, dossier))) {
      await refuseOutOfScope(deps, res, principal, code, 'tờ khai của công dân');
      return;
    }
    const now = deps.now();
    await audit(deps.db, { at: now, actor: principal.username, action: 'dossier.read', dossierCode: code, detail: wantDetails ? 'kèm tờ khai' : null });
    const calendars = await deps.calendars();
    const steps = await deps.db.selectFrom('steps').selectAll().where('dossierCode', '=', code).orderBy('startedAt').orderBy('id').execute();
    const timeline = steps.map((step) => stepView(step, calendars.forUnit(step.unitId), now, deps.dueSoon));
    const handovers = await deps.db.selectFrom('handovers').selectAll().where('dossierCode', '=', code).orderBy('at').execute();
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
      agency: { code: dossier.agencyCode, name: deps.catalog.agencies.find((a) => a.code === dossier.agencyCode)?.name ?? dossier.agencyCode },
      process: { processId: dossier.processId ?? null, internalProcessId: dossier.internalProcessId ?? null },
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
      handovers: handovers.map((h) => handoverView(deps, h)),
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
    const dossier = await findDossier(deps.db, code);
    if (!dossier) {
      res.status(404).json({ error: `Không có hồ sơ ${code}.` });
      return;
    }
    if (!(await mayReadPersonalData(deps, principal, dossier))) {
      await refuseOutOfScope(deps, res, principal, code, 'văn bản xin lỗi');
      return;
    }
    const letter = await findLetter(deps.db, apologyLetterId(code));
    if (!letter) {
      res.status(404).json({ error: `Hồ sơ ${code} chưa có văn bản xin lỗi.` });
      return;
    }
    await audit(deps.db, { at: deps.now(), actor: principal.username, action: 'dossier.read-details', dossierCode: code, detail: `văn bản xin lỗi (${format})` });
    if (format === 'html') res.type('html').send(withNonce(letter.html, String(res.locals.cspNonce ?? '')));
    else res.type('application/pdf').setHeader('content-disposition', `inline; filename="van-ban-xin-loi-${code}.pdf"`).send(letter.pdf);
  });
  return router;
}
