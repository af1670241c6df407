/**
 * `npm run lint:processes` as CI runs it: the exit code, the message format, and the checks
 * across models, on copies of processes/ with one thing broken; a stale image is a warning
 * that names the command to run and leaves the exit status at 0.
 */
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { manifestEntry, manifestPath, type ImageManifest } from '../../../processes/lint/images';
import { failed, failingProblems, formatProblem, isStaleImage, lintProcesses } from '../../../processes/lint/run';
import { PROCESSES_DIR, processFiles } from '../../../server/sla/catalog';
import { copyProcessesFolder, removeFolder } from '../../support/processes-folder';

const run = promisify(execFile);
const ROOT = path.resolve(PROCESSES_DIR, '..');
// Copies of these models, each broken in one place, show how each kind of problem is reported.
const NATIONAL = 'quy-trinh-570-v20241001.bpmn';
const KHANH_HOA = 'khanh-hoa-2799-v20241029.bpmn';

let dir: string;

beforeEach(async () => {
  dir = await copyProcessesFolder();
});

afterEach(async () => {
  await removeFolder(dir);
});

async function edit(file: string, from: string, to: string): Promise<void> {
  const xml = await readFile(path.join(dir, file), 'utf8');
  if (!xml.includes(from)) throw new Error(`${file} does not contain ${from}`);
  await writeFile(path.join(dir, file), xml.replace(from, to));
}

async function cli(target: string): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'tools/lint-processes.ts'), target], { cwd: ROOT });
    return { code: 0, stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string };
    return { code: e.code, stdout: e.stdout };
  }
}

test('the command exits 0 on the shipped models and 1 with each problem named when a model breaks a rule', async () => {
  const models = (await processFiles()).length;
  const shipped = await cli(PROCESSES_DIR);
  expect(shipped.code).toBe(0);
  const summary = shipped.stdout.trimEnd().split('\n').at(-1);
  expect(summary).toMatch(new RegExp(`^${models} model\\(s\\) linted, 0 problem\\(s\\)`));
  await edit(NATIONAL, '<zeebe:taskDefinition type="lltp.police.remind" retries="3" />', '<zeebe:taskDefinition type="lltp.police.fax" retries="3" />');
  const broken = await cli(dir);
  expect(broken.code).toBe(1);
  expect(broken.stdout).toContain(`${NATIONAL}: error remindPolice [lltp/job-type-registered] job type "lltp.police.fax" has no worker`);
  expect(broken.stdout).toContain(`${models} model(s) linted, 1 problem(s)`);
}, 30_000);

describe('a stale image', () => {
  const [WARNING, TO_RUN] = ['warn (image) [lltp/image-current]', 'run npm run render:processes'];
  const name = path.basename(KHANH_HOA, '.bpmn');
  const image = (extension: string): string => path.join(dir, 'images', `${name}.${extension}`);

  /** What render:processes leaves for the model: its two images and the manifest entry recording them. */
  async function drawImages(): Promise<void> {
    const [svg, png] = ['<svg xmlns="http://www.w3.org/2000/svg"/>', Buffer.from('drawn')];
    await writeFile(image('svg'), svg);
    await writeFile(image('png'), png);
    const model = path.join(dir, KHANH_HOA);
    const manifest: ImageManifest = { [KHANH_HOA]: manifestEntry(model, await readFile(model, 'utf8'), { svg, png }) };
    await writeFile(manifestPath(dir), JSON.stringify(manifest));
  }

  async function imageWarnings(): Promise<string[]> {
    const result = await lintProcesses(dir);
    expect(failed(result)).toBe(false);
    const ofTheModel = result.problems.filter((p) => isStaleImage(p) && path.basename(p.file) === KHANH_HOA);
    return ofTheModel.map((p) => formatProblem(p, dir));
  }

  beforeEach(drawImages);

  test('a model drawn as it is now has no image warning', async () => {
    expect(await imageWarnings()).toEqual([]);
  });

  const legalBasis = 'name="lltp:legalBasis" value="';
  test.each<[string, () => Promise<void>, string]>([
    ['the model changed', () => edit(KHANH_HOA, legalBasis, `${legalBasis}(sửa) `), 'changed since its image was drawn'],
    ['the manifest has no entry for it', () => writeFile(manifestPath(dir), '{}'), 'has no image'],
    ['no manifest at all', () => rm(manifestPath(dir)), 'has no image'],
    ['its SVG is missing', () => rm(image('svg')), `has no images/${name}.svg`],
    ['its PNG is not the one drawn', () => writeFile(image('png'), 'edited'), `has an images/${name}.png that is not the one drawn`],
  ])('(%s) is a warning naming the model and the command to run; the lint passes', async (_case, makeStale, reason) => {
    await makeStale();
    expect(await imageWarnings()).toEqual([`${KHANH_HOA}: ${WARNING} ${reason}: ${TO_RUN}`]);
  });

  test('leaves the exit status of npm run lint:processes at 0', async () => {
    await writeFile(manifestPath(dir), '{}');
    const result = await cli(dir);
    expect(result.stdout).toContain(`${KHANH_HOA}: ${WARNING} has no image: ${TO_RUN}`);
    expect(result.stdout).toMatch(/ 0 problem\(s\), \d+ image\(s\) to redraw \(npm run render:processes\)\n$/);
    expect(result.code).toBe(0);
  }, 30_000);
});

