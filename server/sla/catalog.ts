/**
 * Which process version governs a dossier. Every model in processes/ declares its procedure
 * (`lltp:procedure`) and the first receipt date it governs (`lltp:effectiveFrom`, optionally
 * `lltp:effectiveTo`); a dossier is governed by the version in force on its receipt date
 * (civil date in Việt Nam). processes/agencies.json says which national procedure and which
 * internal procedure each receiving agency runs, so a province plugs in its own internal
 * procedure by adding a model and a line there, without editing the national model.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { dayNumberOf, localDateOf } from '../calendar/civil-time';
import { checkBudgets } from './budget';
import { loadSlaPlanFile, loadSlaPlans, type SlaPlan } from './plan';
import { CASE_VARIANTS, procedureIdSchema, type CaseVariant, type DeadlineName, type StepSla } from './spec';
import { formatWorkingTime, WORKING_DAY_MINUTES } from './working-time';

/** How a national model's call activity names the internal process it calls (set by intake per dossier). */
export const INTERNAL_PROCESS_EXPRESSION = '=internalProcessId';

export const AGENCIES_FILE = 'agencies.json';

/** The repository's processes/ directory, found upwards from here (works from sources and from dist/). */
function findProcessesDir(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'processes');
    if (existsSync(path.join(candidate, AGENCIES_FILE))) return candidate;
  }
  return path.resolve(__dirname, '../../processes');
}

export const PROCESSES_DIR = findProcessesDir();

/** The models' directory a process uses: the `PROCESSES_DIR` setting, or processes/ of the installation. */
export function processesDirOf(config: { PROCESSES_DIR: string }): string {
  return config.PROCESSES_DIR === '' ? PROCESSES_DIR : path.resolve(config.PROCESSES_DIR);
}

const civilDateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

export const agencySchema = z.object({
  /** Agency code as used in dossier codes `<agency code>-YYMMDD-NNNN`. */
  code: z.string().regex(/^[A-Z0-9.]{2,30}$/, 'must be an agency code (2–30 capital letters, digits, dots), as in dossier codes'),
  name: z.string().trim().min(1),
  /** Where its letters say they were written (Khánh Hòa): the province's short name. */
  place: z.string().trim().min(1).optional(),
  /** The province whose residents it serves (administrative-units.json code); null: people with no residence, state bodies. */
  province: z.string().regex(/^\d{2}$/).nullable().optional(),
  /** First receipt date it receives dossiers (null: as long as its procedures); `effectiveTo`: first date it no longer does (null: still). */
  effectiveFrom: civilDateSchema.nullable().default(null),
  effectiveTo: civilDateSchema.nullable().default(null),
  /** The agencies it took over from: one lineage (dossier codes, partners, reports follow it). */
  succeeds: z.array(z.string()).default([]),
  /** Procedure id of the national model the agency runs (e.g. quy-trinh-570); absent: not run by this installation. */
  nationalProcedure: procedureIdSchema.optional(),
  /** Procedure id of the agency's internal procedure, called from the national model. */
  internalProcedure: procedureIdSchema.optional(),
});
export type Agency = z.infer<typeof agencySchema>;
/** An agency as a table (or a test) writes it: dates and successions may be left out. */
export type AgencyInput = z.input<typeof agencySchema>;
/** An agency this installation runs: it names its national and internal procedures. */
export type RunAgency = Agency & { nationalProcedure: string; internalProcedure: string };

export const agenciesFileSchema = z.object({ agencies: z.array(agencySchema).min(1) });

/** Whether this installation runs the agency's dossiers (it names both procedures). */
export function runsHere(agency: Agency): agency is RunAgency {
  return agency.nationalProcedure !== undefined && agency.internalProcedure !== undefined;
}

/** Whether an agency (or a model version) receives dossiers on a receipt date. */
export function inForceOn(period: { effectiveFrom: string | null; effectiveTo: string | null }, date: string): boolean {
  return (period.effectiveFrom === null || period.effectiveFrom <= date) && (period.effectiveTo === null || date < period.effectiveTo);
}

export class ProcessCatalogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProcessCatalogError';
  }
}

