/**
 * The path graph of a process, for checks that add up allotments along paths: flow nodes as
 * vertices; sequence flows, entries into expanded sub-processes (to their none start events),
 * exits from their end events (to the sub-process's successors) and interrupting boundary
 * events (from their host) as edges. Roots: the process's start events, the start events of
 * event sub-processes and the non-interrupting boundary events.
 */
import { descendants, is, list, type ModdleElement } from '../../server/sla/moddle';

/** An edge of the path graph: to `target`, along a sequence flow (or, with `flow` null, into or out of a scope or to a boundary event). */
export interface PathEdge {
  target: string;
  flow: ModdleElement | null;
}

export interface PathGraph {
  elements: Map<string, ModdleElement>;
  /** The process's own start events (the dossier's path begins there). */
  starts: string[];
  /** Every place a path begins: the start events, those of event sub-processes, non-interrupting boundary events. */
  roots: string[];
  successors(id: string): string[];
  edges(id: string): PathEdge[];
}

const idOf = (element: ModdleElement): string => element.id ?? '';

function isEventSubProcess(element: ModdleElement | undefined): boolean {
  return is(element, 'bpmn:SubProcess') && element?.get('triggeredByEvent') === true;
}

function isExpandedSubProcess(element: ModdleElement | undefined): boolean {
  return is(element, 'bpmn:SubProcess') && element?.get('triggeredByEvent') !== true;
}

export function pathGraph(process: ModdleElement): PathGraph {
  const nodes = descendants(process).filter((e) => is(e, 'bpmn:FlowNode'));
  const elements = new Map(nodes.map((n) => [idOf(n), n]));
  const boundaries = nodes.filter((n) => is(n, 'bpmn:BoundaryEvent'));
  // Edges from the sequence flows themselves (sourceRef/targetRef are always written;
  // <bpmn:outgoing> references are optional in the XML).
  const flows = descendants(process).filter((e) => is(e, 'bpmn:SequenceFlow'));
  const outgoing = (element: ModdleElement): PathEdge[] =>
    flows.flatMap((flow) => {
      const target = flow.get('targetRef');
      return flow.get('sourceRef') === element && is(target, 'bpmn:FlowNode') ? [{ target: idOf(target), flow }] : [];
    });
  const scopeEdge = (target: string): PathEdge => ({ target, flow: null });
  const startEvents = (scope: ModdleElement): string[] =>
    list(scope, 'flowElements')
      .filter((e) => is(e, 'bpmn:StartEvent'))
      .map(idOf);
  /** Where the path goes when a scope ends: the successors of the sub-process that ends. */
  const afterScope = (scope: ModdleElement | undefined): PathEdge[] => {
    if (!scope || !isExpandedSubProcess(scope)) return [];
    const out = outgoing(scope);
    return out.length > 0 ? out : afterScope(scope.$parent);
  };

  const edges = (id: string): PathEdge[] => {
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
  const successors = (id: string): string[] => edges(id).map((edge) => edge.target);

  const starts = startEvents(process);
  const roots = [
    ...starts,
    ...nodes.filter(isEventSubProcess).flatMap(startEvents),
    ...boundaries.filter((b) => b.get('cancelActivity') === false).map(idOf),
  ];
  return { elements, starts, roots, successors, edges };
}