test('a warning of the recommended rules also fails the lint', async () => {
  // Sending the rework flow straight into the task makes the join gateway superfluous and the task a fake join.
  await edit(KHANH_HOA, 'sourceRef="reviewOutcome" targetRef="joinDraft"', 'sourceRef="reviewOutcome" targetRef="draftCertificate"');
  await edit(KHANH_HOA, '<bpmn:incoming>flow-outcome-revise</bpmn:incoming>', '');
  await edit(KHANH_HOA, '<bpmn:incoming>flow-join-draft</bpmn:incoming>', '<bpmn:incoming>flow-join-draft</bpmn:incoming><bpmn:incoming>flow-outcome-revise</bpmn:incoming>');
  const result = await lintProcesses(dir);
  expect(failingProblems(result).map((p) => formatProblem(p, dir)).sort()).toEqual([
    `${KHANH_HOA}: warn draftCertificate [fake-join] Incoming flows do not join`,
    `${KHANH_HOA}: warn joinDraft [superfluous-gateway] Gateway is superfluous. It only has one source and target.`,
  ]);
  expect(failed(result)).toBe(true);
});

test('an internal procedure whose target exceeds the calling step is a catalog problem at the call activity', async () => {
  await edit(KHANH_HOA, '<zeebe:property name="lltp:target.verification" value="8h" />', '<zeebe:property name="lltp:target.verification" value="9h" />');
  const result = await lintProcesses(dir);
  expect(failingProblems(result).map((p) => formatProblem(p, dir))).toEqual([
    `${NATIONAL}: error drawUpCertificate [lltp/catalog] calls khanh-hoa-2799-v20241029 (agency STP.KHA), whose verification target 1wd 1h exceeds this step's allotment 1wd`,
  ]);
});

test('an agency naming an unknown internal procedure is a catalog problem', async () => {
  await edit('agencies.json', '"internalProcedure": "khanh-hoa-2799"', '"internalProcedure": "ninh-thuan-1234"');
  const result = await lintProcesses(dir);
  expect(failed(result)).toBe(true);
  expect(failingProblems(result).map((p) => `${p.rule} ${p.message}`)).toEqual([
    'lltp/catalog agencies.json: agency STP.KHA names procedure ninh-thuan-1234, which no model in processes/ declares',
  ]);
});

test('a model that is not BPMN fails with an import problem', async () => {
  await writeFile(path.join(dir, 'broken.bpmn'), '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x"><bpmn:process id="p" isExecutable="true"><bpmn:unknownThing id="u"/></bpmn:process></bpmn:definitions>');
  const result = await lintProcesses(dir);
  expect(failed(result)).toBe(true);
  expect(result.problems.some((p) => p.rule === 'bpmn-import' && p.file.endsWith('broken.bpmn'))).toBe(true);
});
