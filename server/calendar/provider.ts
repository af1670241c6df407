/**
 * The live calendar for long-running processes (intake, workers, monitor): loaded from the
 * database, kept in memory, and reloaded when an administrator's edit has bumped the calendar
 * version (checked at most every `refreshMs`, on the injected clock).
 */
import type { Db } from '../db';
import { calendarVersion, loadCalendarData, CalendarNotSeededError } from './store';
import { WorkingCalendars } from './working-calendar';

export interface CalendarProvider {
  /** The calendar as of the last check; reloads when the stored version changed. */
  current(): Promise<WorkingCalendars>;
}

export function createCalendarProvider(deps: { db: Db; now: () => Date; refreshMs: number }): CalendarProvider {
  let cached: WorkingCalendars | null = null;
  let checkedAt = Number.NEGATIVE_INFINITY;
  return {
    async current() {
      const now = deps.now().getTime();
      if (cached && now - checkedAt < deps.refreshMs) return cached;
      const version = await calendarVersion(deps.db);
      if (version === null) throw new CalendarNotSeededError();
      checkedAt = now;
      if (!cached || cached.version !== version) cached = new WorkingCalendars(await loadCalendarData(deps.db));
      return cached;
    },
  };
}

/**
 * Waits until the calendar is seeded (the API seeds it when it starts; app processes start in
 * any order): checks every `pollMs`, says once that it is waiting, and gives up after
 * `timeoutMs` with the not-seeded error.
 */
export async function waitForCalendar(
  provider: CalendarProvider,
  options: { timeoutMs: number; pollMs?: number; onWaiting?: () => void },
): Promise<WorkingCalendars> {
  const deadline = Date.now() + options.timeoutMs;
  let said = false;
  for (;;) {
    try {
      return await provider.current();
    } catch (error) {
      if (!(error instanceof CalendarNotSeededError) || Date.now() >= deadline) throw error;
      if (!said) options.onWaiting?.();
      said = true;
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1000));
    }
  }
}
