/**
 * `npm run lint:processes` and the deploy gate: bpmnlint with processes/.bpmnlintrc
 * (bpmnlint's recommended rules, camunda-compat for Zeebe 8.5, the project's `lltp` rules)
 * on every model, plus the checks across models (versions, agencies, each agency's table of
 * governed steps, internal procedures within the allotment of the call activity that calls
 * them, national deadlines) and each agency's budget per case variant, plus a warning for every
 * model whose image is stale. Every problem names the file, the element id and the rule. Every
 * problem fails the lint except a stale image, which only asks for `npm run render:processes`,
 * and the budgets, which are information.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Linter, type LintConfig, type LintResolver } from 'bpmnlint';
import NodeResolver from 'bpmnlint/lib/resolver/node-resolver';
import { catalogProblems, loadAgencies, PROCESSES_DIR, processFiles, ProcessCatalog, ProcessCatalogError, versionPairs, type CatalogProblem } from '../../server/sla/catalog';
import { executableProcesses, readBpmn, zeebeProperties } from '../../server/sla/moddle';
import { variantReach } from '../../server/sla/reach';
import { PROCESS_CHANNELS } from '../contracts';
import { loadSlaPlans, SlaPlanError, type SlaPlan } from '../../server/sla/plan';
import { CASE_VARIANTS, PROCESS_PROPERTY, targetProperty } from '../../server/sla/spec';
import { formatWorkingTime } from '../../server/sla/working-time';
import { checkBudgets } from '../../server/sla/budget';
import { RENDER_COMMAND, staleImages } from './images';
import { configs, PLUGIN_PACKAGE, rules } from './plugin';

export type ProblemCategory = 'error' | 'warn' | 'info' | 'rule-error';

export interface LintProblem {
  file: string;
  elementId: string;
  rule: string;
  category: ProblemCategory;
  message: string;
}

export const CONFIG_FILE = '.bpmnlintrc';
/** The rule name of the checks across models. */
export const CATALOG_RULE = 'lltp/catalog';
/** The rule name of the budgets per agency (errors for overruns, information for each budget). */
export const BUDGET_RULE = 'lltp/budget';
/** The job type of the step that asks the citizen to supplement the dossier (processes/contracts.ts). */
const SUPPLEMENT_REQUEST_JOB = 'lltp.dossier.request-supplement';
/** The rule of unreachable allotments (processes/lint/rules/sla-reachable.ts; the tables' rows here). */
export const REACH_RULE = 'lltp/sla-reachable';
/** The rule of the stale-image warning, the one problem that does not fail the lint. */
export const IMAGE_RULE = 'lltp/image-current';

/** Resolves `lltp` to the project plugin and everything else through node_modules. */
export function createResolver(root: string = path.resolve(PROCESSES_DIR, '..')): LintResolver {
  const nodeResolver = new NodeResolver({ require: createRequire(path.join(root, 'package.json')) });
  return {
    resolveRule(pkg, ruleName) {
      if (pkg !== PLUGIN_PACKAGE) return nodeResolver.resolveRule(pkg, ruleName);
      const rule = rules[ruleName];
      if (!rule) throw new Error(`unknown rule lltp/${ruleName}`);
      return rule;
    },
    resolveConfig(pkg, configName) {
      if (pkg !== PLUGIN_PACKAGE) return nodeResolver.resolveConfig(pkg, configName);
      const config = (configs as Record<string, LintConfig>)[configName];
      if (!config) throw new Error(`unknown config plugin:lltp/${configName}`);
      return config;
    },
  };
}

export async function readLintConfig(dir: string = PROCESSES_DIR): Promise<LintConfig> {
  return JSON.parse(await readFile(path.join(dir, CONFIG_FILE), 'utf8')) as LintConfig;
}

/** Lints one BPMN text with the given configuration. */
export async function lintXml(xml: string, file: string, config: LintConfig): Promise<LintProblem[]> {
  const { definitions, warnings } = await readBpmn(xml, file);
  const problems: LintProblem[] = warnings.map((w) => ({ file, elementId: w.elementId, rule: 'bpmn-import', category: 'error', message: w.message }));
  const linter = new Linter({ config, resolver: createResolver() });
  const results = await linter.lint(definitions);
  for (const [rule, reports] of Object.entries(results).sort(([a], [b]) => a.localeCompare(b))) {
    for (const report of reports) {
      problems.push({ file, elementId: report.id ?? '(document)', rule, category: report.category, message: report.message });
    }
  }
  return problems;
}

