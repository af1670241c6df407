/** The monitor's judgement of one step or dossier: status, conditions, keys and roles, and when it next changes. */
import { seedCalendarData } from '../../../server/calendar/seed';
import { DEFAULT_DUE_SOON_POLICY } from '../../../server/calendar/status';
import { WorkingCalendars } from '../../../server/calendar/working-calendar';
import { judgeDossier, judgeStep, type OpenStep } from '../../../server/monitor/classify';

const calendar = new WorkingCalendars(seedCalendarData()).forUnit('stp-mot-cua');
const chain = [
  { role: 'headOfDivision', afterWorkingMinutes: 0 },
  { role: 'leader', afterWorkingMinutes: 240 },
];
const dueAt = new Date('2026-11-24T10:00:00Z'); // Tuesday 17:00 in Việt Nam
const step: OpenStep = { id: 'step:1', dossierCode: 'STP.KHA-261120-0001', elementId: 'checkDossier', elementName: 'Bước 3', unitId: 'stp-mot-cua', role: 'oneStopOfficer', dueAt, allotmentMinutes: 480, clock: 'running' };
const at = (workingMinutes: number): Date => calendar.add(dueAt, workingMinutes).dueAt;

/** The first instant with fewer than `minutes + 1` whole working minutes left: `minutes` left, rounded down. */
const leftAtMost = (minutes: number): Date => calendar.addWorkingMs(dueAt, -((minutes + 1) * 60_000 - 1)).dueAt;

test('on track: no condition; looked at again when it turns due soon (96 working minutes left: 20% of 480, less than 240)', () => {
  expect(judgeStep(step, chain, calendar, at(-300), DEFAULT_DUE_SOON_POLICY)).toEqual({ status: 'onTrack', conditions: [], nextCheckAt: leftAtMost(96) });
});

test.each([
  ['on track', -300, leftAtMost(96)],
  ['due soon', -60, new Date(dueAt.getTime() + 1)],
  ['just late (first escalation at once)', 30, at(240)],
  ['past the last escalation level', 240, null],
])('%s: the next check is when the judgement changes', (_case, offset, next) => {
  expect(judgeStep(step, chain, calendar, at(offset), DEFAULT_DUE_SOON_POLICY).nextCheckAt).toEqual(next);
});

test.each([-2000, -300, -241, -61, 0, 1, 30, 239])('judged at %i working minutes from the due time: unchanged until the next check, changed at it', (offset) => {
  const now = at(offset);
  const judged = judgeStep(step, chain, calendar, now, DEFAULT_DUE_SOON_POLICY);
  const keys = (j: ReturnType<typeof judgeStep>): string[] => [j.status, ...j.conditions.map((c) => c.key)];
  expect(judged.nextCheckAt).not.toBeNull();
  const next = judged.nextCheckAt as Date;
  expect(next.getTime()).toBeGreaterThan(now.getTime());
  expect(keys(judgeStep(step, chain, calendar, new Date(next.getTime() - 1), DEFAULT_DUE_SOON_POLICY))).toEqual(keys(judged));
  expect(keys(judgeStep(step, chain, calendar, next, DEFAULT_DUE_SOON_POLICY))).not.toEqual(keys(judged));
});

test('due soon: one condition to the step role, keyed by step', () => {
  const judged = judgeStep(step, chain, calendar, at(-60), DEFAULT_DUE_SOON_POLICY);
  expect(judged.status).toBe('dueSoon');
  expect(judged.conditions.map((c) => [c.key, c.role, c.remainingMinutes])).toEqual([['step:step:1:dueSoon', 'oneStopOfficer', 60]]);
});

test('overdue: the officer and each escalation level reached, by working time late', () => {
  expect(judgeStep(step, chain, calendar, at(30), DEFAULT_DUE_SOON_POLICY).conditions.map((c) => [c.key, c.role, c.level])).toEqual([
    ['step:step:1:overdue', 'oneStopOfficer', 0],
    ['step:step:1:escalation1', 'headOfDivision', 1],
  ]);
  // 4 working hours late, across the night: the second level too
  expect(judgeStep(step, chain, calendar, at(240), DEFAULT_DUE_SOON_POLICY).conditions.map((c) => c.key)).toEqual(['step:step:1:overdue', 'step:step:1:escalation1', 'step:step:1:escalation2']);
});

test('a stopped clock or an untimed step raises nothing', () => {
  expect(judgeStep({ ...step, clock: 'stopped' }, chain, calendar, at(600), DEFAULT_DUE_SOON_POLICY)).toEqual({ status: 'stopped', conditions: [], nextCheckAt: null });
  expect(judgeStep({ ...step, allotmentMinutes: 0 }, chain, calendar, at(600), DEFAULT_DUE_SOON_POLICY)).toEqual({ status: 'stopped', conditions: [], nextCheckAt: null });
});

