/**
 * The weekly report leaves on Friday: the monitor's weekly run archives the week that has just
 * ended (server/inspection/service.ts) and mails it, XLSX and PDF attached, to
 * REPORT_WEEKLY_RECIPIENTS (outside addresses allowed: the Đề án 06 working group, C06). A
 * report is mailed once (`sent_at`); a send the SMTP server refused is tried again by the next
 * monitor run. Figures and dossier codes only: no personal data.
 */
import type { Logger } from '../logger';
import type { Mailer } from '../mail';
import { formatVnInstant } from '../monitor/format';
import { countLabels } from './counting';
import { weeklyFileName, weeklyReport, type Actor, type ArchivedWeek, type InspectionServiceDeps } from './service';
import { lastEndedWeek, type WeekCutoff } from './week';

export interface WeeklyMailDeps {
  service: InspectionServiceDeps;
  mailer: Mailer;
  logger: Logger;
  cutoff: WeekCutoff;
  recipients: readonly string[];
}

export const MONITOR_ACTOR: Actor = { username: 'system:monitor', displayName: 'Bộ giám sát thời hạn' };

export const percent = (value: unknown): string => (typeof value === 'number' ? `${(value * 100).toFixed(1).replace('.', ',')}%` : '—');

const counts = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {});

/** The figures a period report's mail gives (weekly and monthly alike), from its archived summary. */
export function figureLines(s: Record<string, unknown>): string[] {
  const lateAgainst = counts(s.lateAgainst);
  const openLate = counts(s.openLateAgainst);
  return [
    `Tiếp nhận: ${String(s.received)} hồ sơ (mọi kênh).`,
    `${countLabels.vneidShareReceived}: ${percent(s.vneidShareReceived)} (mục tiêu trên 80%).`,
    `${countLabels.vneidShareResolved}: ${percent(s.vneidShareResolved)} (mục tiêu trên 80%).`,
    `Đã giải quyết: ${String(s.resolved)}; đã cấp Phiếu: ${String(s.issued)}.`,
    `Đúng hạn: ${String(s.onTime)}; trễ hạn: ${String(s.late)}; trễ hạn có văn bản xin lỗi: ${String(s.lateWithApology)}; ${countLabels.onTimeRate.toLowerCase()}: ${percent(s.onTimeRate)} (mục tiêu 100%).`,
    `${countLabels.refused}: ${String(s.refused)}. ${countLabels.withdrawn}: ${String(s.withdrawn)}.`,
    `Phiếu đã cấp trễ so với hạn luật định: ${String(lateAgainst.statutory)}; so với chỉ tiêu Quy trình 570: ${String(lateAgainst.target)}; có bước nội bộ (QĐ 2799) trễ: ${String(lateAgainst.step)}; đúng hạn luật định nhưng trễ chỉ tiêu hoặc bước nội bộ: ${String(lateAgainst.targetOrStepOnly)}.`,
    `Đang giải quyết, quá hạn luật định: ${String(s.openOverdue)}; quá chỉ tiêu Quy trình 570: ${String(openLate.target)}; có bước nội bộ quá thời gian giao: ${String(openLate.step)}.`,
  ];
}

function mailText(report: ArchivedWeek, agencyName: string): string {
  return [
    `${agencyName}: báo cáo tuần về cấp Phiếu lý lịch tư pháp qua VNeID (Đề án 06).`,
    `Tuần: từ ${formatVnInstant(report.periodFrom)} đến trước ${formatVnInstant(report.periodTo)}.`,
    '',
    ...figureLines(report.summary),
    '',
    'Danh sách hồ sơ trễ (so với hạn luật định, chỉ tiêu Quy trình 570 hoặc bước nội bộ), bước gây trễ và lý do: xem tệp XLSX và PDF đính kèm.',
    `SHA-256 các dòng: ${report.rowsSha256} (kiểm tra tệp: npx lltp inspection verify <tệp>).`,
  ].join('\n');
}

const lastInstantOf = (week: { to: Date }): Date => new Date(week.to.getTime() - 1);

/** Archives the last ended week if needed and mails it once; true when it was mailed now. */
export async function sendWeeklyReport(deps: WeeklyMailDeps, now: Date): Promise<boolean> {
  const week = lastEndedWeek(now, deps.cutoff);
  const report = await weeklyReport({ ...deps.service, now: () => now }, MONITOR_ACTOR, week);
  if (report.sentAt || deps.recipients.length === 0) {
    if (deps.recipients.length === 0) deps.logger.warn({ weekEnding: week.weekEnding }, 'weekly report archived, not mailed: REPORT_WEEKLY_RECIPIENTS is empty');
    return false;
  }
  await deps.mailer.send({
    to: [...deps.recipients],
    subject: `Báo cáo tuần Đề án 06 — ${deps.service.agencyName(lastInstantOf(week))} — tuần kết thúc ${week.weekEnding.split('-').reverse().join('/')}`,
    text: mailText(report, deps.service.agencyName(lastInstantOf(week))),
    messageId: `<weekly-${week.weekEnding}-r${report.revision}@lltp-flow>`,
    attachments: [
      { filename: weeklyFileName(week.weekEnding, report.revision, 'xlsx'), content: report.xlsx, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
      { filename: weeklyFileName(week.weekEnding, report.revision, 'pdf'), content: report.pdf, contentType: 'application/pdf' },
    ],
  });
  await deps.service.db
    .updateTable('weeklyReports')
    .set({ sentAt: now, recipients: [...deps.recipients] })
    .where('weekEnding', '=', report.weekEnding)
    .where('revision', '=', report.revision)
    .where('sentAt', 'is', null)
    .execute();
  deps.logger.info({ weekEnding: week.weekEnding, revision: report.revision, recipients: deps.recipients.length }, 'weekly report mailed');
  return true;
}

/** For the monitor's ticks: a week archived but not mailed yet (the SMTP server refused it) is tried again. */
export async function retryUnsentWeeklyReport(deps: WeeklyMailDeps, now: Date): Promise<boolean> {
  if (deps.recipients.length === 0) return false;
  const week = lastEndedWeek(now, deps.cutoff);
  const unsent = await deps.service.db.selectFrom('weeklyReports').select('revision').where('weekEnding', '=', week.weekEnding).where('sentAt', 'is', null).executeTakeFirst();
  return unsent ? sendWeeklyReport(deps, now) : false;
}