/** Checks across the models of a directory; run once every model lints clean on its own. */
export async function lintCatalog(dir: string, files: readonly string[]): Promise<LintProblem[]> {
  const problems: LintProblem[] = [];
  const plans: SlaPlan[] = [];
  for (const file of files) {
    try {
      plans.push(...(await loadSlaPlans(await readFile(file, 'utf8'), file)));
    } catch (error) {
      if (!(error instanceof SlaPlanError)) throw error;
      problems.push(...error.problems.map((p) => ({ file, elementId: p.elementId, rule: CATALOG_RULE, category: 'error' as const, message: p.message })));
    }
  }
  if (problems.length > 0) return problems;
  let catalog: ProcessCatalog;
  try {
    catalog = new ProcessCatalog(plans, await loadAgencies(dir));
  } catch (error) {
    if (!(error instanceof ProcessCatalogError)) throw error;
    return [{ file: dir, elementId: '(catalog)', rule: CATALOG_RULE, category: 'error', message: error.message }];
  }
  const error = (p: CatalogProblem): LintProblem => ({ file: p.source, elementId: p.elementId, rule: CATALOG_RULE, category: 'error', message: p.message });
  problems.push(...catalogProblems(catalog).map(error));
  if (problems.length > 0) return problems;
  const properties = new Map<string, Map<string, string>>();
  for (const file of files) {
    const { definitions } = await readBpmn(await readFile(file, 'utf8'), file);
    for (const process of executableProcesses(definitions)) properties.set(process.id ?? '', new Map(zeebeProperties(process)));
  }
  return [...tableReachProblems(catalog, (processId) => properties.get(processId) ?? new Map()), ...budgetProblems(catalog)];
}

/**
 * `lltp/sla-reachable` for the provinces' tables: with each national version and each internal
 * version that can govern the same dossier, a row `lltp:step.<step>.allotment.<variant>` for a
 * variant that no path of the national model takes to that step (conditions evaluated for
 * every variant and intake channel, server/sla/reach.ts) is an error on the internal procedure.
 * `propertiesOf` gives a process's own `lltp:` properties as written (name → value).
 */
export function tableReachProblems(catalog: ProcessCatalog, propertiesOf: (processId: string) => ReadonlyMap<string, string>): LintProblem[] {
  const problems: LintProblem[] = [];
  const reported = new Set<string>();
  for (const { agency, national, internal } of versionPairs(catalog)) {
    const reach = variantReach(national.flow, PROCESS_CHANNELS);
    const rows = propertiesOf(internal.processId);
    for (const stepId of Object.keys(internal.governs)) {
      if (!national.governedSteps[stepId]) continue; // a row for no governed step: lltp/catalog
      for (const variant of CASE_VARIANTS) {
        const row = `${PROCESS_PROPERTY.stepPrefix}${stepId}.allotment.${variant}`;
        const value = rows.get(row);
        if (value === undefined || reach.get(stepId)?.has(variant)) continue;
        const key = `${national.processId}:${internal.processId}:${row}`;
        if (reported.has(key)) continue;
        reported.add(key);
        problems.push({
          file: internal.source,
          elementId: internal.processId,
          rule: REACH_RULE,
          category: 'error',
          message: `${agency.code}, ${national.processId} with ${internal.processId}: ${row} = ${value} is unreachable: no path of ${national.processId} takes ${variant} dossiers to ${stepId} (gateway conditions evaluated for caseVariant = "${variant}" and channel ${PROCESS_CHANNELS.join(', ')})`,
        });
      }
    }
  }
  return problems;
}

/**
 * For each agency and each national version with each internal version that can govern the
 * same dossier: the budget of every case variant along the paths it can take, with the
 * agency's terms for the governed steps. An overrun is an error; each budget is reported as
 * information (`npm run lint:processes` prints it). The supplement request must be reachable
 * within `lltp:deadline.supplementRequest`.
 */
