/**
 * Every allotment and deadline a model sets is one some dossier can use. For each case variant
 * and each intake channel (processes/contracts.ts `PROCESS_CHANNELS`), the gateway conditions
 * are evaluated with feelin (server/sla/reach.ts): a step's `lltp:sla.allotment.<variant>` that
 * no path takes a dossier of that variant to is reported (e.g. the police step's ordinary
 * allotment behind `=caseVariant = "verification" or caseVariant = "statutory"`), as is a
 * step's shared `lltp:sla.allotment` when no dossier reaches the step at all, and a deadline
 * (`lltp:deadline.supplementRequest`, `supplementWait`, `apologyPrompt`) whose step no path
 * reaches. The rows of a province's table (`lltp:step.<step>.allotment.<variant>`) are checked
 * against the national model's paths by the catalog check (processes/lint/run.ts), under the
 * same rule name.
 */
import { PROCESS_CHANNELS } from '../../contracts';
import { flowGraphOf } from '../../../server/sla/flow';
import { descendants, formKey, is, jobType, zeebeProperties, type ModdleElement } from '../../../server/sla/moddle';
import { variantReach } from '../../../server/sla/reach';
import { allotmentProperty, CASE_VARIANTS, deadlineProperty, needsSla, SLA_PROPERTY, type DeadlineName } from '../../../server/sla/spec';
import { executableOnly } from '../rule';

/** Which steps use each deadline that belongs to one kind of step. */
const DEADLINE_STEPS: [DeadlineName[], string, (element: ModdleElement) => boolean][] = [
  [['supplementRequest', 'supplementWait'], 'the supplement request (job type lltp.dossier.request-supplement)', (e) => jobType(e) === 'lltp.dossier.request-supplement'],
  [['apologyPrompt'], 'the apology task (form lltp.form.apology)', (e) => formKey(e) === 'lltp.form.apology'],
];

const CHANNELS = PROCESS_CHANNELS.join(', ');

export default executableOnly((node, reporter) => {
  if (!is(node, 'bpmn:Process')) return;
  const reach = variantReach(flowGraphOf(node), PROCESS_CHANNELS);
  const steps = descendants(node).filter(needsSla);
  for (const step of steps) {
    const id = step.id ?? '(step)';
    const properties = new Map(zeebeProperties(step));
    if (properties.has(SLA_PROPERTY.governedBy)) continue; // the province's table: the catalog check
    const reached = reach.get(id);
    for (const variant of CASE_VARIANTS) {
      const value = properties.get(allotmentProperty(variant));
      if (value === undefined || reached?.has(variant)) continue;
      reporter.report(
        id,
        `${allotmentProperty(variant)} = ${value} is unreachable: no path takes ${variant} dossiers to this step (gateway conditions evaluated for caseVariant = "${variant}" and channel ${CHANNELS}); change the conditions before it, or remove the allotment`,
      );
    }
    const shared = properties.get(SLA_PROPERTY.allotment);
    if (shared !== undefined && !reached) {
      reporter.report(id, `${SLA_PROPERTY.allotment} = ${shared} is unreachable: no path reaches this step for any case variant and channel`);
    }
  }
  const processProperties = new Map(zeebeProperties(node));
  for (const [names, what, uses] of DEADLINE_STEPS) {
    const reachable = steps.some((s) => uses(s) && reach.has(s.id ?? ''));
    for (const name of names) {
      const value = processProperties.get(deadlineProperty(name));
      if (value !== undefined && !reachable) reporter.report(node.id ?? '(process)', `${deadlineProperty(name)} = ${value} is unreachable: no path reaches ${what}`);
    }
  }
});
