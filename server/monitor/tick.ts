/**
 * The monitor's judgement of open work, at the cost of what changed:
 *
 * - every open step and dossier carries `next_check_at`, the instant its status next changes
 *   (due soon, due, each escalation level, the apology-by time), or `CHECK_AT_NEXT_TICK` when a
 *   write changed it (a new step, new deadlines, a finished late step);
 * - a **tick** reads only the rows whose `next_check_at` has passed (partial indexes
 *   `steps_next_check`, `dossiers_next_check`), in batches: judges them, raises each new
 *   condition once as an alert (stable key, `ON CONFLICT DO NOTHING`), and stores when each
 *   row changes next, in one transaction per batch (the alert is the outbox of its e-mail);
 * - the daily **reconciliation** pages through every open step and dossier with the same
 *   judgement, raises anything missed and corrects every `next_check_at`; its conditions feed
 *   the daily digest.
 */
import type { WeekCutoff } from '../inspection/week';
import type { WeeklyMailDeps } from '../inspection/weekly-mail';
import type { MonthlyMailDeps } from '../inspection/monthly-mail';
import { sql } from 'kysely';
import type { CalendarProvider } from '../calendar/provider';
import type { DueSoonPolicy } from '../calendar/status';
import type { WorkingCalendars } from '../calendar/working-calendar';
import type { Db } from '../db';
import type { RetentionPolicy } from '../retention';
import { toJson } from '../db/tables';
import type { Logger } from '../logger';
import type { OutageLog } from '../outage';
import type { Mailer } from '../mail';
import type { ProcessCatalog } from '../sla/catalog';
import type { EscalationLevel } from '../sla/spec';
import { judgeDossier, judgeStep, type Condition, type Judged, type MonitoredStatus } from './classify';
import { Directory } from './directory';
import { describeRemaining, formatVnInstant } from './format';
import { DESK_NOTICE_KINDS, type NewAlert, type Recipient } from './model';
import { renderMail, type RenderedMail } from './templates';

export interface MonitorSettings {
  /** Tell the recipients of an overdue step alert when the step is finally done. */
  notifyDoneLate: boolean;
  /** The issuing body in force at an instant (mails name the body of the moment they are about). */
  agencyName: (at: Date) => string;
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
  /** The weekly cut-off (REPORT_WEEK_CUTOFF): report weeks run from one to the next. */
  weekCutoff: WeekCutoff;
  /** How long personal data, letters, mail bodies, sessions and audit rows are kept (the daily run's retention job). */
  retention: RetentionPolicy;
  /** Months after the current one whose history partitions the daily run creates ahead (PARTITION_MONTHS_AHEAD). */
  partitionMonthsAhead: number;
  /** The 766 index's snapshots: days back the daily run catches up at most (SCORE_SNAPSHOT_CATCH_UP_DAYS). */
  scoreSnapshotCatchUpDays: number;
}

export interface MonitorDeps {
  db: Db;
  catalog: ProcessCatalog;
  calendars: CalendarProvider;
  mailer: Mailer;
  logger: Logger;
  /** Outages of the database or SMTP logged once per component and window, not once per call. */
  outages?: OutageLog;
  settings: MonitorSettings;
  /** The weekly report for the Đề án 06 working group (archived and mailed by the weekly run); absent in tests that do not need it. */
  weeklyReport?: WeeklyMailDeps;
  /** The monthly Đề án 06 report (archived and mailed by the monthly run); absent in tests that do not need it. */
  monthlyReport?: MonthlyMailDeps;
}

/** Rows judged per batch (one transaction each). */
export const JUDGE_BATCH = 1000;
/** A row whose judgement failed is looked at again after this long. */
const RETRY_FAILED_JUDGEMENT_MS = 3600_000;

const zero = (): Record<MonitoredStatus, number> => ({ onTrack: 0, dueSoon: 0, overdue: 0, stopped: 0 });

