/**
 * Four eyes (separation of duties): a user task with `lltp:fourEyes.after` may not be claimed
 * or completed by whoever did the earlier step it names (the head of division's review, then the
 * leader's approval). The property must name another user task of the same process that comes
 * before this one on some path (the inbox looks for that task's actor on the same dossier); set
 * only once, on a user task.
 */
import { flowGraphOf } from '../../../server/sla/flow';
import { descendants, is, zeebeProperties } from '../../../server/sla/moddle';
import { FOUR_EYES_PROPERTY } from '../../../server/sla/spec';
import { executableOnly } from '../rule';

/** True when `to` can be reached from `from` along the process's paths. */
function reaches(edges: Record<string, { target: string }[]>, from: string, to: string): boolean {
  const seen = new Set<string>();
  const queue = (edges[from] ?? []).map((e) => e.target);
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    queue.push(...(edges[id] ?? []).map((e) => e.target));
  }
  return false;
}

export default executableOnly((node, reporter) => {
  if (!is(node, 'bpmn:Process')) return;
  const elements = [node, ...descendants(node)];
  const byId = new Map(elements.map((e) => [e.id ?? '', e]));
  let flow: ReturnType<typeof flowGraphOf> | undefined;
  for (const element of elements) {
    const values = zeebeProperties(element).filter(([name]) => name === FOUR_EYES_PROPERTY).map(([, value]) => value.trim());
    if (values.length === 0) continue;
    const id = element.id ?? '(no id)';
    if (!is(element, 'bpmn:UserTask')) {
      reporter.report(id, `${FOUR_EYES_PROPERTY} is only read on a user task (the inbox enforces it when the task is claimed and completed)`);
      continue;
    }
    if (values.length > 1) reporter.report(id, `${FOUR_EYES_PROPERTY} is set twice`);
    const after = values[0];
    const earlier = after ? byId.get(after) : undefined;
    if (!after) reporter.report(id, `${FOUR_EYES_PROPERTY} is empty: name the element id of the earlier user task whose actor may not do this one`);
    else if (after === id) reporter.report(id, `${FOUR_EYES_PROPERTY} = ${after} names this task itself; name the earlier user task (e.g. the review before the approval)`);
    else if (!earlier || !is(earlier, 'bpmn:UserTask')) reporter.report(id, `${FOUR_EYES_PROPERTY} = ${after} is not a user task of this process`);
    else {
      flow ??= flowGraphOf(node);
      if (!reaches(flow.edges, after, id)) reporter.report(id, `${FOUR_EYES_PROPERTY} = ${after} does not come before this task on any path of the process`);
    }
  }
});
