/**
 * Every user task is offered to the role its SLA holds responsible: its candidate groups
 * (`zeebe:assignmentDefinition candidateGroups`) include `lltp:sla.role`.
 */
import { extension, is, text } from '../../../server/sla/moddle';
import { readStepSla } from '../../../server/sla/spec';
import { executableOnly } from '../rule';

export default executableOnly((node, reporter) => {
  if (!is(node, 'bpmn:UserTask')) return;
  const id = node.id ?? '(no id)';
  const assignment = extension(node, 'zeebe:AssignmentDefinition');
  const groups = (assignment ? (text(assignment, 'candidateGroups') ?? '') : '')
    .split(',')
    .map((g) => g.trim())
    .filter(Boolean);
  if (groups.length === 0) {
    reporter.report(id, 'has no candidate groups (zeebe:assignmentDefinition candidateGroups); the inbox offers it to nobody');
    return;
  }
  const sla = readStepSla(node);
  if (sla.ok && !groups.includes(sla.value.role)) {
    reporter.report(id, `candidate groups "${groups.join(', ')}" do not include the responsible role "${sla.value.role}" (lltp:sla.role)`);
  }
});