export interface PassResult {
  counts: { steps: Record<MonitoredStatus, number>; dossiers: Record<MonitoredStatus, number> };
  alertsRaised: number;
  /** Rows whose next check moved. */
  rescheduled: number;
  failed: number;
}

// --- alerts --------------------------------------------------------------------------------

const TITLES: Record<string, (c: Condition) => string> = {
  dueSoon: (c) => `Sắp đến hạn: hồ sơ ${c.dossierCode} — ${c.stepName ?? ''}`,
  overdue: (c) => `Quá hạn: hồ sơ ${c.dossierCode} — ${c.stepName ?? ''}`,
  escalation: (c) => `Báo cáo quá hạn (cấp ${c.level}): hồ sơ ${c.dossierCode} — ${c.stepName ?? ''}`,
  apologyDue: (c) => `Cần lập văn bản xin lỗi và hẹn lại ngày trả kết quả: hồ sơ ${c.dossierCode}`,
  appointmentExtended: (c) => `Hồ sơ ${c.dossierCode} được gia hạn giải quyết: ngày hẹn trả kết quả mới`,
  apologyIssued: (c) => `Đã gửi văn bản xin lỗi và hẹn lại ngày trả kết quả: hồ sơ ${c.dossierCode}`,
  doneLate: (c) => `Đã hoàn thành (trễ hạn): hồ sơ ${c.dossierCode} — ${c.stepName ?? ''}`,
};

const LEADS: Record<string, (c: Condition) => string> = {
  dueSoon: () => 'Bước xử lý sau sắp đến hạn. Đề nghị anh/chị hoàn thành trong thời hạn được giao.',
  overdue: () => 'Bước xử lý sau đã quá thời hạn được giao. Đề nghị anh/chị hoàn thành ngay và ghi rõ lý do chậm.',
  escalation: (c) => `Bước xử lý sau đã quá hạn và được báo cáo lên cấp ${c.level} theo quy trình để chỉ đạo xử lý.`,
  doneLate: () => 'Bước xử lý quá hạn mà anh/chị đã được báo nay đã hoàn thành.',
  appointmentExtended: () =>
    'Thời hạn giải quyết hồ sơ được kéo dài theo luật định (trường hợp phải xác minh; căn cứ ghi trong thông báo gửi công dân và nhật ký hồ sơ). Công dân đã được thông báo ngày hẹn trả kết quả mới (thời hạn ghi dưới đây); Bộ phận Một cửa ghi nhận và trả kết quả theo ngày hẹn đó.',
  apologyIssued: () =>
    'Lãnh đạo đã phát hành văn bản xin lỗi và hẹn lại ngày trả kết quả (mẫu 04) và công dân đã được thông báo. Bộ phận Một cửa ghi nhận ngày hẹn trả kết quả mới (thời hạn ghi dưới đây) và trả kết quả theo ngày hẹn đó.',
  apologyDue: () =>
    'Hồ sơ chưa giải quyết xong và sẽ trễ hạn: văn bản xin lỗi và hẹn lại ngày trả kết quả (mẫu 04) phải gửi công dân chậm nhất vào thời hạn ghi dưới đây. Nhiệm vụ lập văn bản đã có trong hộp việc của lãnh đạo: ghi lý do và ngày hẹn trả mới.',
};

export function alertMail(settings: MonitorSettings, c: Condition): RenderedMail {
  return renderMail('alert', {
    title: TITLES[c.kind]!(c),
    lead: LEADS[c.kind]!(c),
    urgent: c.kind !== 'dueSoon' && !DESK_NOTICE_KINDS.has(c.kind),
    agencyName: settings.agencyName(c.dueAt),
    dossierCode: c.dossierCode,
    stepName: c.stepName ?? '',
    unitName: c.unitName ?? c.unitId,
    dueAt: formatVnInstant(c.dueAt),
    lateness: describeRemaining(c.remainingMinutes, settings.workingDayMinutes),
    link: `${settings.appUrl}/ho-so/${encodeURIComponent(c.dossierCode)}`,
  });
}

