/**
 * The rules of the apology letter (mẫu 04; from 2025 *Văn bản xin lỗi và đề nghị gia hạn*):
 * once per dossier (the same date again only confirms it); the new return date is a working day of the dossier's unit, later than
 * the current appointment and not in the past; the return is due at the end of office hours
 * that day. Used by the inbox before the leader's form is accepted and by the worker that issues
 * the letter (which checks again: jobs can be delivered more than once).
 */
import { DAY_MS, dayNumberOf, dayNumberOfLocalDate, dayStartMs, localDateOf } from '../calendar/civil-time';
import type { WorkingCalendar } from '../calendar/working-calendar';

/** End of office hours on a civil date, or null when the unit does not work that day. */
export function endOfOfficeHours(calendar: WorkingCalendar, date: string): Date | null {
  const start = new Date(dayStartMs(dayNumberOfLocalDate(date)));
  const minutes = calendar.between(start, new Date(start.getTime() + DAY_MS));
  if (minutes <= 0) return null;
  return calendar.add(start, minutes).dueAt;
}

export class ApologyRuleError extends Error {
  constructor(
    readonly status: 400 | 409,
    message: string,
  ) {
    super(message);
    this.name = 'ApologyRuleError';
  }
}

/** Throws ApologyRuleError (Vietnamese message) when the apology may not be issued as asked. */
export function checkApology(
  dossier: { code: string; apology?: { newReturnDate: string } | null; appointmentAt?: Date | null; statutoryDueAt: Date | null },
  request: { newReturnDate: string },
  calendar: WorkingCalendar,
  now: Date,
): { returnDueAt: Date } {
  if (dossier.apology) {
    // the same date again confirms the letter already issued (a repeated form); another date is a second apology
    const again = dossier.apology.newReturnDate === request.newReturnDate ? endOfOfficeHours(calendar, request.newReturnDate) : null;
    if (again) return { returnDueAt: again };
    throw new ApologyRuleError(
      409,
      `Hồ sơ ${dossier.code} đã có văn bản xin lỗi và hẹn lại ngày trả kết quả (ngày ${dossier.apology.newReturnDate}); mỗi hồ sơ chỉ được hẹn lại một lần (chỉ có thể xác nhận lại đúng ngày này).`,
    );
  }
  const returnDueAt = endOfOfficeHours(calendar, request.newReturnDate);
  if (!returnDueAt) throw new ApologyRuleError(400, `newReturnDate: ngày ${request.newReturnDate} không phải ngày làm việc; hãy chọn một ngày làm việc.`);
  const current = dossier.appointmentAt ?? dossier.statutoryDueAt;
  if (current && request.newReturnDate <= localDateOf(dayNumberOf(current.getTime()))) {
    throw new ApologyRuleError(400, `newReturnDate: ngày hẹn mới ${request.newReturnDate} phải sau ngày hẹn hiện tại ${localDateOf(dayNumberOf(current.getTime()))}.`);
  }
  if (request.newReturnDate < localDateOf(dayNumberOf(now.getTime()))) {
    throw new ApologyRuleError(400, `newReturnDate: ngày hẹn mới ${request.newReturnDate} đã qua.`);
  }
  return { returnDueAt };
}
