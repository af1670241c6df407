/**
 * Comparing two model versions (server/designer/compare.ts, issue 27 item 2) on the shipped
 * models: Law 107/2025's version cuts the statutory deadline to 5 working days; every model
 * compared with itself shows nothing; a designer's copy with one task added and one allotment
 * changed shows exactly those (and, the other way round, the task removed); a working time
 * written another way is no difference.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { compareVersions, PROCESS_LEVEL_NAME } from '../../../server/designer/compare';
import { descendants, type ModdleElement } from '../../../server/sla/moddle';
import { PROCESSES_DIR, processFiles } from '../../../server/sla/catalog';
import { addTask, executableProcess, openModel, setZeebeProperty, type OpenModel } from '../../support/modeler';

const model = (id: string): Promise<string> => readFile(path.join(PROCESSES_DIR, `${id}.bpmn`), 'utf8');
const R2B = 'quy-trinh-570-v20250701';
const R3 = 'quy-trinh-570-v20260701';

/** A copy of a shipped model, edited as Modeler would, as XML. */
async function edited(id: string, edit: (open: OpenModel, process: ModdleElement) => void): Promise<string> {
  const open = await openModel(path.join(PROCESSES_DIR, `${id}.bpmn`));
  edit(open, executableProcess(open));
  return (await open.moddle.toXML(open.definitions, { format: true })).xml;
}
const element = (process: ModdleElement, id: string): ModdleElement => {
  const found = descendants(process).find((e) => e.id === id);
  if (!found) throw new Error(`no element ${id}`);
  return found;
};

test('R2b against Law 107 (R3): the statutory deadline goes from 10 to 5 working days, the police step of a verification from 5wd 6h to 1wd 6h', async () => {
  const result = await compareVersions(await model(R2B), await model(R3));
  expect([result.a.processId, result.b.processId]).toEqual([R2B, R3]);
  expect(result.properties).toContainEqual({
    elementId: null,
    elementName: PROCESS_LEVEL_NAME,
    property: 'lltp:deadline.statutory',
    label: 'Thời hạn giải quyết theo luật',
    a: '10wd',
    b: '5wd',
    change: 'changed',
  });
  expect(result.properties).toContainEqual(expect.objectContaining({ elementId: null, property: 'lltp:effectiveFrom', a: '2025-07-01', b: '2026-07-01', change: 'changed' }));
  expect(result.properties).toContainEqual(
    expect.objectContaining({ elementId: 'awaitPoliceAnswer', property: 'lltp:sla.allotment.verification', label: 'Thời gian được giao: hồ sơ cần xác minh', a: '5wd 6h', b: '1wd 6h' }),
  );
  // the same steps in both: the process ids differ, the elements are matched by their own ids
  expect([result.elements.added, result.elements.removed]).toEqual([[], []]);
  expect(result.elements.changed.map((c) => c.id)).toContain('awaitPoliceAnswer');
});

test('the internal procedures: the police\'s table names the national steps it governs, by the name the national model gives them', async () => {
  const stepName = (id: string): string | undefined => (id === 'checkDossier' ? 'Bước 3: kiểm tra hồ sơ' : undefined);
  const result = await compareVersions(await model('khanh-hoa-2799-v20241029'), await model('khanh-hoa-pv06-v20250301'), { stepName });
  expect(result.properties).toContainEqual(
    expect.objectContaining({ elementId: 'checkDossier', elementName: 'Bước 3: kiểm tra hồ sơ', property: 'lltp:step.checkDossier.unitName', label: 'Tên đơn vị', change: 'changed' }),
  );
  expect(result.properties).toContainEqual(expect.objectContaining({ elementId: null, property: 'lltp:effectiveTo', a: '2025-03-01', b: null, change: 'removed' }));
});

test('every shipped model compared with itself shows no difference', async () => {
  for (const file of await processFiles()) {
    const xml = await readFile(file, 'utf8');
    const result = await compareVersions(xml, xml);
    expect([path.basename(file), result.properties, result.elements]).toEqual([path.basename(file), [], { added: [], removed: [], changed: [], layoutChanged: [] }]);
  }
});

test('a copy with a task added and one allotment changed shows exactly those two', async () => {
  const draft = await edited(R3, (open, process) => {
    setZeebeProperty(element(process, 'awaitPoliceAnswer'), 'lltp:sla.allotment.verification', '2wd');
    addTask(open, process, 'doubleCheck', 'Kiểm tra lại kết quả');
  });
  const result = await compareVersions(await model(R3), draft);
  expect(result.properties).toEqual([
    {
      elementId: 'awaitPoliceAnswer',
      elementName: 'Bước 7: tra cứu CSDL LLTP, hồ sơ nghiệp vụ (nội bộ Công an)',
      property: 'lltp:sla.allotment.verification',
      label: 'Thời gian được giao: hồ sơ cần xác minh',
      a: '1wd 6h',
      b: '2wd',
      change: 'changed',
    },
  ]);
  expect(result.elements.added).toEqual([{ id: 'doubleCheck', type: 'bpmn:Task', name: 'Kiểm tra lại kết quả' }]);
  expect(result.elements.removed).toEqual([]);
  expect(result.elements.changed.map((c) => c.id)).toContain('awaitPoliceAnswer');
  // the other way round, the task is removed
  const back = await compareVersions(draft, await model(R3));
  expect(back.elements.removed).toEqual([{ id: 'doubleCheck', type: 'bpmn:Task', name: 'Kiểm tra lại kết quả' }]);
});

test('a rewrite that means the same is no difference: 120h for 15wd, 2400m for 5wd', async () => {
  const draft = await edited(R3, (_open, process) => {
    setZeebeProperty(process, 'lltp:target.statutory', '120h');
    setZeebeProperty(process, 'lltp:deadline.statutory', '2400m');
  });
  expect((await compareVersions(await model(R3), draft)).properties).toEqual([]);
});
