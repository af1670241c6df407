/**
 * Every executable process says which procedure it is a version of and from which receipt
 * date it governs dossiers (`lltp:procedure`, `lltp:effectiveFrom`, optional
 * `lltp:effectiveTo`, `lltp:legalBasis`), and its id is `<procedure>-v<YYYYMMDD>`.
 */
import { is } from '../../../server/sla/moddle';
import { readProcessVersion } from '../../../server/sla/spec';
import { executableOnly } from '../rule';

export default executableOnly((node, reporter) => {
  if (!is(node, 'bpmn:Process')) return;
  const version = readProcessVersion(node);
  if (!version.ok) for (const problem of version.problems) reporter.report(problem.elementId, problem.message);
});
