/**
 * The inspection's pure rules: report weeks and months (no gap, no overlap, the cut-off instant
 * belongs to the next period), who answers for a unit on a day (dated heads of division), the verdict of a dossier (an apology never makes a late dossier on time), and
 * the filters' bad input named by parameter.
 */
import { verdictOf } from '../../../server/inspection/engine';
import { filterVocabulary } from '../../../server/inspection';
import { InspectionInputError, parseFilters } from '../../../server/inspection/filters';
import { lastEndedWeek, reportWeek } from '../../../server/inspection/week';
import { lastEndedMonth, reportMonth } from '../../../server/inspection/month';
import { loadUnitHeads, UnitHeads } from '../../../server/inspection/unit-heads';
import { PROCESSES_DIR } from '../../../server/sla/catalog';
import { loadProcessCatalog } from '../../../server/sla';
import type { ProcessCatalog } from '../../../server/sla/catalog';

const at = (text: string): Date => new Date(`${text}+07:00`);
const FRIDAY_16 = { weekday: 'Fri', minutes: 16 * 60 };

describe('report months', () => {
  const CALENDAR_MONTH = { day: 1, minutes: 0 };

  test('by default a month is the calendar month, Việt Nam time; December runs into January', () => {
    expect(reportMonth('2026-11', CALENDAR_MONTH)).toEqual({ month: '2026-11', from: at('2026-11-01T00:00:00'), to: at('2026-12-01T00:00:00') });
    expect(reportMonth('2026-12', CALENDAR_MONTH).to).toEqual(at('2027-01-01T00:00:00'));
  });

  test('consecutive months meet, whatever the cut-off', () => {
    for (const cutoff of [CALENDAR_MONTH, { day: 15, minutes: 16 * 60 }]) {
      const months = ['2026-11', '2026-12', '2027-01'].map((m) => reportMonth(m, cutoff));
      expect(months[1]!.from).toEqual(months[0]!.to);
      expect(months[2]!.from).toEqual(months[1]!.to);
    }
  });

  test.each([
    ['2026-12-01T00:00:00', CALENDAR_MONTH, '2026-11'],
    ['2026-11-30T23:59:00', CALENDAR_MONTH, '2026-10'],
    ['2027-01-01T00:15:00', CALENDAR_MONTH, '2026-12'],
    ['2026-12-15T15:59:00', { day: 15, minutes: 16 * 60 }, '2026-10'],
    ['2026-12-15T16:00:00', { day: 15, minutes: 16 * 60 }, '2026-11'],
  ])('the last month ended at %s (cut-off %j) is %s', (now, cutoff, month) => {
    expect(lastEndedMonth(at(now), cutoff).month).toBe(month);
  });

  test.each(['2026-13', '2026-1', 'tháng 11', '2026-11-01'])('%s is refused naming the parameter', (month) => {
    expect(() => reportMonth(month, CALENDAR_MONTH)).toThrow(InspectionInputError);
    expect(() => reportMonth(month, CALENDAR_MONTH, 'thang')).toThrow(/thang/);
  });
});

describe('heads of division', () => {
  const heads = new UnitHeads([
    { unit: 'stp-hctp', title: 'Trưởng phòng', name: 'A', from: '2026-01-01', to: '2026-11-09' },
    { unit: 'stp-hctp', title: 'Trưởng phòng', name: 'B', from: '2026-11-09', to: null },
  ]);

  test.each([
    ['2026-11-08T23:59:00', 'Trưởng phòng: A'],
    ['2026-11-09T00:00:00', 'Trưởng phòng: B'],
    ['2025-12-31T12:00:00', null],
  ])('on %s the head of stp-hctp is %s (Việt Nam days)', (instant, head) => {
    expect(heads.at('stp-hctp', at(instant))).toBe(head);
  });

  test('a unit nobody is named for has no head', () => {
    expect(heads.at('ca-pv06', at('2026-11-10T08:00:00'))).toBeNull();
  });

  test('the shipped file names a head for every unit a model gives a timed step', async () => {
    const catalog = await loadProcessCatalog();
    const shipped = loadUnitHeads(PROCESSES_DIR);
    expect([...filterVocabulary(catalog).units].filter((u) => shipped.at(u, at('2026-11-10T08:00:00')) === null)).toEqual([]);
  });
});

describe('report weeks', () => {
  test('a week runs from the previous Friday 16:00 (inclusive) to this one (exclusive), Việt Nam time', () => {
    const week = reportWeek('2026-11-27', FRIDAY_16);
    expect(week.from).toEqual(at('2026-11-20T16:00:00'));
    expect(week.to).toEqual(at('2026-11-27T16:00:00'));
  });

  test('consecutive weeks meet: no gap, no overlap', () => {
    const weeks = ['2026-11-13', '2026-11-20', '2026-11-27'].map((d) => reportWeek(d, FRIDAY_16));
    expect(weeks[1]!.from).toEqual(weeks[0]!.to);
    expect(weeks[2]!.from).toEqual(weeks[1]!.to);
  });

  test('the last ended week: at 15:59 on Friday it is the week before; at 16:00 and over the weekend it is this one', () => {
    expect(lastEndedWeek(at('2026-11-27T15:59:00'), FRIDAY_16).weekEnding).toBe('2026-11-20');
    expect(lastEndedWeek(at('2026-11-27T16:00:00'), FRIDAY_16).weekEnding).toBe('2026-11-27');
    expect(lastEndedWeek(at('2026-11-29T10:00:00'), FRIDAY_16).weekEnding).toBe('2026-11-27');
    expect(lastEndedWeek(at('2026-12-03T09:00:00'), FRIDAY_16).weekEnding).toBe('2026-11-27');
  });

  test('another cut-off (Thursday 17:30) is honoured', () => {
    const week = reportWeek('2026-11-26', { weekday: 'Thu', minutes: 17 * 60 + 30 });
    expect(week.to).toEqual(at('2026-11-26T17:30:00'));
  });

  test('a day that is not the cut-off weekday, or not a date, is refused naming the parameter', () => {
    expect(() => reportWeek('2026-11-26', FRIDAY_16)).toThrow(/^weekEnding: 2026-11-26 không phải ngày chốt/);
    expect(() => reportWeek('27/11/2026', FRIDAY_16)).toThrow(InspectionInputError);
  });
});