export const alertMessageId = (key: string): string => `<alert.${key.replace(/[^A-Za-z0-9.-]/g, '.')}@lltp-flow>`;

/** The alert of a condition, to the given recipients (`inDigest`: the others take it in their daily digest). */
export function alertOf(settings: MonitorSettings, c: Condition, recipients: Recipient[], now: Date, runId: string, inDigest = false): NewAlert {
  return {
    ...(inDigest ? { inDigest } : {}),
    id: c.key,
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
    recipients,
    mail: alertMail(settings, c),
  };
}

/** Stores the template versions the alerts are rendered from, once each (a version is the digest of its sources and shared values). */
async function storeTemplates(db: Db, alerts: readonly NewAlert[], now: Date): Promise<void> {
  const versions = new Map(alerts.map((a) => [a.mail.template.version, a.mail.template]));
  if (versions.size === 0) return;
  await db
    .insertInto('mailTemplates')
    .values([...versions.values()].map((t) => ({ ...t, shared: toJson(t.shared), createdAt: now })))
    .onConflict((oc) => oc.column('version').doNothing())
    .execute();
}

/** Inserts alerts that do not exist yet (pending delivery, or noRecipient); returns how many were new. */
export async function insertAlerts(db: Db, alerts: readonly NewAlert[], now: Date): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < alerts.length; i += 500) {
    const batch = alerts.slice(i, i + 500);
    await storeTemplates(db, batch, now);
    const rows = batch.map(({ mail, recipients, inDigest, ...a }) => ({
      ...a,
      recipients: toJson(recipients),
      mailSubject: mail.subject,
      mailText: null,
      mailHtml: null,
      mailTemplate: mail.template.version,
      mailData: toJson(mail.data),
      deliveryStatus: recipients.length ? ('pending' as const) : inDigest ? ('inDigest' as const) : ('noRecipient' as const),
      attempts: 0,
      nextAttemptAt: recipients.length ? now : null,
      messageId: alertMessageId(a.id),
    }));
    // no ON CONFLICT: `alerts` is partitioned; its trigger skips an alert whose id is already claimed (migration 0014)
    const result = await db.insertInto('alerts').values(rows).returning('id').execute();
    inserted += result.length;
  }
  return inserted;
}

/** Conditions whose alert does not exist yet (one per key). */
async function freshConditions<C extends { key: string }>(db: Db, conditions: readonly C[]): Promise<C[]> {
  const byKey = new Map(conditions.map((c) => [c.key, c]));
  if (byKey.size === 0) return [];
  // the ids' own table: one index, where `alerts` has one per month
  const existing = await db.selectFrom('alertIds').select('id').where('id', '=', sql<string>`ANY(${[...byKey.keys()]}::text[])`).execute();
  for (const { id } of existing) byKey.delete(id);
  return [...byKey.values()];
}

// --- one pass ------------------------------------------------------------------------------

interface Pass {
  deps: MonitorDeps;
  calendars: WorkingCalendars;
  now: Date;
  runId: string;
  directory: Directory;
  result: PassResult;
  /** Sees every condition of every item judged (the daily digest); ticks have none. */
  onConditions?: (conditions: readonly Condition[]) => void;
}

interface Reschedule {
  id: string;
  was: Date | null;
  next: Date | null;
}

const sameInstant = (a: Date | null, b: Date | null): boolean => (a?.getTime() ?? null) === (b?.getTime() ?? null);