/** No version of a procedure governs dossiers received on a date (before the first, or after the last ended). */
export class NoVersionInForceError extends ProcessCatalogError {
  constructor(
    readonly procedure: string,
    readonly date: string,
    readonly versions: string,
  ) {
    super(`no version of ${procedure} is in force on ${date} (versions: ${versions})`);
    this.name = 'NoVersionInForceError';
  }
}

/** The Việt Nam civil date (YYYY-MM-DD) of an instant: the receipt date of a dossier. */
export function receiptDate(receivedAt: Date): string {
  return localDateOf(dayNumberOf(receivedAt.getTime()));
}

/** No agency of a lineage receives dossiers on a date. */
export class NoAgencyInForceError extends ProcessCatalogError {
  constructor(
    readonly lineage: readonly string[],
    readonly date: string,
  ) {
    super(`no agency of ${lineage.join(', ')} receives dossiers on ${date} (${AGENCIES_FILE})`);
    this.name = 'NoAgencyInForceError';
  }
}

/** A user task (`elementId` of `processId`) that whoever did `after` last on the instance may not do. */
export interface FourEyesRule {
  processId: string;
  elementId: string;
  after: string;
}

/** A model that is not a file of PROCESSES_DIR: a version deployed with a leader's approval (server/processes/), kept in the database. */
export interface StoredModel {
  /** Where it comes from, for messages and `SlaPlan.source` (e.g. `process_submissions#12 quy-trinh-570-v20270101.bpmn`). */
  source: string;
  /** The resource name it was deployed under (`<bpmnProcessId>.bpmn`). */
  resourceName: string;
  xml: string;
}

/** What a catalog holds; `adopt` swaps it whole, so a reader never sees half of two catalogs. */
interface CatalogState {
  plans: readonly SlaPlan[];
  agencies: readonly Agency[];
  byProcedure: Map<string, SlaPlan[]>;
  budgets: Map<string, Record<CaseVariant, number>>;
  /** The stored models by source (the file models are read from their files). */
  stored: Map<string, StoredModel>;
}

export class ProcessCatalog {
  private state: CatalogState;

  constructor(plans: readonly SlaPlan[], agencies: readonly AgencyInput[], stored: readonly StoredModel[] = []) {
    const state: CatalogState = {
      plans,
      agencies: agencies.map((a) => agencySchema.parse(a)),
      byProcedure: new Map(),
      budgets: new Map(),
      stored: new Map(stored.map((m) => [m.source, m])),
    };
    for (const plan of plans) {
      const versions = state.byProcedure.get(plan.procedure) ?? [];
      if (versions.some((v) => v.effectiveFrom === plan.effectiveFrom)) {
        throw new ProcessCatalogError(`${plan.source}: ${plan.processId}: procedure ${plan.procedure} already has a version effective from ${plan.effectiveFrom}`);
      }
      versions.push(plan);
      versions.sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
      state.byProcedure.set(plan.procedure, versions);
    }
    for (const agency of state.agencies) {
      for (const code of agency.succeeds) {
        if (!state.agencies.some((a) => a.code === code)) throw new ProcessCatalogError(`${AGENCIES_FILE}: agency ${agency.code} succeeds ${code}, which is not in the table`);
      }
      if ((agency.nationalProcedure === undefined) !== (agency.internalProcedure === undefined)) {
        throw new ProcessCatalogError(`${AGENCIES_FILE}: agency ${agency.code} names one procedure; name both (run here) or neither (named only)`);
      }
      if (!runsHere(agency)) continue;
      for (const procedure of [agency.nationalProcedure, agency.internalProcedure]) {
        if (!state.byProcedure.has(procedure)) {
          throw new ProcessCatalogError(`${AGENCIES_FILE}: agency ${agency.code} names procedure ${procedure}, which no model in processes/ declares`);
        }
      }
    }
    this.state = state;
  }

  get plans(): readonly SlaPlan[] {
    return this.state.plans;
  }

  get agencies(): readonly Agency[] {
    return this.state.agencies;
  }

  /**
   * Takes the models and agencies of another catalog (a version deployed since this one was
   * loaded): every part of the process holding this catalog sees them from its next call.
   */
  adopt(other: ProcessCatalog): void {
    this.state = other.state;
  }

