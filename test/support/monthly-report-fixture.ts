/**
 * November 2026 for the monthly Đề án 06 report (issue 25, item 4), written into the read model
 * as the workers would have: shared by the report's tests (test/integration/inspection/
 * monthly-report.int.test.ts) and its page and CLI test (monthly-page.int.test.ts).
 * REPORT_MONTH_CUTOFF `1 00:00`: the month runs from 01/11 00:00 to 01/12 00:00.
 *
 * The fixture, and the figures worked out by hand from the written rules (README "Monthly
 * Đề án 06 report"; on time = finished by the statutory date the dossier had before any apology):
 * - M1: VNeID, received Mon 02/11 08:00, due 16/11 08:00, issued 04/11 10:00: on time.
 * - M2: VNeID, received 02/11 09:00, due 16/11 09:00, issued 18/11 10:00: late; its check
 *   (Bộ phận Một cửa, 4 h from 02/11 09:00, due that day) done by `motcua` on 04/11: a late task.
 * - M3: in person, received Tue 03/11 08:00, due 17/11 08:00, apology letter 16/11, issued 19/11:
 *   late with apology; its "accept in LLTP" (Phòng HCTP, 2 h, due 03/11) done by `chuyenvien` on 05/11.
 * - M4: VNeID, received Mon 09/11 08:00, due 23/11 08:00, open and overdue at the cut-off; its
 *   check (due 09/11) still running then: a late task with no officer yet.
 * - M5: in person, received Mon 23/11 08:00, due 07/12 08:00: open, not yet due at the cut-off.
 * - M6: VNeID, received Thu 29/10 (October), due 12/11 08:00, issued Mon 02/11 10:00: on time.
 *
 * Received in November: M1–M5 = 5, through VNeID M1, M2, M4 = 3: 60%. Resolved: M1, M2, M3, M6
 * = 4, through VNeID M1, M2, M6 = 3 ÷ 5 received: 60%. Issued 4: on time 2 (M1, M6), late 1 (M2),
 * late with apology 1 (M3). Open and overdue at the cut-off: 1 (M4).
 * The 766 progress group (20 points × on-time ratio): counted = received in the month or open at
 * its start = M1–M6 = 6; on time by the month's end = M1, M5 (open, not yet due), M6 = 3;
 * 20 × 3 ÷ 6 = 10,00 points.
 * Late tasks, in the report's order: M2's check (Bộ phận Một cửa), M3's acceptance (Phòng HCTP),
 * M4's check (Bộ phận Một cửa).
 */
import type { WorkingCalendars } from '../../server/calendar/working-calendar';
import type { Db } from '../../server/db';
import { reportMonth } from '../../server/inspection/month';
import { finishSteps, stepStarted, type TimelineDeps } from '../../server/readmodel/timeline';
import type { ProcessCatalog } from '../../server/sla';
import { insertLiteralDossier } from './literal-dossier';

export const at = (text: string): Date => new Date(`${text}+07:00`);
export const NATIONAL = 'quy-trinh-570-v20241001';
export const INTERNAL = 'khanh-hoa-2799-v20241001';
export const MONTH = reportMonth('2026-11', { day: 1, minutes: 0 });
export const AFTER_CUTOFF = at('2026-12-01T00:15:00');
export const REASON = 'Chuyên viên đi công tác, chưa có người thay';

/** The late tasks in the report's order: code, unit, officer (— none yet). */
export const LATE_TASKS = [
  ['STP.KHA-261102-0002', 'Bộ phận Một cửa Sở Tư pháp', 'motcua'],
  ['STP.KHA-261103-0001', 'Phòng Hành chính tư pháp, Sở Tư pháp', 'chuyenvien'],
  ['STP.KHA-261109-0001', 'Bộ phận Một cửa Sở Tư pháp', '—'],
] as const;

export interface MonthlyFixtureDeps {
  db: Db;
  calendars: WorkingCalendars;
  catalog: ProcessCatalog;
}

