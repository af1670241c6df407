/**
 * The daily digest (each recipient's due-soon and late items, one mail per person per day) and
 * the weekly summary for supervisors (dossiers received by channel, the VNeID ratios against
 * their target, the on-time rate against 100%, refusals and withdrawals on their own lines, the
 * list of dossiers late on any of the three clocks). Both are alerts with a per-person,
 * per-day key (`digest:<username>:<date>`, `weekly:<username>:<date>`), delivered like any
 * alert: once, in working time. The digest lists what the daily reconciliation found (tick.ts);
 * the weekly figures are aggregated by the database over indexed columns.
 */
import { sql } from 'kysely';
import { dayNumberOf, localDateOf } from '../calendar/civil-time';
import { closedCounts, closedCountsOf, countLabels, lateAnyClockSql, onTimeRate, stepLateAtSql, vneidShares } from '../inspection/counting';
import { openAt } from '../inspection/as-of';
import { dueAsOfSql } from '../readmodel/deadline-history';
import { lastEndedWeek } from '../inspection/week';
import type { WorkingCalendars } from '../calendar/working-calendar';
import { DOSSIER_SOURCES, type DossierSource } from '../readmodel/dossier';
import type { Condition } from './classify';
import { Directory } from './directory';
import { describeRemaining, formatVnDate, formatVnInstant } from './format';
import { DESK_NOTICE_KINDS, type NewAlert } from './model';
import { renderMail } from './templates';
import { insertAlerts, type MonitorDeps } from './tick';

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

/** A digest or summary to one person. */
function personalAlert(id: string, kind: 'digest' | 'weekly', role: string | null, recipient: NewAlert['recipients'][number], mail: NewAlert['mail'], now: Date, runId: string): NewAlert {
  return { id, kind, subject: 'person', level: 0, dossierCode: null, stepId: null, elementId: null, stepName: null, unitId: null, unitName: null, role, dueAt: null, remainingMinutes: 0, detectedAt: now, runId, recipients: [recipient], mail };
}

/** Items listed per kind in one digest; the rest are counted, and listed in the inbox. */
export const DIGEST_ITEMS = 50;

const byDue = (a: Condition, b: Condition): number => a.dueAt.getTime() - b.dueAt.getTime();

/** The most urgent `limit` items of a kind, and how many there are in all. */
class Bounded {
  count = 0;
  private items: Condition[] = [];
  constructor(private readonly limit: number) {}
  add(c: Condition): void {
    this.count += 1;
    this.items.push(c);
    if (this.items.length >= 2 * this.limit) this.items = this.items.sort(byDue).slice(0, this.limit);
  }
  top(): Condition[] {
    return this.items.sort(byDue).slice(0, this.limit);
  }
}

/**
 * Each person's late and due-soon items, fed with the conditions of each judged item by the
 * daily reconciliation: the counts and the DIGEST_ITEMS most urgent of each kind, so that memory
 * stays bounded whatever the number of open dossiers.
 */
export class DigestCollector {
  private readonly people = new Map<string, { recipient: ReturnType<Directory['holders']>[number]; late: Bounded; dueSoon: Bounded }>();
  constructor(private readonly directory: Directory, private readonly limit = DIGEST_ITEMS) {}

  /** The conditions of one step or dossier: each person hears of the item once. */
  add = (conditions: readonly Condition[]): void => {
    const told = new Set<string>();
    for (const c of conditions) {
      if (c.kind === 'apologyDue' || DESK_NOTICE_KINDS.has(c.kind)) continue; // mailed on their own, never in the digest
      for (const r of this.directory.recipientsOf(c)) {
        if (told.has(r.username)) continue;
        told.add(r.username);
        const entry = this.people.get(r.username) ?? { recipient: r, late: new Bounded(this.limit), dueSoon: new Bounded(this.limit) };
        (c.kind === 'dueSoon' ? entry.dueSoon : entry.late).add(c);
        this.people.set(r.username, entry);
      }
    }
  };

  entries(): IterableIterator<{ recipient: ReturnType<Directory['holders']>[number]; late: Bounded; dueSoon: Bounded }> {
    return this.people.values();
  }
}

