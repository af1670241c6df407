/**
 * Zeebe jobs carry no creation time: every task and call activity that takes input mappings
 * captures its activation instant as the local variable `activatedAt` (`=now()`), which the
 * workers and the inbox record as the step's start. (Receive tasks take no input mappings;
 * their start is the completion of the step before.)
 */
import { extension, is, list, text } from '../../../server/sla/moddle';
import { executableOnly } from '../rule';

const TYPES = ['bpmn:UserTask', 'bpmn:ServiceTask', 'bpmn:SendTask', 'bpmn:ScriptTask', 'bpmn:BusinessRuleTask', 'bpmn:CallActivity'];

export default executableOnly((node, reporter) => {
  if (!TYPES.some((type) => is(node, type))) return;
  const mapping = extension(node, 'zeebe:IoMapping');
  const captured = list(mapping, 'inputParameters').some((input) => text(input, 'target') === 'activatedAt' && text(input, 'source')?.replace(/\s+/g, '') === '=now()');
  if (!captured) reporter.report(node.id ?? '(no id)', 'does not capture its activation time: add the input mapping =now() → activatedAt');
});
