/**
 * The DB-backed calendar on the local PostgreSQL: seeding, administrators' edits with their
 * audit, re-planning of open dossiers and steps, and the provider that reloads after an edit.
 *
 * @fixed-instants the calendar's clock is a fixed instant, whatever LLTP_TEST_NOW says.
 */
import { createCalendarAdmin, type CalendarAdmin } from '../../../server/calendar/admin';
import { restartClock, stopClock, type Channel } from '../../../server/calendar/clock';
import { formatInstant, parseInstant } from '../../../server/calendar/civil-time';
import { dossierDeadlines, stepDueAt } from '../../../server/calendar/deadlines';
import { CalendarInputError } from '../../../server/calendar/errors';
import { DEFAULT_CALENDAR_POLICY } from '../../../server/calendar/policy';
import { createCalendarProvider } from '../../../server/calendar/provider';
import { replanOpenWork } from '../../../server/calendar/replan';
import { seedCalendarData } from '../../../server/calendar/seed';
import { loadCalendarData } from '../../../server/calendar/store';
import { WorkingCalendars } from '../../../server/calendar/working-calendar';
import type { Db } from '../../../server/db';
import { CHECK_AT_NEXT_TICK, findDossier, insertDossier, newDossier } from '../../../server/readmodel/dossier';
import { fixedClock, openTestDatabase } from './support';

const vn = (text: string): Date => new Date(parseInstant(text));
const show = (date: Date | null | undefined): string | null => (date ? formatInstant(date.getTime()) : null);

let testDb: Awaited<ReturnType<typeof openTestDatabase>>;
let db: Db;
let admin: CalendarAdmin;
const clock = fixedClock('2026-03-02T08:00:00+07:00');

beforeAll(async () => {
  testDb = await openTestDatabase('admin');
  db = testDb.db;
  // batches of one: every re-planning reads and writes in several batches
  admin = createCalendarAdmin({ db, now: clock.now, policy: { ...DEFAULT_CALENDAR_POLICY, replanBatchSize: 1 }, newChangeId: (() => { let n = 0; return () => `change-${++n}`; })() });
}, 30000);

afterAll(async () => {
  await testDb.drop();
});

/** Writes an open dossier with deadlines computed on the calendar as it is in the database now. */
async function intake(code: string, receivedAt: string, options: { channel?: Channel; unitId?: string; stoppedAt?: string; status?: 'open' | 'closed' } = {}): Promise<void> {
  const calendars = new WorkingCalendars(await loadCalendarData(db));
  const unitId = options.unitId ?? 'default';
  const calendar = calendars.forUnit(unitId);
  let dossierClock = restartClock(calendar, vn(receivedAt), options.channel ?? 'online');
  if (options.stoppedAt) dossierClock = stopClock(dossierClock, vn(options.stoppedAt), 'yêu cầu bổ sung');
  const terms = { statutoryWorkingDays: 10, targetWorkingDays: 3, apologyLeadMinutes: 480 };
  const deadlines = dossierDeadlines(calendar, dossierClock, terms);
  const doc = newDossier(
    {
      code,
      receiptNumber: `BN-${code}`,
      agencyCode: 'STP',
      source: 'vneid',
      channel: options.channel ?? 'online',
      unitId,
      receivedAt: vn(receivedAt),
      clockStartAt: dossierClock.clockStartAt,
      terms,
      deadlines,
      calendarVersion: calendars.version,
    },
    options.status === 'closed' ? { status: 'closed', finishedAt: vn(receivedAt), outcome: 'issued' } : {},
  );
  await insertDossier(db, doc, dossierClock.stoppedIntervals);
}

async function startStep(dossierCode: string, elementId: string, startedAt: string, allotmentMinutes: number, options: { unitId?: string; finished?: boolean } = {}): Promise<void> {
  const calendars = new WorkingCalendars(await loadCalendarData(db));
  const unitId = options.unitId ?? 'default';
  const due = stepDueAt(calendars.forUnit(unitId), vn(startedAt), allotmentMinutes);
  await db.insertInto('steps').values({
    id: `step:${dossierCode}:${elementId}`,
    dossierCode,
    elementId,
    unitId,
    startedAt: vn(startedAt),
    allotmentMinutes,
    dueAt: due.dueAt,
    dueEstimated: due.estimated,
    calendarVersion: calendars.version,
    finishedAt: options.finished ? vn(startedAt) : null,
    nextCheckAt: null,
  }).execute();
}

