/**
 * The daily digest (each recipient's due-soon and late items, one mail per person per day) and
 * the weekly summary for supervisors (dossiers received by channel, the VNeID share against its
 * target, the on-time rate against 100%, the late list). Both are alerts with a per-person,
 * per-day key (`digest:<username>:<date>`, `weekly:<username>:<date>`), delivered like any
 * alert: once, in working time.
 */
import { dayNumberOf, dayStartMs, localDateOf } from '../calendar/civil-time';
import type { WorkingCalendars } from '../calendar/working-calendar';
import { DOSSIER_SOURCES, type DossierSource } from '../readmodel/dossier';
import type { Condition } from './classify';
import { Directory } from './directory';
import { describeRemaining, formatVnDate, formatVnInstant } from './format';
import type { AlertDoc } from './model';
import { renderMail } from './templates';
import { insertAlerts, judgeAll, newAlert, type MonitorDeps } from './tick';

const SOURCE_LABELS: Record<DossierSource, string> = {
  vneid: 'Ứng dụng VNeID',
  nationalPortal: 'Cổng Dịch vụ công quốc gia',
  provincialPortal: 'Cổng dịch vụ công của tỉnh',
  inPerson: 'Trực tiếp tại Bộ phận Một cửa',
  post: 'Qua dịch vụ bưu chính',
};

function item(deps: MonitorDeps, c: Condition): Record<string, string> {
  return {
    dossierCode: c.dossierCode,
    stepName: c.stepName ?? '',
    unitName: c.unitName ?? c.unitId,
    dueAt: formatVnInstant(c.dueAt),
    lateness: describeRemaining(c.remainingMinutes, deps.settings.workingDayMinutes),
    link: `${deps.settings.appUrl}/ho-so/${encodeURIComponent(c.dossierCode)}`,
  };
}

/** Raises one digest per recipient who has due-soon or late items; returns how many were new. */
export async function raiseDailyDigests(deps: MonitorDeps, calendars: WorkingCalendars, now: Date, runId: string): Promise<number> {
  const { conditions } = await judgeAll(deps, calendars, now);
  const directory = await Directory.load(deps.users);
  const perPerson = new Map<string, { recipient: ReturnType<Directory['holders']>[number]; late: Condition[]; dueSoon: Condition[]; seen: Set<string> }>();
  for (const c of conditions) {
    if (c.kind === 'apologyDue') continue;
    for (const r of directory.recipients(c.role, c.unitId)) {
      const entry = perPerson.get(r.username) ?? { recipient: r, late: [], dueSoon: [], seen: new Set<string>() };
      const itemKey = `${c.subject}:${c.stepId ?? c.dossierCode}`;
      if (!entry.seen.has(itemKey)) {
        entry.seen.add(itemKey);
        (c.kind === 'dueSoon' ? entry.dueSoon : entry.late).push(c);
      }
      perPerson.set(r.username, entry);
    }
  }
  const date = localDateOf(dayNumberOf(now.getTime()));
  const docs: AlertDoc[] = [];
  for (const { recipient, late, dueSoon } of perPerson.values()) {
    const byDue = (a: Condition, b: Condition): number => a.dueAt.getTime() - b.dueAt.getTime();
    const title = `Tổng hợp ngày ${formatVnDate(now)}: ${late.length} việc quá hạn, ${dueSoon.length} việc sắp đến hạn`;
    const mail = renderMail('digest', {
      title,
      agencyName: deps.settings.agencyName,
      urgent: late.length > 0,
      recipientName: recipient.displayName,
      asOf: formatVnInstant(now),
      late: late.sort(byDue).map((c) => item(deps, c)),
      dueSoon: dueSoon.sort(byDue).map((c) => item(deps, c)),
    });
    docs.push(
      newAlert(
        { _id: `digest:${recipient.username}:${date}`, kind: 'digest', subject: 'person', level: 0, dossierCode: null, stepId: null, elementId: null, stepName: null, unitId: null, unitName: null, role: null, dueAt: null, remainingMinutes: 0, detectedAt: now, runId, recipients: [recipient], mail },
        now,
      ),
    );
  }
  return insertAlerts(deps.models.alerts, docs);
}

const percent = (part: number, whole: number): string => (whole === 0 ? '—' : `${((100 * part) / whole).toFixed(1).replace('.', ',')}%`);

export interface WeeklyFigures {
  from: Date;
  to: Date;
  received: number;
  bySource: Record<DossierSource, number>;
  vneidShare: number | null;
  finished: number;
  onTime: number;
  onTimeRate: number | null;
  late: { dossierCode: string; state: string; dueAt: Date; lateMinutes: number }[];
}

