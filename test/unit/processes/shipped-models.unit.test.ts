/**
 * The models shipped in processes/: they pass every check of a processes folder
 * (test/support/processes-folder.ts: lint, SLA plans, catalog, diagrams, contracts), the job
 * types allowed to have no worker yet are really used and unserved, and the designers' README
 * documents the contracts and shows the models. Nothing here depends on which model files
 * there are: a new version file is checked like the others.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { forms, jobTypes, messages } from '../../../processes/contracts';
import { rules } from '../../../processes/lint/plugin';
import { loadProcessCatalog, PROCESSES_DIR } from '../../../server/sla/catalog';
import { jobType } from '../../../server/sla/moddle';
import { readPropertyNames } from '../../../server/sla/spec';
import type { SlaPlan } from '../../../server/sla/plan';
import { pendingJobTypes, workerJobTypes } from '../../../workers/registry';
import { folderChecks, readModels } from '../../support/processes-folder';

jest.setTimeout(30_000);

/** How processes/README.md writes the element id in the names of a province's table entries. */
const README_STEP_ID = '<bước>';

describe('the models in processes/', () => {
  test.each(Object.entries(folderChecks))('%s', async (_name, check) => {
    expect(await check(PROCESSES_DIR)).toEqual([]);
  });

  test('the pending allow-list only holds job types that models use and no worker serves yet', async () => {
    const models = await readModels(PROCESSES_DIR);
    const used = new Set(models.flatMap(({ elements }) => elements.map(jobType).filter((t): t is string => t !== undefined)));
    for (const type of pendingJobTypes) {
      expect({ type, usedByAModel: used.has(type), alsoHasWorker: workerJobTypes.includes(type) }).toEqual({ type, usedByAModel: true, alsoHasWorker: false });
    }
    for (const type of [...pendingJobTypes, ...workerJobTypes]) expect(Object.keys(jobTypes)).toContain(type);
    expect(new Set(pendingJobTypes).size).toBe(pendingJobTypes.length);
    expect([...pendingJobTypes].sort()).toEqual([...pendingJobTypes]);
  });

  test('processes/README.md documents every job type, form, message and lint rule', async () => {
    const readme = await readFile(path.join(PROCESSES_DIR, 'README.md'), 'utf8');
    const names = [...Object.keys(jobTypes), ...Object.keys(forms), ...Object.keys(messages), ...Object.keys(rules).map((r) => `lltp/${r}`)];
    expect(names.filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
  });

  test('processes/README.md documents every lltp: property the product reads, and no other', async () => {
    const readme = await readFile(path.join(PROCESSES_DIR, 'README.md'), 'utf8');
    const spans = [...readme.matchAll(/`(lltp:[^`\s]+)`/g)].map((m) => m[1] ?? '');
    const read = readPropertyNames(README_STEP_ID);
    const [families, names] = [spans.filter((s) => s.endsWith('.*')), spans.filter((s) => !s.endsWith('.*'))];
    expect([...new Set(names)].sort()).toEqual([...new Set(read)].sort());
    // `lltp:target.*` and the like name a family of properties the product reads.
    expect(families.filter((family) => !read.some((name) => name.startsWith(family.slice(0, -1))))).toEqual([]);
  });

  test('processes/README.md shows a model of every procedure, and no model that is gone', async () => {
    // Whether the image files are drawn and current is the lint's warning (npm run render:processes).
    const readme = await readFile(path.join(PROCESSES_DIR, 'README.md'), 'utf8');
    const shown = [...readme.matchAll(/\(images\/([^)\s]+)\.(?:png|svg)\)/g)].map((m) => m[1] ?? '');
    const catalog = await loadProcessCatalog();
    const modelOf = (plan: SlaPlan): string => path.basename(plan.source, '.bpmn');
    expect(shown.filter((model) => !catalog.plans.some((plan) => modelOf(plan) === model))).toEqual([]);
    const isShown = (procedure: string): boolean => catalog.versions(procedure).some((v) => shown.includes(modelOf(v)));
    expect(catalog.procedures().filter((procedure) => !isShown(procedure))).toEqual([]);
  });

  test('four eyes: every Khánh Hòa version (Sở and police) forbids the reviewer to approve (lltp:fourEyes.after), and only there', async () => {
    const catalog = await loadProcessCatalog();
    for (const version of [...catalog.versions('khanh-hoa-2799'), ...catalog.versions('khanh-hoa-pv06')]) expect(catalog.fourEyesAfter(version.processId, 'approveCertificate')).toBe('reviewDraft');
    const ruled = catalog.plans.flatMap((plan) => Object.keys(plan.fourEyes ?? {}).map((task) => `${plan.processId}/${task}`));
    expect(ruled.sort()).toEqual(['khanh-hoa-2799-v20241001/approveCertificate', 'khanh-hoa-2799-v20241029/approveCertificate', 'khanh-hoa-pv06-v20250301/approveCertificate', 'khanh-hoa-pv06-v20260701/approveCertificate']);
    // the inbox's claim statement checks the same rules, listed whole
    const listed = catalog.fourEyesRules().map((rule) => `${rule.processId}/${rule.elementId}`);
    expect(listed.sort()).toEqual(ruled.sort());
    for (const rule of catalog.fourEyesRules()) expect(rule.after).toBe(catalog.fourEyesAfter(rule.processId, rule.elementId));
  });
});
