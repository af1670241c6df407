/**
 * One monitor run: classify every open step and dossier (streamed from the read model with
 * only the fields it needs), raise each new condition once as an alert (stable key, unique
 * insert; keys already raised are remembered between runs), then deliver what is due
 * (see deliver.ts). The daily digest and the weekly summary are alerts too (digest.ts).
 */
import { isDuplicateKey } from '../db';
import type { Model } from 'mongoose';
import type { User } from '../auth/models';
import type { CalendarProvider } from '../calendar/provider';
import type { DueSoonPolicy } from '../calendar/status';
import type { WorkingCalendars } from '../calendar/working-calendar';
import type { Logger } from '../logger';
import type { Mailer } from '../mail';
import type { DossierDoc } from '../readmodel/dossier';
import type { StepDoc } from '../readmodel/step';
import type { ProcessCatalog } from '../sla/catalog';
import type { EscalationLevel } from '../sla/spec';
import { judgeDossier, judgeStep, type Condition, type MonitoredStatus, type OpenDossier, type OpenStep } from './classify';
import { Directory } from './directory';
import { describeRemaining, formatVnInstant } from './format';
import type { AlertDoc, MonitorModels } from './model';
import { renderMail, type RenderedMail } from './templates';

export interface MonitorSettings {
  /** Tell the recipients of an overdue step alert when the step is finally done. */
  notifyDoneLate: boolean;
  agencyName: string;
  appUrl: string;
  dueSoon: DueSoonPolicy;
  workingDayMinutes: number;
  dossierEscalation: readonly EscalationLevel[];
  sendOutsideWorkingTime: boolean;
  retryMs: number;
  retryMaxMs: number;
  maxAttempts: number;
  leaseMs: number;
  vneidTargetPercent: number;
}

export interface MonitorDeps {
  models: MonitorModels;
  steps: Model<StepDoc>;
  dossiers: Model<DossierDoc>;
  users: Model<User>;
  catalog: ProcessCatalog;
  calendars: CalendarProvider;
  mailer: Mailer;
  logger: Logger;
  settings: MonitorSettings;
}

export interface Judgement {
  counts: { steps: Record<MonitoredStatus, number>; dossiers: Record<MonitoredStatus, number> };
  conditions: Condition[];
}

const zero = (): Record<MonitoredStatus, number> => ({ onTrack: 0, dueSoon: 0, overdue: 0, stopped: 0 });

const STEP_FIELDS = { dossierCode: 1, elementId: 1, elementName: 1, unitId: 1, unitName: 1, role: 1, dueAt: 1, allotmentMinutes: 1, clock: 1, processId: 1 } as const;
const DOSSIER_FIELDS = { code: 1, unitId: 1, clockStartAt: 1, statutoryDueAt: 1, appointmentAt: 1, apologyByAt: 1, apology: 1, stoppedIntervals: 1 } as const;

/** Classifies every open step and dossier at `now`. */
export async function judgeAll(deps: Pick<MonitorDeps, 'steps' | 'dossiers' | 'catalog' | 'settings'>, calendars: WorkingCalendars, now: Date): Promise<Judgement> {
  const counts = { steps: zero(), dossiers: zero() };
  const conditions: Condition[] = [];
  const chains = new Map<string, readonly EscalationLevel[]>();
  const chainOf = (processId: string | undefined, elementId: string): readonly EscalationLevel[] => {
    const key = `${processId ?? ''}#${elementId}`;
    let chain = chains.get(key);
    if (!chain) {
      chain = (processId ? deps.catalog.plan(processId)?.steps[elementId]?.escalation : undefined) ?? [];
      chains.set(key, chain);
    }
    return chain;
  };
  for await (const step of deps.steps.find({ finishedAt: null }, STEP_FIELDS).lean().cursor({ batchSize: 5000 })) {
    const s = step as unknown as OpenStep & { processId?: string };
    const judged = judgeStep(s, chainOf(s.processId, s.elementId), calendars.forUnit(s.unitId), now, deps.settings.dueSoon);
    counts.steps[judged.status] += 1;
    for (const c of judged.conditions) conditions.push(c);
  }
  for await (const dossier of deps.dossiers.find({ status: 'open' }, DOSSIER_FIELDS).lean().cursor({ batchSize: 5000 })) {
    const d = dossier as unknown as OpenDossier;
    const judged = judgeDossier(d, deps.settings.dossierEscalation, calendars.forUnit(d.unitId), now, deps.settings.dueSoon);
    counts.dossiers[judged.status] += 1;
    for (const c of judged.conditions) conditions.push(c);
  }
  return { counts, conditions };
}

