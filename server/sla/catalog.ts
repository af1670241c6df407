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
import { loadSlaPlanFile, type SlaPlan } from './plan';
import { procedureIdSchema } from './spec';

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

export const agencySchema = z.object({
  /** Agency code as used in dossier codes `<agency code>-YYMMDD-NNNN`. */
  code: z.string().regex(/^[A-Z0-9.]{2,30}$/, 'must be an agency code (2–30 capital letters, digits, dots), as in dossier codes'),
  name: z.string().trim().min(1),
  /** Procedure id of the national model the agency runs (e.g. quy-trinh-570). */
  nationalProcedure: procedureIdSchema,
  /** Procedure id of the agency's internal procedure, called from the national model. */
  internalProcedure: procedureIdSchema,
});
export type Agency = z.infer<typeof agencySchema>;

export const agenciesFileSchema = z.object({ agencies: z.array(agencySchema).min(1) });

export class ProcessCatalogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProcessCatalogError';
  }
}

/** The Việt Nam civil date (YYYY-MM-DD) of an instant: the receipt date of a dossier. */
export function receiptDate(receivedAt: Date): string {
  return localDateOf(dayNumberOf(receivedAt.getTime()));
}

export class ProcessCatalog {
  private readonly byProcedure = new Map<string, SlaPlan[]>();

  constructor(
    readonly plans: readonly SlaPlan[],
    readonly agencies: readonly Agency[],
  ) {
    for (const plan of plans) {
      const versions = this.byProcedure.get(plan.procedure) ?? [];
      if (versions.some((v) => v.effectiveFrom === plan.effectiveFrom)) {
        throw new ProcessCatalogError(`${plan.source}: ${plan.processId}: procedure ${plan.procedure} already has a version effective from ${plan.effectiveFrom}`);
      }
      versions.push(plan);
      versions.sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
      this.byProcedure.set(plan.procedure, versions);
    }
    for (const agency of agencies) {
      for (const procedure of [agency.nationalProcedure, agency.internalProcedure]) {
        if (!this.byProcedure.has(procedure)) {
          throw new ProcessCatalogError(`${AGENCIES_FILE}: agency ${agency.code} names procedure ${procedure}, which no model in processes/ declares`);
        }
      }
    }
  }

  procedures(): string[] {
    return [...this.byProcedure.keys()].sort();
  }

  /** All versions of a procedure, oldest first. */
  versions(procedure: string): readonly SlaPlan[] {
    return this.byProcedure.get(procedure) ?? [];
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
      throw new ProcessCatalogError(`no version of ${procedure} is in force on ${date} (versions: ${versions.map(describe).join(', ')})`);
    }
    return inForce;
  }

  agency(code: string): Agency {
    const agency = this.agencies.find((a) => a.code === code);
    if (!agency) throw new ProcessCatalogError(`agency ${code} is not in ${AGENCIES_FILE}`);
    return agency;
  }

  /**
   * What the intake step needs: the national process to start and the internal process it
   * calls (`internalProcessId`), both as in force on the receipt date.
   */
  processesFor(agencyCode: string, receivedAt: Date): { nationalProcessId: string; internalProcessId: string } {
    const agency = this.agency(agencyCode);
    return {
      nationalProcessId: this.versionInForce(agency.nationalProcedure, receivedAt).processId,
      internalProcessId: this.versionInForce(agency.internalProcedure, receivedAt).processId,
    };
  }
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

/** Reads every model and the agency table of a processes directory. */
export async function loadProcessCatalog(dir: string = PROCESSES_DIR): Promise<ProcessCatalog> {
  const plans = (await Promise.all((await processFiles(dir)).map((file) => loadSlaPlanFile(file)))).flat();
  return new ProcessCatalog(plans, await loadAgencies(dir));
}
