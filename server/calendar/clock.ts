/**
 * A dossier's clock (Decree 61/2018 and successors):
 * - when it starts: a paper dossier received after the cut-off (15:00) counts from the next
 *   working day's opening; an online dossier received outside office hours counts from the
 *   next opening (both cut-offs configurable, see `IntakeRules`);
 * - stopped intervals (*dừng tính thời gian*, waiting for the citizen) do not count;
 * - after a supplement (*bổ sung hồ sơ*) the clock restarts from zero: `restartClock`.
 */
import { MINUTE_MS, msIntoDay } from './civil-time';
import { CalendarInputError } from './errors';
import { checkInstant, type WorkingCalendar, type WorkingTimeResult } from './working-calendar';

export const CHANNELS = ['online', 'paper'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface IntakeRules {
  /** Minutes after midnight; a dossier received strictly after it counts from the next working day. `null`: no cut-off. */
  paperCutoffMinutes: number | null;
  onlineCutoffMinutes: number | null;
}

export const DEFAULT_INTAKE_RULES: IntakeRules = { paperCutoffMinutes: 15 * 60, onlineCutoffMinutes: null };

export interface StoppedInterval {
  from: Date;
  /** `null` while the clock is still stopped. */
  to: Date | null;
  reason?: string;
}

export interface DossierClock {
  clockStartAt: Date;
  stoppedIntervals: readonly StoppedInterval[];
}

/** When the clock of a dossier received at `receivedAt` through `channel` starts. */
export function clockStartFor(calendar: WorkingCalendar, receivedAt: Date, channel: Channel, rules: IntakeRules = DEFAULT_INTAKE_RULES): Date {
  const receivedMs = checkInstant(receivedAt, 'receivedAt');
  if (!CHANNELS.includes(channel)) throw new CalendarInputError(`channel phải là online hoặc paper (nhận: ${String(channel)})`);
  const cutoff = channel === 'paper' ? rules.paperCutoffMinutes : rules.onlineCutoffMinutes;
  if (cutoff !== null && msIntoDay(receivedMs) > cutoff * MINUTE_MS) return calendar.nextWorkingDayOpening(receivedAt);
  return calendar.nextOpening(receivedAt);
}

/** A fresh clock: on intake, and again from zero when the supplemented dossier arrives. */
export function restartClock(calendar: WorkingCalendar, receivedAt: Date, channel: Channel, rules: IntakeRules = DEFAULT_INTAKE_RULES): DossierClock {
  return { clockStartAt: clockStartFor(calendar, receivedAt, channel, rules), stoppedIntervals: [] };
}

export function stopClock(clock: DossierClock, at: Date, reason?: string): DossierClock {
  if (clock.stoppedIntervals.some((s) => s.to === null)) throw new CalendarInputError('đồng hồ đang dừng, không thể dừng lần nữa');
  return { ...clock, stoppedIntervals: [...clock.stoppedIntervals, { from: at, to: null, ...(reason ? { reason } : {}) }] };
}

export function resumeClock(clock: DossierClock, at: Date): DossierClock {
  const open = clock.stoppedIntervals.findIndex((s) => s.to === null);
  if (open < 0) throw new CalendarInputError('đồng hồ không dừng, không có gì để chạy lại');
  const stopped = clock.stoppedIntervals[open] as StoppedInterval;
  if (at.getTime() < stopped.from.getTime()) throw new CalendarInputError('thời điểm chạy lại phải sau thời điểm dừng');
  return { ...clock, stoppedIntervals: clock.stoppedIntervals.map((s, i) => (i === open ? { ...s, to: at } : s)) };
}

/** Stopped intervals clipped to after the clock start, sorted and merged. */
function pauses(clock: DossierClock): { from: number; to: number | null }[] {
  const start = clock.clockStartAt.getTime();
  const list = clock.stoppedIntervals
    .map((s) => ({ from: Math.max(checkInstant(s.from, 'stoppedIntervals.from'), start), to: s.to === null ? null : checkInstant(s.to, 'stoppedIntervals.to') }))
    .filter((s) => s.to === null || s.to > s.from)
    .sort((a, b) => a.from - b.from);
  const merged: { from: number; to: number | null }[] = [];
  for (const p of list) {
    const last = merged[merged.length - 1];
    if (last && (last.to === null || p.from <= last.to)) {
      last.to = last.to === null || p.to === null ? null : Math.max(last.to, p.to);
    } else merged.push({ ...p });
  }
  return merged;
}

/**
 * When `minutes` working minutes have run on the clock, skipping stopped intervals; `null`
 * when the clock is stopped (with no end yet) before that: the deadline is not known then.
 */
export function dueOnClock(calendar: WorkingCalendar, clock: DossierClock, minutes: number): WorkingTimeResult | null {
  let cursor = checkInstant(clock.clockStartAt, 'clockStartAt');
  let remaining = minutes * MINUTE_MS;
  let estimated = false;
  for (const pause of pauses(clock)) {
    if (pause.to !== null && pause.to <= cursor) continue;
    const available = calendar.engine.workingMsBetween(cursor, Math.max(cursor, pause.from));
    if (available >= remaining) break;
    remaining -= available;
    estimated ||= calendar.isEstimatedBetween(cursor, pause.from);
    if (pause.to === null) return null;
    cursor = Math.max(cursor, pause.to);
  }
  const result = calendar.addWorkingMs(new Date(cursor), remaining);
  return { dueAt: result.dueAt, estimated: estimated || result.estimated };
}

/** Working minutes that have run on the clock by `at` (stopped intervals excluded). */
export function elapsedOnClock(calendar: WorkingCalendar, clock: DossierClock, at: Date): number {
  const atMs = checkInstant(at, 'at');
  let cursor = checkInstant(clock.clockStartAt, 'clockStartAt');
  let elapsed = 0;
  for (const pause of pauses(clock)) {
    if (pause.from >= atMs) break;
    elapsed += calendar.engine.workingMsBetween(cursor, Math.max(cursor, pause.from));
    if (pause.to === null || pause.to >= atMs) return Math.trunc(elapsed / MINUTE_MS);
    cursor = Math.max(cursor, pause.to);
  }
  elapsed += Math.max(0, calendar.engine.workingMsBetween(cursor, Math.max(cursor, atMs)));
  return Math.trunc(elapsed / MINUTE_MS);
}
