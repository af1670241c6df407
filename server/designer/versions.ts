/**
 * The versions page's list (issue 27, item 1): every version of every model in the catalog,
 * national (`quy-trinh-570-*`) and internal (`khanh-hoa-*`), with its dates and the receipt
 * dates it governs (periodOf), its legal basis, the agencies that run it in that period
 * (agencies.json), its latest deployment on record (`process_deployments`, null when none was
 * recorded) and the dossiers it governs, open and closed: `dossiers.process_id` for a national
 * version, `dossiers.internal_process_id` for an internal one, one grouped query each on the
 * indexes of migration 0020. Dossiers recorded from another channel run no process and are
 * counted by no version.
 */
import type { Db } from '../db';
import { periodOf, runsHere, type ProcessCatalog } from '../sla/catalog';
import type { SlaPlan } from '../sla/plan';

export type VersionKind = 'national' | 'internal';

export interface Deployment {
  processDefinitionKey: string;
  zeebeVersion: number;
  deployedAt: Date;
  actor: string;
  via: 'cli' | 'startup' | 'approval';
}

export interface ProcessVersionRow {
  bpmnProcessId: string;
  name: string;
  procedure: string;
  kind: VersionKind;
  effectiveFrom: string;
  effectiveTo: string | null;
  /** The receipt dates it governs: to its effectiveTo or the next version's start (exclusive; null: open). */
  period: { from: string; to: string | null };
  legalBasis: string;
  agencies: { code: string; name: string }[];
  deployment: Deployment | null;
  dossiers: { open: number; closed: number };
}

export interface VersionsDeps {
  db: Db;
  catalog: ProcessCatalog;
}

/** National: some agency runs the procedure as its national one, or the model sets no internal step table. */
export function kindOf(catalog: ProcessCatalog, plan: SlaPlan): VersionKind {
  if (catalog.agencies.some((a) => a.nationalProcedure === plan.procedure)) return 'national';
  if (catalog.agencies.some((a) => a.internalProcedure === plan.procedure)) return 'internal';
  return Object.keys(plan.governs).length > 0 ? 'internal' : 'national';
}

/** The agencies run here that run the version's procedure on some day of its period. */
function agenciesOf(catalog: ProcessCatalog, plan: SlaPlan, period: { from: string; to: string | null }): { code: string; name: string }[] {
  return catalog.agencies
    .filter(runsHere)
    .filter((a) => a.nationalProcedure === plan.procedure || a.internalProcedure === plan.procedure)
    .filter((a) => (a.effectiveTo === null || period.from < a.effectiveTo) && (period.to === null || a.effectiveFrom === null || a.effectiveFrom < period.to))
    .map((a) => ({ code: a.code, name: a.name }));
}

type Counts = Map<string, { open: number; closed: number }>;

/** The two grouped counts: per national version (`process_id`) and per internal version (`internal_process_id`), with the status. */
export function governedCountQueries(db: Db) {
  return {
    national: db.selectFrom('dossiers').select((eb) => ['processId as id', 'status', eb.fn.countAll().as('n')]).where('processId', 'is not', null).groupBy(['processId', 'status']),
    internal: db
      .selectFrom('dossiers')
      .select((eb) => ['internalProcessId as id', 'status', eb.fn.countAll().as('n')])
      .where('internalProcessId', 'is not', null)
      .groupBy(['internalProcessId', 'status']),
  };
}

/** Open and closed dossiers per national and per internal version. */
export async function governedCounts(db: Db): Promise<{ national: Counts; internal: Counts }> {
  const collect = (rows: { id: string | null; status: 'open' | 'closed'; n: string | number | bigint }[]): Counts => {
    const counts: Counts = new Map();
    for (const row of rows) {
      if (row.id === null) continue;
      const entry = counts.get(row.id) ?? { open: 0, closed: 0 };
      entry[row.status] += Number(row.n);
      counts.set(row.id, entry);
    }
    return counts;
  };
  const queries = governedCountQueries(db);
  return { national: collect(await queries.national.execute()), internal: collect(await queries.internal.execute()) };
}

/** The latest deployment on record of each process id (the index process_deployments_process). */
export async function latestDeployments(db: Db, ids: readonly string[]): Promise<Map<string, Deployment>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('processDeployments')
    .select(['bpmnProcessId', 'processDefinitionKey', 'zeebeVersion', 'deployedAt', 'actor', 'via'])
    .distinctOn('bpmnProcessId')
    .where('bpmnProcessId', 'in', ids)
    .orderBy('bpmnProcessId')
    .orderBy('deployedAt', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return new Map(rows.map(({ bpmnProcessId, ...deployment }) => [bpmnProcessId, deployment]));
}

/** Every version, procedure by procedure (national first), oldest first. */
export async function listVersions(deps: VersionsDeps): Promise<ProcessVersionRow[]> {
  const { catalog } = deps;
  const plans = catalog.procedures().flatMap((p) => catalog.versions(p));
  const [counts, deployments] = [await governedCounts(deps.db), await latestDeployments(deps.db, plans.map((p) => p.processId))];
  const rows = plans.map((plan): ProcessVersionRow => {
    const kind = kindOf(catalog, plan);
    const period = periodOf(catalog.versions(plan.procedure), plan);
    return {
      bpmnProcessId: plan.processId,
      name: plan.name,
      procedure: plan.procedure,
      kind,
      effectiveFrom: plan.effectiveFrom,
      effectiveTo: plan.effectiveTo,
      period,
      legalBasis: plan.legalBasis,
      agencies: agenciesOf(catalog, plan, period),
      deployment: deployments.get(plan.processId) ?? null,
      dossiers: counts[kind].get(plan.processId) ?? { open: 0, closed: 0 },
    };
  });
  return rows.sort((a, b) => Number(a.kind === 'internal') - Number(b.kind === 'internal'));
}
