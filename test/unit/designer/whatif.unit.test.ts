/**
 * The what-if engine (server/designer/whatif.ts), pure: the hand-worked fixture of
 * test/support/whatif-fixture.ts re-judged against the installed models and against a draft of
 * the internal procedure that halves searchRecords' allotment; the period checks; the Vietnamese
 * lint messages. The same fixture through the database and the API: test/integration/designer.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { calendarDataFromSeed } from '../../../server/calendar/model';
import { loadSeed } from '../../../server/calendar/seed';
import { DEFAULT_DEADLINE_POLICY } from '../../../server/calendar/deadlines';
import { DEFAULT_DUE_SOON_POLICY } from '../../../server/calendar/status';
import { WorkingCalendars } from '../../../server/calendar/working-calendar';
import { describeProblem, lintDraft, propertyOf, vietnameseMessage } from '../../../server/designer/draft-lint';
import { surelyOnTrack, weekOf, whatIf } from '../../../server/designer/whatif';
import { dueSoonThresholdMinutes } from '../../../server/calendar/status';
import { stepDueAt } from '../../../server/calendar/deadlines';
import { judgeStep } from '../../../server/monitor/classify';
import { whatIfPeriod, WhatIfInputError, withDraft } from '../../../server/designer/whatif-service';
import { loadRegimes, regimeOn } from '../../../server/scores/regime';
import { loadProcessCatalog, PROCESSES_DIR } from '../../../server/sla/catalog';
import { loadSlaPlans } from '../../../server/sla/plan';
import { escalationSchema } from '../../../server/sla/spec';
import { EXPECTED, halvedSearchRecords, INTERNAL, NATIONAL, PERIOD, whatIfFixture } from '../../support/whatif-fixture';

const calendars = new WorkingCalendars(calendarDataFromSeed(loadSeed()));

/** The fixture's dossiers judged under the installed models and under a draft's text. */
async function judgeDraft(draftXml: string) {
  const current = await loadProcessCatalog(PROCESSES_DIR);
  const [draft] = await loadSlaPlans(draftXml, 'ban-nhap.bpmn');
  const period = whatIfPeriod(PERIOD.from, PERIOD.to);
  return {
    draft: draft!,
    result: whatIf({
      dossiers: whatIfFixture(calendars),
      current,
      draft: withDraft(current, draft!),
      calendars,
      from: period.from,
      to: period.to,
      dueSoon: DEFAULT_DUE_SOON_POLICY,
      deadlinePolicy: DEFAULT_DEADLINE_POLICY,
      dossierEscalation: escalationSchema.parse('headOfDivision > leader@4h > supervisor@1wd'),
      regime: regimeOn(loadRegimes(), PERIOD.from),
    }),
  };
}

async function judgeFixture() {
  return judgeDraft(halvedSearchRecords(await readFile(path.join(PROCESSES_DIR, `${INTERNAL}.bpmn`), 'utf8')));
}

