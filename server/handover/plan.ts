/**
 * What a handover of open dossiers would do, without doing it: the request checked against the
 * agencies table (`processes/agencies.json`), and for each dossier the moves of its open steps
 * and tasks to the successor's units, or the reason it is refused. Pure: the models and the rows
 * in, the plan out, so the refusals are unit-tested without a broker.
 *
 * A step of the national procedure keeps its element and version; the internal procedure that
 * governs it (`lltp:step.<id>.*`) becomes the successor's, which names its unit and role. A step
 * of the internal procedure itself (inside the call activity of step 9) runs in a process
 * instance of the predecessor's internal model: it moves to the element of the same id in the
 * successor's model, and that instance is migrated (Zeebe's process instance migration, with a
 * mapping instruction per element id the two models share).
 */
import type { Selectable } from 'kysely';
import type { StepsTable, TasksTable } from '../db/tables';
import { inForceOn, runsHere, type ProcessCatalog, type RunAgency } from '../sla/catalog';

export interface HandoverRequest {
  from: string;
  to: string;
  /** `YYYY-MM-DD`: the first day the successor handles the dossiers. */
  on: string;
  actor: string;
  dryRun: boolean;
}

/** A request that cannot be run, naming the parameter (`from`, `to`, `on`, `actor`). */
export class HandoverInputError extends Error {
  constructor(
    readonly parameter: 'from' | 'to' | 'on' | 'actor',
    message: string,
  ) {
    super(`${parameter}: ${message}`);
    this.name = 'HandoverInputError';
  }
}

export interface CheckedRequest extends HandoverRequest {
  fromAgency: RunAgency;
  toAgency: RunAgency;
  /** The successor's internal procedure version in force on `on`. */
  targetInternalProcessId: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const validDate = (text: string): boolean => DATE.test(text) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text);

function runningAgency(catalog: ProcessCatalog, parameter: 'from' | 'to', code: string): RunAgency {
  const agency = catalog.agencies.find((a) => a.code === code);
  if (!agency) throw new HandoverInputError(parameter, `không có cơ quan ${code} trong processes/agencies.json`);
  if (!runsHere(agency)) throw new HandoverInputError(parameter, `cơ quan ${code} không do hệ thống này vận hành (không có quy trình)`);
  return agency;
}

/** Checks a request against the agencies table: the successor succeeds the source and receives dossiers on the date. */
export function checkRequest(catalog: ProcessCatalog, request: HandoverRequest): CheckedRequest {
  if (!validDate(request.on)) throw new HandoverInputError('on', `"${request.on}" không phải ngày dạng YYYY-MM-DD`);
  if (request.actor.trim() === '') throw new HandoverInputError('actor', 'cần tên người thực hiện (quản trị viên)');
  const fromAgency = runningAgency(catalog, 'from', request.from);
  const toAgency = runningAgency(catalog, 'to', request.to);
  if (!toAgency.succeeds.includes(fromAgency.code)) {
    throw new HandoverInputError('to', `${toAgency.code} không kế thừa ${fromAgency.code} (succeeds trong processes/agencies.json)`);
  }
  if (!inForceOn(toAgency, request.on)) {
    throw new HandoverInputError('on', `${toAgency.code} không nhận hồ sơ ngày ${request.on} (từ ${toAgency.effectiveFrom ?? '…'} đến trước ${toAgency.effectiveTo ?? '…'})`);
  }
  const versions = catalog.versions(toAgency.internalProcedure);
  const target = [...versions].reverse().find((v) => v.effectiveFrom <= request.on && (v.effectiveTo === null || request.on < v.effectiveTo));
  if (!target) throw new HandoverInputError('on', `quy trình nội bộ ${toAgency.internalProcedure} của ${toAgency.code} không có phiên bản hiệu lực ngày ${request.on}`);
  return { ...request, fromAgency, toAgency, targetInternalProcessId: target.processId };
}

export interface DossierRow {
  code: string;
  agencyCode: string;
  processId: string | null;
  internalProcessId: string | null;
  processInstanceKey: string | null;
  unitId: string;
}

export interface StepMove {
  id: string;
  elementId: string;
  fromUnit: string;
  toUnit: string;
  toUnitName: string | null;
  toRole: string;
  toProcessId: string;
}

export interface TaskMove {
  id: string;
  elementId: string;
  fromUnit: string;
  toUnit: string;
  toRole: string;
  toProcessId: string;
  /** Who had claimed it at the predecessor (the claim is released), or null. */
  releasedFrom: string | null;
}

