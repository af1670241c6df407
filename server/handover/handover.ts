/**
 * The handover of open dossiers from an agency to its successor on a date (issue 24, item 3),
 * as the administrator's command runs it (`lltp handover`, server/cli/handover.ts).
 *
 * Each dossier of the source agency still open (or with a step still to do, like the paper copy
 * at the desk after the result was returned), received before the date, is handed over in one
 * database transaction that holds the dossier's row: the `handovers` row (its key, dossier and
 * receiving agency, makes a rerun insert nothing), the dossier's agency and internal procedure,
 * its open steps and tasks moved to the successor's units and roles (claims by the
 * predecessor's officers released), an audit entry; and, before the commit, the engine: the
 * internal process instance migrated to the successor's model when one runs and the model
 * differs, and the `agencyCode` and `internalProcessId` variables set, so that the steps still
 * to come are the successor's. If the engine refuses, the transaction rolls back and the dossier
 * is reported refused with the reason, unchanged. The receipt date, the deadlines, the finished
 * steps and the dossier code are never touched.
 */
import type { ExpressionBuilder } from 'kysely';
import type { Db, Tables, Tx } from '../db';
import { auditQuery } from '../audit';
import { toJson, type HandoverMovedJson } from '../db/tables';
import { receiptDate, type ProcessCatalog } from '../sla/catalog';
import type { ZeebeGrpcClient } from '../zeebe';
import { checkRequest, planDossier, type CheckedRequest, type DossierPlan, type DossierRow, type HandoverRequest } from './plan';

export { HandoverInputError, type HandoverRequest } from './plan';

export interface HandoverDeps {
  db: Db;
  catalog: ProcessCatalog;
  zeebe: Pick<ZeebeGrpcClient, 'migrateProcessInstance' | 'setVariables'>;
  /** The key of the deployed definition of a process id (deploying the models when needed). */
  processDefinitionKey: (processId: string) => Promise<string>;
  now: () => Date;
}

export interface MovedDossier {
  code: string;
  fromInternalProcessId: string | null;
  toInternalProcessId: string;
  migratedInstanceKey: string | null;
  steps: number;
  tasks: number;
}

export interface HandoverReport {
  from: string;
  to: string;
  on: string;
  actor: string;
  dryRun: boolean;
  internalProcessId: string;
  /** Handed over by this run (with --dry-run: would be). */
  moved: MovedDossier[];
  /** Handed over by an earlier run. */
  already: string[];
  refused: { code: string; reason: string }[];
}

const movedOf = (plan: DossierPlan): MovedDossier => ({
  code: plan.code,
  fromInternalProcessId: plan.fromInternalProcessId,
  toInternalProcessId: plan.toInternalProcessId,
  migratedInstanceKey: plan.migration?.processInstanceKey ?? null,
  steps: plan.steps.length,
  tasks: plan.tasks.length,
});

/**
 * Work still to do on a dossier whose result is already returned (closed): the paper copy at the
 * desk is a task after the end of the dossier's time; it goes to the successor's desk too.
 */
const unfinishedWork = (eb: ExpressionBuilder<Tables, 'dossiers'>) =>
  eb.or([
    eb.exists(eb.selectFrom('tasks as t').select('t.id').whereRef('t.dossierCode', '=', 'dossiers.code').where('t.status', 'in', ['open', 'claimed'])),
    eb.exists(eb.selectFrom('steps as s').select('s.id').whereRef('s.dossierCode', '=', 'dossiers.code').where('s.finishedAt', 'is', null)),
  ]);

/** The open dossiers of the source agency received before the date, with their open steps and tasks. */
async function openDossiers(db: Db, request: CheckedRequest): Promise<{ dossier: DossierRow; receivedAt: Date }[]> {
  const rows = await db
    .selectFrom('dossiers')
    .select(['code', 'agencyCode', 'processId', 'internalProcessId', 'processInstanceKey', 'unitId', 'receivedAt'])
    .where('agencyCode', '=', request.from)
    .where((eb) => eb.or([eb('status', '=', 'open'), unfinishedWork(eb)]))
    .orderBy('code')
    .execute();
  return rows.filter((r) => receiptDate(r.receivedAt) < request.on).map(({ receivedAt, ...dossier }) => ({ dossier, receivedAt }));
}

