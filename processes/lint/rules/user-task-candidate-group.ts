/**
 * Every user task is offered to the role its SLA holds responsible: its candidate groups
 * (`zeebe:assignmentDefinition candidateGroups`) include `lltp:sla.role`. A task governed by
 * the internal procedure has its role from each agency's table, so it needs no candidate groups
 * here; if it has some, they are passed to Zeebe as they are.
 */
import { extension, is, text } from '../../../server/sla/moddle';
import { readStepSpec } from '../../../server/sla/spec';
import { executableOnly } from '../rule';

export default executableOnly((node, reporter) => {
  if (!is(node, 'bpmn:UserTask')) return;
  const id = node.id ?? '(no id)';
  const assignment = extension(node, 'zeebe:AssignmentDefinition');
  const groups = (assignment ? (text(assignment, 'candidateGroups') ?? '') : '')
    .split(',')
    .map((g) => g.trim())
    .filter(Boolean);
  const spec = readStepSpec(node);
  if (spec.ok && spec.value.governed) return;
  if (groups.length === 0) {
    reporter.report(id, 'has no candidate groups (zeebe:assignmentDefinition candidateGroups); the inbox offers it to nobody');
    return;
  }
  if (spec.ok && !spec.value.governed && !groups.includes(spec.value.role)) {
    reporter.report(id, `candidate groups "${groups.join(', ')}" do not include the responsible role "${spec.value.role}" (lltp:sla.role)`);
  }
});