/** Raises the new alerts and stores the next checks of one batch, in one transaction. */
async function commitBatch(pass: Pass, table: 'steps' | 'dossiers', alerts: readonly NewAlert[], moves: readonly Reschedule[]): Promise<void> {
  const changed = moves.filter((m) => !sameInstant(m.was, m.next));
  if (alerts.length === 0 && changed.length === 0) return;
  const key = table === 'steps' ? sql.ref('t.id') : sql.ref('t.code');
  await pass.deps.db.transaction().execute(async (tx) => {
    pass.result.alertsRaised += await insertAlerts(tx, alerts, pass.now);
    if (changed.length === 0) return;
    // only rows nobody marked again meanwhile: a writer's newer mark wins
    const updated = await sql`
      UPDATE ${sql.table(table)} AS t SET next_check_at = v.next
      FROM unnest(${changed.map((m) => m.id)}::text[], ${changed.map((m) => m.was)}::timestamptz[], ${changed.map((m) => m.next)}::timestamptz[]) AS v (id, was, next)
      WHERE ${key} = v.id AND t.next_check_at IS NOT DISTINCT FROM v.was`.execute(tx);
    pass.result.rescheduled += Number(updated.numAffectedRows ?? 0);
  });
}

/** Alerts of the conditions not raised yet, to the people the directory names (server/monitor/directory.ts). */
async function newAlerts(pass: Pass, conditions: readonly Condition[]): Promise<NewAlert[]> {
  const fresh = await freshConditions(pass.deps.db, conditions);
  const alerts = fresh.map((c) => {
    const { now, inDigest } = pass.directory.mailedNow(c);
    return alertOf(pass.deps.settings, c, now, pass.now, pass.runId, now.length === 0 && inDigest > 0);
  });
  for (const a of alerts) {
    if (a.recipients.length === 0 && !a.inDigest) pass.deps.logger.warn({ alert: a.id, role: a.role, unitId: a.unitId }, 'alert raised but no active user holds the role: nobody mailed');
  }
  return alerts;
}

function judgeSafely(pass: Pass, what: string, judge: () => Judged): Judged | null {
  try {
    return judge();
  } catch (error) {
    pass.result.failed += 1;
    pass.deps.logger.error({ err: error, item: what }, 'monitor could not judge an item; it is looked at again in an hour');
    return null;
  }
}

export const STEP_COLUMNS = ['id', 'dossierCode', 'elementId', 'elementName', 'unitId', 'unitName', 'role', 'dueAt', 'allotmentMinutes', 'clock', 'escalation', 'finishedAt', 'nextCheckAt'] as const;

/** Who holds the step now: the officer who claimed its task (a keyed lookup per step). */
export const heldByColumn = sql<string | null>`(SELECT t.claimed_by FROM tasks t WHERE t.id = 'task:' || substr(steps.id, 6) AND t.status = 'claimed')`;

export type StepRow = {
  id: string;
  heldBy: string | null;
  dossierCode: string;
  elementId: string;
  elementName: string | null;
  unitId: string;
  unitName: string | null;
  role: string | null;
  dueAt: Date;
  allotmentMinutes: number;
  clock: 'running' | 'stopped' | 'restart';
  /** The step's escalation chain, kept from its SLA when it started. */
  escalation: readonly EscalationLevel[];
  finishedAt: Date | null;
  nextCheckAt: Date | null;
};

/**
 * With MONITOR_NOTIFY_DONE_LATE: a finished step whose overdue alert was raised gets one more
 * alert (`step:<id>:doneLate`) to the same recipients, saying how late it was done.
 */
async function doneLateAlerts(pass: Pass, finished: readonly StepRow[]): Promise<NewAlert[]> {
  if (!pass.deps.settings.notifyDoneLate || finished.length === 0) return [];
  const overdue = await pass.deps.db
    .selectFrom('alerts')
    .select(['id', 'stepId', 'recipients'])
    .where('id', '=', sql<string>`ANY(${finished.map((s) => `step:${s.id}:overdue`)}::text[])`)
    .execute();
  const recipientsOf = new Map(overdue.map((a) => [a.stepId, a.recipients]));
  const conditions = finished
    .filter((s) => recipientsOf.has(s.id))
    .map((s): Condition => {
      const lateMinutes = -Math.max(0, pass.calendars.forUnit(s.unitId).between(s.dueAt, s.finishedAt as Date));
      return { key: `step:${s.id}:doneLate`, kind: 'doneLate', subject: 'step', level: 0, role: s.role ?? '', dossierCode: s.dossierCode, stepId: s.id, elementId: s.elementId, stepName: s.elementName ?? s.elementId, unitId: s.unitId, unitName: s.unitName, dueAt: s.dueAt, remainingMinutes: lateMinutes };
    });
  const fresh = await freshConditions(pass.deps.db, conditions);
  return fresh.map((c) => alertOf(pass.deps.settings, c, recipientsOf.get(c.stepId) ?? [], pass.now, pass.runId));
}