const TITLES: Record<string, (c: Condition) => string> = {
  dueSoon: (c) => `Sắp đến hạn: hồ sơ ${c.dossierCode} — ${c.stepName ?? ''}`,
  overdue: (c) => `Quá hạn: hồ sơ ${c.dossierCode} — ${c.stepName ?? ''}`,
  escalation: (c) => `Báo cáo quá hạn (cấp ${c.level}): hồ sơ ${c.dossierCode} — ${c.stepName ?? ''}`,
  apologyDue: (c) => `Cần lập văn bản xin lỗi và hẹn lại ngày trả kết quả: hồ sơ ${c.dossierCode}`,
  doneLate: (c) => `Đã hoàn thành (trễ hạn): hồ sơ ${c.dossierCode} — ${c.stepName ?? ''}`,
};

const LEADS: Record<string, (c: Condition) => string> = {
  dueSoon: () => 'Bước xử lý sau sắp đến hạn. Đề nghị anh/chị hoàn thành trong thời hạn được giao.',
  overdue: () => 'Bước xử lý sau đã quá thời hạn được giao. Đề nghị anh/chị hoàn thành ngay và ghi rõ lý do chậm.',
  escalation: (c) => `Bước xử lý sau đã quá hạn và được báo cáo lên cấp ${c.level} theo quy trình để chỉ đạo xử lý.`,
  doneLate: () => 'Bước xử lý quá hạn mà anh/chị đã được báo nay đã hoàn thành.',
  apologyDue: () =>
    'Hồ sơ đã đến hạn gửi văn bản xin lỗi và hẹn lại ngày trả kết quả (mẫu 04) mà chưa giải quyết xong. Nhiệm vụ lập văn bản đã có trong hộp việc của lãnh đạo: ghi lý do và ngày hẹn trả mới.',
};

export function alertMail(settings: MonitorSettings, c: Condition): RenderedMail {
  return renderMail('alert', {
    title: TITLES[c.kind]!(c),
    lead: LEADS[c.kind]!(c),
    urgent: c.kind !== 'dueSoon',
    agencyName: settings.agencyName,
    dossierCode: c.dossierCode,
    stepName: c.stepName ?? '',
    unitName: c.unitName ?? c.unitId,
    dueAt: formatVnInstant(c.dueAt),
    lateness: describeRemaining(c.remainingMinutes, settings.workingDayMinutes),
    link: `${settings.appUrl}/ho-so/${encodeURIComponent(c.dossierCode)}`,
  });
}

export const alertMessageId = (key: string): string => `<alert.${key.replace(/[^A-Za-z0-9.-]/g, '.')}@lltp-flow>`;

/** A new alert document, pending delivery (or noRecipient). */
export function newAlert(fields: Omit<AlertDoc, 'delivery'>, now: Date): AlertDoc {
  return {
    ...fields,
    delivery: {
      status: fields.recipients.length ? 'pending' : 'noRecipient',
      attempts: 0,
      nextAttemptAt: fields.recipients.length ? now : null,
      lastError: null,
      sentAt: null,
      messageId: alertMessageId(fields._id),
      claimedBy: null,
      claimedUntil: null,
    },
  };
}

/** Inserts alerts that do not exist yet; returns how many were new. Duplicates (another replica, an earlier run) are skipped. */
export async function insertAlerts(alerts: Model<AlertDoc>, docs: readonly AlertDoc[]): Promise<number> {
  if (docs.length === 0) return 0;
  try {
    const inserted = await alerts.insertMany(docs, { ordered: false, rawResult: true });
    return (inserted as unknown as { insertedCount: number }).insertedCount;
  } catch (error) {
    const e = error as { code?: number; writeErrors?: { code?: number; err?: { code?: number } }[]; insertedDocs?: unknown[]; result?: { insertedCount?: number } };
    const writeErrors = e.writeErrors ?? [];
    if (!isDuplicateKey(error) && !(writeErrors.length && writeErrors.every((w) => (w.code ?? w.err?.code) === 11000))) throw error;
    return e.result?.insertedCount ?? e.insertedDocs?.length ?? docs.length - writeErrors.length;
  }
}