describe('verdict of a dossier', () => {
  const due = at('2026-11-20T17:00:00');
  const now = at('2026-11-30T09:00:00');
  const closed = { status: 'closed' as const, outcome: 'issued' as const, statutoryDueAt: due, apologyIssuedAt: null };

  test('finished by the statutory due date: on time, up to the minute', () => {
    expect(verdictOf({ ...closed, finishedAt: due }, now)).toBe('onTime');
  });

  test('finished after it: late; with an apology letter: late with apology, never on time', () => {
    const finishedAt = new Date(due.getTime() + 60_000);
    expect(verdictOf({ ...closed, finishedAt }, now)).toBe('late');
    expect(verdictOf({ ...closed, finishedAt, apologyIssuedAt: at('2026-11-19T10:00:00') }, now)).toBe('lateWithApology');
  });

  test('a refusal (form 03) and a withdrawal have verdicts of their own, never on time or late; unsupplemented ends otherwise', () => {
    expect(verdictOf({ ...closed, outcome: 'refused' as const, finishedAt: at('2026-11-21T09:00:00') }, now)).toBe('refused');
    expect(verdictOf({ ...closed, outcome: 'refused' as const, finishedAt: at('2026-11-19T09:00:00') }, now)).toBe('refused');
    expect(verdictOf({ ...closed, outcome: 'withdrawn' as const, finishedAt: at('2026-11-25T09:00:00') }, now)).toBe('withdrawn');
    expect(verdictOf({ ...closed, outcome: 'unsupplemented' as const, finishedAt: at('2026-11-25T09:00:00') }, now)).toBe('closedOther');
  });

  test('open: overdue once the statutory due date has passed', () => {
    const open = { status: 'open' as const, outcome: null, finishedAt: null, statutoryDueAt: due, apologyIssuedAt: null };
    expect(verdictOf(open, at('2026-11-20T16:59:00'))).toBe('openOnTrack');
    expect(verdictOf(open, now)).toBe('openOverdue');
  });
});

describe('filters', () => {
  let catalog: ProcessCatalog;
  beforeAll(async () => {
    catalog = await loadProcessCatalog();
  });
  const parse = (query: Record<string, unknown>) => parseFilters(query, filterVocabulary(catalog));
  const parameterOf = (query: Record<string, unknown>): string => {
    try {
      parse(query);
    } catch (error) {
      if (error instanceof InspectionInputError) return error.parameter;
      throw error;
    }
    throw new Error(`accepted: ${JSON.stringify(query)}`);
  };

  test('a civil period covers whole Việt Nam days, the last one included', () => {
    const f = parse({ from: '2026-11-01', to: '2026-11-30' });
    expect(f.from).toEqual(at('2026-11-01T00:00:00'));
    expect(f.to).toEqual(at('2026-12-01T00:00:00'));
    expect(f).toMatchObject({ basis: 'received', status: 'all', unit: null });
  });

  test('366 days pass; 367 days, from after to, missing or malformed dates are 400s naming the parameter', () => {
    expect(parse({ from: '2024-01-01', to: '2024-12-31' }).to).toEqual(at('2025-01-01T00:00:00'));
    expect(parameterOf({ from: '2024-01-01', to: '2025-01-01' })).toBe('to');
    expect(parameterOf({ from: '2026-11-30', to: '2026-11-01' })).toBe('from');
    expect(parameterOf({ to: '2026-11-01' })).toBe('from');
    expect(parameterOf({ from: '2026-11-01', to: '2026-13-01' })).toBe('to');
  });

  test('units, procedures, versions and agencies must exist in the models; channels and statuses in their lists', () => {
    const period = { from: '2026-11-01', to: '2026-11-30' };
    expect(parse({ ...period, unit: 'stp-mot-cua', procedure: 'quy-trinh-570', channel: 'vneid', status: 'late' })).toMatchObject({ unit: 'stp-mot-cua', channel: 'vneid', status: 'late' });
    expect(parameterOf({ ...period, unit: 'phong-khong-co' })).toBe('unit');
    expect(parameterOf({ ...period, procedure: 'quy-trinh-999' })).toBe('procedure');
    expect(parameterOf({ ...period, version: 'quy-trinh-570-v19990101' })).toBe('version');
    expect(parameterOf({ ...period, procedure: 'quy-trinh-570', version: 'khanh-hoa-2799-v20241029' })).toBe('version');
    expect(parameterOf({ ...period, agency: 'STP.XXX' })).toBe('agency');
    expect(parameterOf({ ...period, channel: 'fax' })).toBe('channel');
    expect(parameterOf({ ...period, status: 'soon' })).toBe('status');
    expect(parse({ ...period, status: 'lateTargetOrStep' }).status).toBe('lateTargetOrStep');
    expect(parse({ ...period, status: 'lateAnyClock' }).status).toBe('lateAnyClock');
    // the weekly report's own filter is not a query parameter
    expect(parameterOf({ ...period, status: 'openLateAnyClock' })).toBe('status');
    expect(parameterOf({ ...period, basis: 'created' })).toBe('basis');
  });
});
