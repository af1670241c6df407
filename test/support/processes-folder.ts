/**
 * Checking a processes folder: everything the suite asserts about the models of a folder, as
 * named checks that each return readable problems (none when the check passes). The shipped
 * processes/ and every edited copy of it (saved again by Modeler, a new version file) go
 * through the same checks, so that a designer's legitimate edit is judged exactly as the
 * shipped models are, and no check depends on which model files there are.
 */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { forms, jobTypes, messages } from '../../processes/contracts';
import { failingProblems, formatProblem, lintProcesses } from '../../processes/lint/run';
import { loadProcessCatalog, PROCESSES_DIR, processFiles, ProcessCatalogError, runsHere } from '../../server/sla/catalog';
import type { ProcessCatalog } from '../../server/sla/catalog';
import {
  BpmnReadError,
  descendants,
  executableProcesses,
  extension,
  extensions,
  formKey,
  is,
  jobType,
  list,
  readBpmn,
  text,
  type ModdleElement,
} from '../../server/sla/moddle';
import { loadSlaPlanFile, SlaPlanError } from '../../server/sla/plan';
import { readStepSpec } from '../../server/sla/spec';
import { diagramProblems, readDiagram } from './diagram';

export type FolderCheck = (dir: string) => Promise<string[]>;

export interface Model {
  file: string;
  definitions: ModdleElement;
  /** Every element of the model's executable processes, sub-processes included. */
  elements: ModdleElement[];
}

export async function readModels(dir: string): Promise<Model[]> {
  return Promise.all(
    (await processFiles(dir)).map(async (file) => {
      const { definitions } = await readBpmn(await readFile(file, 'utf8'), file);
      return { file, definitions, elements: executableProcesses(definitions).flatMap((p) => descendants(p)) };
    }),
  );
}

/** The first instant of a civil date in Việt Nam: a dossier received as that day opens. */
export const openingOf = (date: string): Date => new Date(`${date}T00:00:00+07:00`);

const isModelError = (error: unknown): error is Error =>
  error instanceof SlaPlanError || error instanceof BpmnReadError || error instanceof ProcessCatalogError;

async function lintFailures(dir: string): Promise<string[]> {
  const run = await lintProcesses(dir);
  if (run.files.length === 0) return [`${dir}: no model (*.bpmn)`];
  return failingProblems(run).map((p) => formatProblem(p, dir));
}

async function slaPlanProblems(dir: string): Promise<string[]> {
  const problems: string[] = [];
  for (const file of await processFiles(dir)) {
    await loadSlaPlanFile(file).catch((error: unknown) => {
      if (!isModelError(error)) throw error;
      problems.push(error.message);
    });
  }
  return problems;
}

/**
 * Each agency can receive a dossier from the newest first day among its procedures' versions
 * on: both procedures have a version in force then, and their newest versions do not end.
 */
function agenciesWithoutProcesses(catalog: ProcessCatalog): string[] {
  const problems: string[] = [];
  // An agency that stopped receiving (effectiveTo) needs no version after its end: its successor does.
  for (const agency of catalog.agencies.filter(runsHere).filter((a) => a.effectiveTo === null)) {
    const procedures = [agency.nationalProcedure, agency.internalProcedure];
    const newestVersions = procedures.flatMap((p) => catalog.versions(p).slice(-1));
    for (const { procedure, effectiveTo } of newestVersions.filter((v) => v.effectiveTo !== null)) {
      problems.push(`agency ${agency.code}: no version of ${procedure} governs dossiers from ${effectiveTo}`);
    }
    const newest = newestVersions.map((v) => v.effectiveFrom).sort().at(-1) ?? '';
    try {
      catalog.processesFor(agency.code, openingOf(newest));
    } catch (error) {
      if (!isModelError(error)) throw error;
      problems.push(`agency ${agency.code}, dossier received ${newest}: ${error.message}`);
    }
  }
  return problems;
}

async function catalogProblems(dir: string): Promise<string[]> {
  try {
    return agenciesWithoutProcesses(await loadProcessCatalog(dir));
  } catch (error) {
    if (!isModelError(error)) throw error;
    return [error.message];
  }
}

