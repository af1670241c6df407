/**
 * Reports as of their cut-off (issue 23, item 6), on PostgreSQL: the weekly report of the week
 * ending Friday 20/11/2026 (cut-off 16:00) is built just after the cut-off, the dossiers then
 * move on with the product's clock (a late step ends, an overdue dossier closes, a clock stop is
 * lifted and the clock restarts, an apology letter is issued), and the report rebuilt a month
 * later is the archived one: same late list, same figures, same digests.
 *
 * - A: received Mon 2/11, its "accept in LLTP" step overdue and running at the cut-off; the step
 *   ends on Mon 23/11 with a late reason, the dossier is issued on Tue 24/11.
 * - E: received Mon 2/11, overdue at the cut-off; the leader's apology letter goes out on 25/11.
 * - B: received Mon 16/11, its clock stopped (supplement) on 17/11 and still stopped at the
 *   cut-off; the supplement arrives on 25/11 and the clock restarts from zero.
 * - D: received Mon 2/11, issued late on Wed 18/11, inside the week: stable either way.
 * - F: received Mon 16/11, past its 3-day Quy trình 570 target at the cut-off; on Mon 23/11 step 6
 *   finds a verification case and the plan moves the target to 9 days (27/11).
 * - G: received Mon 2/11, past its 10-day statutory date at the cut-off; on Mon 23/11 the plan
 *   finds an extended case and moves it to 15 days (23/11 08:30, after the cut-off).
 *   Read with today's deadlines, neither was late at the cut-off; the report keeps both.
 *
 * The rows are the product's (the late list as documents.ts writes it); the history is written
 * with the read model's own functions (insertDossier, stepStarted, finishSteps).
 *
 * @fixed-instants the product's clock is set at the instants above, whatever LLTP_TEST_NOW says.
 */
import { formatInstant } from '../../../server/calendar/civil-time';
import { loadSeed } from '../../../server/calendar/seed';
import { loadCalendarData, seedCalendar } from '../../../server/calendar/store';
import { WorkingCalendars } from '../../../server/calendar/working-calendar';
import type { Db } from '../../../server/db';
import { dossierRow, stepRows } from '../../../server/inspection/documents';
import { loadConfig } from '../../../server/config';
import { agencyNameOf } from '../../../server/inspection';
import { exportLimitsOf } from '../../../server/inspection/limits';
import { writeExport } from '../../../server/inspection/export';
import { lateOfWeek, weeklyReport, type Actor, type InspectionServiceDeps } from '../../../server/inspection/service';
import { reportWeek } from '../../../server/inspection/week';
import { findDossier } from '../../../server/readmodel/dossier';
import { insertLiteralDossier } from '../../support/literal-dossier';
import { recordDeadlineChange } from '../../../server/readmodel/deadline-history';
import { finishSteps, stepStarted, type TimelineDeps } from '../../../server/readmodel/timeline';
import { loadProcessCatalog, type ProcessCatalog } from '../../../server/sla';
import { createTestDatabase, type TestDatabase } from '../../support/database';

const at = (text: string): Date => new Date(`${text}+07:00`);
const NATIONAL = 'quy-trinh-570-v20241001';
const INTERNAL = 'khanh-hoa-2799-v20241001';
const WEEK = reportWeek('2026-11-20', { weekday: 'Fri', minutes: 16 * 60 });
const ACTOR: Actor = { username: 'system:monitor', displayName: 'Bộ giám sát thời hạn' };
const REASON = 'Chuyên viên đi công tác, chưa có người thay';

let testDb: TestDatabase;
let db: Db;
let catalog: ProcessCatalog;
let calendars: WorkingCalendars;
let productNow = at('2026-11-20T16:30:00');
let elementKey = 1000;

beforeAll(async () => {
  testDb = await createTestDatabase('weekly_as_of_cutoff');
  db = testDb.database.db;
  await seedCalendar(db, loadSeed(), { actor: 'test', now: () => at('2026-10-01T08:00:00') });
  calendars = new WorkingCalendars(await loadCalendarData(db));
  catalog = await loadProcessCatalog();
}, 60000);

afterAll(async () => testDb?.drop());

const service = (): InspectionServiceDeps => ({ db, catalog, calendars: () => Promise.resolve(calendars), now: () => productNow, writeExport, agencyName: agencyNameOf({ AGENCY_CODE: 'STP.KHA' }, catalog), maxRows: exportLimitsOf(loadConfig()).maxRows });
const timeline = (): TimelineDeps => ({ db, calendars: () => calendars, stepSla: (p, e, i) => catalog.stepSla(p, e, i) });

