/** How alert e-mails and pages write instants and working time, in Vietnamese. */
import { dayNumberOf, localDateOf, MINUTE_MS } from '../calendar/civil-time';

const VN_OFFSET_MS = 7 * 60 * MINUTE_MS;

/** `08:30 ngày 24/11/2026` (Việt Nam time). */
export function formatVnInstant(at: Date): string {
  const local = new Date(at.getTime() + VN_OFFSET_MS);
  const hh = String(local.getUTCHours()).padStart(2, '0');
  const mm = String(local.getUTCMinutes()).padStart(2, '0');
  return `${hh}:${mm} ngày ${formatVnDate(at)}`;
}

/** `24/11/2026` (Việt Nam civil date). */
export function formatVnDate(at: Date): string {
  const [y, m, d] = localDateOf(dayNumberOf(at.getTime())).split('-');
  return `${d}/${m}/${y}`;
}

/** `2 ngày làm việc 3 giờ 15 phút` for a number of working minutes (≥ 0). */
export function formatWorkingSpan(minutes: number, workingDayMinutes: number): string {
  const total = Math.max(0, Math.round(minutes));
  const days = Math.floor(total / workingDayMinutes);
  const rest = total % workingDayMinutes;
  const parts = [days ? `${days} ngày làm việc` : '', Math.floor(rest / 60) ? `${Math.floor(rest / 60)} giờ` : '', rest % 60 ? `${rest % 60} phút` : ''].filter(Boolean);
  return parts.length ? parts.join(' ') : '0 phút';
}

/** `còn 3 giờ làm việc` / `đã trễ 1 ngày làm việc 2 giờ` from working minutes left (negative: late). */
export function describeRemaining(remainingMinutes: number, workingDayMinutes: number): string {
  if (remainingMinutes > 0) return `còn ${formatWorkingSpan(remainingMinutes, workingDayMinutes)} (thời gian làm việc)`;
  if (remainingMinutes === 0) return 'đến hạn';
  return `đã trễ ${formatWorkingSpan(-remainingMinutes, workingDayMinutes)} (thời gian làm việc)`;
}