  /** The BPMN text of a version: its file, or the stored model it was read from. */
  async modelXml(processId: string): Promise<{ resourceName: string; xml: string }> {
    const plan = this.plan(processId);
    if (!plan) throw new ProcessCatalogError(`no model declares process ${processId}`);
    const stored = this.state.stored.get(plan.source);
    if (stored) return { resourceName: stored.resourceName, xml: stored.xml };
    return { resourceName: path.basename(plan.source), xml: await readFile(plan.source, 'utf8') };
  }

  procedures(): string[] {
    return [...this.state.byProcedure.keys()].sort();
  }

  /** All versions of a procedure, oldest first. */
  versions(procedure: string): readonly SlaPlan[] {
    return this.state.byProcedure.get(procedure) ?? [];
  }

  plan(processId: string): SlaPlan | undefined {
    return this.plans.find((p) => p.processId === processId);
  }

  /** The version of `procedure` in force on the receipt date of a dossier received at `receivedAt`. */
  versionInForce(procedure: string, receivedAt: Date): SlaPlan {
    const date = receiptDate(receivedAt);
    const versions = this.versions(procedure);
    if (versions.length === 0) throw new ProcessCatalogError(`no model declares procedure ${procedure}`);
    const inForce = [...versions].reverse().find((v) => v.effectiveFrom <= date);
    if (!inForce || (inForce.effectiveTo !== null && date >= inForce.effectiveTo)) {
      throw new NoVersionInForceError(procedure, date, versions.map(describe).join(', '));
    }
    return inForce;
  }

  agency(code: string): Agency {
    const agency = this.agencies.find((a) => a.code === code);
    if (!agency) throw new ProcessCatalogError(`agency ${code} is not in ${AGENCIES_FILE}`);
    return agency;
  }

  /** The codes of an agency's lineage: itself, its predecessors and its successors (`succeeds`), in table order. */
  lineage(code: string): string[] {
    const found = new Set([this.agency(code).code]);
    for (let size = 0; size !== found.size; ) {
      size = found.size;
      for (const a of this.agencies) {
        if (found.has(a.code) || a.succeeds.some((s) => found.has(s))) [a.code, ...a.succeeds].forEach((c) => found.add(c));
      }
    }
    return this.agencies.filter((a) => found.has(a.code)).map((a) => a.code);
  }

  /** Whether two agency codes are of one lineage (a partner of the Sở serves the police that took over from it). */
  sameLineage(a: string, b: string): boolean {
    return this.agencies.some((x) => x.code === a) && this.lineage(a).includes(b);
  }

  /** The agency of `code`'s lineage that this installation runs and that receives dossiers on the receipt date of `receivedAt`. */
  agencyInForce(code: string, receivedAt: Date): RunAgency {
    const date = receiptDate(receivedAt);
    const lineage = this.lineage(code);
    const agency = this.agencies.filter(runsHere).find((a) => lineage.includes(a.code) && inForceOn(a, date));
    if (!agency) throw new NoAgencyInForceError(lineage, date);
    return agency;
  }

  /**
   * The body that issues certificates to residents of a province on a receipt date (province
   * null: no residence in Việt Nam, Cục Hồ sơ nghiệp vụ); null when the table names none.
   */
  agencyForResidence(provinceCode: string | null, receivedAt: Date): Agency | null {
    const date = receiptDate(receivedAt);
    return this.agencies.find((a) => a.province === provinceCode && inForceOn(a, date)) ?? null;
  }

  /**
   * What the intake step needs: the national process to start and the internal process it calls
   * (`internalProcessId`), those of the agency of `agencyCode`'s lineage in force on the receipt
   * date, both as in force on that date.
   */
  processesFor(agencyCode: string, receivedAt: Date): { nationalProcessId: string; internalProcessId: string } {
    const agency = this.agencyInForce(agencyCode, receivedAt);
    return {
      nationalProcessId: this.versionInForce(agency.nationalProcedure, receivedAt).processId,
      internalProcessId: this.versionInForce(agency.internalProcedure, receivedAt).processId,
    };
  }

