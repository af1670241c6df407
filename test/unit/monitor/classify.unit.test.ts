/** The monitor's judgement of one step or dossier: status, conditions, keys and roles. */
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
const step: OpenStep = { _id: 'step:1', dossierCode: 'STP.KHA-261120-0001', elementId: 'checkDossier', elementName: 'Bước 3', unitId: 'stp-mot-cua', role: 'oneStopOfficer', dueAt, allotmentMinutes: 480, clock: 'running' };
const at = (workingMinutes: number): Date => calendar.add(dueAt, workingMinutes).dueAt;

test('on track: no condition', () => {
  expect(judgeStep(step, chain, calendar, at(-300), DEFAULT_DUE_SOON_POLICY)).toEqual({ status: 'onTrack', conditions: [] });
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
  expect(judgeStep({ ...step, clock: 'stopped' }, chain, calendar, at(600), DEFAULT_DUE_SOON_POLICY).status).toBe('stopped');
  expect(judgeStep({ ...step, allotmentMinutes: 0 }, chain, calendar, at(600), DEFAULT_DUE_SOON_POLICY).status).toBe('stopped');
});

test('a dossier: late against its appointment, apology due once its apology-by time passed without a letter', () => {
  const dossier = { code: 'STP.KHA-261110-0002', unitId: 'stp-mot-cua', clockStartAt: calendar.add(dueAt, -4800).dueAt, statutoryDueAt: dueAt, appointmentAt: null, apologyByAt: at(-480), apology: null, stoppedIntervals: [] };
  const judged = judgeDossier(dossier, chain, calendar, at(10), DEFAULT_DUE_SOON_POLICY);
  expect(judged.status).toBe('overdue');
  expect(judged.conditions.map((c) => [c.key, c.role])).toEqual([
    ['dossier:STP.KHA-261110-0002:overdue', 'headOfDivision'],
    ['dossier:STP.KHA-261110-0002:apologyDue', 'leader'],
  ]);
  // after the apology: judged against the new appointment (2 working days away: due soon), no second apology
  expect(judgeDossier({ ...dossier, apology: { newReturnDate: '2026-11-27' }, appointmentAt: at(960) }, chain, calendar, at(10), DEFAULT_DUE_SOON_POLICY).conditions.map((c) => c.key)).toEqual([
    'dossier:STP.KHA-261110-0002:dueSoon',
  ]);
  expect(judgeDossier({ ...dossier, stoppedIntervals: [{ to: null }] }, chain, calendar, at(10), DEFAULT_DUE_SOON_POLICY).status).toBe('stopped');
});
