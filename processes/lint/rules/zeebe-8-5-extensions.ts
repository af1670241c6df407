/**
 * Only extensions that Zeebe 8.5 runs: an allow-list of the zeebe extension elements 8.5
 * understands, and none of the attributes added in later versions. Anything else (execution
 * or task listeners, version tags, priorities, linked resources, ad-hoc or agent settings,
 * Camunda 7 extensions) is reported, so a model that Zeebe 8.5 cannot run never gets
 * deployed. Complements camunda-compat's `camunda-cloud-8-5` rules.
 */
import { is, isModdleElement, isSet, list } from '../../../server/sla/moddle';
import { executableOnly } from '../rule';

const SUPPORTED = new Set([
  'zeebe:TaskDefinition',
  'zeebe:TaskHeaders',
  'zeebe:IoMapping',
  'zeebe:Subscription',
  'zeebe:CalledElement',
  'zeebe:FormDefinition',
  'zeebe:UserTaskForm',
  'zeebe:AssignmentDefinition',
  'zeebe:TaskSchedule',
  'zeebe:LoopCharacteristics',
  'zeebe:Properties',
  'zeebe:CalledDecision',
  'zeebe:Script',
  'zeebe:UserTask',
]);

/** Attributes introduced after 8.5 on elements that 8.5 otherwise supports. */
const LATER_ATTRIBUTES: Record<string, string[]> = {
  'zeebe:CalledElement': ['bindingType', 'versionTag'],
  'zeebe:FormDefinition': ['bindingType', 'versionTag'],
  'zeebe:CalledDecision': ['bindingType', 'versionTag'],
};

export default executableOnly((node, reporter) => {
  if (is(node, 'bpmn:Definitions')) return;
  const container = node.get('extensionElements');
  if (!isModdleElement(container)) return;
  const id = node.id ?? '(no id)';
  for (const value of list(container, 'values')) {
    const type = value.$type;
    if (!SUPPORTED.has(type)) {
      reporter.report(id, `extension <${type}> is not run by Zeebe 8.5`);
      continue;
    }
    for (const attribute of LATER_ATTRIBUTES[type] ?? []) {
      if (isSet(value, attribute)) reporter.report(id, `attribute ${attribute} of <${type}> needs Zeebe 8.6 or later`);
    }
  }
});
