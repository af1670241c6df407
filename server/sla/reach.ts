/**
 * Which case variants can reach each element of a process: the paths a dossier can take when
 * the gateway conditions are decided on its `caseVariant` and intake `channel` (FEEL, with
 * feelin: server/sla/budget.ts). A condition that reads another variable may hold; a gateway's
 * default flow is taken unless another of its flows certainly holds. Paths begin at the
 * process's start events and those of its event sub-processes; a non-interrupting boundary
 * event starts a path only when its host is reached. The lint (`lltp/sla-reachable`) reports an
 * allotment or a table row for a variant that no path takes to its step.
 */
import { edgesIn, VARIANT_VARIABLE, type ConditionContext } from './budget';
import type { FlowGraph } from './flow';
import { CASE_VARIANTS, type CaseVariant } from './spec';

/** The variable holding the intake channel (processes/contracts.ts `startVariables.channel`). */
export const CHANNEL_VARIABLE = 'channel';

/** The elements a dossier with these variables can reach. */
export function reachedElements(graph: FlowGraph, context: ConditionContext): Set<string> {
  const hosted = new Map<string, string[]>();
  for (const [boundary, host] of Object.entries(graph.hosts ?? {})) hosted.set(host, [...(hosted.get(host) ?? []), boundary]);
  const boundaries = new Set(Object.keys(graph.hosts ?? {}));
  const reached = new Set<string>();
  const queue = graph.roots.filter((root) => !boundaries.has(root));
  while (queue.length > 0) {
    const id = queue.shift() as string;
    if (reached.has(id)) continue;
    reached.add(id);
    queue.push(...(hosted.get(id) ?? []));
    for (const edge of edgesIn(graph.edges[id] ?? [], context)) if (!reached.has(edge.target)) queue.push(edge.target);
  }
  return reached;
}

/** Per element: the case variants that reach it with some channel, and the channels each comes by. */
export type VariantReach = Map<string, Map<CaseVariant, string[]>>;

export function variantReach(graph: FlowGraph, channels: readonly string[]): VariantReach {
  const reach: VariantReach = new Map();
  for (const variant of CASE_VARIANTS) {
    for (const channel of channels) {
      for (const id of reachedElements(graph, { [VARIANT_VARIABLE]: variant, [CHANNEL_VARIABLE]: channel })) {
        const at = reach.get(id) ?? new Map<CaseVariant, string[]>();
        at.set(variant, [...(at.get(variant) ?? []), channel]);
        reach.set(id, at);
      }
    }
  }
  return reach;
}