async function planOf(db: Db | Tx, catalog: ProcessCatalog, request: CheckedRequest, dossier: DossierRow) {
  const steps = await db
    .selectFrom('steps')
    .select(['id', 'elementId', 'elementName', 'processId', 'processInstanceKey', 'unitId'])
    .where('dossierCode', '=', dossier.code)
    .where('finishedAt', 'is', null)
    .orderBy('id')
    .execute();
  const tasks = await db
    .selectFrom('tasks')
    .select(['id', 'elementId', 'processId', 'processInstanceKey', 'unitId', 'claimedBy'])
    .where('dossierCode', '=', dossier.code)
    .where('status', 'in', ['open', 'claimed'])
    .orderBy('id')
    .execute();
  return planDossier(catalog, request, dossier, steps, tasks);
}

/** The engine's part, run before the commit: a refusal here rolls the dossier's rows back. */
async function moveInEngine(deps: HandoverDeps, request: CheckedRequest, dossier: DossierRow, plan: DossierPlan): Promise<void> {
  const variables = { agencyCode: request.to, internalProcessId: plan.toInternalProcessId };
  if (plan.migration) {
    const targetProcessDefinitionKey = await deps.processDefinitionKey(plan.migration.targetProcessId);
    await deps.zeebe.migrateProcessInstance({
      processInstanceKey: plan.migration.processInstanceKey,
      migrationPlan: { targetProcessDefinitionKey, mappingInstructions: plan.migration.mappings },
    });
    // the called instance's own copy: its outputs flow back into the dossier's process
    await deps.zeebe.setVariables({ elementInstanceKey: plan.migration.processInstanceKey, variables, local: false });
  }
  if (dossier.processInstanceKey) await deps.zeebe.setVariables({ elementInstanceKey: dossier.processInstanceKey, variables, local: false });
}

async function moveRows(tx: Tx, request: CheckedRequest, plan: DossierPlan, at: Date): Promise<boolean> {
  const moved: HandoverMovedJson = {
    steps: plan.steps.map((s) => ({ id: s.id, elementId: s.elementId, fromUnit: s.fromUnit, toUnit: s.toUnit })),
    tasks: plan.tasks.map((t) => ({ id: t.id, elementId: t.elementId, fromUnit: t.fromUnit, toUnit: t.toUnit, releasedFrom: t.releasedFrom })),
  };
  const inserted = await tx
    .insertInto('handovers')
    .values({
      dossierCode: plan.code,
      fromAgency: request.from,
      toAgency: request.to,
      onDate: request.on,
      at,
      actor: request.actor,
      fromInternalProcessId: plan.fromInternalProcessId,
      toInternalProcessId: plan.toInternalProcessId,
      migratedInstanceKey: plan.migration?.processInstanceKey ?? null,
      moved: toJson(moved),
    })
    .onConflict((oc) => oc.columns(['dossierCode', 'toAgency']).doNothing())
    .returning('dossierCode')
    .executeTakeFirst();
  if (!inserted) return false;
  await tx.updateTable('dossiers').set({ agencyCode: request.to, internalProcessId: plan.toInternalProcessId, unitId: plan.toUnitId }).where('code', '=', plan.code).execute();
  for (const s of plan.steps) {
    await tx.updateTable('steps').set({ unitId: s.toUnit, unitName: s.toUnitName, role: s.toRole, processId: s.toProcessId }).where('id', '=', s.id).where('dossierCode', '=', plan.code).execute();
  }
  for (const t of plan.tasks) {
    await tx
      .updateTable('tasks')
      .set({ unitId: t.toUnit, role: t.toRole, processId: t.toProcessId, claimedBy: null, status: 'open' })
      .where('id', '=', t.id)
      .where('status', 'in', ['open', 'claimed'])
      .execute();
  }
  const detail = `${request.from} → ${request.to} từ ${request.on}; ${plan.fromInternalProcessId ?? '—'} → ${plan.toInternalProcessId}; ${plan.steps.length} bước, ${plan.tasks.length} việc chuyển${plan.migration ? `; phiên nội bộ ${plan.migration.processInstanceKey} chuyển phiên bản` : ''}`;
  await auditQuery(tx, { at, actor: request.actor, action: 'dossier.handover', dossierCode: plan.code, detail }).execute();
  return true;
}