test('a dossier: late against its appointment, apology due once its apology-by time passed without a letter', () => {
  const dossier = { code: 'STP.KHA-261110-0002', unitId: 'stp-mot-cua', clockStartAt: calendar.add(dueAt, -4800).dueAt, statutoryDueAt: dueAt, appointmentAt: null, apologyByAt: at(-480), apology: null, stoppedIntervals: [] };
  const judged = judgeDossier(dossier, chain, calendar, at(10), DEFAULT_DUE_SOON_POLICY);
  expect(judged.status).toBe('overdue');
  expect(judged.conditions.map((c) => [c.key, c.role])).toEqual([
    ['dossier:STP.KHA-261110-0002:overdue', 'headOfDivision'],
    ['dossier:STP.KHA-261110-0002:apologyDue', 'leader'],
  ]);
  // after the apology: judged against the new appointment (190 working minutes away: due soon), no second
  // apology; the one-stop desk is told the apology went out, with the new date
  const afterApology = judgeDossier({ ...dossier, apology: { newReturnDate: '2026-11-27' }, appointmentAt: at(200) }, chain, calendar, at(10), DEFAULT_DUE_SOON_POLICY).conditions;
  expect(afterApology.map((c) => [c.key, c.role])).toEqual([
    ['dossier:STP.KHA-261110-0002:dueSoon', 'headOfDivision'],
    ['dossier:STP.KHA-261110-0002:apologyIssued', 'oneStopOfficer'],
  ]);
  expect(afterApology[1]!.dueAt).toEqual(at(200));
  expect(judgeDossier({ ...dossier, stoppedIntervals: [{ to: null }] }, chain, calendar, at(10), DEFAULT_DUE_SOON_POLICY).status).toBe('stopped');
  expect(judgeDossier({ ...dossier, clockStopped: true }, chain, calendar, at(10), DEFAULT_DUE_SOON_POLICY).nextCheckAt).toBeNull();
});

test('a dossier on track is looked at again at its apology-by time when that comes before it turns due soon', () => {
  const dossier = { code: 'STP.KHA-261110-0003', unitId: 'stp-mot-cua', clockStartAt: calendar.add(dueAt, -4800).dueAt, statutoryDueAt: dueAt, appointmentAt: null, apologyByAt: at(-1000), apology: null };
  const judged = judgeDossier(dossier, chain, calendar, at(-2000), DEFAULT_DUE_SOON_POLICY);
  expect(judged.status).toBe('onTrack');
  // due soon at 240 working minutes before (less than 20% of 4800): the apology-by time (1000 before) comes first
  expect(judged.nextCheckAt).toEqual(at(-1000));
  expect(judgeDossier(dossier, chain, calendar, at(-1000), DEFAULT_DUE_SOON_POLICY).conditions.map((c) => c.kind)).toEqual(['apologyDue']);
  expect(judgeDossier({ ...dossier, apology: { newReturnDate: '2026-11-30' } }, chain, calendar, at(-2000), DEFAULT_DUE_SOON_POLICY).nextCheckAt).toEqual(leftAtMost(240));
});

test('the leaders are told the apology is due at the prompt, the model\'s lead before the letter is due, not after', () => {
  const apologyByAt = at(-1000);
  const dossier = { code: 'STP.KHA-261110-0004', unitId: 'stp-mot-cua', clockStartAt: calendar.add(dueAt, -4800).dueAt, statutoryDueAt: dueAt, appointmentAt: null, apologyByAt, apologyPromptMinutes: 240, apology: null };
  const promptAt = calendar.add(apologyByAt, -240).dueAt;
  // looked at again at the prompt, and nothing before it
  expect(judgeDossier(dossier, chain, calendar, at(-2000), DEFAULT_DUE_SOON_POLICY).nextCheckAt).toEqual(promptAt);
  expect(judgeDossier(dossier, chain, calendar, new Date(promptAt.getTime() - 60_000), DEFAULT_DUE_SOON_POLICY).conditions).toEqual([]);
  // at the prompt: the alert, whose due time is when the letter must go out
  const alerted = judgeDossier(dossier, chain, calendar, promptAt, DEFAULT_DUE_SOON_POLICY).conditions;
  expect(alerted.map((c) => [c.kind, c.role, c.dueAt])).toEqual([['apologyDue', 'leader', apologyByAt]]);
});

test('a due date moved to the extended statutory time is told to the one-stop desk, with the new date', () => {
  const dossier = { code: 'STP.KHA-261110-0005', unitId: 'stp-mot-cua', clockStartAt: calendar.add(dueAt, -7200).dueAt, statutoryDueAt: dueAt, appointmentAt: dueAt, apologyByAt: at(-1000), apology: null, extendedAt: at(-5000) };
  const told = judgeDossier(dossier, chain, calendar, at(-4000), DEFAULT_DUE_SOON_POLICY).conditions;
  expect(told.map((c) => [c.key, c.kind, c.role, c.dueAt])).toEqual([['dossier:STP.KHA-261110-0005:appointmentExtended', 'appointmentExtended', 'oneStopOfficer', dueAt]]);
  expect(judgeDossier({ ...dossier, extendedAt: null }, chain, calendar, at(-4000), DEFAULT_DUE_SOON_POLICY).conditions).toEqual([]);
});
