/**
 * Drafts for the deployment-with-approval tests: a new version of a shipped model, made the way
 * a designer makes it in Camunda Modeler (test/support/modeler.ts: a new process id and
 * `lltp:effectiveFrom`, optionally an `lltp:effectiveTo`), as the bytes a browser uploads.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { receiptDate, PROCESSES_DIR } from '../../../server/sla/catalog';
import { versionedProcessId } from '../../../server/sla/spec';
import { createBpmnModdle } from '../../../server/sla/moddle';
import { executableProcess, setId, setZeebeProperty, type OpenModel } from '../../support/modeler';
import type { ModdleElement } from '../../../server/sla/moddle';
import { testNow } from '../../support/clock';

/** The civil date `days` after the suite's today in Việt Nam. */
export function daysAfterToday(days: number): string {
  const today = receiptDate(testNow());
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The civil date before `date`. */
export function dayBefore(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

export const NATIONAL = 'quy-trinh-570';

/** A new version of the newest shipped national model, effective from `effectiveFrom` (and to `effectiveTo`). */
export async function nationalDraft(effectiveFrom: string, effectiveTo?: string): Promise<{ processId: string; xml: string }> {
  const moddle = createBpmnModdle();
  const source = path.join(PROCESSES_DIR, 'quy-trinh-570-v20260701.bpmn');
  const { rootElement } = await moddle.fromXML<ModdleElement>(await readFile(source, 'utf8'), 'bpmn:Definitions');
  const model: OpenModel = { moddle, definitions: rootElement };
  const processId = versionedProcessId(NATIONAL, effectiveFrom);
  setId(executableProcess(model), processId);
  setZeebeProperty(executableProcess(model), 'lltp:effectiveFrom', effectiveFrom);
  let { xml } = await moddle.toXML(rootElement, { format: true });
  if (effectiveTo) xml = xml.replace(/(<zeebe:property name="lltp:effectiveFrom" value="[^"]+" \/>)/, `$1\n        <zeebe:property name="lltp:effectiveTo" value="${effectiveTo}" />`);
  return { processId, xml };
}