export function budgetProblems(catalog: ProcessCatalog): LintProblem[] {
  const problems: LintProblem[] = [];
  const reported = new Set<string>();
  for (const { agency, national, internal } of versionPairs(catalog)) {
    const allotmentOf = (id: string) => national.steps[id]?.allotments ?? internal.governs[id]?.allotments;
    const check = checkBudgets(national.flow, allotmentOf, national.targets);
    const context = `${agency.code}, ${national.processId} with ${internal.processId}`;
    for (const overrun of check.overruns) {
      const key = `${national.processId}:${internal.processId}:${overrun.elementId}:${overrun.variant}`;
      if (reported.has(key)) continue;
      reported.add(key);
      problems.push({
        file: national.source,
        elementId: overrun.elementId,
        rule: BUDGET_RULE,
        category: 'error',
        message: `${context}: ${overrun.variant} allotments add up to ${formatWorkingTime(overrun.minutes)} along ${overrun.path.join(' → ')}, over the target ${formatWorkingTime(national.targets[overrun.variant])} (${targetProperty(overrun.variant)})`,
      });
    }
    if (!check.complete) problems.push({ file: national.source, elementId: national.processId, rule: BUDGET_RULE, category: 'error', message: `${context}: too many paths to check` });
    const limit = national.deadlines.supplementRequest;
    const request = Object.values(national.steps).find((s) => s.jobType === SUPPLEMENT_REQUEST_JOB);
    if (limit !== undefined && request) {
      for (const variant of CASE_VARIANTS) {
        const before = check.reach.get(request.elementId)?.[variant] ?? 0;
        if (before > limit) {
          problems.push({
            file: national.source,
            elementId: request.elementId,
            rule: BUDGET_RULE,
            category: 'error',
            message: `${context}: ${variant} dossiers can reach the supplement request after ${formatWorkingTime(before)} of allotments, over lltp:deadline.supplementRequest ${formatWorkingTime(limit)}`,
          });
        }
      }
    }
    const budgets = CASE_VARIANTS.map((v) => `${v} ${formatWorkingTime(check.budgets[v].minutes)} of ${formatWorkingTime(national.targets[v])}`).join(', ');
    problems.push({ file: national.source, elementId: national.processId, rule: BUDGET_RULE, category: 'info', message: `${context}: budget ${budgets}` });
  }
  return problems;
}

export interface LintRun {
  files: string[];
  problems: LintProblem[];
}

/** A warning for every model of the directory whose image is missing or out of date. */
export async function lintImages(dir: string, files: readonly string[]): Promise<LintProblem[]> {
  return (await staleImages(dir, files)).map(({ file, reason }) => ({
    file,
    elementId: '(image)',
    rule: IMAGE_RULE,
    category: 'warn',
    message: `${reason}: run ${RENDER_COMMAND}`,
  }));
}

/** Lints every model of the directory (processes/ by default), then the catalog, then the images. */
export async function lintProcesses(dir: string = PROCESSES_DIR): Promise<LintRun> {
  const config = await readLintConfig(dir);
  const files = await processFiles(dir);
  const problems: LintProblem[] = [];
  for (const file of files) problems.push(...(await lintXml(await readFile(file, 'utf8'), file, config)));
  if (!problems.some((p) => p.category === 'error' || p.category === 'rule-error')) problems.push(...(await lintCatalog(dir, files)));
  problems.push(...(await lintImages(dir, files)));
  return { files, problems };
}

/** `processes/x.bpmn: error checkDossier [lltp/sla-complete] lltp:sla.unit is missing` */
export function formatProblem(problem: LintProblem, cwd: string = process.cwd()): string {
  return `${path.relative(cwd, problem.file) || problem.file}: ${problem.category} ${problem.elementId} [${problem.rule}] ${problem.message}`;
}

/** True for a stale image: reported, but it does not fail the lint. */
export function isStaleImage(problem: LintProblem): boolean {
  return problem.rule === IMAGE_RULE;
}

/** The problems that fail the lint: errors, warnings and rule crashes alike, except a stale image. */
export function failingProblems(run: LintRun): LintProblem[] {
  return run.problems.filter((p) => p.category !== 'info' && !isStaleImage(p));
}

export function failed(run: LintRun): boolean {
  return failingProblems(run).length > 0;
}
