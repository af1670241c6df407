/**
 * `npm run lint:processes` as CI runs it: the exit code, the message format, and the checks
 * across models, on copies of processes/ with one thing broken.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { failed, formatProblem, lintProcesses } from '../../../processes/lint/run';
import { PROCESSES_DIR } from '../../../server/sla/catalog';

const run = promisify(execFile);
const ROOT = path.resolve(PROCESSES_DIR, '..');
const NATIONAL = 'quy-trinh-570-v20241001.bpmn';
const KHANH_HOA = 'khanh-hoa-2799-v20241029.bpmn';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lltp-processes-'));
  for (const file of ['.bpmnlintrc', 'agencies.json', NATIONAL, KHANH_HOA]) await cp(path.join(PROCESSES_DIR, file), path.join(dir, file));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
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
  expect(await cli(PROCESSES_DIR)).toEqual({ code: 0, stdout: '2 model(s) linted, 0 problem(s)\n' });
  await edit(NATIONAL, '<zeebe:taskDefinition type="lltp.police.remind" retries="3" />', '<zeebe:taskDefinition type="lltp.police.fax" retries="3" />');
  const broken = await cli(dir);
  expect(broken.code).toBe(1);
  expect(broken.stdout).toContain(`${NATIONAL}: error remindPolice [lltp/job-type-registered] job type "lltp.police.fax" has no worker`);
  expect(broken.stdout).toContain('2 model(s) linted, 1 problem(s)');
}, 30_000);

test('a warning of the recommended rules also fails the lint', async () => {
  // Sending the rework flow straight into the task makes the join gateway superfluous and the task a fake join.
  await edit(KHANH_HOA, 'sourceRef="reviewOutcome" targetRef="joinDraft"', 'sourceRef="reviewOutcome" targetRef="draftCertificate"');
  await edit(KHANH_HOA, '<bpmn:incoming>flow-outcome-revise</bpmn:incoming>', '');
  await edit(KHANH_HOA, '<bpmn:incoming>flow-join-draft</bpmn:incoming>', '<bpmn:incoming>flow-join-draft</bpmn:incoming><bpmn:incoming>flow-outcome-revise</bpmn:incoming>');
  const result = await lintProcesses(dir);
  expect(result.problems.map((p) => formatProblem(p, dir)).sort()).toEqual([
    `${KHANH_HOA}: warn draftCertificate [fake-join] Incoming flows do not join`,
    `${KHANH_HOA}: warn joinDraft [superfluous-gateway] Gateway is superfluous. It only has one source and target.`,
  ]);
  expect(failed(result)).toBe(true);
});

test('an internal procedure whose target exceeds the calling step is a catalog problem at the call activity', async () => {
  await edit(KHANH_HOA, '<zeebe:property name="lltp:target.verification" value="8h" />', '<zeebe:property name="lltp:target.verification" value="9h" />');
  const result = await lintProcesses(dir);
  expect(result.problems.map((p) => formatProblem(p, dir))).toEqual([
    `${NATIONAL}: error drawUpCertificate [lltp/catalog] calls khanh-hoa-2799-v20241029 (agency STP.KHA), whose verification target 1wd 1h exceeds this step's allotment 1wd`,
  ]);
});

test('an agency naming an unknown internal procedure is a catalog problem', async () => {
  await edit('agencies.json', '"internalProcedure": "khanh-hoa-2799"', '"internalProcedure": "ninh-thuan-1234"');
  const result = await lintProcesses(dir);
  expect(failed(result)).toBe(true);
  expect(result.problems.map((p) => `${p.rule} ${p.message}`)).toEqual([
    'lltp/catalog agencies.json: agency STP.KHA names procedure ninh-thuan-1234, which no model in processes/ declares',
  ]);
});

test('a model that is not BPMN fails with an import problem', async () => {
  await writeFile(path.join(dir, 'broken.bpmn'), '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x"><bpmn:process id="p" isExecutable="true"><bpmn:unknownThing id="u"/></bpmn:process></bpmn:definitions>');
  const result = await lintProcesses(dir);
  expect(failed(result)).toBe(true);
  expect(result.problems.some((p) => p.rule === 'bpmn-import' && p.file.endsWith('broken.bpmn'))).toBe(true);
});
