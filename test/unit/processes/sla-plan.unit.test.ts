/** The SLA syntax and the SLA-plan loader (server/sla), on small fixtures. */
import fc from 'fast-check';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { BpmnReadError } from '../../../server/sla/moddle';
import { loadSlaPlanFile, loadSlaPlans, SlaPlanError } from '../../../server/sla/plan';
import { formatWorkingTime, parseWorkingTime, WorkingTimeSyntaxError } from '../../../server/sla/working-time';

const FIXTURES = path.join(__dirname, 'fixtures');
/** A small model with a step of every kind the loader tells apart; shipped-models checks the shipped ones. */
const EVERY_KIND_OF_STEP = path.join(__dirname, 'plan-fixtures', 'every-kind-of-step.bpmn');

describe('working time syntax', () => {
  test.each([
    ['4h', 240],
    ['30m', 30],
    ['3wd', 1440],
    ['1wd 4h', 720],
    ['1wd4h30m', 750],
    ['0.5h', 30],
    ['0h', 0],
    [' 2h ', 120],
  ])('%j is %i working minutes', (text, minutes) => {
    expect(parseWorkingTime(text)).toBe(minutes);
  });

  test.each(['', '4', '4 hours', 'h', '4d', '-1h', '0.3m', '1wd, 4h'])('%j is rejected', (text) => {
    expect(() => parseWorkingTime(text)).toThrow(WorkingTimeSyntaxError);
  });

  test('formatting reads back to the same minutes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200_000 }), (minutes) => {
        expect(parseWorkingTime(formatWorkingTime(minutes))).toBe(minutes);
      }),
    );
    expect(formatWorkingTime(600)).toBe('1wd 2h');
  });
});

describe('SLA plan of a model', () => {
  test('reads the version, the targets and the named deadlines of the process', async () => {
    const [plan, ...others] = await loadSlaPlanFile(EVERY_KIND_OF_STEP);
    expect(others).toEqual([]);
    expect(plan).toMatchObject({
      processId: 'plan-fixture-v20240101',
      name: 'Plan fixture',
      procedure: 'plan-fixture',
      effectiveFrom: '2024-01-01',
      effectiveTo: null,
      legalBasis: 'Fixture for the SLA-plan loader',
      targets: { ordinary: 480, verification: 960, statutory: 1440 },
      deadlines: { supplementWait: 7200 },
      source: EVERY_KIND_OF_STEP,
    });
  });

  test('steps carry allotments per variant, unit, role, escalation, clock and what serves them', async () => {
    const [plan] = await loadSlaPlanFile(EVERY_KIND_OF_STEP);
    expect(plan?.steps.checkDossier).toEqual({
      elementId: 'checkDossier',
      elementType: 'bpmn:UserTask',
      name: 'Check the dossier',
      allotments: { ordinary: 60, verification: 120, statutory: 180 },
      unit: 'stp-mot-cua',
      unitName: 'Bộ phận Một cửa Sở Tư pháp',
      role: 'oneStopOfficer',
      escalation: [
        { role: 'headOfDivision', afterWorkingMinutes: 0 },
        { role: 'leader', afterWorkingMinutes: 240 },
      ],
      clock: 'running',
      jobType: 'io.camunda.zeebe:userTask',
      formKey: 'lltp.form.check-dossier',
      calledProcessId: null,
      scope: [],
    });
    expect(plan?.steps.awaitSupplement).toMatchObject({
      allotments: { ordinary: 0, verification: 0, statutory: 0 },
      clock: 'stopped',
      scope: ['supplement'],
      jobType: null,
    });
    expect(plan?.steps.restartClock).toMatchObject({
      allotments: { ordinary: 30, verification: 30, statutory: 30 },
      clock: 'restart',
      jobType: 'lltp.dossier.restart-clock',
    });
    expect(plan?.steps.drawUpCertificate).toMatchObject({
      elementType: 'bpmn:CallActivity',
      calledProcessId: '=internalProcessId',
      jobType: null,
    });
    expect(Object.keys(plan?.steps ?? {}).sort()).toEqual(['awaitSupplement', 'checkDossier', 'drawUpCertificate', 'restartClock']);
  });
});

describe('SLA plan errors', () => {
  test('name the file, the element and the property', async () => {
    const file = path.join(FIXTURES, 'sla-complete', 'invalid-missing-unit.bpmn');
    const error = await loadSlaPlanFile(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlaPlanError);
    expect((error as SlaPlanError).problems).toEqual([{ source: file, elementId: 'Task_1', message: 'lltp:sla.unit is missing' }]);
    expect((error as SlaPlanError).message).toContain(`${file}: Task_1: lltp:sla.unit is missing`);
  });

  test('report every problem of a file at once', async () => {
    const xml = (await readFile(path.join(FIXTURES, 'sla-complete', 'invalid-missing-unit.bpmn'), 'utf8'))
      .replace('value="headOfDivision &gt; leader@4h"', 'value="headOfDivision > leader@4h"')
      .replace('<zeebe:property name="lltp:effectiveFrom" value="2024-01-01" />', '')
      .replace('<zeebe:property name="lltp:sla.allotment" value="2h" />', '<zeebe:property name="lltp:sla.allotment" value="2 hours" />');
    const error = (await loadSlaPlans(xml, 'memory.bpmn').catch((e: unknown) => e)) as SlaPlanError;
    expect(error).toBeInstanceOf(SlaPlanError);
    expect(error.problems.map((p) => `${p.elementId}: ${p.message}`)).toEqual([
      'Task_1: lltp:sla.unit is missing',
      'Task_1: lltp:sla.allotment "2 hours" is not a working time (unexpected "2 hours"); write e.g. 4h, 30m, 3wd or 1wd 4h',
      'fixture-v20240101: lltp:effectiveFrom is missing',
    ]);
  });

  test('a file that is not BPMN is a read error', async () => {
    await expect(loadSlaPlans('<not-bpmn', 'broken.bpmn')).rejects.toBeInstanceOf(BpmnReadError);
  });

  test('a file without an executable process has no plan', async () => {
    const xml = '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x"><bpmn:process id="p" isExecutable="false" /></bpmn:definitions>';
    await expect(loadSlaPlans(xml, 'draft.bpmn')).rejects.toThrow('d: no executable process');
  });
});
