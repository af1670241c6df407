/**
 * The models shipped in processes/: they lint clean, they are exactly what the generator
 * writes, their images match them, and they agree with the contracts (job types, forms,
 * messages) and the worker registry.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { formatProblem, lintProcesses } from '../../../processes/lint/run';
import { forms, jobTypes, messages } from '../../../processes/contracts';
import { PROCESSES_DIR, processFiles } from '../../../server/sla/catalog';
import { descendants, executableProcesses, extension, extensions, formKey, is, jobType, list, readBpmn, text, type ModdleElement } from '../../../server/sla/moddle';
import { rules } from '../../../processes/lint/plugin';
import { generateModel, models } from '../../../tools/process-models';
import { pendingJobTypes, workerJobTypes } from '../../../workers/registry';

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

async function shippedElements(): Promise<{ file: string; elements: ModdleElement[]; definitions: ModdleElement }[]> {
  return Promise.all(
    (await processFiles()).map(async (file) => {
      const { definitions } = await readBpmn(await readFile(file, 'utf8'), file);
      return { file, definitions, elements: executableProcesses(definitions).flatMap((p) => descendants(p)) };
    }),
  );
}

describe('shipped process models', () => {
  test('lint clean with processes/.bpmnlintrc (recommended + camunda-cloud-8-5 + lltp)', async () => {
    const run = await lintProcesses();
    expect(run.files.map((f) => path.basename(f))).toEqual(['khanh-hoa-2799-v20241029.bpmn', 'quy-trinh-570-v20241001.bpmn']);
    expect(run.problems.map((p) => formatProblem(p))).toEqual([]);
  });

  test.each(models.map((m) => [m.fileName, m] as const))('%s is what tools/generate-processes.ts writes', async (fileName, model) => {
    const committed = await readFile(path.join(PROCESSES_DIR, fileName), 'utf8');
    expect(committed === generateModel(model)).toBe(true);
  });

  test('every model has an SVG and a PNG rendered from its current XML (npm run render:processes)', async () => {
    const manifest = JSON.parse(await readFile(path.join(PROCESSES_DIR, 'images', 'manifest.json'), 'utf8')) as Record<
      string,
      { bpmnSha256: string; svg: string; svgSha256: string; png: string; pngSha256: string }
    >;
    const files = await processFiles();
    expect(Object.keys(manifest).sort()).toEqual(files.map((f) => path.basename(f)).sort());
    for (const file of files) {
      const entry = manifest[path.basename(file)];
      if (!entry) throw new Error(`no image for ${file}`);
      expect({ file, bpmn: sha256(await readFile(file)) }).toEqual({ file, bpmn: entry.bpmnSha256 });
      expect(sha256(await readFile(path.join(PROCESSES_DIR, entry.svg)))).toBe(entry.svgSha256);
      const png = await readFile(path.join(PROCESSES_DIR, entry.png));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect(sha256(png)).toBe(entry.pngSha256);
    }
  });

  test('every job type, header value, form and message used is in processes/contracts.ts', async () => {
    for (const { file, elements, definitions } of await shippedElements()) {
      for (const element of elements) {
        const type = jobType(element);
        if (type) {
          const contract = (jobTypes as Record<string, { headers?: Record<string, readonly string[]> }>)[type];
          expect({ file, element: element.id, type, documented: contract !== undefined }).toEqual({ file, element: element.id, type, documented: true });
          const headers = extensions(element, 'zeebe:TaskHeaders').flatMap((h) => list(h, 'values'));
          const allowed = contract?.headers ?? {};
          expect(headers.map((h) => text(h, 'key')).sort()).toEqual(Object.keys(allowed).sort());
          for (const header of headers) expect(allowed[text(header, 'key') ?? '']).toContain(text(header, 'value'));
        }
        if (is(element, 'bpmn:UserTask')) {
          const key = formKey(element) ?? '';
          const form = (forms as Record<string, { role: string }>)[key];
          expect({ element: element.id, key, known: form !== undefined }).toEqual({ element: element.id, key, known: true });
          const assignment = extension(element, 'zeebe:AssignmentDefinition');
          expect(text(assignment, 'candidateGroups')).toBe(form?.role);
        }
      }
      for (const message of list(definitions, 'rootElements').filter((e) => is(e, 'bpmn:Message'))) {
        expect(Object.keys(messages)).toContain(text(message, 'name'));
      }
    }
  });

  test('the pending allow-list only holds job types that models use and no worker serves yet', async () => {
    const used = new Set((await shippedElements()).flatMap(({ elements }) => elements.map(jobType).filter((t): t is string => t !== undefined)));
    for (const type of pendingJobTypes) {
      expect({ type, usedByAModel: used.has(type), alsoHasWorker: workerJobTypes.includes(type) }).toEqual({ type, usedByAModel: true, alsoHasWorker: false });
    }
    for (const type of [...pendingJobTypes, ...workerJobTypes]) expect(Object.keys(jobTypes)).toContain(type);
    expect(new Set(pendingJobTypes).size).toBe(pendingJobTypes.length);
    expect([...pendingJobTypes].sort()).toEqual([...pendingJobTypes]);
  });

  test('processes/README.md documents every job type, form, message and lint rule, and shows every image', async () => {
    const readme = await readFile(path.join(PROCESSES_DIR, 'README.md'), 'utf8');
    const names = [...Object.keys(jobTypes), ...Object.keys(forms), ...Object.keys(messages), ...Object.keys(rules).map((r) => `lltp/${r}`)];
    expect(names.filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
    for (const file of await processFiles()) expect(readme).toContain(`(images/${path.basename(file, '.bpmn')}.png)`);
  });
});