async function undrawnDiagrams(dir: string): Promise<string[]> {
  const problems: string[] = [];
  for (const file of await processFiles(dir)) {
    const diagram = await readDiagram(file);
    if (diagram.nodes.length === 0) problems.push(`${path.basename(file)}: no flow node`);
    problems.push(...diagramProblems(diagram).map((p) => `${path.basename(file)}: ${p}`));
  }
  return problems;
}

type JobContracts = Record<string, { headers?: Record<string, readonly string[]> }>;

function jobTypeMismatches(element: ModdleElement): string[] {
  const type = jobType(element);
  if (!type) return [];
  const contract = (jobTypes as JobContracts)[type];
  if (!contract) return [`${element.id}: job type ${type} is not in processes/contracts.ts`];
  const allowed = contract.headers ?? {};
  const headers = extensions(element, 'zeebe:TaskHeaders').flatMap((h) => list(h, 'values'));
  const [keys, contractKeys] = [headers.map((h) => text(h, 'key') ?? '').sort(), Object.keys(allowed).sort()];
  const problems: string[] = [];
  if (keys.join() !== contractKeys.join()) {
    const [found, expected] = [keys.join(', '), contractKeys.join(', ')];
    problems.push(`${element.id}: task headers [${found}] are not those of ${type} [${expected}]`);
  }
  for (const header of headers) {
    const [key, value] = [text(header, 'key') ?? '', text(header, 'value') ?? ''];
    if (key in allowed && !allowed[key]?.includes(value)) {
      problems.push(`${element.id}: task header ${key} = ${value} is not allowed for ${type}`);
    }
  }
  return problems;
}

function userTaskMismatches(element: ModdleElement): string[] {
  if (!is(element, 'bpmn:UserTask')) return [];
  const key = formKey(element) ?? '';
  const form = (forms as Record<string, { role: string }>)[key];
  if (!form) return [`${element.id}: form ${key} is not in processes/contracts.ts`];
  // A step governed by the internal procedure is offered to the role of each agency's table.
  const spec = readStepSpec(element);
  if (spec.ok && spec.value.governed) return [];
  const groups = text(extension(element, 'zeebe:AssignmentDefinition'), 'candidateGroups');
  if (groups === form.role) return [];
  return [`${element.id}: candidate groups ${groups} are not the role of form ${key} (${form.role})`];
}

function messageMismatches(definitions: ModdleElement): string[] {
  return list(definitions, 'rootElements')
    .filter((e) => is(e, 'bpmn:Message') && !Object.keys(messages).includes(text(e, 'name') ?? ''))
    .map((e) => `${e.id}: message ${text(e, 'name')} is not in processes/contracts.ts`);
}

async function contractMismatches(dir: string): Promise<string[]> {
  return (await readModels(dir)).flatMap(({ file, definitions, elements }) => {
    const problems = [
      ...elements.flatMap(jobTypeMismatches),
      ...elements.flatMap(userTaskMismatches),
      ...messageMismatches(definitions),
    ];
    return problems.map((problem) => `${path.basename(file)}: ${problem}`);
  });
}

/** Every check of a processes folder, by what it asserts. */
export const folderChecks: Readonly<Record<string, FolderCheck>> = {
  'npm run lint:processes passes (a stale image aside)': lintFailures,
  'every model has an SLA plan that loads': slaPlanProblems,
  'the catalog loads and gives every agency its processes under the newest versions': catalogProblems,
  'every diagram is completely drawn, without overlaps or crossings': undrawnDiagrams,
  'job types, task headers, forms and messages are those of processes/contracts.ts': contractMismatches,
};

/** The problems of every check, by check; `NO_PROBLEMS` when the folder passes them all. */
export async function checkProcessesFolder(dir: string): Promise<Record<string, string[]>> {
  const results: Record<string, string[]> = {};
  for (const [name, check] of Object.entries(folderChecks)) results[name] = await check(dir);
  return results;
}

export const NO_PROBLEMS: Readonly<Record<string, string[]>> = Object.fromEntries(
  Object.keys(folderChecks).map((name) => [name, []]),
);

/** A copy of processes/ (models, agencies.json, lint configuration, images) in a new temporary folder. */
export async function copyProcessesFolder(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lltp-processes-'));
  await cp(PROCESSES_DIR, dir, { recursive: true, filter: (source) => !source.endsWith('.ts') });
  return dir;
}

export async function removeFolder(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