/** The week's figures: Monday 00:00 (Việt Nam) to now. */
export async function weeklyFigures(deps: MonitorDeps, calendars: WorkingCalendars, now: Date): Promise<WeeklyFigures> {
  const today = dayNumberOf(now.getTime());
  const weekday = (new Date(dayStartMs(today) + 7 * 3600_000).getUTCDay() + 6) % 7; // Monday 0
  const from = new Date(dayStartMs(today - weekday));
  const bySource = Object.fromEntries(DOSSIER_SOURCES.map((s) => [s, 0])) as Record<DossierSource, number>;
  let received = 0;
  for await (const d of deps.dossiers.find({ receivedAt: { $gte: from, $lte: now } }, { source: 1 }).lean().cursor()) {
    received += 1;
    const source = (d.source ?? 'vneid');
    bySource[source] = (bySource[source] ?? 0) + 1;
  }
  let finished = 0;
  let onTime = 0;
  const late: WeeklyFigures['late'] = [];
  for await (const d of deps.dossiers.find({ status: 'closed', finishedAt: { $gte: from, $lte: now } }, { code: 1, unitId: 1, finishedAt: 1, statutoryDueAt: 1, appointmentAt: 1, outcome: 1 }).lean().cursor()) {
    if (d.outcome === 'withdrawn') continue;
    const due = d.appointmentAt ?? d.statutoryDueAt;
    if (!due || !d.finishedAt) continue;
    finished += 1;
    if (d.finishedAt.getTime() <= due.getTime()) onTime += 1;
    else late.push({ dossierCode: d.code, state: 'đã giải quyết, trễ hạn', dueAt: due, lateMinutes: calendars.forUnit(d.unitId).between(due, d.finishedAt) });
  }
  for await (const d of deps.dossiers.find({ status: 'open' }, { code: 1, unitId: 1, statutoryDueAt: 1, appointmentAt: 1 }).lean().cursor()) {
    const due = d.appointmentAt ?? d.statutoryDueAt;
    if (due && due.getTime() < now.getTime()) late.push({ dossierCode: d.code, state: 'đang giải quyết, quá hạn', dueAt: due, lateMinutes: calendars.forUnit(d.unitId).between(due, now) });
  }
  late.sort((a, b) => b.lateMinutes - a.lateMinutes);
  return { from, to: now, received, bySource, vneidShare: received ? bySource.vneid / received : null, finished, onTime, onTimeRate: finished ? onTime / finished : null, late };
}

export async function raiseWeeklySummaries(deps: MonitorDeps, calendars: WorkingCalendars, now: Date, runId: string): Promise<number> {
  const figures = await weeklyFigures(deps, calendars, now);
  const directory = await Directory.load(deps.users);
  const target = deps.settings.vneidTargetPercent;
  const mail = renderMail('weekly', {
    title: `Báo cáo tuần ${formatVnDate(figures.from)}–${formatVnDate(now)}: tiếp nhận ${figures.received} hồ sơ, đúng hạn ${percent(figures.onTime, figures.finished)}`,
    agencyName: deps.settings.agencyName,
    urgent: figures.late.length > 0,
    from: formatVnDate(figures.from),
    to: formatVnDate(now),
    channels: DOSSIER_SOURCES.map((s) => ({ label: SOURCE_LABELS[s], count: figures.bySource[s] })),
    received: figures.received,
    vneidShare: percent(figures.bySource.vneid, figures.received),
    vneidTarget: `${target}%`,
    vneidMet: figures.vneidShare !== null && figures.vneidShare * 100 > target,
    finished: figures.finished,
    onTimeRate: percent(figures.onTime, figures.finished),
    onTimeTarget: '100%',
    onTimeMet: figures.onTimeRate === null || figures.onTimeRate === 1,
    late: figures.late.map((l) => ({
      dossierCode: l.dossierCode,
      state: l.state,
      dueAt: formatVnInstant(l.dueAt),
      lateness: describeRemaining(-l.lateMinutes, deps.settings.workingDayMinutes),
      link: `${deps.settings.appUrl}/ho-so/${encodeURIComponent(l.dossierCode)}`,
    })),
  });
  const date = localDateOf(dayNumberOf(now.getTime()));
  const docs = directory
    .holders('supervisor')
    .map((r) =>
      newAlert(
        { _id: `weekly:${r.username}:${date}`, kind: 'weekly', subject: 'person', level: 0, dossierCode: null, stepId: null, elementId: null, stepName: null, unitId: null, unitName: null, role: 'supervisor', dueAt: null, remainingMinutes: 0, detectedAt: now, runId, recipients: [r], mail },
        now,
      ),
    );
  return insertAlerts(deps.models.alerts, docs);
}
