/**
 * The monthly report leaves once: the monitor's monthly run (MONITOR_MONTHLY_CRON, just after the
 * month's cut-off REPORT_MONTH_CUTOFF) archives the month that has just ended (./monthly.ts) and mails it, XLSX
 * and PDF attached, to the agency's active leaders and REPORT_MONTHLY_RECIPIENTS. A month is
 * mailed once whatever the replicas do: the mail is claimed in the archive (`sent_at` set where
 * no revision of the month has one) before it leaves, and a send the SMTP server refused gives
 * the claim back, so the next monitor tick tries again. Figures, the 766 progress score and the
 * digest only in the text: the late tasks, their officers and heads are in the files.
 */
import { sql } from 'kysely';
import type { Logger } from '../logger';
import type { Mailer } from '../mail';
import { formatVnInstant } from '../monitor/format';
import { lastEndedMonth, monthLabel, type MonthCutoff } from './month';
import { monthlyFileName, monthlyReport, pointsText, type ArchivedMonth, type MonthlyReportDeps, type ProgressScore } from './monthly';
import { figureLines, MONITOR_ACTOR, percent } from './weekly-mail';

export interface MonthlyMailDeps {
  report: MonthlyReportDeps;
  mailer: Mailer;
  logger: Logger;
  cutoff: MonthCutoff;
  /** Besides the active leaders (REPORT_MONTHLY_RECIPIENTS). */
  recipients: readonly string[];
}

function mailText(report: ArchivedMonth, agencyName: string): string {
  const progress = report.summary.progress766 as ProgressScore;
  return [
    `${agencyName}: báo cáo tháng ${monthLabel(report.month)} về cấp Phiếu lý lịch tư pháp qua VNeID (Đề án 06).`,
    `Tháng: từ ${formatVnInstant(report.periodFrom)} đến trước ${formatVnInstant(report.periodTo)}.`,
    '',
    ...figureLines(report.summary),
    `Chỉ số 766, nhóm Tiến độ, kết quả giải quyết: ${pointsText(progress)} điểm (${String(progress.onTime)}/${String(progress.counted)} hồ sơ trước hạn, đúng hạn: ${percent(progress.ratio)}).`,
    '',
    'Từng việc trễ hạn với đơn vị, cán bộ và người chịu trách nhiệm (từ trưởng phòng trở lên): xem tệp XLSX và PDF đính kèm.',
    `SHA-256 các dòng: ${report.rowsSha256}; SHA-256 nội dung: ${report.contentSha256} (kiểm tra tệp: npx lltp inspection verify <tệp>).`,
  ].join('\n');
}

/** The active leaders' addresses and the configured ones, each once, sorted. */
async function recipientsOf(deps: MonthlyMailDeps): Promise<string[]> {
  const leaders = await deps.report.service.db.selectFrom('users').select('email').where('active', '=', true).where(sql<boolean>`'leader' = ANY(roles)`).execute();
  return [...new Set([...leaders.map((l) => l.email), ...deps.recipients])].sort();
}

/** Archives the last ended month if needed and mails it once; true when this call mailed it. */
export async function sendMonthlyReport(deps: MonthlyMailDeps, now: Date): Promise<boolean> {
  const month = lastEndedMonth(now, deps.cutoff);
  const report = await monthlyReport({ ...deps.report, service: { ...deps.report.service, now: () => now } }, MONITOR_ACTOR, month);
  const recipients = await recipientsOf(deps);
  if (recipients.length === 0) {
    deps.logger.warn({ month: month.month }, 'monthly report archived, not mailed: no active leader and REPORT_MONTHLY_RECIPIENTS is empty');
    return false;
  }
  const db = deps.report.service.db;
  // every revision of the month locked, so that two replicas claiming at once are taken one after the other
  const claimed = await db.transaction().execute(async (tx) => {
    const revisions = await tx.selectFrom('monthlyReports').select('sentAt').where('agencyCode', '=', report.agencyCode).where('month', '=', report.month).forUpdate().execute();
    if (revisions.some((r) => r.sentAt !== null)) return false;
    await tx.updateTable('monthlyReports').set({ sentAt: now, recipients }).where('agencyCode', '=', report.agencyCode).where('month', '=', report.month).where('revision', '=', report.revision).execute();
    return true;
  });
  if (!claimed) return false;
  try {
    await deps.mailer.send({
      to: recipients,
      subject: `Báo cáo tháng Đề án 06 — ${deps.report.service.agencyName(new Date(report.periodTo.getTime() - 1))} — tháng ${monthLabel(month.month)}`,
      text: mailText(report, deps.report.service.agencyName(new Date(report.periodTo.getTime() - 1))),
      messageId: `<monthly-${report.agencyCode}-${month.month}-r${report.revision}@lltp-flow>`,
      attachments: [
        { filename: monthlyFileName(month.month, report.revision, 'xlsx'), content: report.xlsx, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
        { filename: monthlyFileName(month.month, report.revision, 'pdf'), content: report.pdf, contentType: 'application/pdf' },
      ],
    });
  } catch (error) {
    await db.updateTable('monthlyReports').set({ sentAt: null, recipients: [] }).where('agencyCode', '=', report.agencyCode).where('month', '=', report.month).where('revision', '=', report.revision).where('sentAt', '=', now).execute();
    throw error;
  }
  deps.logger.info({ month: month.month, revision: report.revision, recipients: recipients.length }, 'monthly report mailed');
  return true;
}

/** For the monitor's ticks: the last ended month archived but never mailed (the SMTP server refused it) is tried again. */
export async function retryUnsentMonthlyReport(deps: MonthlyMailDeps, now: Date): Promise<boolean> {
  const month = lastEndedMonth(now, deps.cutoff);
  const rows = await deps.report.service.db.selectFrom('monthlyReports').select('sentAt').where('agencyCode', '=', deps.report.agencyCode).where('month', '=', month.month).execute();
  if (rows.length === 0 || rows.some((r) => r.sentAt !== null) || (await recipientsOf(deps)).length === 0) return false;
  return sendMonthlyReport(deps, now);
}
