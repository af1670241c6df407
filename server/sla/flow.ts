/**
 * The flow graph of a process, for adding up allotments along paths (the lint's checks and the
 * dossier's provincial due date): flow nodes as vertices; sequence flows (with their condition
 * and whether they are their gateway's default), entries into expanded sub-processes (to their
 * none start events), exits from their end events (to the sub-process's successors) and
 * interrupting boundary events (from their host) as edges. Roots: the process's start events,
 * the start events of event sub-processes and the non-interrupting boundary events. Plain data,
 * read once with the SLA plan.
 */
import { descendants, is, list, type ModdleElement } from './moddle';

/** An edge: to `target`, along a sequence flow (its FEEL condition, if any) or into or out of a scope or to a boundary event. */
export interface FlowEdge {
  target: string;
  /** The sequence flow's condition expression (`=caseVariant = "ordinary"`), or null. */
  condition: string | null;
  /** The sequence flow is its source gateway's default flow. */
  isDefault: boolean;
}

export interface FlowGraph {
  /** The process's own start events (the dossier's path begins there). */
  starts: string[];
  /** Every place a path begins: the start events, those of event sub-processes, non-interrupting boundary events. */
  roots: string[];
  /** The edges out of every flow node, by element id. */
  edges: Record<string, FlowEdge[]>;
  /** The host activity of each non-interrupting boundary event (a root that only starts while its host runs). */
  hosts?: Record<string, string>;
}

const idOf = (element: ModdleElement): string => element.id ?? '';

function isEventSubProcess(element: ModdleElement | undefined): boolean {
  return is(element, 'bpmn:SubProcess') && element?.get('triggeredByEvent') === true;
}

function isExpandedSubProcess(element: ModdleElement | undefined): boolean {
  return is(element, 'bpmn:SubProcess') && element?.get('triggeredByEvent') !== true;
}

function conditionOf(flow: ModdleElement): string | null {
  const expression = flow.get('conditionExpression') as ModdleElement | undefined;
  const body = expression?.get('body');
  return typeof body === 'string' && body.trim() !== '' ? body : null;
}

export function flowGraphOf(process: ModdleElement): FlowGraph {
  const nodes = descendants(process).filter((e) => is(e, 'bpmn:FlowNode'));
  const elements = new Map(nodes.map((n) => [idOf(n), n]));
  const boundaries = nodes.filter((n) => is(n, 'bpmn:BoundaryEvent'));
  // Edges from the sequence flows themselves (sourceRef/targetRef are always written;
  // <bpmn:outgoing> references are optional in the XML).
  const flows = descendants(process).filter((e) => is(e, 'bpmn:SequenceFlow'));
  const outgoing = (element: ModdleElement): FlowEdge[] =>
    flows.flatMap((flow) => {
      const target = flow.get('targetRef');
      const isDefault = element.get('default') === flow;
      return flow.get('sourceRef') === element && is(target, 'bpmn:FlowNode') ? [{ target: idOf(target), condition: conditionOf(flow), isDefault }] : [];
    });
  const scopeEdge = (target: string): FlowEdge => ({ target, condition: null, isDefault: false });
  const startEvents = (scope: ModdleElement): string[] =>
    list(scope, 'flowElements')
      .filter((e) => is(e, 'bpmn:StartEvent'))
      .map(idOf);
  /** Where the path goes when a scope ends: the successors of the sub-process that ends. */
  const afterScope = (scope: ModdleElement | undefined): FlowEdge[] => {
    if (!scope || !isExpandedSubProcess(scope)) return [];
    const out = outgoing(scope);
    return out.length > 0 ? out : afterScope(scope.$parent);
  };

  const edgesOf = (id: string): FlowEdge[] => {
    const element = elements.get(id);
    if (!element) return [];
    if (isExpandedSubProcess(element)) return startEvents(element).map(scopeEdge);
    const out = outgoing(element);
    for (const boundary of boundaries) {
      if (boundary.get('attachedToRef') === element && boundary.get('cancelActivity') !== false) out.push(scopeEdge(idOf(boundary)));
    }
    if (out.length === 0 && !is(element, 'bpmn:BoundaryEvent')) out.push(...afterScope(element.$parent));
    return out;
  };
  const starts = startEvents(process);
  const roots = [
    ...starts,
    ...nodes.filter(isEventSubProcess).flatMap(startEvents),
    ...boundaries.filter((b) => b.get('cancelActivity') === false).map(idOf),
  ];
  const hosts = Object.fromEntries(
    boundaries.filter((b) => b.get('cancelActivity') === false).flatMap((b) => {
      const host = b.get('attachedToRef') as ModdleElement | undefined;
      return host ? [[idOf(b), idOf(host)]] : [];
    }),
  );
  return { starts, roots, edges: Object.fromEntries([...elements.keys()].map((id) => [id, edgesOf(id)])), hosts };
}