/** The recorded moves, one entry per deadline that moved. */
const movesOf = async (where: { dossierCode: string } | { stepId: string }) => {
  const query = db.selectFrom('deadlineMoves').selectAll().orderBy('id');
  const rows = await ('stepId' in where ? query.where('stepId', '=', where.stepId) : query.where('dossierCode', '=', where.dossierCode).where('stepId', 'is', null)).execute();
  return rows.flatMap((m) =>
    (
      [
        ['statutoryDueAt', m.statutoryDueFrom, m.statutoryDueTo],
        ['targetDueAt', m.targetDueFrom, m.targetDueTo],
        ['apologyByAt', m.apologyByFrom, m.apologyByTo],
        ['dueAt', m.dueFrom, m.dueTo],
      ] as const
    )
      .filter(([, from, to]) => from?.getTime() !== to?.getTime())
      .map(([field, from, to]) => ({ changeId: m.changeId, field, from, to })),
  );
};
const dossier = async (code: string) => {
  const found = await findDossier(db, code);
  return found ? { ...found, deadlineMoves: await movesOf({ dossierCode: code }) } : null;
};
const step = async (elementId: string) => {
  const found = await db.selectFrom('steps').selectAll().where('elementId', '=', elementId).executeTakeFirst();
  return found ? { ...found, deadlineMoves: await movesOf({ stepId: found.id }) } : null;
};

describe('seeding', () => {
  test('writes the shipped seed once, with an audit record', async () => {
    const first = await admin.seed({ actor: 'he-thong' });
    expect(first).toEqual({ years: [2024, 2025, 2026], units: ['default'], meta: true });
    const again = await admin.seed({ actor: 'he-thong' });
    expect(again).toEqual({ years: [], units: [], meta: false });
    const audit = await admin.listAudit();
    expect(audit.map((a) => a.action)).toEqual(['seed']);
  });

  test('the stored calendar is the seed calendar', async () => {
    const stored = await loadCalendarData(db);
    const seed = seedCalendarData();
    expect([...stored.years.keys()].sort()).toEqual([2024, 2025, 2026]);
    for (const year of [2024, 2025, 2026]) expect(stored.years.get(year)).toEqual(seed.years.get(year));
    expect(stored.weeklyRestDays).toEqual(['Sat', 'Sun']);
    const days = await admin.listDays({ year: 2026 });
    expect(days.status).toBe('official');
    expect(days.days.find((d) => d.date === '2026-04-27')).toMatchObject({ kind: 'dayOff', status: 'official', basis: expect.stringContaining('9441/TB-BNV') as unknown });
    expect(days.days.find((d) => d.date === '2026-11-24')).toMatchObject({ kind: 'pending', status: 'pending' });
  });
});