/** Raises one digest per person the collector heard of; returns how many were new. */
export async function raiseDailyDigests(deps: MonitorDeps, collector: DigestCollector, now: Date, runId: string): Promise<number> {
  const date = localDateOf(dayNumberOf(now.getTime()));
  const docs: NewAlert[] = [];
  for (const { recipient, late, dueSoon } of collector.entries()) {
    const title = `Tổng hợp ngày ${formatVnDate(now)}: ${late.count} việc quá hạn, ${dueSoon.count} việc sắp đến hạn`;
    const lateItems = late.top();
    const dueSoonItems = dueSoon.top();
    const mail = renderMail('digest', {
      title,
      agencyName: deps.settings.agencyName(now),
      urgent: late.count > 0,
      recipientName: recipient.displayName,
      asOf: formatVnInstant(now),
      late: lateItems.map((c) => item(deps, c)),
      lateCount: late.count,
      lateMore: late.count - lateItems.length,
      dueSoon: dueSoonItems.map((c) => item(deps, c)),
      dueSoonCount: dueSoon.count,
      dueSoonMore: dueSoon.count - dueSoonItems.length,
      inboxLink: `${deps.settings.appUrl}/hop-viec`,
    });
    docs.push(personalAlert(`digest:${recipient.username}:${date}`, 'digest', null, recipient, mail, now, runId));
  }
  return insertAlerts(deps.db, docs, now);
}

const percent = (part: number, whole: number): string => (whole === 0 ? '—' : `${((100 * part) / whole).toFixed(1).replace('.', ',')}%`);

export interface WeeklyFigures {
  from: Date;
  to: Date;
  received: number;
  bySource: Record<DossierSource, number>;
  /** Received through VNeID ÷ all received; resolved through VNeID ÷ all received (server/inspection/counting.ts). */
  vneidShare: number | null;
  vneidShareResolved: number | null;
  /** Certificates issued in the week, and those issued on time: the on-time rate's terms. */
  issued: number;
  onTime: number;
  onTimeRate: number | null;
  /** Refusals (form 03) and withdrawals, outside the rate. */
  refused: number;
  withdrawn: number;
  /** Late on any of the three clocks: ended in the week, or open at the cut-off. */
  late: { dossierCode: string; state: string; dueAt: Date; lateMinutes: number }[];
}

/** Which clocks a dossier overran, in words: `trễ hạn (có văn bản xin lỗi); trễ chỉ tiêu Quy trình 570; 2 bước nội bộ (QĐ 2799) trễ`. */
function clocksText(d: { statutory: boolean; apology: boolean; target: boolean; steps: number }): string {
  const parts = [d.statutory ? `trễ hạn${d.apology ? ' (có văn bản xin lỗi)' : ''}` : '', d.target ? 'trễ chỉ tiêu Quy trình 570' : '', d.steps ? `${d.steps} bước nội bộ (QĐ 2799) trễ` : ''];
  return parts.filter(Boolean).join('; ');
}

/**
 * The week's dossiers late on any clock, as of the cut-off (server/inspection/as-of.ts): ended in
 * the week, then open at the cut-off (a dossier that closed after it was open then).
 */
async function lateOnAnyClock(deps: MonitorDeps, calendars: WorkingCalendars, from: Date, to: Date): Promise<WeeklyFigures['late']> {
  const rows = await deps.db
    .selectFrom('dossiers as d')
    .select([
      'd.code',
      'd.unitId',
      'd.status',
      'd.outcome',
      'd.finishedAt',
      // the due dates the dossier had at the cut-off (deadline-history.ts)
      dueAsOfSql('statutory', to, true).as('statutoryDueAt'),
      dueAsOfSql('target', to, true).as('targetDueAt'),
      'd.apologyIssuedAt',
      sql<string>`(SELECT count(*) FROM steps s WHERE s.dossier_code = d.code AND ${stepLateAtSql(to)} AND (s.finished_at IS NULL OR s.finished_at > s.due_at))`.as('lateSteps'),
    ])
    .where((eb) => eb.or([eb.and([eb('d.status', '=', 'closed'), eb('d.finishedAt', '>=', from), eb('d.finishedAt', '<', to)]), eb.and([openAt(eb, to), eb('d.receivedAt', '<', to)])]))
    .where(lateAnyClockSql(to, true))
    .execute();
  return rows.map((d) => {
    const closedByCutoff = d.finishedAt !== null && d.finishedAt <= to;
    const end = closedByCutoff ? (d.finishedAt as Date) : to;
    const statutory = d.statutoryDueAt !== null && end > d.statutoryDueAt;
    const target = d.targetDueAt !== null && end > d.targetDueAt;
    const dueAt = (statutory ? d.statutoryDueAt : (d.targetDueAt ?? d.statutoryDueAt)) as Date;
    const ended = !closedByCutoff ? 'đang giải quyết' : d.outcome === 'refused' ? 'đã từ chối (mẫu 03)' : d.outcome === 'issued' ? 'đã cấp Phiếu' : 'đã kết thúc';
    const apology = d.apologyIssuedAt !== null && d.apologyIssuedAt <= to;
    return {
      dossierCode: d.code,
      state: `${ended}, ${clocksText({ statutory, apology, target, steps: Number(d.lateSteps) })}`,
      dueAt,
      lateMinutes: Math.max(0, calendars.forUnit(d.unitId).between(dueAt, end)),
    };
  });
}