type Outcome = { kind: 'moved'; moved: MovedDossier } | { kind: 'already' } | { kind: 'gone' } | { kind: 'refused'; reason: string };

/** Hands one dossier over, all or nothing. */
async function handOverDossier(deps: HandoverDeps, request: CheckedRequest, code: string): Promise<Outcome> {
  try {
    return await deps.db.transaction().execute(async (tx): Promise<Outcome> => {
      const dossier = await tx
        .selectFrom('dossiers')
        .select(['code', 'agencyCode', 'processId', 'internalProcessId', 'processInstanceKey', 'unitId', 'status'])
        .where('code', '=', code)
        .where((eb) => eb.or([eb('status', '=', 'open'), unfinishedWork(eb)]))
        .forUpdate()
        .executeTakeFirst();
      if (!dossier || dossier.agencyCode !== request.from) return { kind: 'gone' };
      const result = await planOf(tx, deps.catalog, request, dossier);
      if (!result.ok) return { kind: 'refused', reason: result.reason };
      if (!(await moveRows(tx, request, result.plan, deps.now()))) return { kind: 'already' };
      await moveInEngine(deps, request, dossier, result.plan);
      return { kind: 'moved', moved: movedOf(result.plan) };
    });
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { kind: 'refused', reason: `Hồ sơ ${code}: không chuyển được (${message}); hồ sơ giữ nguyên` };
  }
}

/** Runs (or, with `dryRun`, plans) the handover; throws HandoverInputError for a bad request. */
export async function handOver(deps: HandoverDeps, input: HandoverRequest): Promise<HandoverReport> {
  const request = checkRequest(deps.catalog, input);
  const report: HandoverReport = { from: request.from, to: request.to, on: request.on, actor: request.actor, dryRun: request.dryRun, internalProcessId: request.targetInternalProcessId, moved: [], already: [], refused: [] };
  const earlier = await deps.db.selectFrom('handovers').select('dossierCode').where('fromAgency', '=', request.from).where('toAgency', '=', request.to).orderBy('dossierCode').execute();
  report.already = earlier.map((r) => r.dossierCode);
  for (const { dossier } of await openDossiers(deps.db, request)) {
    if (request.dryRun) {
      const result = await planOf(deps.db, deps.catalog, request, dossier);
      if (result.ok) report.moved.push(movedOf(result.plan));
      else report.refused.push({ code: result.code, reason: result.reason });
      continue;
    }
    const outcome = await handOverDossier(deps, request, dossier.code);
    if (outcome.kind === 'moved') report.moved.push(outcome.moved);
    else if (outcome.kind === 'already') report.already.push(dossier.code);
    else if (outcome.kind === 'refused') report.refused.push({ code: dossier.code, reason: outcome.reason });
  }
  const summary = `${request.from} → ${request.to} từ ${request.on}${request.dryRun ? ' (chạy thử)' : ''}: ${report.moved.length} chuyển, ${report.already.length} đã chuyển trước, ${report.refused.length} từ chối`;
  await auditQuery(deps.db, { at: deps.now(), actor: request.actor, action: request.dryRun ? 'handover.dry-run' : 'handover.run', detail: summary }).execute();
  return report;
}