/** The fixture's writers on one database; `writeHistoryToCutoff` writes November up to its cut-off and returns M4's running check. */
export function monthlyReportFixture(deps: MonthlyFixtureDeps) {
  const { db, calendars, catalog } = deps;
  let elementKey = 5000;
  const timeline = (): TimelineDeps => ({ db, calendars: () => calendars, stepSla: (p, e, i) => catalog.stepSla(p, e, i) });

  async function dossier(code: string, receivedAt: Date, statutoryDueAt: Date, source: 'vneid' | 'inPerson' = 'vneid'): Promise<void> {
    const inserted = await insertLiteralDossier(db, { code, receiptNumber: `MONTH-${code}`, receivedAt, statutoryDueAt, targetDueAt: statutoryDueAt, calendarVersion: calendars.version, processId: NATIONAL, internalProcessId: INTERNAL });
    if (!inserted) throw new Error(`${code} was already written`);
    if (source !== 'vneid') await db.updateTable('dossiers').set({ source, channel: 'paper' }).where('code', '=', code).execute();
  }

  async function step(code: string, elementId: string, startedAt: Date): Promise<string> {
    elementKey += 1;
    return (await stepStarted(timeline(), { dossierCode: code, processId: NATIONAL, processInstanceKey: `pi-${code}`, elementId, elementInstanceKey: String(elementKey), startedAt, internalProcessId: INTERNAL })).id;
  }

  const finish = (id: string, finishedAt: Date, actor: string, lateReason?: string) =>
    finishSteps(db, { id }, { finishedAt, actor, ...(lateReason ? { lateReason: { text: lateReason, source: 'officer' as const } } : {}) });

  const issue = (code: string, finishedAt: Date) => db.updateTable('dossiers').set({ status: 'closed', finishedAt, outcome: 'issued', currentElementId: null }).where('code', '=', code).execute();

  const apology = (code: string, issuedAt: Date, newReturnDate: string) =>
    db.updateTable('dossiers').set({ apologyIssuedAt: issuedAt, apologyIssuedBy: 'lanhdao', apologyReason: REASON, apologyNewReturnDate: newReturnDate, appointmentAt: at(`${newReturnDate}T17:00:00`) }).where('code', '=', code).execute();

  async function writeHistoryToCutoff(): Promise<string> {
    await dossier('STP.KHA-261029-0001', at('2026-10-29T08:00:00'), at('2026-11-12T08:00:00')); // M6
    await issue('STP.KHA-261029-0001', at('2026-11-02T10:00:00'));
    await dossier('STP.KHA-261102-0001', at('2026-11-02T08:00:00'), at('2026-11-16T08:00:00')); // M1
    await issue('STP.KHA-261102-0001', at('2026-11-04T10:00:00'));
    await dossier('STP.KHA-261102-0002', at('2026-11-02T09:00:00'), at('2026-11-16T09:00:00')); // M2
    await finish(await step('STP.KHA-261102-0002', 'checkDossier', at('2026-11-02T09:00:00')), at('2026-11-04T09:00:00'), 'motcua', REASON);
    await issue('STP.KHA-261102-0002', at('2026-11-18T10:00:00'));
    await dossier('STP.KHA-261103-0001', at('2026-11-03T08:00:00'), at('2026-11-17T08:00:00'), 'inPerson'); // M3
    await finish(await step('STP.KHA-261103-0001', 'checkDossier', at('2026-11-03T08:00:00')), at('2026-11-03T09:00:00'), 'motcua');
    await finish(await step('STP.KHA-261103-0001', 'acceptInLltpSoftware', at('2026-11-03T09:00:00')), at('2026-11-05T10:00:00'), 'chuyenvien', REASON);
    await apology('STP.KHA-261103-0001', at('2026-11-16T10:00:00'), '2026-11-20');
    await issue('STP.KHA-261103-0001', at('2026-11-19T10:00:00'));
    await dossier('STP.KHA-261109-0001', at('2026-11-09T08:00:00'), at('2026-11-23T08:00:00')); // M4
    const m4Check = await step('STP.KHA-261109-0001', 'checkDossier', at('2026-11-09T08:00:00'));
    await dossier('STP.KHA-261123-0001', at('2026-11-23T08:00:00'), at('2026-12-07T08:00:00'), 'inPerson'); // M5
    return m4Check;
  }

  return { writeHistoryToCutoff, finish, issue, apology };
}
