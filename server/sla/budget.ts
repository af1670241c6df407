/**
 * The working-time budget of each case variant: the allotments added up along every path the
 * variant can take through a process, checked against the variant's target.
 *
 * A path follows the sequence flows whose conditions can hold for the variant. A condition
 * (a FEEL expression, evaluated with feelin) that reads only `caseVariant` is decided for the
 * variant: `=caseVariant = "ordinary"` is followed by ordinary dossiers only. A condition that
 * reads anything else (`=intakeDecision = "refuse"`) may hold, so it is followed. A gateway's
 * default flow is followed unless another of its flows certainly holds. Paths go into expanded
 * sub-processes and through interrupting boundary events; branches started by non-interrupting
 * boundary events and event sub-processes are paths of their own (they run beside the dossier's
 * path). An allotment is the step's budget for the whole dossier, so a loop counts each element
 * once.
 */
import { evaluate } from 'feelin';
import type { FlowEdge, FlowGraph } from './flow';
import { CASE_VARIANTS, type CaseVariant } from './spec';

/** Above this many visited elements a process is reported as too branched to check. */
export const MAX_STEPS = 200_000;

/** The variable a condition may be decided on. */
export const VARIANT_VARIABLE = 'caseVariant';

export interface PathSum {
  minutes: number;
  /** Element ids from the start of the path to its last element. */
  path: string[];
}

export interface Overrun extends PathSum {
  /** The step whose allotment takes the path over the target. */
  elementId: string;
  variant: CaseVariant;
}

export interface BudgetCheck {
  /** Per variant, the longest path from the process's start events: the variant's real budget. */
  budgets: Record<CaseVariant, PathSum>;
  /** Every step at which some path of a variant goes over the target, once per step and variant. */
  overruns: Overrun[];
  /** Per element on the dossier's paths, per variant: the most working time allotted up to and including it. */
  reach: Map<string, Record<CaseVariant, number>>;
  /** False when the process has more paths than MAX_STEPS allows; budgets and overruns are then partial. */
  complete: boolean;
}

/** Allotted working minutes of a step per variant; undefined (or a missing variant) counts 0. */
export type AllotmentOf = (elementId: string) => Partial<Record<CaseVariant, number>> | undefined;

export type Decision = 'holds' | 'fails' | 'unknown';

/** Values of process variables a condition is decided on (`caseVariant`, `channel`); any other variable is unknown. */
export type ConditionContext = Readonly<Record<string, string>>;

const decisions = new Map<string, Decision>();

/** Whether a flow's condition holds for a variant: decided only when the condition reads nothing but caseVariant. */
export function decideCondition(condition: string, variant: CaseVariant): Decision {
  return decideConditionIn(condition, { [VARIANT_VARIABLE]: variant });
}

/**
 * Whether a flow's condition holds with the given variables: decided only when the condition
 * reads nothing but them (feelin warns of any other variable it reads: then 'unknown').
 */
export function decideConditionIn(condition: string, context: ConditionContext): Decision {
  const key = `${JSON.stringify(Object.entries(context).sort(([a], [b]) => a.localeCompare(b)))}\u0000${condition}`;
  let decision = decisions.get(key);
  if (decision === undefined) {
    decision = evaluateCondition(condition, context);
    decisions.set(key, decision);
  }
  return decision;
}

function evaluateCondition(condition: string, context: ConditionContext): Decision {
  const expression = condition.trim().replace(/^=/, '');
  try {
    const { value, warnings } = evaluate(expression, { ...context });
    if (warnings.length > 0) return 'unknown';
    return value === true ? 'holds' : 'fails';
  } catch {
    return 'unknown';
  }
}

/**
 * The edges a dossier can take out of an element when its conditions are decided in `context`:
 * those whose condition may hold; the gateway's default flow unless another flow certainly holds.
 */
export function edgesIn(edges: readonly FlowEdge[], context: ConditionContext): FlowEdge[] {
  const decided = edges.map((edge) => ({ edge, decision: edge.condition === null ? ('holds' as const) : decideConditionIn(edge.condition, context) }));
  const anotherHolds = decided.some(({ edge, decision }) => !edge.isDefault && edge.condition !== null && decision === 'holds');
  return decided.filter(({ edge, decision }) => (edge.isDefault ? !anotherHolds : decision !== 'fails')).map(({ edge }) => edge);
}

/** The edges a variant can take out of an element. */
function edgesFor(edges: readonly FlowEdge[], variant: CaseVariant): FlowEdge[] {
  return edgesIn(edges, { [VARIANT_VARIABLE]: variant });
}

export function checkBudgets(graph: FlowGraph, allotmentOf: AllotmentOf, targets: Record<CaseVariant, number>): BudgetCheck {
  const budgets = {} as Record<CaseVariant, PathSum>;
  const overruns: Overrun[] = [];
  const reach = new Map<string, Record<CaseVariant, number>>();
  let steps = 0;
  for (const variant of CASE_VARIANTS) {
    const reported = new Set<string>();
    let longest: PathSum = { minutes: 0, path: [] };
    const walk = (id: string, onPath: string[], sum: number, main: boolean): boolean => {
      steps += 1;
      if (steps > MAX_STEPS) return false;
      const path = [...onPath, id];
      const here = allotmentOf(id)?.[variant] ?? 0;
      const total = sum + here;
      if (total > targets[variant] && here > 0 && !reported.has(id)) {
        reported.add(id);
        overruns.push({ elementId: id, variant, minutes: total, path });
      }
      if (main) {
        const at = reach.get(id) ?? { ordinary: 0, verification: 0, statutory: 0 };
        at[variant] = Math.max(at[variant], total);
        reach.set(id, at);
      }
      if (main && (total > longest.minutes || (total === longest.minutes && longest.path.length === 0))) longest = { minutes: total, path };
      for (const edge of edgesFor(graph.edges[id] ?? [], variant)) {
        if (path.includes(edge.target)) continue;
        if (!walk(edge.target, path, total, main)) return false;
      }
      return true;
    };
    for (const root of graph.roots) {
      if (!walk(root, [], 0, graph.starts.includes(root))) return { budgets: fill(budgets, longest, variant), overruns, reach, complete: false };
    }
    budgets[variant] = longest;
  }
  return { budgets, overruns, reach, complete: true };
}

function fill(budgets: Record<CaseVariant, PathSum>, current: PathSum, variant: CaseVariant): Record<CaseVariant, PathSum> {
  const out = { ...budgets, [variant]: current };
  for (const v of CASE_VARIANTS) out[v] ??= { minutes: 0, path: [] };
  return out;
}
