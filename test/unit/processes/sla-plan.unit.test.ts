/** The SLA syntax and the SLA-plan loader (server/sla). */
import fc from 'fast-check';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { BpmnReadError } from '../../../server/sla/moddle';
import { loadSlaPlanFile, loadSlaPlans, SlaPlanError } from '../../../server/sla/plan';
import { PROCESSES_DIR } from '../../../server/sla/catalog';
import { formatWorkingTime, parseWorkingTime, WorkingTimeSyntaxError } from '../../../server/sla/working-time';

const FIXTURES = path.join(__dirname, 'fixtures');
const NATIONAL = path.join(PROCESSES_DIR, 'quy-trinh-570-v20241001.bpmn');
const KHANH_HOA = path.join(PROCESSES_DIR, 'khanh-hoa-2799-v20241029.bpmn');

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

describe('SLA plan of the national model', () => {
  test('targets, deadlines and version', async () => {
    const [plan, ...others] = await loadSlaPlanFile(NATIONAL);
    expect(others).toEqual([]);
    expect(plan).toMatchObject({
      processId: 'quy-trinh-570-v20241001',
      procedure: 'quy-trinh-570',
      effectiveFrom: '2024-10-01',
      effectiveTo: null,
      targets: { ordinary: 1440, verification: 4320, statutory: 7200 },
      deadlines: { statutory: 4800, statutoryExtended: 7200, apologyLead: 480, supplementRequest: 1440, supplementWait: 7200 },
    });
  });

  test('steps carry allotments per variant, unit, role, escalation, clock and what serves them', async () => {
    const [plan] = await loadSlaPlanFile(NATIONAL);
    expect(plan?.steps.checkDossier).toEqual({
      elementId: 'checkDossier',
      elementType: 'bpmn:UserTask',
      name: 'Bước 3: Tiếp nhận, kiểm tra hồ sơ',
      allotments: { ordinary: 240, verification: 240, statutory: 240 },
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
    expect(plan?.steps.awaitPoliceAnswer).toMatchObject({
      allotments: { ordinary: 360, verification: 2760, statutory: 5640 },
      unit: 'ca-pv06',
      role: 'police',
      escalation: [
        { role: 'lltpOfficer', afterWorkingMinutes: 0 },
        { role: 'leader', afterWorkingMinutes: 480 },
      ],
      scope: ['verifyAndSign'],
      jobType: null,
    });
    expect(plan?.steps.drawUpCertificate).toMatchObject({ calledProcessId: '=internalProcessId', allotments: { ordinary: 240, verification: 480, statutory: 480 } });
    expect(plan?.steps.awaitSupplement?.clock).toBe('stopped');
    expect(plan?.steps.restartClock).toMatchObject({ clock: 'restart', jobType: 'lltp.dossier.restart-clock' });
    expect(plan?.steps.notifyWithdrawn).toMatchObject({ scope: ['withdrawal'], jobType: 'lltp.notify.citizen' });
    expect(Object.keys(plan?.steps ?? {})).toHaveLength(30);
  });

  test('the Khánh Hòa internal procedure fits the allotment of the national step 9', async () => {
    const [national] = await loadSlaPlanFile(NATIONAL);
    const [internal] = await loadSlaPlanFile(KHANH_HOA);
    expect(internal?.targets).toEqual(national?.steps.drawUpCertificate?.allotments);
    const sum = Object.values(internal?.steps ?? {}).reduce((total, step) => total + step.allotments.verification, 0);
    expect(sum).toBe(480);
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