describe('editing the calendar re-plans open dossiers and steps', () => {
  beforeAll(async () => {
    await intake('STP-260309-0001', '2026-03-09T09:00'); // spans 16 March
    await intake('STP-260317-0001', '2026-03-17T09:00'); // starts after 16 March (+14 days margin: examined, not moved)
    await intake('STP-260225-0001', '2026-02-25T09:00'); // due 11 March, before the change
    await intake('STP-260310-0001', '2026-03-10T09:00', { status: 'closed' });
    await intake('STP-260311-0001', '2026-03-11T09:00', { stoppedAt: '2026-03-12T10:00' });
    await startStep('STP-260309-0001', 'search-lltp', '2026-03-13T15:00', 480);
    await startStep('STP-260309-0001', 'accept', '2026-03-12T09:00', 240);
    await startStep('STP-260310-0001', 'sign', '2026-03-13T15:00', 480, { finished: true });
  }, 30000);

  test('a newly announced day off (Monday 16 March 2026) moves what spans it, and only that', async () => {
    const before = await dossier('STP-260309-0001');
    expect(show(before?.statutoryDueAt)).toBe('2026-03-23T09:00:00+07:00');
    clock.set('2026-03-13T10:00:00+07:00');

    const outcome = await admin.addDayOff({ actor: 'can-bo-a', date: '2026-03-16', name: 'Ngày nghỉ đột xuất (kiểm thử)', basis: 'Thông báo thử nghiệm 1/TB' });

    expect(outcome.replan).toMatchObject({ changeId: 'change-1', dossiersMoved: 1, stepsMoved: 1, failed: 0 });
    const moved = await dossier('STP-260309-0001');
    expect([show(moved?.statutoryDueAt), show(moved?.targetDueAt), show(moved?.apologyByAt)]).toEqual([
      '2026-03-24T09:00:00+07:00',
      '2026-03-12T09:00:00+07:00',
      '2026-03-23T09:00:00+07:00',
    ]);
    expect(moved?.calendarVersion).toBe(outcome.calendarVersion);
    expect(moved?.deadlineMoves.map((m) => [m.changeId, m.field, show(m.from), show(m.to)])).toEqual([
      ['change-1', 'statutoryDueAt', '2026-03-23T09:00:00+07:00', '2026-03-24T09:00:00+07:00'],
      ['change-1', 'apologyByAt', '2026-03-20T09:00:00+07:00', '2026-03-23T09:00:00+07:00'],
    ]);
    for (const code of ['STP-260317-0001', 'STP-260225-0001', 'STP-260310-0001', 'STP-260311-0001']) {
      expect((await dossier(code))?.deadlineMoves).toEqual([]);
    }
    expect((await dossier('STP-260311-0001'))?.statutoryDueAt).toBeNull();

    expect(show((await step('search-lltp'))?.dueAt)).toBe('2026-03-17T15:00:00+07:00');
    expect((await step('search-lltp'))?.deadlineMoves).toHaveLength(1);
    expect(show((await step('accept'))?.dueAt)).toBe('2026-03-12T14:30:00+07:00');
    expect(show((await step('sign'))?.dueAt)).toBe('2026-03-16T15:00:00+07:00');

    const [audit] = await admin.listAudit({ limit: 1 });
    expect(audit).toMatchObject({
      actor: 'can-bo-a',
      action: 'addDayOff',
      date: '2026-03-16',
      year: 2026,
      before: null,
      after: { date: '2026-03-16', name: 'Ngày nghỉ đột xuất (kiểm thử)', basis: 'Thông báo thử nghiệm 1/TB' },
      calendarVersion: outcome.calendarVersion,
      replan: { changeId: 'change-1', dossiersMoved: 1, stepsMoved: 1, failed: 0 },
    });
    expect(show(audit?.at)).toBe('2026-03-13T10:00:00+07:00');
    const summary = await db.selectFrom('calendarReplans').selectAll().where('changeId', '=', 'change-1').executeTakeFirst();
    expect(summary).toMatchObject({ dossiersMoved: 1, stepsMoved: 1 });
  });

  test('what moved is judged again by the SLA monitor at its next tick, and nothing else is', async () => {
    const marked = await db.selectFrom('dossiers').select('code').where('nextCheckAt', '=', CHECK_AT_NEXT_TICK).orderBy('code').execute();
    // moved by change-1, and the open dossiers never judged since they were written
    expect(marked.map((d) => d.code)).toContain('STP-260309-0001');
    expect(marked.map((d) => d.code)).not.toContain('STP-260310-0001'); // closed
    const markedSteps = await db.selectFrom('steps').select('elementId').where('nextCheckAt', '=', CHECK_AT_NEXT_TICK).execute();
    expect(markedSteps.map((s) => s.elementId)).toEqual(['search-lltp']);
  });

  test('a dry run reports what an edit would move and writes nothing', async () => {
    const data = await loadCalendarData(db);
    const year = structuredClone(data.years.get(2026));
    if (!year) throw new Error('2026 missing');
    year.daysOff.push({ date: '2026-03-17', name: 'thử', basis: 'thử' });
    const calendars = new WorkingCalendars({ ...data, years: new Map([...data.years, [2026, year]]), version: data.version + 1 });
    const before = await dossier('STP-260309-0001');
    const report = await replanOpenWork(
      { db, calendars, policy: DEFAULT_CALENDAR_POLICY, now: clock.now },
      { changeId: 'preview', reason: 'preview', fromDate: '2026-03-03', toDate: '2026-03-31' },
      { dryRun: true },
    );
    expect(report).toMatchObject({ dossiersMoved: 2, stepsMoved: 1, failed: 0 });
    expect(await dossier('STP-260309-0001')).toEqual(before);
    expect(await db.selectFrom('calendarReplans').selectAll().where('changeId', '=', 'preview').executeTakeFirst()).toBeUndefined();
  });

  test('removing the day again moves them back, and the history keeps both moves', async () => {
    const outcome = await admin.removeDay({ actor: 'can-bo-b', date: '2026-03-16', reason: 'nhập nhầm' });
    expect(outcome.replan.dossiersMoved).toBe(1);
    const moved = await dossier('STP-260309-0001');
    expect(show(moved?.statutoryDueAt)).toBe('2026-03-23T09:00:00+07:00');
    expect(moved?.deadlineMoves.map((m) => m.changeId)).toEqual(['change-1', 'change-1', 'change-2', 'change-2']);
    const [audit] = await admin.listAudit({ limit: 1 });
    expect(audit).toMatchObject({ actor: 'can-bo-b', action: 'removeDay', reason: 'nhập nhầm', after: null, before: { list: 'daysOff', date: '2026-03-16' } });
  });

  test('confirming the pending 24 November 2026 moves the deadlines across it', async () => {
    await intake('STP-261120-0001', '2026-11-20T09:00');
    expect(show((await dossier('STP-261120-0001'))?.statutoryDueAt)).toBe('2026-12-04T09:00:00+07:00');
    const outcome = await admin.confirmPending({ actor: 'can-bo-a', date: '2026-11-24' });
    expect(outcome.replan.dossiersMoved).toBe(1);
    expect(show((await dossier('STP-261120-0001'))?.statutoryDueAt)).toBe('2026-12-07T09:00:00+07:00');
    expect((await admin.listDays({ year: 2026 })).days.find((d) => d.date === '2026-11-24')).toMatchObject({ kind: 'pending', status: 'confirmed' });
    await expect(admin.confirmPending({ actor: 'can-bo-a', date: '2026-11-24' })).rejects.toThrow('2026-11-24 đã được xác nhận');
  });

  test('an estimated year: editing stores it, confirming it clears the estimated flag of open deadlines', async () => {
    // This calendar's 2027 is estimated whatever the shipped seed holds: the day the official
    // 2027 schedule is entered there, it is taken out of this test's calendar.
    await db.deleteFrom('calendarYears').where('year', '=', 2027).execute();
    await intake('STP-261228-0001', '2026-12-28T09:00');
    expect((await dossier('STP-261228-0001'))?.deadlinesEstimated).toBe(true);
    expect((await admin.listDays({ year: 2027 })).status).toBe('estimated');

    await admin.addMakeUpDay({ actor: 'can-bo-a', date: '2027-02-20', name: 'Làm bù (kiểm thử)', basis: 'Thông báo thử nghiệm 2/TB' });
    const stored = await db.selectFrom('calendarYears').selectAll().where('year', '=', 2027).executeTakeFirst();
    expect(stored).toMatchObject({ status: 'estimated', revision: 1 });
    expect((stored?.daysOff as { date: string }[]).map((d) => d.date)).toContain('2027-02-04'); // the estimated Tết was kept

    const outcome = await admin.confirmYear({ actor: 'lanh-dao', year: 2027, basis: ['Thông báo thử nghiệm 3/TB'] });
    expect(outcome.replan.dossiersMoved).toBeGreaterThanOrEqual(1);
    const confirmed = await dossier('STP-261228-0001');
    expect(confirmed?.deadlinesEstimated).toBe(false);
    expect(confirmed?.deadlineMoves).toEqual([]); // nothing moved, only the flag
    expect((await admin.listDays({ year: 2027 })).status).toBe('official');
  });

  test('new office hours for one unit re-plan that unit’s open steps', async () => {
    await startStep('STP-260309-0001', 'police-verify', '2026-03-18T07:00', 270, { unitId: 'ca-pv06' });
    expect(show((await step('police-verify'))?.dueAt)).toBe('2026-03-18T13:30:00+07:00');
    const outcome = await admin.setUnitHours({
      actor: 'quan-tri',
      unit: { unitId: 'ca-pv06', name: 'Công an tỉnh (PV06)', workingDay: [{ from: '07:00', to: '11:30' }, { from: '13:30', to: '17:00' }], restDayHours: {} },
    });
    expect(outcome.replan.stepsMoved).toBe(1);
    expect(show((await step('police-verify'))?.dueAt)).toBe('2026-03-18T11:30:00+07:00');
    expect((await admin.listUnits()).map((u) => u.unitId).sort()).toEqual(['ca-pv06', 'default']);
    await admin.removeUnitHours({ actor: 'quan-tri', unitId: 'ca-pv06' });
    expect(show((await step('police-verify'))?.dueAt)).toBe('2026-03-18T13:30:00+07:00');
  });
});