/** A VNeID dossier as intake writes it, with literal deadlines (10 and 3 working days). */
async function dossier(code: string, receivedAt: Date, statutoryDueAt: Date, targetDueAt: Date): Promise<void> {
  const written = await insertLiteralDossier(db, { code, receiptNumber: `ASOF-${code}`, receivedAt, statutoryDueAt, targetDueAt, calendarVersion: calendars.version, processId: NATIONAL, internalProcessId: INTERNAL });
  expect(written).toBe(true);
}

async function step(code: string, elementId: string, startedAt: Date): Promise<string> {
  elementKey += 1;
  const started = await stepStarted(timeline(), { dossierCode: code, processId: NATIONAL, processInstanceKey: `pi-${code}`, elementId, elementInstanceKey: String(elementKey), startedAt, internalProcessId: INTERNAL });
  return started.id;
}

const finish = (id: string, finishedAt: Date, lateReason?: string) =>
  finishSteps(db, { id }, { finishedAt, actor: 'chuyenvien', ...(lateReason ? { lateReason: { text: lateReason, source: 'officer' as const } } : {}) });

/** Step 6's plan as the worker writes it: the change recorded with the deadlines before it, then the new ones. */
async function plan(code: string, changeId: string, next: { caseVariant: 'verification' | 'statutory'; statutoryWorkingDays: number; targetWorkingDays: number; statutoryDueAt: Date; targetDueAt: Date }): Promise<void> {
  const before = await findDossier(db, code);
  await db.transaction().execute(async (tx) => {
    await recordDeadlineChange(tx, { dossierCode: code, changeId, cause: 'plan', at: productNow, before: before! });
    await tx.updateTable('dossiers').set({ ...next, variant: 'verification', appointmentAt: next.statutoryDueAt }).where('code', '=', code).execute();
  });
}

const close = (code: string, finishedAt: Date) => db.updateTable('dossiers').set({ status: 'closed', finishedAt, outcome: 'issued', currentElementId: null }).where('code', '=', code).execute();

/** The late list of the week as the report writes it (both sheets), canonical instants. */
async function reportRows(): Promise<unknown[]> {
  const rows: unknown[] = [];
  for await (const d of lateOfWeek(service(), WEEK)) rows.push(dossierRow(d), ...stepRows(d));
  return JSON.parse(JSON.stringify(rows, (_key, value: unknown) => (typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value) ? formatInstant(Date.parse(value)) : value))) as unknown[];
}