async function judgeStepBatch(pass: Pass, rows: readonly StepRow[]): Promise<void> {
  const conditions: Condition[] = [];
  const moves: Reschedule[] = [];
  const finished: StepRow[] = [];
  for (const row of rows) {
    if (row.finishedAt) {
      // a finished step marked for one last look (done late); nothing more to watch
      finished.push(row);
      moves.push({ id: row.id, was: row.nextCheckAt, next: null });
      continue;
    }
    const judged = judgeSafely(pass, row.id, () =>
      judgeStep(row, row.escalation, pass.calendars.forUnit(row.unitId), pass.now, pass.deps.settings.dueSoon),
    );
    if (!judged) {
      moves.push({ id: row.id, was: row.nextCheckAt, next: new Date(pass.now.getTime() + RETRY_FAILED_JUDGEMENT_MS) });
      continue;
    }
    pass.result.counts.steps[judged.status] += 1;
    conditions.push(...judged.conditions);
    pass.onConditions?.(judged.conditions);
    moves.push({ id: row.id, was: row.nextCheckAt, next: judged.nextCheckAt });
  }
  await commitBatch(pass, 'steps', [...(await newAlerts(pass, conditions)), ...(await doneLateAlerts(pass, finished))], moves);
}

export const DOSSIER_COLUMNS = ['code', 'unitId', 'clockStartAt', 'statutoryDueAt', 'appointmentAt', 'apologyByAt', 'apologyPromptMinutes', 'apologyIssuedAt', 'extendedAt', 'status', 'nextCheckAt'] as const;

export type DossierRow = {
  code: string;
  unitId: string;
  clockStartAt: Date;
  statutoryDueAt: Date | null;
  appointmentAt: Date | null;
  apologyByAt: Date | null;
  apologyPromptMinutes: number;
  apologyIssuedAt: Date | null;
  extendedAt: Date | null;
  status: 'open' | 'closed';
  nextCheckAt: Date | null;
  clockStopped: boolean;
};

export const clockStoppedColumn = sql<boolean>`EXISTS (SELECT 1 FROM clock_stops s WHERE s.dossier_code = dossiers.code AND s.ended_at IS NULL)`;

async function judgeDossierBatch(pass: Pass, rows: readonly DossierRow[]): Promise<void> {
  const conditions: Condition[] = [];
  const moves: Reschedule[] = [];
  for (const row of rows) {
    if (row.status !== 'open') {
      moves.push({ id: row.code, was: row.nextCheckAt, next: null });
      continue;
    }
    const judged = judgeSafely(pass, row.code, () =>
      judgeDossier({ ...row, apology: row.apologyIssuedAt }, pass.deps.settings.dossierEscalation, pass.calendars.forUnit(row.unitId), pass.now, pass.deps.settings.dueSoon),
    );
    if (!judged) {
      moves.push({ id: row.code, was: row.nextCheckAt, next: new Date(pass.now.getTime() + RETRY_FAILED_JUDGEMENT_MS) });
      continue;
    }
    pass.result.counts.dossiers[judged.status] += 1;
    conditions.push(...judged.conditions);
    pass.onConditions?.(judged.conditions);
    moves.push({ id: row.code, was: row.nextCheckAt, next: judged.nextCheckAt });
  }
  await commitBatch(pass, 'dossiers', await newAlerts(pass, conditions), moves);
}