/**
 * The figures of the report week that ended last (from the previous cut-off to the last one,
 * REPORT_WEEK_CUTOFF: weeks follow each other with no gap), counted as the province counts
 * (server/inspection/counting.ts). On time is judged against the statutory due date the
 * dossier had before any apology letter, never the moved appointment.
 */
export async function weeklyFigures(deps: MonitorDeps, calendars: WorkingCalendars, now: Date): Promise<WeeklyFigures> {
  const week = lastEndedWeek(now, deps.settings.weekCutoff);
  const { from, to } = week;
  const bySource = Object.fromEntries(DOSSIER_SOURCES.map((s) => [s, 0])) as Record<DossierSource, number>;
  let received = 0;
  const [sources, closedRow, late] = await Promise.all([
    deps.db.selectFrom('dossiers').select(['source', sql<number>`count(*)`.as('n')]).where('receivedAt', '>=', from).where('receivedAt', '<', to).groupBy('source').execute(),
    deps.db
      .selectFrom('dossiers as d')
      .select(Object.entries(closedCounts(to)).map(([k, v]) => v.as(k)))
      .where('d.status', '=', 'closed')
      .where('d.finishedAt', '>=', from)
      .where('d.finishedAt', '<', to)
      .executeTakeFirst() as Promise<Record<string, string> | undefined>,
    lateOnAnyClock(deps, calendars, from, to),
  ]);
  for (const { source, n } of sources) {
    bySource[source] = Number(n);
    received += Number(n);
  }
  const closed = closedCountsOf(closedRow);
  const shares = vneidShares({ received, receivedVneid: bySource.vneid, resolvedVneid: closed.resolvedVneid });
  late.sort((a, b) => b.lateMinutes - a.lateMinutes || a.dossierCode.localeCompare(b.dossierCode));
  return {
    from,
    to,
    received,
    bySource,
    vneidShare: shares.vneidShareReceived,
    vneidShareResolved: shares.vneidShareResolved,
    issued: closed.issued,
    onTime: closed.issuedOnTime,
    onTimeRate: onTimeRate(closed.issuedOnTime, closed.issued),
    refused: closed.refused,
    withdrawn: closed.withdrawn,
    late,
  };
}

export async function raiseWeeklySummaries(deps: MonitorDeps, calendars: WorkingCalendars, now: Date, runId: string): Promise<number> {
  const figures = await weeklyFigures(deps, calendars, now);
  const directory = await Directory.load(deps.db);
  const target = deps.settings.vneidTargetPercent;
  const mail = renderMail('weekly', {
    title: `Báo cáo tuần ${formatVnDate(figures.from)}–${formatVnDate(figures.to)}: tiếp nhận ${figures.received} hồ sơ, đúng hạn ${percent(figures.onTime, figures.issued)}`,
    agencyName: deps.settings.agencyName(new Date(figures.to.getTime() - 1)),
    urgent: figures.late.length > 0,
    from: formatVnInstant(figures.from),
    to: formatVnInstant(figures.to),
    channels: DOSSIER_SOURCES.map((s) => ({ label: SOURCE_LABELS[s], count: figures.bySource[s] })),
    received: figures.received,
    vneidShareLabel: countLabels.vneidShareReceived,
    vneidShare: percent(figures.bySource.vneid, figures.received),
    vneidShareResolvedLabel: countLabels.vneidShareResolved,
    vneidShareResolved: percent(figures.received * (figures.vneidShareResolved ?? 0), figures.received),
    vneidTarget: `${target}%`,
    vneidMet: figures.vneidShare !== null && figures.vneidShare * 100 > target,
    vneidResolvedMet: figures.vneidShareResolved !== null && figures.vneidShareResolved * 100 > target,
    issued: figures.issued,
    onTimeRate: percent(figures.onTime, figures.issued),
    refusedLabel: countLabels.refused,
    refused: figures.refused,
    withdrawnLabel: countLabels.withdrawn,
    withdrawn: figures.withdrawn,
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
  const date = localDateOf(dayNumberOf(figures.to.getTime()));
  const docs = directory.holders('supervisor').map((r) => personalAlert(`weekly:${r.username}:${date}`, 'weekly', 'supervisor', r, mail, now, runId));
  return insertAlerts(deps.db, docs, now);
}
