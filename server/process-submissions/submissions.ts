/**
 * Deploying a version with a second person's approval (issue 27, item 4). A process designer
 * submits a `.bpmn` with its effective date (`submit`); a leader other than the submitter
 * approves it (`approve`: the checks again, then the deployment to Zeebe, the deployment record
 * and the catalog refreshed) or rejects it with a reason (`reject`). Every step is audited with
 * the file's SHA-256. The rules are in ./rules.ts.
 *
 * Approving is idempotent: the deployment runs under the submission's row lock, and a deployed
 * submission is answered as it is. A deployment Zeebe refuses writes nothing but the error on
 * the submission, which stays approved: the next approval call deploys it.
 */
import type { Logger } from '../logger';
import { withDeadline } from '../outage';
import { auditQuery } from '../audit';
import type { Db } from '../db';
import type { ProcessSubmissionsTable } from '../db/tables';
import { toJson } from '../db/tables';
import type { Selectable } from 'kysely';
import { loadProcessCatalog, receiptDate, type ProcessCatalog, type StoredModel } from '../sla/catalog';
import { BpmnReadError, executableProcesses, readBpmn, zeebeProperties } from '../sla/moddle';
import { versionedProcessId } from '../sla/spec';
import type { ZeebeGrpcClient } from '../zeebe';
import { recordDeployments, sha256Of } from './deployments';
import { lintDraft } from './draft-lint';
import {
  effectiveDateMismatch,
  existingProcessId,
  overlappingVersion,
  overlapRefusal,
  ownSubmission,
  pastEffectiveDate,
  SubmissionRefusal,
  type VersionClaim,
} from './rules';

export interface SubmissionDeps {
  db: Db;
  /** The process's live catalog: adopts the new catalog after a deployment. */
  catalog: ProcessCatalog;
  /** PROCESSES_DIR: the installed models and agencies.json. */
  dir: string;
  zeebe: Pick<ZeebeGrpcClient, 'deployResources'>;
  now: () => Date;
  logger: Logger;
}

export type Submission = Selectable<ProcessSubmissionsTable>;
export type SubmissionView = Omit<Submission, 'xml'>;

const PENDING = ['submitted', 'approved'] as const;
/** How long an approval waits for Zeebe to take the deployment (an 85 KB model takes well under a second). */
const DEPLOY_DEADLINE_MS = 30_000;
const STATUS_TEXT: Record<Submission['status'], string> = {
  submitted: 'đang chờ phê duyệt',
  approved: 'đã phê duyệt, chờ triển khai',
  deployed: 'đã triển khai',
  rejected: 'đã bị từ chối',
  failed: 'không triển khai được',
};

/** The versions deployed with approval, as the catalog loads them beside the files. */
export async function deployedModels(db: Db): Promise<StoredModel[]> {
  const rows = await db.selectFrom('processSubmissions').select(['id', 'resourceName', 'xml']).where('status', '=', 'deployed').orderBy('id').execute();
  return rows.map((r) => ({ source: `process_submissions#${r.id} ${r.resourceName}`, resourceName: r.resourceName, xml: r.xml }));
}

/** The catalog of the files of `dir` with the deployed versions. */
export async function loadLiveCatalog(db: Db, dir: string): Promise<ProcessCatalog> {
  return loadProcessCatalog(dir, await deployedModels(db));
}

/** How many versions were deployed with approval: the other processes' cheap check (only grows: deployed is final). */
export async function deployedCount(db: Db): Promise<number> {
  const row = await db.selectFrom('processSubmissions').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'deployed').executeTakeFirstOrThrow();
  return Number(row.n);
}

const view = ({ xml: _xml, ...rest }: Submission): SubmissionView => rest;