/**
 * Raises the alerts of the judged conditions that were not raised before. `known` remembers
 * keys across runs of one monitor; keys it does not know are looked up, then inserted.
 */
export async function raiseAlerts(deps: MonitorDeps, judgement: Judgement, known: Set<string>, now: Date, runId: string): Promise<number> {
  const fresh = judgement.conditions.filter((c) => !known.has(c.key));
  if (fresh.length === 0) return 0;
  // Large batches: on FerretDB every $in query scans the whole alerts collection once.
  for (let i = 0; i < fresh.length; i += 50_000) {
    const keys = fresh.slice(i, i + 50_000).map((c) => c.key);
    for (const a of await deps.models.alerts.find({ _id: { $in: keys } }, { _id: 1 }).lean()) known.add(a._id);
  }
  const toRaise = fresh.filter((c) => !known.has(c.key));
  if (toRaise.length === 0) return 0;
  const directory = await Directory.load(deps.users);
  const docs = toRaise.map((c) =>
    newAlert(
      {
        _id: c.key,
        kind: c.kind,
        subject: c.subject,
        level: c.level,
        dossierCode: c.dossierCode,
        stepId: c.stepId,
        elementId: c.elementId,
        stepName: c.stepName,
        unitId: c.unitId,
        unitName: c.unitName,
        role: c.role,
        dueAt: c.dueAt,
        remainingMinutes: c.remainingMinutes,
        detectedAt: now,
        runId,
        recipients: directory.recipients(c.role, c.unitId),
        mail: alertMail(deps.settings, c),
      },
      now,
    ),
  );
  let raised = 0;
  for (let i = 0; i < docs.length; i += 1000) raised += await insertAlerts(deps.models.alerts, docs.slice(i, i + 1000));
  for (const c of toRaise) known.add(c.key);
  for (const d of docs) if (d.delivery.status === 'noRecipient') deps.logger.warn({ alert: d._id, role: d.role, unitId: d.unitId }, 'alert raised but no active user holds the role: nobody mailed');
  return raised;
}

/**
 * With MONITOR_NOTIFY_DONE_LATE: for each step whose overdue alert was raised and which is now
 * finished, one more alert (`step:<id>:doneLate`) to the same recipients, saying how late it
 * was done.
 */
export async function raiseDoneLate(deps: MonitorDeps, calendars: WorkingCalendars, known: Set<string>, now: Date, runId: string): Promise<number> {
  if (!deps.settings.notifyDoneLate) return 0;
  const overdue = await deps.models.alerts.find({ kind: 'overdue', subject: 'step' }, { stepId: 1, recipients: 1 }).lean();
  const pending = overdue.filter((a) => a.stepId && !known.has(`step:${a.stepId}:doneLate`));
  if (pending.length === 0) return 0;
  const finished = new Map<string, StepDoc & { _id: string }>();
  for (let i = 0; i < pending.length; i += 2000) {
    const ids = pending.slice(i, i + 2000).map((a) => a.stepId as string);
    for (const step of await deps.steps.find({ _id: { $in: ids }, finishedAt: { $ne: null } }).lean()) finished.set(String(step._id), step);
  }
  const docs: AlertDoc[] = [];
  for (const alert of pending) {
    const step = finished.get(alert.stepId as string);
    if (!step?.finishedAt) continue;
    const late = -calendars.forUnit(step.unitId).between(step.dueAt, step.finishedAt);
    const c: Condition = { key: `step:${String(step._id)}:doneLate`, kind: 'doneLate', subject: 'step', level: 0, role: step.role ?? '', dossierCode: step.dossierCode, stepId: String(step._id), elementId: step.elementId, stepName: step.elementName ?? step.elementId, unitId: step.unitId, unitName: step.unitName ?? null, dueAt: step.dueAt, remainingMinutes: late };
    docs.push(newAlert({ _id: c.key, kind: c.kind, subject: c.subject, level: 0, dossierCode: c.dossierCode, stepId: c.stepId, elementId: c.elementId, stepName: c.stepName, unitId: c.unitId, unitName: c.unitName, role: c.role, dueAt: c.dueAt, remainingMinutes: late, detectedAt: now, runId, recipients: alert.recipients, mail: alertMail(deps.settings, c) }, now));
  }
  const raised = await insertAlerts(deps.models.alerts, docs);
  for (const d of docs) known.add(d._id);
  return raised;
}