describe('refused edits', () => {
  test.each([
    ['a day off on a Saturday', () => admin.addDayOff({ actor: 'a', date: '2026-03-14', name: 'x', basis: 'y' }), /2026-03-14 là ngày nghỉ hằng tuần \(Sat\)/],
    ['a day off that is already one', () => admin.addDayOff({ actor: 'a', date: '2026-04-30', name: 'x', basis: 'y' }), /2026-04-30 đã có trong lịch/],
    ['a make-up day on a Monday', () => admin.addMakeUpDay({ actor: 'a', date: '2026-03-16', name: 'x', basis: 'y' }), /không phải ngày nghỉ hằng tuần/],
    ['removing a day that is not there', () => admin.removeDay({ actor: 'a', date: '2026-03-18' }), /2026-03-18 không có trong lịch năm 2026/],
    ['confirming an official year', () => admin.confirmYear({ actor: 'a', year: 2025, basis: ['x'] }), /Lịch năm 2025 đã là lịch chính thức/],
    ['removing the default hours', () => admin.removeUnitHours({ actor: 'a', unitId: 'default' }), /Không thể xoá giờ hành chính mặc định/],
  ])('%s', async (_case, run, message) => {
    await expect(run()).rejects.toThrow(CalendarInputError);
    await expect(run()).rejects.toThrow(message);
  });

  test.each([
    ['no actor', { actor: ' ', date: '2026-03-17', name: 'x', basis: 'y' }, /actor \(người thực hiện\) không được trống/],
    ['no legal basis', { actor: 'a', date: '2026-03-17', name: 'x', basis: '' }, /basis \(căn cứ pháp lý\) không được trống/],
    ['not a date', { actor: 'a', date: '17/03/2026', name: 'x', basis: 'y' }, /phải là ngày dạng YYYY-MM-DD/],
  ])('input with %s', async (_case, input, message) => {
    await expect(admin.addDayOff(input)).rejects.toThrow(message);
  });

  test('a refused edit leaves no audit record and no new version', async () => {
    const before = await admin.listAudit({ limit: 1000 });
    await expect(admin.addDayOff({ actor: 'a', date: '2026-03-14', name: 'x', basis: 'y' })).rejects.toThrow();
    expect(await admin.listAudit({ limit: 1000 })).toHaveLength(before.length);
  });
});

test('a running process sees an edit after its refresh interval', async () => {
  const processClock = fixedClock('2026-03-20T08:00:00+07:00');
  const provider = createCalendarProvider({ db, now: processClock.now, refreshMs: 30_000 });
  const first = await provider.current();
  expect(show(first.forUnit().add(vn('2026-03-24T16:00'), 120).dueAt)).toBe('2026-03-25T08:30:00+07:00');
  await admin.addDayOff({ actor: 'can-bo-a', date: '2026-03-25', name: 'Ngày nghỉ (kiểm thử)', basis: 'Thông báo thử nghiệm 4/TB' });
  expect(await provider.current()).toBe(first);
  processClock.set('2026-03-20T08:00:31+07:00');
  const second = await provider.current();
  expect(second.version).toBeGreaterThan(first.version);
  expect(show(second.forUnit().add(vn('2026-03-24T16:00'), 120).dueAt)).toBe('2026-03-26T08:30:00+07:00');
});