test('a weekly report rebuilt a month later, after its dossiers closed, their steps ended and their clock stops were lifted, is the archived one', async () => {
  // --- the history up to the cut-off
  await dossier('STP.KHA-261102-0001', at('2026-11-02T08:00:00'), at('2026-11-16T08:00:00'), at('2026-11-05T08:00:00')); // A
  const aCheck = await step('STP.KHA-261102-0001', 'checkDossier', at('2026-11-02T08:00:00'));
  await finish(aCheck, at('2026-11-02T09:00:00'));
  const aAccept = await step('STP.KHA-261102-0001', 'acceptInLltpSoftware', at('2026-11-02T09:00:00'));
  await dossier('STP.KHA-261102-0002', at('2026-11-02T08:10:00'), at('2026-11-16T08:10:00'), at('2026-11-05T08:10:00')); // E
  const eCheck = await step('STP.KHA-261102-0002', 'checkDossier', at('2026-11-02T08:10:00'));
  await dossier('STP.KHA-261102-0003', at('2026-11-02T08:20:00'), at('2026-11-16T08:20:00'), at('2026-11-05T08:20:00')); // D
  const dCheck = await step('STP.KHA-261102-0003', 'checkDossier', at('2026-11-02T08:20:00'));
  await finish(dCheck, at('2026-11-17T09:00:00'), REASON);
  await close('STP.KHA-261102-0003', at('2026-11-18T10:00:00'));
  await dossier('STP.KHA-261116-0001', at('2026-11-16T08:00:00'), at('2026-11-30T08:00:00'), at('2026-11-19T08:00:00')); // B
  const bCheck = await step('STP.KHA-261116-0001', 'checkDossier', at('2026-11-16T08:00:00'));
  await finish(bCheck, at('2026-11-17T09:00:00'));
  await db.insertInto('clockStops').values({ dossierCode: 'STP.KHA-261116-0001', startedAt: at('2026-11-17T09:00:00'), endedAt: null, reason: 'supplement' }).execute();
  await db.updateTable('dossiers').set({ statutoryDueAt: null, targetDueAt: null, apologyByAt: null }).where('code', '=', 'STP.KHA-261116-0001').execute();

  await dossier('STP.KHA-261116-0002', at('2026-11-16T08:30:00'), at('2026-11-30T08:30:00'), at('2026-11-19T08:30:00')); // F
  await step('STP.KHA-261116-0002', 'checkDossier', at('2026-11-16T08:30:00'));
  await dossier('STP.KHA-261102-0004', at('2026-11-02T08:30:00'), at('2026-11-16T08:30:00'), at('2026-11-05T08:30:00')); // G
  await step('STP.KHA-261102-0004', 'checkDossier', at('2026-11-02T08:30:00'));

  // --- built just after the cut-off
  productNow = at('2026-11-20T16:30:00');
  const archived = await weeklyReport(service(), ACTOR, WEEK);
  const archivedRows = await reportRows();
  expect(archived.summary).toMatchObject({ received: 2, resolved: 1, late: 1, openOverdue: 3 });

  // --- the dossiers move on
  productNow = at('2026-11-23T09:00:00');
  await finish(aAccept, productNow, REASON);
  const aSearch = await step('STP.KHA-261102-0001', 'searchRecords', productNow);
  productNow = at('2026-11-24T10:00:00');
  await finish(aSearch, productNow);
  await close('STP.KHA-261102-0001', productNow);
  productNow = at('2026-11-25T09:00:00');
  await db.updateTable('clockStops').set({ endedAt: productNow }).where('dossierCode', '=', 'STP.KHA-261116-0001').where('endedAt', 'is', null).execute();
  await db
    .updateTable('dossiers')
    .set({ clockStartAt: productNow, statutoryDueAt: at('2026-12-09T09:00:00'), targetDueAt: at('2026-11-30T09:00:00'), appointmentAt: at('2026-12-09T09:00:00') })
    .where('code', '=', 'STP.KHA-261116-0001')
    .execute();
  await db
    .updateTable('dossiers')
    .set({ apologyIssuedAt: productNow, apologyIssuedBy: 'lanhdao', apologyReason: REASON, apologyNewReturnDate: '2026-12-01', appointmentAt: at('2026-12-01T17:00:00') })
    .where('code', '=', 'STP.KHA-261102-0002')
    .execute();
  await finish(eCheck, productNow, REASON);
  productNow = at('2026-11-25T10:00:00');
  await plan('STP.KHA-261116-0002', 'plan:F', { caseVariant: 'verification', statutoryWorkingDays: 10, targetWorkingDays: 9, statutoryDueAt: at('2026-11-30T08:30:00'), targetDueAt: at('2026-11-27T08:30:00') });
  await plan('STP.KHA-261102-0004', 'plan:G', { caseVariant: 'statutory', statutoryWorkingDays: 15, targetWorkingDays: 15, statutoryDueAt: at('2026-11-23T08:30:00'), targetDueAt: at('2026-11-23T08:30:00') });

  // --- rebuilt a month later
  productNow = at('2026-12-21T10:00:00');
  const rebuilt = await weeklyReport(service(), ACTOR, WEEK, { regenerate: true });
  expect(rebuilt.revision).toBe(archived.revision + 1);
  expect(rebuilt.summary).toEqual(archived.summary);
  expect(rebuilt.rowsSha256).toBe(archived.rowsSha256);
  expect(rebuilt.contentSha256).toMatch(/^[0-9a-f]{64}$/);
  expect(rebuilt.contentSha256).toBe(archived.contentSha256);
  const rows = await reportRows();
  expect(rows).toEqual(archivedRows);

  // what the rows say about the cut-off: A and E open and overdue, A's step running, D late, B on
  // time by law but its check done late (its clock stopped since: no due dates, the late step stays)
  const dossiers = rows.filter((r): r is { code: string; verdict: string; finishedAt: unknown; apologyIssuedAt: unknown; currentStep: unknown } => typeof r === 'object' && r !== null && 'verdict' in r);
  expect(dossiers.map((d) => [d.code, d.verdict])).toEqual([
    ['STP.KHA-261102-0003', 'trễ hạn'],
    ['STP.KHA-261102-0001', 'đang giải quyết, quá hạn'],
    ['STP.KHA-261102-0002', 'đang giải quyết, quá hạn'],
    ['STP.KHA-261102-0004', 'đang giải quyết, quá hạn'],
    ['STP.KHA-261116-0001', 'đang giải quyết, trong hạn'],
    ['STP.KHA-261116-0002', 'đang giải quyết, trong hạn'],
  ]);
  expect(dossiers[1]).toMatchObject({ finishedAt: null, currentStep: 'Bước 5: Tiếp nhận hồ sơ trên phần mềm LLTP' });
  expect(dossiers[2]).toMatchObject({ apologyIssuedAt: null });
  const aSteps = (rows as Record<string, unknown>[]).filter((r) => 'step' in r && r.code === 'STP.KHA-261102-0001');
  expect(aSteps).toEqual([expect.objectContaining({ step: 'Bước 5: Tiếp nhận hồ sơ trên phần mềm LLTP', finishedAt: null, reason: null })]);
}, 60000);