describe('what-if of a draft that halves searchRecords (hand-worked fixture)', () => {
  test('the draft means 2 working hours for searchRecords, the installed model 4', async () => {
    const { draft } = await judgeFixture();
    expect(draft.governs.searchRecords?.allotments).toEqual({ ordinary: 120, verification: 120, statutory: 120 });
    const current = await loadProcessCatalog(PROCESSES_DIR);
    expect(current.plan(INTERNAL)?.governs.searchRecords?.allotments.ordinary).toBe(240);
  });

  test('late counts rise by exactly the numbers worked out by hand', async () => {
    const { result } = await judgeFixture();
    expect(result.dossiers).toBe(20);
    const search = result.byStep.find((r) => r.elementId === 'searchRecords');
    expect(search && { current: search.current.late, draft: search.draft.late }).toEqual(EXPECTED.searchRecords);
    expect(search?.delta).toBe(7);
    expect(search && [search.current.allotments, search.draft.allotments]).toEqual(['4h', '2h']);
    expect({ current: result.current.dossiersWithLateStep, draft: result.draft.dossiersWithLateStep }).toEqual(EXPECTED.dossiersWithLateStep);
    expect({ current: result.current.lateSteps, draft: result.draft.lateSteps }).toEqual(EXPECTED.lateSteps);
    expect({ current: result.current.lateDossiers, draft: result.draft.lateDossiers }).toEqual(EXPECTED.lateDossiers);
    expect(result.difference.lateSteps).toBe(7);
    expect(result.difference.dossiersWithLateStep).toBe(6);
    // the other steps do not move
    expect(result.byStep.filter((r) => r.elementId !== 'searchRecords').every((r) => r.delta === 0)).toBe(true);
  });

  test('the seven new late steps are alerted as the monitor would: due soon, overdue and the first escalation each', async () => {
    const { result } = await judgeFixture();
    const diff = result.difference.alerts.steps;
    expect(diff.overdue).toBe(7);
    // group B finishes 30 working minutes late: the chain's first level (headOfDivision, at the due time) only
    expect(diff.escalation1).toBe(7);
    expect(diff.escalation2 ?? 0).toBe(0);
    // A (10:00, 30 min before the draft's 10:30 due) and D (10:30) and B were inside the due-soon window
    expect(diff.dueSoon).toBeGreaterThanOrEqual(7);
    expect(result.difference.apologyLetters).toBe(0);
    expect(result.difference.score766.onTime).toBe(0);
  });

  test('the heat map puts +7 in the weeks of group B and nothing elsewhere', async () => {
    const { result } = await judgeFixture();
    expect(result.heatMap.weeks).toEqual(['2026-10-26', '2026-11-02', '2026-11-09', '2026-11-16', '2026-11-23', '2026-11-30']);
    const row = result.heatMap.rows.find((r) => r.elementId === 'searchRecords');
    // B: dossiers 9–15 were received 12, 13 (week of 9/11) and 16–20 (week of 16/11)
    expect(row?.cells).toEqual([0, 0, 2, 5, 0, 0]);
    expect(result.heatMap.rows).toHaveLength(1);
  });

  test('the recorded due times are the current model’s (consistency check: 0 differ)', async () => {
    const { result } = await judgeFixture();
    expect(result.consistency).toEqual({ stepsChecked: 60, dueAtDiffers: 0, dossiersChecked: 20, statutoryDueAtDiffers: 0 });
    expect(result.unknownInDraft).toBe(0);
  });
});

describe('the period', () => {
  test.each([
    ['2026-13-01', '2026-11-30', 'from'],
    ['2026-11-01', 'tomorrow', 'to'],
    ['2026-11-30', '2026-11-01', 'from'],
    ['2025-01-01', '2026-11-30', 'to'],
  ])('%s … %s is refused naming %s', (from, to, parameter) => {
    expect(() => whatIfPeriod(from, to)).toThrow(WhatIfInputError);
    try {
      whatIfPeriod(from, to);
    } catch (error) {
      expect((error as WhatIfInputError).parameter).toBe(parameter);
    }
  });

  test('receipt dates are whole Việt Nam days', () => {
    const p = whatIfPeriod('2026-11-01', '2026-11-30');
    expect(p.from.toISOString()).toBe('2026-10-31T17:00:00.000Z');
    expect(p.to.toISOString()).toBe('2026-11-30T17:00:00.000Z');
  });

  test('a week is named by its Monday', () => {
    expect(weekOf(new Date('2026-11-29T23:00:00+07:00'))).toBe('2026-11-23');
    expect(weekOf(new Date('2026-11-30T00:30:00+07:00'))).toBe('2026-11-30');
  });
});