export interface DossierPlan {
  code: string;
  fromInternalProcessId: string | null;
  toInternalProcessId: string;
  toUnitId: string;
  /** The internal process instance to migrate, with its mapping instructions; null when none runs or the model is the same. */
  migration: { processInstanceKey: string; targetProcessId: string; mappings: { sourceElementId: string; targetElementId: string }[] } | null;
  steps: StepMove[];
  tasks: TaskMove[];
}

export type DossierPlanResult = { ok: true; plan: DossierPlan } | { ok: false; code: string; reason: string };

type OpenStep = Pick<Selectable<StepsTable>, 'id' | 'elementId' | 'elementName' | 'processId' | 'processInstanceKey' | 'unitId'>;
type OpenTask = Pick<Selectable<TasksTable>, 'id' | 'elementId' | 'processId' | 'processInstanceKey' | 'unitId' | 'claimedBy'>;

interface Terms {
  processId: string;
  unit: string;
  unitName: string | null;
  role: string;
}

/** The successor's terms for an element that is active now, or the Vietnamese reason it has none. */
function termsAt(catalog: ProcessCatalog, dossier: DossierRow, target: string, at: { elementId: string; processId: string | null }): Terms | string {
  const inInternal = at.processId !== null && at.processId === dossier.internalProcessId;
  const processId = inInternal ? target : at.processId;
  if (processId === null) return `bước ${at.elementId} không ghi quy trình`;
  try {
    const sla = catalog.stepSla(processId, at.elementId, target);
    if (sla) return { processId, unit: sla.unit, unitName: sla.unitName, role: sla.role };
  } catch {
    // a governed step the successor's internal procedure sets no terms for: refused below
  }
  return `bước ${at.elementId} không có trong quy trình ${inInternal ? target : `${processId} (với quy trình nội bộ ${target})`}, không chuyển được`;
}

/** The element ids both internal models have (the mapping instructions of a migration). */
function sharedElements(catalog: ProcessCatalog, source: string, target: string): string[] {
  const from = catalog.plan(source);
  const to = catalog.plan(target);
  if (!from || !to) return [];
  return Object.keys(from.steps).filter((id) => Object.hasOwn(to.steps, id));
}

/** The moves of one dossier's open steps and tasks, or why it cannot be handed over (nothing is then changed). */
export function planDossier(catalog: ProcessCatalog, request: CheckedRequest, dossier: DossierRow, steps: readonly OpenStep[], tasks: readonly OpenTask[]): DossierPlanResult {
  const target = request.targetInternalProcessId;
  const refuse = (reason: string): DossierPlanResult => ({ ok: false, code: dossier.code, reason: `Hồ sơ ${dossier.code}: ${reason}` });
  if (dossier.internalProcessId === null) return refuse('hồ sơ không có quy trình nội bộ (internalProcessId), không xác định được đơn vị tiếp nhận');
  const stepMoves: StepMove[] = [];
  for (const step of steps) {
    const terms = termsAt(catalog, dossier, target, step);
    if (typeof terms === 'string') return refuse(terms);
    stepMoves.push({ id: step.id, elementId: step.elementId, fromUnit: step.unitId, toUnit: terms.unit, toUnitName: terms.unitName, toRole: terms.role, toProcessId: terms.processId });
  }
  const taskMoves: TaskMove[] = [];
  for (const task of tasks) {
    const terms = termsAt(catalog, dossier, target, task);
    if (typeof terms === 'string') return refuse(terms);
    taskMoves.push({ id: task.id, elementId: task.elementId, fromUnit: task.unitId, toUnit: terms.unit, toRole: terms.role, toProcessId: terms.processId, releasedFrom: task.claimedBy });
  }
  const internalInstances = new Set([...steps, ...tasks].filter((s) => s.processId === dossier.internalProcessId && s.processInstanceKey !== null).map((s) => s.processInstanceKey!));
  if (internalInstances.size > 1) return refuse(`có ${internalInstances.size} phiên quy trình nội bộ cùng chạy, không chuyển được`);
  const [instance] = [...internalInstances];
  let migration: DossierPlan['migration'] = null;
  if (instance !== undefined && dossier.internalProcessId !== target) {
    const mappings = sharedElements(catalog, dossier.internalProcessId, target).map((id) => ({ sourceElementId: id, targetElementId: id }));
    migration = { processInstanceKey: instance, targetProcessId: target, mappings };
  }
  const desk = catalog.plan(target)?.governs.checkDossier?.unit ?? dossier.unitId;
  return { ok: true, plan: { code: dossier.code, fromInternalProcessId: dossier.internalProcessId, toInternalProcessId: target, toUnitId: desk, migration, steps: stepMoves, tasks: taskMoves } };
}
