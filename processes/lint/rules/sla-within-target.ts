/**
 * For each case variant, the allotments along every path that variant can take through the
 * process add up to no more than the variant's target (see server/sla/budget.ts for how paths follow
 * the gateway conditions on `caseVariant`). Steps governed by the internal procedure count 0
 * here: their allotments depend on the agency, so the catalog check (processes/lint/run.ts)
 * adds them up again with each agency's table and reports every variant's budget.
 */
import { checkBudgets, MAX_STEPS } from '../../../server/sla/budget';
import { flowGraphOf } from '../../../server/sla/flow';
import { descendants, is } from '../../../server/sla/moddle';
import { readProcessTargets, readStepSpec, needsSla, targetProperty } from '../../../server/sla/spec';
import { formatWorkingTime } from '../../../server/sla/working-time';
import { executableOnly } from '../rule';

export default executableOnly((node, reporter) => {
  if (!is(node, 'bpmn:Process')) return;
  const targets = readProcessTargets(node);
  if (!targets.ok) return; // reported by lltp/sla-complete
  const elements = new Map(descendants(node).map((e) => [e.id ?? '', e]));
  const check = checkBudgets(
    flowGraphOf(node),
    (id) => {
      const element = elements.get(id);
      if (!element || !needsSla(element)) return undefined;
      const spec = readStepSpec(element);
      return spec.ok && !spec.value.governed ? spec.value.allotments : undefined;
    },
    targets.value.targets,
  );
  for (const overrun of check.overruns) {
    reporter.report(
      overrun.elementId,
      `${overrun.variant} allotments add up to ${formatWorkingTime(overrun.minutes)} along ${overrun.path.join(' → ')}, over the target ${formatWorkingTime(targets.value.targets[overrun.variant])} (${targetProperty(overrun.variant)})`,
    );
  }
  if (!check.complete) reporter.report(node.id ?? '(process)', `too many paths to check (more than ${MAX_STEPS} steps)`);
});
