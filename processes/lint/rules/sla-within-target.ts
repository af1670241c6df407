/**
 * Along every path through the process, the allotments of each case variant add up to no
 * more than the process's target for that variant. Paths follow sequence flows into expanded
 * sub-processes and through interrupting boundary events; branches started by non-interrupting
 * boundary events and event sub-processes are paths of their own (they run beside the dossier's
 * path). An allotment is the step's budget for the whole dossier, so a loop counts each
 * element once. Call activities count with their own allotment.
 */
import { is } from '../../../server/sla/moddle';
import { CASE_VARIANTS, readProcessTargets, readStepSla, needsSla, targetProperty } from '../../../server/sla/spec';
import { formatWorkingTime } from '../../../server/sla/working-time';
import { pathGraph } from '../paths';
import { executableOnly } from '../rule';

const MAX_STEPS = 200_000;

export default executableOnly((node, reporter) => {
  if (!is(node, 'bpmn:Process')) return;
  const targets = readProcessTargets(node);
  if (!targets.ok) return; // reported by lltp/sla-complete
  const graph = pathGraph(node);
  const allotment = (id: string): Record<string, number> => {
    const element = graph.elements.get(id);
    if (!element || !needsSla(element)) return {};
    const sla = readStepSla(element);
    return sla.ok ? sla.value.allotments : {};
  };
  const reported = new Set<string>();
  let steps = 0;
  const walk = (id: string, onPath: string[], sums: Record<string, number>): boolean => {
    steps += 1;
    if (steps > MAX_STEPS) return false;
    const path = [...onPath, id];
    const here = allotment(id);
    const next: Record<string, number> = {};
    for (const variant of CASE_VARIANTS) {
      next[variant] = (sums[variant] ?? 0) + (here[variant] ?? 0);
      const target = targets.value.targets[variant];
      const key = `${id}:${variant}`;
      if ((next[variant] ?? 0) > target && (here[variant] ?? 0) > 0 && !reported.has(key)) {
        reported.add(key);
        reporter.report(
          id,
          `${variant} allotments add up to ${formatWorkingTime(next[variant] ?? 0)} along ${path.join(' → ')}, over the target ${formatWorkingTime(target)} (${targetProperty(variant)})`,
        );
      }
    }
    for (const successor of graph.successors(id)) {
      if (path.includes(successor)) continue;
      if (!walk(successor, path, next)) return false;
    }
    return true;
  };
  for (const root of graph.roots) {
    if (!walk(root, [], {})) {
      reporter.report(node.id ?? '(process)', `too many paths to check (more than ${MAX_STEPS} steps)`);
      return;
    }
  }
});
