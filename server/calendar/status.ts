/**
 * Status of a step or a dossier against its due time, in working time.
 * - open: `overdue` after the due time; `dueSoon` when the working time left is at most
 *   `percent`% of the allotment **and** at most `minutes` working minutes (the smaller
 *   threshold: a 2-hour step turns due soon in its last 24 minutes, a 10-day dossier in its
 *   last 4 hours), so that a short step is not "due soon" the moment it starts; otherwise `onTrack`;
 * - closed: `late` when finished after the due time (lateness in working minutes, rounded up);
 *   `onTime` when finished on the due day, not after the due time; `early` before the due day.
 * Vietnamese labels: `statusLabels` in server/glossary.ts.
 */
import type { ClosedStatus, OpenStatus } from '../glossary';
import { dayNumberOf, MINUTE_MS } from './civil-time';
import { CalendarInputError } from './errors';
import { checkInstant, type WorkingCalendar } from './working-calendar';

export interface DueSoonPolicy {
  percent: number;
  minutes: number;
}

export const DEFAULT_DUE_SOON_POLICY: DueSoonPolicy = { percent: 20, minutes: 240 };

export interface OpenClassification {
  status: OpenStatus;
  /** Working minutes left (negative: how far past the due time). */
  remainingMinutes: number;
}

export interface ClosedClassification {
  status: ClosedStatus;
  /** Working minutes after the due time, rounded up; 0 unless late. */
  latenessMinutes: number;
}

export function dueSoonThresholdMinutes(allotmentMinutes: number, policy: DueSoonPolicy = DEFAULT_DUE_SOON_POLICY): number {
  if (!Number.isFinite(allotmentMinutes) || allotmentMinutes < 0) throw new CalendarInputError(`allotmentMinutes không hợp lệ: ${allotmentMinutes}`);
  return Math.min(Math.ceil((allotmentMinutes * policy.percent) / 100), policy.minutes);
}

export function classifyOpen(
  calendar: WorkingCalendar,
  item: { dueAt: Date; allotmentMinutes: number },
  now: Date,
  policy: DueSoonPolicy = DEFAULT_DUE_SOON_POLICY,
): OpenClassification {
  const dueMs = checkInstant(item.dueAt, 'dueAt');
  const nowMs = checkInstant(now, 'now');
  const remainingMinutes = calendar.between(now, item.dueAt);
  if (nowMs > dueMs) return { status: 'overdue', remainingMinutes };
  const status = remainingMinutes <= dueSoonThresholdMinutes(item.allotmentMinutes, policy) ? 'dueSoon' : 'onTrack';
  return { status, remainingMinutes };
}

export function classifyClosed(calendar: WorkingCalendar, item: { dueAt: Date }, finishedAt: Date): ClosedClassification {
  const dueMs = checkInstant(item.dueAt, 'dueAt');
  const finishedMs = checkInstant(finishedAt, 'finishedAt');
  if (finishedMs > dueMs) {
    return { status: 'late', latenessMinutes: Math.ceil(calendar.workingMsBetween(item.dueAt, finishedAt) / MINUTE_MS) };
  }
  return { status: dayNumberOf(finishedMs) < dayNumberOf(dueMs) ? 'early' : 'onTime', latenessMinutes: 0 };
}