export function listSubmissions(db: Db, limit = 200): Promise<SubmissionView[]> {
  return db
    .selectFrom('processSubmissions')
    .selectAll()
    .orderBy('submittedAt', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
    .then((rows) => rows.map(view));
}

/** What the model says of itself: its one executable process, its procedure and dates. */
async function readDraft(xml: string): Promise<{ processId: string; procedure: string; effectiveFrom: string | undefined; effectiveTo: string | null }> {
  let definitions;
  try {
    ({ definitions } = await readBpmn(xml, 'draft.bpmn'));
  } catch (error) {
    if (!(error instanceof BpmnReadError)) throw error;
    throw new SubmissionRefusal(400, 'xml', `xml: không đọc được tệp BPMN: ${error.problems.map((p) => p.message).join('; ')}`);
  }
  const processes = executableProcesses(definitions);
  if (processes.length !== 1) {
    throw new SubmissionRefusal(400, 'xml', `xml: mỗi lần gửi một mô hình có đúng một quy trình thực thi được (isExecutable); tệp này có ${processes.length}.`);
  }
  const process = processes[0]!;
  const properties = new Map(zeebeProperties(process));
  const procedure = properties.get('lltp:procedure');
  if (!procedure || !/^[a-z0-9-]{1,80}$/.test(procedure)) throw new SubmissionRefusal(400, 'xml', 'xml: mô hình không có thuộc tính lltp:procedure hợp lệ (mã quy trình, chữ thường, số, gạch ngang).');
  const effectiveFrom = properties.get('lltp:effectiveFrom');
  const processId = process.id ?? '';
  if (effectiveFrom !== undefined && processId !== versionedProcessId(procedure, effectiveFrom)) {
    throw new SubmissionRefusal(400, 'xml', `xml: mã quy trình (id) phải là ${versionedProcessId(procedure, effectiveFrom)} (lltp:procedure + "-v" + lltp:effectiveFrom bỏ dấu gạch); tệp ghi ${processId}.`);
  }
  return { processId, procedure, effectiveFrom, effectiveTo: properties.get('lltp:effectiveTo') ?? null };
}

/** Every other version the draft must not collide with: the catalog's (files and deployed) and the pending submissions. */
async function knownVersions(deps: SubmissionDeps, exceptId?: number): Promise<(VersionClaim & { sha256: () => Promise<string> })[]> {
  const known: (VersionClaim & { sha256: () => Promise<string> })[] = deps.catalog.plans.map((plan) => ({
    processId: plan.processId,
    procedure: plan.procedure,
    effectiveFrom: plan.effectiveFrom,
    effectiveTo: plan.effectiveTo,
    where: plan.source.startsWith('process_submissions#') ? 'đã triển khai theo phê duyệt' : 'đã cài đặt',
    sha256: async () => sha256Of((await deps.catalog.modelXml(plan.processId)).xml),
  }));
  let pending = deps.db.selectFrom('processSubmissions').select(['id', 'bpmnProcessId', 'procedure', 'effectiveFrom', 'effectiveTo', 'status', 'sha256']).where('status', 'in', [...PENDING, 'deployed']);
  if (exceptId !== undefined) pending = pending.where('id', '<>', exceptId);
  for (const row of await pending.execute()) {
    if (known.some((k) => k.processId === row.bpmnProcessId)) continue; // deployed: already in the catalog
    known.push({
      processId: row.bpmnProcessId,
      procedure: row.procedure,
      effectiveFrom: row.effectiveFrom,
      effectiveTo: row.effectiveTo,
      where: `${STATUS_TEXT[row.status]} (đề nghị số ${row.id})`,
      sha256: () => Promise.resolve(row.sha256),
    });
  }
  return known;
}

/** The checks of a submission and of its approval: dates, collisions, lint. Throws the first refusal. */
async function check(deps: SubmissionDeps, draft: { processId: string; procedure: string; effectiveFrom: string; effectiveTo: string | null; xml: string; sha256: string }, exceptId?: number) {
  const past = pastEffectiveDate(draft.effectiveFrom, receiptDate(deps.now()));
  if (past) throw past;
  const known = await knownVersions(deps, exceptId);
  const same = known.find((k) => k.processId === draft.processId);
  if (same) throw existingProcessId(draft.processId, (await same.sha256()) === draft.sha256, same.where);
  const claim: VersionClaim = { ...draft, where: '' };
  const overlap = overlappingVersion(claim, known);
  if (overlap) throw overlapRefusal(claim, overlap);
  const lint = await lintDraft(deps.dir, await deployedModels(deps.db), { resourceName: `${draft.processId}.bpmn`, processId: draft.processId, xml: draft.xml });
  if (lint.failing.length > 0) {
    throw new SubmissionRefusal(422, 'xml', `xml: mô hình không đạt kiểm tra (cùng quy tắc như khi triển khai): ${lint.failing.length} lỗi; sửa trong Camunda Modeler rồi gửi lại.`, { problems: lint.failing });
  }
  return lint.notes;
}

/** A designer submits a version: checked, then recorded as waiting for a leader, audited with the SHA-256. */
export async function submitVersion(deps: SubmissionDeps, input: { bytes: Buffer; effectiveFrom: string; actor: string }): Promise<SubmissionView> {
  const xml = input.bytes.toString('utf8');
  const sha256 = sha256Of(input.bytes);
  const model = await readDraft(xml);
  const mismatch = effectiveDateMismatch(input.effectiveFrom, model.effectiveFrom);
  if (mismatch) throw mismatch;
  const draft = { ...model, effectiveFrom: input.effectiveFrom, xml, sha256 };
  const notes = await check(deps, draft);
  const at = deps.now();
  return deps.db.transaction().execute(async (tx) => {
    const row = await tx
      .insertInto('processSubmissions')
      .values({
        bpmnProcessId: draft.processId,
        procedure: draft.procedure,
        effectiveFrom: draft.effectiveFrom,
        effectiveTo: draft.effectiveTo,
        resourceName: `${draft.processId}.bpmn`,
        xml,
        sha256,
        lint: toJson(notes),
        submittedBy: input.actor,
        submittedAt: at,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await auditQuery(tx, { at, actor: input.actor, action: 'process.submit', detail: `đề nghị số ${row.id}: ${draft.processId} hiệu lực từ ${draft.effectiveFrom}; SHA-256 ${sha256}` }).execute();
    return view(row);
  });
}

async function submission(db: Db, id: number): Promise<Submission> {
  const row = await db.selectFrom('processSubmissions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new SubmissionRefusal(404, 'id', `id: không có đề nghị triển khai số ${id}.`);
  return row;
}

/** Marks a pending submission failed: its checks no longer pass at approval (final; the designer submits again). */
async function fail(deps: SubmissionDeps, row: Submission, actor: string, refusal: SubmissionRefusal): Promise<never> {
  const at = deps.now();
  await deps.db.transaction().execute(async (tx) => {
    const updated = await tx
      .updateTable('processSubmissions')
      .set({ status: 'failed', decidedBy: actor, decidedAt: at, reason: refusal.message })
      .where('id', '=', row.id)
      .where('status', '=', 'submitted')
      .executeTakeFirst();
    if (updated.numUpdatedRows > 0n) {
      await auditQuery(tx, { at, actor, action: 'process.approve.refused', detail: `đề nghị số ${row.id}: ${row.bpmnProcessId}; SHA-256 ${row.sha256}; ${refusal.message}` }).execute();
    }
  });
  throw new SubmissionRefusal(409, refusal.parameter, `Không phê duyệt được đề nghị số ${row.id}: ${refusal.message}`, refusal.extra);
}

/**
 * A leader approves: never their own; the checks run again (the date may have passed, another
 * version may have taken the date); then the deployment. Approving again is answered with the
 * submission as it is, and deploys only what is not deployed yet.
 */
export async function approveVersion(deps: SubmissionDeps, input: { id: number; actor: string }): Promise<{ submission: SubmissionView; deployedNow: boolean }> {
  const row = await submission(deps.db, input.id);
  const own = ownSubmission(row.submittedBy, input.actor, 'approve');
  if (own) throw own;
  if (row.status === 'deployed') return { submission: view(row), deployedNow: false };
  if (row.status === 'rejected' || row.status === 'failed') {
    throw new SubmissionRefusal(409, null, `Đề nghị số ${row.id} ${STATUS_TEXT[row.status]}: ${row.reason ?? ''}`);
  }
  if (row.status === 'submitted') {
    try {
      await check(deps, { processId: row.bpmnProcessId, procedure: row.procedure, effectiveFrom: row.effectiveFrom, effectiveTo: row.effectiveTo, xml: row.xml, sha256: row.sha256 }, row.id);
    } catch (error) {
      if (!(error instanceof SubmissionRefusal)) throw error;
      await fail(deps, row, input.actor, error);
    }
    const at = deps.now();
    await deps.db.transaction().execute(async (tx) => {
      const updated = await tx
        .updateTable('processSubmissions')
        .set({ status: 'approved', decidedBy: input.actor, decidedAt: at })
        .where('id', '=', row.id)
        .where('status', '=', 'submitted')
        .executeTakeFirst();
      if (updated.numUpdatedRows > 0n) {
        await auditQuery(tx, { at, actor: input.actor, action: 'process.approve', detail: `đề nghị số ${row.id}: ${row.bpmnProcessId} hiệu lực từ ${row.effectiveFrom}, gửi bởi ${row.submittedBy}; SHA-256 ${row.sha256}` }).execute();
      }
    });
  }
  return deploy(deps, row.id, input.actor);
}

/** Deploys an approved submission under its row lock: Zeebe, the deployment record, the status, the audit; all or nothing. */
async function deploy(deps: SubmissionDeps, id: number, actor: string): Promise<{ submission: SubmissionView; deployedNow: boolean }> {
  let zeebeError: string | null = null;
  const outcome = await deps.db.transaction().execute(async (tx) => {
    const row = await tx.selectFrom('processSubmissions').selectAll().where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
    if (row.status !== 'approved') return { row, deployedNow: false };
    let process: { bpmnProcessId: string; version: number; processDefinitionKey: string } | undefined;
    try {
      // the row stays locked while Zeebe answers: never longer than the deadline
      const response = await withDeadline('zeebe', DEPLOY_DEADLINE_MS, deps.zeebe.deployResources([{ name: row.resourceName, process: Buffer.from(row.xml, 'utf8') }]));
      process = response.deployments
        .map((d) => (d as { process?: { bpmnProcessId: string; version: number; processDefinitionKey: string } }).process)
        .find((p) => p?.bpmnProcessId === row.bpmnProcessId);
      if (!process) throw new Error(`Zeebe không trả về quy trình ${row.bpmnProcessId}`);
    } catch (error) {
      zeebeError = error instanceof Error ? error.message : String(error);
      return { row, deployedNow: false };
    }
    const at = deps.now();
    const deployed = await tx
      .updateTable('processSubmissions')
      .set({ status: 'deployed', deployedAt: at, processDefinitionKey: process.processDefinitionKey, zeebeVersion: process.version, deployError: null })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordDeployments(
      tx,
      [{ bpmnProcessId: process.bpmnProcessId, zeebeVersion: process.version, processDefinitionKey: process.processDefinitionKey, resourceName: row.resourceName, sha256: row.sha256 }],
      { via: 'approval', actor, at, submissionId: id },
    );
    return { row: deployed, deployedNow: true };
  });
  if (zeebeError !== null) {
    const message = String(zeebeError).slice(0, 500);
    await deps.db.updateTable('processSubmissions').set({ deployError: message }).where('id', '=', id).where('status', '=', 'approved').execute();
    deps.logger.warn({ submissionId: id, err: message }, 'approved version not deployed: Zeebe refused');
    throw new SubmissionRefusal(503, null, `Đề nghị số ${id} đã được phê duyệt nhưng chưa triển khai được lên Zeebe (${message}); không có gì được ghi dở dang. Bấm phê duyệt lại để thử lại.`);
  }
  if (outcome.deployedNow) await refreshCatalog(deps);
  return { submission: view(outcome.row), deployedNow: outcome.deployedNow };
}

/** The API's own catalog takes the deployed versions at once (the other processes: ./refresh.ts). */
export async function refreshCatalog(deps: Pick<SubmissionDeps, 'db' | 'catalog' | 'dir' | 'logger'>): Promise<boolean> {
  try {
    deps.catalog.adopt(await loadLiveCatalog(deps.db, deps.dir));
    return true;
  } catch (error) {
    deps.logger.error({ err: error }, 'the catalog with the deployed versions does not load; the previous one stays');
    return false;
  }
}

/** A leader rejects a pending submission with a reason (never their own). Rejecting again is answered as it is. */
export async function rejectVersion(deps: SubmissionDeps, input: { id: number; actor: string; reason: string }): Promise<SubmissionView> {
  const row = await submission(deps.db, input.id);
  const own = ownSubmission(row.submittedBy, input.actor, 'reject');
  if (own) throw own;
  if (row.status === 'rejected') return view(row);
  if (row.status !== 'submitted') throw new SubmissionRefusal(409, null, `Đề nghị số ${row.id} ${STATUS_TEXT[row.status]}: chỉ từ chối được đề nghị đang chờ phê duyệt.`);
  const at = deps.now();
  return deps.db.transaction().execute(async (tx) => {
    const updated = await tx
      .updateTable('processSubmissions')
      .set({ status: 'rejected', decidedBy: input.actor, decidedAt: at, reason: input.reason })
      .where('id', '=', row.id)
      .where('status', '=', 'submitted')
      .returningAll()
      .executeTakeFirst();
    if (!updated) return view(await submission(tx, row.id));
    await auditQuery(tx, { at, actor: input.actor, action: 'process.reject', detail: `đề nghị số ${row.id}: ${row.bpmnProcessId}; SHA-256 ${row.sha256}; lý do: ${input.reason}` }).execute();
    return view(updated);
  });
}