  /**
   * What a dossier of each case variant may take along its longest path under a national
   * version and the internal version that governs its steps: the sum of the allotments (the
   * "provincial" due date counts it from the dossier's clock). Undefined for an unknown
   * version; memoized.
   */
  budget(nationalProcessId: string, internalProcessId: string | null): Record<CaseVariant, number> | undefined {
    const key = `${nationalProcessId}\u0000${internalProcessId ?? ''}`;
    const known = this.state.budgets.get(key);
    if (known) return known;
    const national = this.plan(nationalProcessId);
    if (!national) return undefined;
    const internal = internalProcessId ? this.plan(internalProcessId) : undefined;
    const check = checkBudgets(national.flow, (id) => national.steps[id]?.allotments ?? internal?.governs[id]?.allotments, national.targets);
    const budget = Object.fromEntries(CASE_VARIANTS.map((v) => [v, check.budgets[v].minutes])) as Record<CaseVariant, number>;
    this.state.budgets.set(key, budget);
    return budget;
  }

  /**
   * Four eyes: the element id of the earlier user task of the same process whose actor may not
   * claim or complete this one (`lltp:fourEyes.after`), or null.
   */
  fourEyesAfter(processId: string, elementId: string): string | null {
    return this.plan(processId)?.fourEyes?.[elementId] ?? null;
  }

  /** Every four-eyes rule of every model: the inbox checks them inside its claim statement. */
  fourEyesRules(): FourEyesRule[] {
    return this.plans.flatMap((plan) => Object.entries(plan.fourEyes ?? {}).map(([elementId, after]) => ({ processId: plan.processId, elementId, after })));
  }

  /**
   * The SLA of a step as it applies to a dossier: the step's own, or, for a step of a national
   * procedure governed by the internal procedure (`lltp:sla.governedBy`), the terms the internal
   * procedure in force for the dossier (`internalProcessId`) sets for it. `undefined` when the
   * process or the step is unknown; a governed step without its internal procedure's terms is an
   * error (the lint's catalog check prevents it for shipped models).
   */
  stepSla(processId: string, elementId: string, internalProcessId?: string | null): StepSla | undefined {
    const plan = this.plan(processId);
    if (!plan) return undefined;
    const own = plan.steps[elementId];
    if (own) return own;
    const shape = plan.governedSteps[elementId];
    if (!shape) return undefined;
    const internal = internalProcessId ? this.plan(internalProcessId) : undefined;
    const terms = internal?.governs[elementId];
    if (!terms) {
      throw new ProcessCatalogError(
        `${processId}: step ${elementId} is governed by the internal procedure, but ${internalProcessId ? `${internalProcessId} sets no lltp:step.${elementId}.*` : 'the dossier has no internalProcessId'}`,
      );
    }
    return { ...shape, ...terms };
  }
}

/** A dossier's terms under a national procedure version: statutory and target days, the apology lead. */
export interface DossierTermsOfPlan {
  statutoryWorkingDays: number;
  targetWorkingDays: number;
  apologyLeadMinutes: number;
  /** Working minutes before `apologyByAt` at which the leader is asked for the apology (`lltp:deadline.apologyPrompt`). */
  apologyPromptMinutes: number;
}


/**
 * The terms of a dossier from its national procedure version, the one source of every time
 * limit: `lltp:deadline.statutory` (or `statutoryExtended` for the extended cases and the
 * statutory variant), `lltp:target.<variant>`, `lltp:deadline.apologyLead`, `lltp:deadline.apologyPrompt`.
 */
export function dossierTermsOf(plan: SlaPlan, caseVariant: CaseVariant, extended: boolean): DossierTermsOfPlan {
  const named = (name: DeadlineName): number => {
    const minutes = plan.deadlines[name];
    if (minutes === undefined) throw new ProcessCatalogError(`${plan.source}: ${plan.processId} has no lltp:deadline.${name}`);
    return minutes;
  };
  const days = (minutes: number, what: string): number => {
    if (minutes % WORKING_DAY_MINUTES !== 0) throw new ProcessCatalogError(`${plan.source}: ${plan.processId}: ${what} must be whole working days`);
    return minutes / WORKING_DAY_MINUTES;
  };
  const statutory = extended || caseVariant === 'statutory' ? named('statutoryExtended') : named('statutory');
  return {
    statutoryWorkingDays: days(statutory, `lltp:deadline.${extended || caseVariant === 'statutory' ? 'statutoryExtended' : 'statutory'}`),
    targetWorkingDays: days(plan.targets[caseVariant], `lltp:target.${caseVariant}`),
    apologyLeadMinutes: named('apologyLead'),
    apologyPromptMinutes: named('apologyPrompt'),
  };
}

