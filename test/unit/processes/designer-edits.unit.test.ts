/**
 * The .bpmn files are the designers' source: edits made the way Camunda Modeler makes them,
 * on a copy of processes/, pass every check the shipped models pass
 * (test/support/processes-folder.ts) with no code or test edit. Saving every model again
 * changes nothing that matters; a new version file dropped into the folder is linted and
 * governs the dossiers received from its first day.
 */
import path from 'node:path';
import { loadProcessCatalog, processFiles } from '../../../server/sla/catalog';
import { versionedProcessId } from '../../../server/sla/spec';
import { executableProcess, openModel, resaveModel, saveModel, setId, setZeebeProperty } from '../../support/modeler';
import { checkProcessesFolder, copyProcessesFolder, NO_PROBLEMS, openingOf } from '../../support/processes-folder';
import { removeFolder } from '../../support/processes-folder';

jest.setTimeout(30_000);

let dir: string;

beforeEach(async () => {
  dir = await copyProcessesFolder();
});

afterEach(async () => {
  await removeFolder(dir);
});

test('every model opened and saved again the way Modeler does still passes every check', async () => {
  const files = await processFiles(dir);
  expect(files.length).toBeGreaterThan(0);
  for (const file of files) await resaveModel(file);
  expect(await checkProcessesFolder(dir)).toEqual(NO_PROBLEMS);
});

test('a new version of an internal procedure dropped into the folder governs dossiers from its first day', async () => {
  // The first agency's internal procedure (Khánh Hòa's QĐ 2799 today), newest version.
  const before = await loadProcessCatalog(dir);
  const agency = before.agencies[0];
  const current = agency && before.versions(agency.internalProcedure).at(-1);
  if (!agency || !current) throw new Error('agencies.json names no agency with an internal procedure');
  const effectiveFrom = `${Number(current.effectiveFrom.slice(0, 4)) + 2}-01-01`;
  const processId = versionedProcessId(current.procedure, effectiveFrom);

  const model = await openModel(current.source);
  setId(executableProcess(model), processId);
  setZeebeProperty(executableProcess(model), 'lltp:effectiveFrom', effectiveFrom);
  await saveModel(path.join(dir, `${processId}.bpmn`), model);

  expect(await checkProcessesFolder(dir)).toEqual(NO_PROBLEMS);
  const after = await loadProcessCatalog(dir);
  const justBefore = new Date(openingOf(effectiveFrom).getTime() - 1);
  expect(after.processesFor(agency.code, justBefore).internalProcessId).toBe(current.processId);
  expect(after.processesFor(agency.code, openingOf(effectiveFrom)).internalProcessId).toBe(processId);
});