async function startPass(deps: MonitorDeps, calendars: WorkingCalendars, now: Date, runId: string, onConditions?: Pass['onConditions']): Promise<Pass> {
  return {
    deps,
    calendars,
    now,
    runId,
    directory: await Directory.load(deps.db),
    result: { counts: { steps: zero(), dossiers: zero() }, alertsRaised: 0, rescheduled: 0, failed: 0 },
    ...(onConditions ? { onConditions } : {}),
  };
}

/** A tick: only the steps and dossiers whose next check has come. */
export async function tick(deps: MonitorDeps, calendars: WorkingCalendars, now: Date, runId: string): Promise<PassResult> {
  const pass = await startPass(deps, calendars, now, runId);
  for (;;) {
    const rows = await deps.db.selectFrom('steps').select(STEP_COLUMNS).select(heldByColumn.as('heldBy')).where('nextCheckAt', '<=', now).orderBy('nextCheckAt').limit(JUDGE_BATCH).execute();
    if (rows.length > 0) await judgeStepBatch(pass, rows);
    if (rows.length < JUDGE_BATCH) break;
  }
  for (;;) {
    const rows = await deps.db
      .selectFrom('dossiers')
      .select(DOSSIER_COLUMNS)
      .select(clockStoppedColumn.as('clockStopped'))
      .where('nextCheckAt', '<=', now)
      .orderBy('nextCheckAt')
      .limit(JUDGE_BATCH)
      .execute();
    if (rows.length > 0) await judgeDossierBatch(pass, rows);
    if (rows.length < JUDGE_BATCH) break;
  }
  return pass.result;
}

/**
 * The daily reconciliation: every open step and dossier judged again, a page at a time in key
 * order (`steps_open`, `dossiers_open`: no long-running cursor), missed alerts raised, every
 * next check corrected. `onConditions` sees the conditions of each item judged (the digest),
 * so that nothing grows with the data in memory.
 */
export async function reconcile(deps: MonitorDeps, calendars: WorkingCalendars, now: Date, runId: string, onConditions?: Pass['onConditions']): Promise<PassResult> {
  const pass = await startPass(deps, calendars, now, runId, onConditions);
  for (let after = ''; ; ) {
    const rows = await deps.db.selectFrom('steps').select(STEP_COLUMNS).select(heldByColumn.as('heldBy')).where('finishedAt', 'is', null).where('id', '>', after).orderBy('id').limit(JUDGE_BATCH).execute();
    if (rows.length > 0) await judgeStepBatch(pass, rows);
    if (rows.length < JUDGE_BATCH) break;
    after = (rows[rows.length - 1] as StepRow).id;
  }
  for (let after = ''; ; ) {
    const rows = await deps.db
      .selectFrom('dossiers')
      .select(DOSSIER_COLUMNS)
      .select(clockStoppedColumn.as('clockStopped'))
      .where('status', '=', 'open')
      .where('code', '>', after)
      .orderBy('code')
      .limit(JUDGE_BATCH)
      .execute();
    if (rows.length > 0) await judgeDossierBatch(pass, rows);
    if (rows.length < JUDGE_BATCH) break;
    after = (rows[rows.length - 1] as DossierRow).code;
  }
  return pass.result;
}

/** Open steps and dossiers past their due time now, counted by the database. */
export async function openLateCounts(db: Db, now: Date): Promise<{ openOverdueSteps: number; openLateDossiers: number }> {
  const [steps, dossiers] = await Promise.all([
    db.selectFrom('steps').select((eb) => eb.fn.countAll<number>().as('n')).where('finishedAt', 'is', null).where('dueAt', '<', now).executeTakeFirstOrThrow(),
    db
      .selectFrom('dossiers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'open')
      .where(sql<Date>`coalesce(appointment_at, statutory_due_at)`, '<', now)
      .executeTakeFirstOrThrow(),
  ]);
  return { openOverdueSteps: Number(steps.n), openLateDossiers: Number(dossiers.n) };
}