/** Where a problem of the catalog is: the model file and the element (or process) id. */
export interface CatalogProblem {
  source: string;
  elementId: string;
  message: string;
}

/** The receipt dates a version governs: from its `effectiveFrom` to its `effectiveTo` or the next version's start (exclusive; null: open). */
export function periodOf(versions: readonly SlaPlan[], plan: SlaPlan): { from: string; to: string | null } {
  const next = versions.find((v) => v.effectiveFrom > plan.effectiveFrom)?.effectiveFrom ?? null;
  const ends = [plan.effectiveTo, next].filter((d): d is string => d !== null).sort();
  return { from: plan.effectiveFrom, to: ends[0] ?? null };
}

/** Whether two periods of receipt dates (`to` exclusive, null: open) share a date. */
function overlap(a: { from: string; to: string | null }, b: { from: string; to: string | null }): boolean {
  return (b.to === null || a.from < b.to) && (a.to === null || b.from < a.to);
}

/** For each agency run here, every national and internal version that can govern the same dossier of that agency (their periods and the agency's overlap). */
export function versionPairs(catalog: ProcessCatalog): { agency: RunAgency; national: SlaPlan; internal: SlaPlan }[] {
  const pairs: { agency: RunAgency; national: SlaPlan; internal: SlaPlan }[] = [];
  for (const agency of catalog.agencies.filter(runsHere)) {
    const own = { from: agency.effectiveFrom ?? '', to: agency.effectiveTo };
    const nationals = catalog.versions(agency.nationalProcedure);
    const internals = catalog.versions(agency.internalProcedure);
    for (const national of nationals) {
      const n = periodOf(nationals, national);
      for (const internal of internals) {
        const i = periodOf(internals, internal);
        if (overlap(n, i) && overlap(n, own) && overlap(i, own)) pairs.push({ agency, national, internal });
      }
    }
  }
  return pairs;
}

/**
 * The receipt dates on which an agency receives dossiers but its national or its internal
 * procedure has no version in force (one problem per gap, named by its first date): no dossier
 * of that day could be governed.
 */
export function coverageProblems(catalog: ProcessCatalog): CatalogProblem[] {
  const problems: CatalogProblem[] = [];
  for (const agency of catalog.agencies.filter(runsHere)) {
    const procedures = [agency.nationalProcedure, agency.internalProcedure];
    const versions = procedures.flatMap((p) => catalog.versions(p));
    const bounds = new Set([agency.effectiveFrom ?? versions.map((v) => v.effectiveFrom).sort()[0] ?? '']);
    for (const plan of versions) {
      for (const d of [plan.effectiveFrom, plan.effectiveTo]) if (d !== null && inForceOn(agency, d)) bounds.add(d);
    }
    for (const date of [...bounds].sort()) {
      for (const procedure of procedures) {
        try {
          catalog.versionInForce(procedure, civilDateStart(date));
        } catch (error) {
          if (!(error instanceof NoVersionInForceError)) throw error;
          problems.push({ source: AGENCIES_FILE, elementId: agency.code, message: `receives dossiers on ${date} (${agency.effectiveFrom ?? ''}..${agency.effectiveTo ?? ''}), but no version of ${procedure} is in force then (${error.versions}); the national and the internal versions must cover the same receipt dates` });
        }
      }
    }
  }
  return problems;
}

/** Noon of a civil date in Việt Nam (a receipt instant on that date). */
function civilDateStart(date: string): Date {
  return new Date(`${date}T12:00:00+07:00`);
}

/**
 * What makes the catalog unusable for some dossier, all at once: a governed step of a national
 * version without terms in an internal version of the same agency and period (or terms for a
 * step that is not governed), an internal procedure longer than the call activity that calls it,
 * a national version without the deadlines a dossier's terms need.
 */