describe('lint problems in Vietnamese', () => {
  test.each([
    ['Element is missing label/name', 'Phần tử chưa có tên', null],
    ['lltp:sla.unit is missing', 'lltp:sla.unit bị thiếu', 'lltp:sla.unit'],
    ['Element of type <bpmn:ServiceTask> must have property <zeebe:TaskDefinition>', 'Phần tử loại bpmn:ServiceTask phải có thuộc tính zeebe:TaskDefinition', 'zeebe:TaskDefinition'],
  ])('%s', (english, vietnamese, property) => {
    expect(vietnameseMessage(english)).toBe(vietnamese);
    expect(propertyOf(english)).toBe(property);
  });

  test('a problem names the element and the property', () => {
    expect(describeProblem({ elementId: 'checkDossier', property: 'lltp:sla.unit', rule: 'lltp/sla-complete', message: 'lltp:sla.unit bị thiếu', file: 'ban-nhap.bpmn' })).toBe(
      'Phần tử checkDossier, thuộc tính lltp:sla.unit: lltp:sla.unit bị thiếu (quy tắc lltp/sla-complete)',
    );
  });
});

describe('the draft is linted like a deploy, beside the installed models', () => {
  const installed = () => readFile(path.join(PROCESSES_DIR, `${INTERNAL}.bpmn`), 'utf8');

  test('the halved draft passes, in place of the installed file of the same process id', async () => {
    expect(await lintDraft(halvedSearchRecords(await installed()), PROCESSES_DIR)).toEqual([]);
  }, 30_000);

  test('a row of the table without its unit is an error naming the process and the property, in Vietnamese', async () => {
    const xml = (await installed()).replace('<zeebe:property name="lltp:step.searchRecords.unit" value="stp-hctp" />', '');
    const problems = await lintDraft(xml, PROCESSES_DIR);
    expect(problems).toEqual([expect.objectContaining({ elementId: INTERNAL, property: 'lltp:step.searchRecords.unit', file: 'ban-nhap.bpmn' })]);
    expect(problems[0]?.message).toMatch(/bị thiếu$/);
  }, 30_000);
});

describe('the shortcut past the monitor’s judgement', () => {
  // the tightest case: the whole elapsed time is working time (a start inside office hours)
  test.each([60, 120, 240, 480, 2400])('a %i-minute step that ends just inside the shortcut is on track for the monitor too', (allotment) => {
    const calendar = calendars.forUnit('stp-hctp');
    const quiet = allotment - dueSoonThresholdMinutes(allotment, DEFAULT_DUE_SOON_POLICY);
    for (const startText of ['2026-11-02T07:30:00+07:00', '2026-11-02T10:45:00+07:00', '2026-11-06T16:10:00+07:00', '2026-11-03T13:00:00+07:00']) {
      const start = new Date(startText);
      const end = new Date(start.getTime() + (quiet - 1) * 60_000 - 1);
      expect(surelyOnTrack(start, end, quiet)).toBe(true);
      const dueAt = stepDueAt(calendar, start, allotment).dueAt;
      const judged = judgeStep({ id: 's', dossierCode: 'd', elementId: 'e', unitId: 'stp-hctp', role: 'lltpOfficer', dueAt, allotmentMinutes: allotment }, [], calendar, new Date(end.getTime() - 1), DEFAULT_DUE_SOON_POLICY);
      expect([startText, judged.status]).toEqual([startText, 'onTrack']);
    }
  });
});

describe('a draft of the national model changes the dossiers’ own terms', () => {
  test('a statutory deadline of one working day puts every apology prompt at or before the clock start: 20 letters due, none before', async () => {
    const installed = await readFile(path.join(PROCESSES_DIR, `${NATIONAL}.bpmn`), 'utf8');
    const property = '<zeebe:property name="lltp:deadline.statutory" value="5wd" />';
    expect(installed).toContain(property);
    const { result } = await judgeDraft(installed.replace(property, property.replace('5wd', '1wd')));
    // due 07:45 the next working day (7h45 that day, 15 min the next); apology by = due − 1wd = the
    // clock start; prompt 4h earlier: every dossier ends after it. None finishes after its due time
    // (the latest, group C, at 16:00 the day of receipt).
    expect([result.current.apologyLetters, result.draft.apologyLetters]).toEqual([0, 20]);
    expect([result.current.lateDossiers, result.draft.lateDossiers]).toEqual([0, 0]);
    // the steps' terms are the internal procedure's: unchanged
    expect(result.difference.lateSteps).toBe(0);
  });
});
