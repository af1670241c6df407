/**
 * Every task and call activity has a complete, valid SLA spec (allotment per case variant,
 * responsible unit and role, escalation chain), and the process has a target per variant.
 */
import { is } from '../../../server/sla/moddle';
import { needsSla, readProcessTargets, readStepSla } from '../../../server/sla/spec';
import { executableOnly } from '../rule';

export default executableOnly((node, reporter) => {
  const read = is(node, 'bpmn:Process') ? readProcessTargets(node) : needsSla(node) ? readStepSla(node) : undefined;
  if (read && !read.ok) for (const problem of read.problems) reporter.report(problem.elementId, problem.message);
});
