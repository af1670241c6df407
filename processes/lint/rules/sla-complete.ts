/**
 * Every task and call activity has a complete, valid SLA spec (allotment per case variant,
 * responsible unit and role, escalation chain), or, on a national procedure, says that the
 * agency's internal procedure sets it (`lltp:sla.governedBy = internalProcedure`, checked
 * against each agency's table by the catalog check); the process has a target per variant and
 * a valid `lltp:step.*` table if it has one.
 */
import { is } from '../../../server/sla/moddle';
import { needsSla, readProcessTargets, readStepSpec } from '../../../server/sla/spec';
import { executableOnly } from '../rule';

export default executableOnly((node, reporter) => {
  const read = is(node, 'bpmn:Process') ? readProcessTargets(node) : needsSla(node) ? readStepSpec(node) : undefined;
  if (read && !read.ok) for (const problem of read.problems) reporter.report(problem.elementId, problem.message);
});
