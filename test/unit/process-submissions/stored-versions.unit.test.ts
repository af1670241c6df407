/**
 * A version deployed with approval is kept in the database, not in processes/: the catalog reads
 * it beside the files (`loadProcessCatalog(dir, stored)`), it governs dossiers from its first day,
 * its XML is served from where it was stored, a file of the same version wins, and a live
 * catalog adopts a newer one whole (server/sla/catalog.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadProcessCatalog, PROCESSES_DIR, type StoredModel } from '../../../server/sla/catalog';

const FROM = '2030-01-01';
const PROCESS_ID = 'quy-trinh-570-v20300101';

async function stored(): Promise<StoredModel> {
  const xml = (await readFile(path.join(PROCESSES_DIR, 'quy-trinh-570-v20260701.bpmn'), 'utf8'))
    .replaceAll('quy-trinh-570-v20260701', PROCESS_ID)
    .replace('name="lltp:effectiveFrom" value="2026-07-01"', `name="lltp:effectiveFrom" value="${FROM}"`);
  return { source: `process_submissions#1 ${PROCESS_ID}.bpmn`, resourceName: `${PROCESS_ID}.bpmn`, xml };
}

const at = (date: string) => new Date(`${date}T09:00:00+07:00`);

test('a stored version governs dossiers from its effective date, and its XML is the stored one', async () => {
  const model = await stored();
  const catalog = await loadProcessCatalog(PROCESSES_DIR, [model]);
  expect(catalog.processesFor('STP.KHA', at(FROM)).nationalProcessId).toBe(PROCESS_ID);
  expect(catalog.processesFor('STP.KHA', at('2029-12-31')).nationalProcessId).toBe('quy-trinh-570-v20260701');
  expect(await catalog.modelXml(PROCESS_ID)).toEqual({ resourceName: `${PROCESS_ID}.bpmn`, xml: model.xml });
  expect((await catalog.modelXml('quy-trinh-570-v20260701')).resourceName).toBe('quy-trinh-570-v20260701.bpmn');
});

test('a stored version that is also a file is read from the file', async () => {
  const shipped = { ...(await stored()), xml: await readFile(path.join(PROCESSES_DIR, 'quy-trinh-570-v20260701.bpmn'), 'utf8'), resourceName: 'quy-trinh-570-v20260701.bpmn' };
  const catalog = await loadProcessCatalog(PROCESSES_DIR, [shipped]);
  expect(catalog.plan('quy-trinh-570-v20260701')?.source).toBe(path.join(PROCESSES_DIR, 'quy-trinh-570-v20260701.bpmn'));
});

test('a live catalog adopts a newer one: every holder sees the new version at once', async () => {
  const live = await loadProcessCatalog(PROCESSES_DIR);
  const held = { catalog: live };
  expect(held.catalog.plan(PROCESS_ID)).toBeUndefined();
  live.adopt(await loadProcessCatalog(PROCESSES_DIR, [await stored()]));
  expect(held.catalog.plan(PROCESS_ID)?.effectiveFrom).toBe(FROM);
  expect(held.catalog.versions('quy-trinh-570').at(-1)?.processId).toBe(PROCESS_ID);
});
