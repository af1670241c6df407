import { statusLabels } from '../../../server/glossary';
import { classifyClosed, classifyOpen, dueSoonThresholdMinutes } from '../../../server/calendar/status';
import { calendars, vn } from './support';

const office = calendars().forUnit();

describe('due-soon threshold: at most 20% of the allotment and at most 4 working hours (the smaller)', () => {
  test.each([
    [0, 0],
    [1, 1],
    [5, 1],
    [60, 12],
    [120, 24],
    [240, 48],
    [480, 96],
    [1199, 240],
    [1200, 240],
    [1201, 240],
    [2760, 240],
    [4800, 240],
    [7200, 240],
  ])('allotment %i min → due soon from %i min left', (allotment, threshold) => {
    expect(dueSoonThresholdMinutes(allotment)).toBe(threshold);
  });

  test('configurable', () => {
    expect(dueSoonThresholdMinutes(4800, { percent: 10, minutes: 60 })).toBe(60);
    expect(dueSoonThresholdMinutes(240, { percent: 10, minutes: 60 })).toBe(24);
    expect(dueSoonThresholdMinutes(4800, { percent: 100, minutes: 100000 })).toBe(4800);
    expect(dueSoonThresholdMinutes(4800, { percent: 0, minutes: 240 })).toBe(0);
  });
});

describe('open steps and dossiers', () => {
  // a 10-working-day dossier due Monday 17 March 2025 09:12: due soon with 240 min (4 working hours) left,
  // i.e. from Friday 14 March 13:42 (Friday 13:00–17:00 is 240 min, Monday 07:30–09:12 is 102 min)
  const dossier = { dueAt: vn('2025-03-17T09:12'), allotmentMinutes: 4800 };
  test.each([
    ['2025-03-03T09:12', 'onTrack', 4800],
    ['2025-03-13T09:12', 'onTrack', 960],
    ['2025-03-14T14:41', 'onTrack', 241],
    ['2025-03-14T14:42', 'dueSoon', 240],
    ['2025-03-15T10:00', 'dueSoon', 102],
    ['2025-03-17T09:12', 'dueSoon', 0],
    ['2025-03-17T09:13', 'overdue', -1],
    ['2025-03-18T09:12', 'overdue', -480],
  ])('at %s: %s (%i working minutes left)', (now, status, remaining) => {
    expect(classifyOpen(office, dossier, vn(now))).toEqual({ status, remainingMinutes: remaining });
  });
});

describe('closed steps and dossiers', () => {
  const step = { dueAt: vn('2025-03-07T17:00') };
  test.each([
    ['finished the day before the due day', '2025-03-06T16:00', 'early', 0],
    ['finished on the due day before the due time', '2025-03-07T08:00', 'onTime', 0],
    ['finished exactly at the due time', '2025-03-07T17:00', 'onTime', 0],
    ['finished after the due time, outside office hours', '2025-03-07T18:00', 'late', 0],
    ['finished the next working morning', '2025-03-10T08:00', 'late', 30],
    ['finished 30 s into the next working day: rounded up', '2025-03-10T07:30:30', 'late', 1],
  ])('%s (%s): %s, %i min late', (_case, finishedAt, status, lateness) => {
    expect(classifyClosed(office, step, vn(finishedAt))).toEqual({ status, latenessMinutes: lateness });
  });
});

test('every status has its Vietnamese label in the glossary', () => {
  expect(statusLabels).toEqual({
    onTrack: 'trong hạn',
    dueSoon: 'sắp đến hạn',
    overdue: 'quá hạn',
    early: 'trước hạn',
    onTime: 'đúng hạn',
    late: 'trễ hạn',
  });
});