export function catalogProblems(catalog: ProcessCatalog): CatalogProblem[] {
  const problems: CatalogProblem[] = [];
  const seen = new Set<string>();
  const push = (problem: CatalogProblem): void => {
    const key = `${problem.source}\u0000${problem.elementId}\u0000${problem.message}`;
    if (!seen.has(key)) problems.push(problem);
    seen.add(key);
  };
  for (const { agency, national, internal } of versionPairs(catalog)) {
    const who = `agency ${agency.code}`;
    for (const [id, shape] of Object.entries(national.governedSteps)) {
      if (!internal.governs[id]) {
        push({ source: internal.source, elementId: internal.processId, message: `sets no lltp:step.${id}.* for step ${id} ("${shape.name}") of ${national.processId}, which says the internal procedure governs it (${who})` });
      }
    }
    for (const id of Object.keys(internal.governs)) {
      if (!national.governedSteps[id]) {
        const why = national.steps[id] ? 'sets its own SLA there (no lltp:sla.governedBy)' : 'has no such step';
        push({ source: internal.source, elementId: internal.processId, message: `lltp:step.${id}.*: ${national.processId} ${why} (${who})` });
      }
    }
    const callers = [...Object.values(national.steps), ...Object.values(national.governedSteps)].filter((s) => s.calledProcessId === INTERNAL_PROCESS_EXPRESSION);
    for (const caller of callers) {
      const allotments = national.steps[caller.elementId]?.allotments ?? internal.governs[caller.elementId]?.allotments;
      if (!allotments) continue; // reported above
      for (const variant of CASE_VARIANTS) {
        if (internal.targets[variant] > allotments[variant]) {
          push({
            source: national.source,
            elementId: caller.elementId,
            message: `calls ${internal.processId} (${who}), whose ${variant} target ${formatWorkingTime(internal.targets[variant])} exceeds this step's allotment ${formatWorkingTime(allotments[variant])}`,
          });
        }
      }
    }
  }
  coverageProblems(catalog).forEach(push);
  const nationals = new Set(catalog.agencies.filter(runsHere).map((a) => a.nationalProcedure));
  for (const procedure of nationals) {
    for (const plan of catalog.versions(procedure)) {
      for (const variant of CASE_VARIANTS) {
        for (const extended of [false, true]) {
          try {
            dossierTermsOf(plan, variant, extended);
          } catch (error) {
            if (!(error instanceof ProcessCatalogError)) throw error;
            push({ source: plan.source, elementId: plan.processId, message: error.message.replace(`${plan.source}: ${plan.processId}: `, '').replace(`${plan.source}: ${plan.processId} `, '') });
          }
        }
      }
    }
  }
  return problems;
}

function describe(plan: SlaPlan): string {
  return `${plan.processId} ${plan.effectiveFrom}..${plan.effectiveTo ?? ''}`;
}

/** Every `*.bpmn` in the directory, sorted by name. */
export async function processFiles(dir: string = PROCESSES_DIR): Promise<string[]> {
  const names = await readdir(dir);
  return names.filter((n) => n.endsWith('.bpmn')).sort().map((n) => path.join(dir, n));
}

export async function loadAgencies(dir: string = PROCESSES_DIR): Promise<Agency[]> {
  const file = path.join(dir, AGENCIES_FILE);
  const parsed = agenciesFileSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
  if (!parsed.success) {
    throw new ProcessCatalogError(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  }
  return parsed.data.agencies;
}

/**
 * Reads every model and the agency table of a processes directory, with the stored models
 * (versions deployed with a leader's approval, server/processes/submissions.ts
 * `deployedModels`) beside the files (a version that is both is read from its file); refuses a catalog with problems (catalogProblems).
 */
export async function loadProcessCatalog(dir: string = PROCESSES_DIR, stored: readonly StoredModel[] = []): Promise<ProcessCatalog> {
  const files = (await Promise.all((await processFiles(dir)).map((file) => loadSlaPlanFile(file)))).flat();
  // a stored version later added to PROCESSES_DIR as a file: the file is the one read
  const extra = (await Promise.all(stored.map((m) => loadSlaPlans(m.xml, m.source)))).flat().filter((plan) => !files.some((f) => f.processId === plan.processId));
  const catalog = new ProcessCatalog([...files, ...extra], await loadAgencies(dir), stored);
  const problems = catalogProblems(catalog);
  if (problems.length > 0) {
    throw new ProcessCatalogError(`the models in ${dir} cannot govern every dossier (npm run lint:processes):\n${problems.map((p) => `  ${p.source}: ${p.elementId}: ${p.message}`).join('\n')}`);
  }
  return catalog;
}
