/**
 * What Camunda Modeler does to a model file, for tests that make a designer's edits on copies
 * of processes/: open it with bpmn-moddle and the Zeebe extension (the same reader as the
 * product, server/sla/moddle.ts), change elements, and write it back formatted
 * (`toXML(definitions, { format: true })`), the way Modeler saves.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { BpmnModdle } from 'bpmn-moddle';
import { createBpmnModdle, executableProcesses, extensions, list, text } from '../../server/sla/moddle';
import type { ModdleElement } from '../../server/sla/moddle';

/** A moddle element as Modeler's properties panel changes it. */
interface EditableElement extends ModdleElement {
  set(name: string, value: unknown): void;
}

export interface OpenModel {
  moddle: BpmnModdle;
  definitions: ModdleElement;
}

export async function openModel(file: string): Promise<OpenModel> {
  const moddle = createBpmnModdle();
  const xml = await readFile(file, 'utf8');
  const { rootElement, warnings } = await moddle.fromXML<ModdleElement>(xml, 'bpmn:Definitions');
  if (warnings.length > 0) throw new Error(`${file}: ${warnings.map((w) => w.message).join('; ')}`);
  return { moddle, definitions: rootElement };
}

export async function saveModel(file: string, { moddle, definitions }: OpenModel): Promise<void> {
  const { xml } = await moddle.toXML(definitions, { format: true });
  await writeFile(file, xml);
}

/** Opens the file and saves it again unchanged, as Modeler does on File › Save. */
export async function resaveModel(file: string): Promise<void> {
  await saveModel(file, await openModel(file));
}

/** The one executable process of the model. */
export function executableProcess({ definitions }: OpenModel): ModdleElement {
  const [process, ...others] = executableProcesses(definitions);
  if (!process || others.length > 0) throw new Error(`expected one executable process in ${definitions.id}`);
  return process;
}

export function setId(element: ModdleElement, id: string): void {
  (element as EditableElement).set('id', id);
}

/** Changes the value of an existing extension property (`zeebe:property`) of the element. */
export function setZeebeProperty(element: ModdleElement, name: string, value: string): void {
  const properties = extensions(element, 'zeebe:Properties').flatMap((p) => list(p, 'properties'));
  const property = properties.find((p) => text(p, 'name') === name);
  if (!property) throw new Error(`${element.id} has no extension property ${name}`);
  (property as EditableElement).set('value', value);
}

/** Adds a task (`bpmn:Task`) to the process, as Modeler's palette does (no shape: the diff still sees the element). */
export function addTask({ moddle }: OpenModel, process: ModdleElement, id: string, name: string): ModdleElement {
  const task = moddle.create<ModdleElement>('bpmn:Task', { id, name });
  (task as unknown as { $parent: ModdleElement }).$parent = process;
  (process.get('flowElements') as ModdleElement[]).push(task);
  return task;
}
