/**
 * The .bpmn files are the designers' source: edits made the way Camunda Modeler makes them,
 * on a copy of processes/, pass every check the shipped models pass
 * (test/support/processes-folder.ts) with no code or test edit. Saving every model again
 * changes nothing that matters; a new version file dropped into the folder is linted and
 * governs the dossiers received from its first day.
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BUDGET_RULE, lintProcesses } from '../../../processes/lint/run';
import { restartClock } from '../../../server/calendar/clock';
import { dossierDeadlines, stepDueAt } from '../../../server/calendar/deadlines';
import { AGENCIES_FILE, dossierTermsOf, loadProcessCatalog, processFiles, runsHere } from '../../../server/sla/catalog';
import { calendars, show, vn } from '../calendar/support';
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
  // The internal procedure of the agency receiving today (Khánh Hòa's police, PV06), newest version.
  const before = await loadProcessCatalog(dir);
  const agency = before.agencies.filter(runsHere).find((a) => a.effectiveTo === null);
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

describe('a designer\'s edit moves the computed deadlines, with no code edit', () => {
  const office = calendars().forUnit();
  const receivedAt = vn('2026-11-23T08:15'); // Monday
  const clock = restartClock(office, receivedAt, 'online');
  const NATIONAL = 'quy-trinh-570';

  /** The dossier deadlines and the step due instants a dossier received at `receivedAt` gets from the folder's models. */
  async function computed(folder: string) {
    const catalog = await loadProcessCatalog(folder);
    const agency = catalog.agencies.find((a) => a.nationalProcedure === NATIONAL);
    if (!agency) throw new Error(`no agency runs ${NATIONAL}`);
    const { nationalProcessId, internalProcessId } = catalog.processesFor(agency.code, receivedAt);
    const plan = catalog.plan(nationalProcessId)!;
    const deadlines = dossierDeadlines(office, clock, dossierTermsOf(plan, 'ordinary', false));
    const stepDue = (elementId: string) => show(stepDueAt(office, receivedAt, catalog.stepSla(nationalProcessId, elementId, internalProcessId)!.allotments.ordinary).dueAt);
    return {
      statutoryDueAt: show(deadlines.statutoryDueAt!),
      targetDueAt: show(deadlines.targetDueAt!),
      apologyByAt: show(deadlines.apologyByAt!),
      acceptDueAt: stepDue('acceptInLltpSoftware'),
      searchDueAt: stepDue('searchRecords'),
      internalProcessId,
      nationalProcessId,
    };
  }

  test('the statutory deadline, the target and the apology lead are the national model\'s properties', async () => {
    const shipped = await computed(dir);
    // received 23/11/2026: Law 107's 5 working days (quy-trinh-570-v20260701), apology 1 working day before
    expect(shipped).toMatchObject({ nationalProcessId: 'quy-trinh-570-v20260701', statutoryDueAt: '2026-11-30T08:15', targetDueAt: '2026-11-26T08:15', apologyByAt: '2026-11-27T08:15' });

    const national = (await loadProcessCatalog(dir)).plan(shipped.nationalProcessId)!;
    const model = await openModel(national.source);
    setZeebeProperty(executableProcess(model), 'lltp:deadline.statutory', '12wd');
    setZeebeProperty(executableProcess(model), 'lltp:deadline.apologyLead', '2wd');
    setZeebeProperty(executableProcess(model), 'lltp:target.ordinary', '4wd');
    await saveModel(national.source, model);

    expect(await checkProcessesFolder(dir)).toEqual(NO_PROBLEMS);
    expect(await computed(dir)).toMatchObject({ statutoryDueAt: '2026-12-09T08:15', targetDueAt: '2026-11-27T08:15', apologyByAt: '2026-12-07T08:15' });
  });

  test('an hour moved between two steps of the provincial table moves their due instants', async () => {
    const shipped = await computed(dir);
    expect(shipped).toMatchObject({ acceptDueAt: '2026-11-23T10:15', searchDueAt: '2026-11-23T13:45' }); // 2h and 4h (lunch 11:30–13:00)

    const internal = (await loadProcessCatalog(dir)).plan(shipped.internalProcessId)!;
    const model = await openModel(internal.source);
    setZeebeProperty(executableProcess(model), 'lltp:step.acceptInLltpSoftware.allotment', '3h');
    setZeebeProperty(executableProcess(model), 'lltp:step.searchRecords.allotment', '3h');
    await saveModel(internal.source, model);

    expect(await checkProcessesFolder(dir)).toEqual(NO_PROBLEMS);
    expect(await computed(dir)).toMatchObject({ acceptDueAt: '2026-11-23T11:15', searchDueAt: '2026-11-23T11:15' }); // 3h and 3h
  });
});

test('a second province added with its model file and a line in agencies.json passes every check, with its own budget', async () => {
  const fixture = path.join(__dirname, '../../integration/processes/fixtures/tinh-thu-nghiem-v20250301.bpmn');
  await copyFile(fixture, path.join(dir, path.basename(fixture)));
  const file = path.join(dir, AGENCIES_FILE);
  const agencies = JSON.parse(await readFile(file, 'utf8')) as { agencies: unknown[] };
  agencies.agencies.push({ code: 'STP.TTN', name: 'Sở Tư pháp tỉnh Thử Nghiệm (hư cấu)', effectiveFrom: '2025-03-01', nationalProcedure: 'quy-trinh-570', internalProcedure: 'tinh-thu-nghiem' });
  await writeFile(file, JSON.stringify(agencies));

  expect(await checkProcessesFolder(dir)).toEqual(NO_PROBLEMS);
  const run = await lintProcesses(dir);
  expect(run.problems.filter((p) => p.rule === BUDGET_RULE).map((p) => p.message)).toContain(
    'STP.TTN, quy-trinh-570-v20260701 with tinh-thu-nghiem-v20250301: budget ordinary 2wd 2h of 3wd, verification 4wd 1h of 5wd, statutory 14wd 1h of 15wd',
  );
  const catalog = await loadProcessCatalog(dir);
  expect(catalog.processesFor('STP.TTN', openingOf('2025-03-01')).internalProcessId).toBe('tinh-thu-nghiem-v20250301');
  expect(catalog.stepSla('quy-trinh-570-v20241001', 'checkDossier', 'tinh-thu-nghiem-v20250301')).toMatchObject({ allotments: { ordinary: 180 }, escalation: [{ role: 'leader', afterWorkingMinutes: 120 }] });
});
