/**
 * The path graph of a process, for checks that add up allotments along paths: flow nodes as
 * vertices; sequence flows, entries into expanded sub-processes (to their none start events),
 * exits from their end events (to the sub-process's successors) and interrupting boundary
 * events (from their host) as edges. Roots: the process's start events, the start events of
 * event sub-processes and the non-interrupting boundary events.
 */
import { descendants, is, list, type ModdleElement } from '../../server/sla/moddle';

export interface PathGraph {
  elements: Map<string, ModdleElement>;
  roots: string[];
  successors(id: string): string[];
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
  const outgoingTargets = (element: ModdleElement): string[] =>
    flows.flatMap((flow) => {
      const target = flow.get('targetRef');
      return flow.get('sourceRef') === element && is(target, 'bpmn:FlowNode') ? [idOf(target)] : [];
    });
  const startEvents = (scope: ModdleElement): string[] =>
    list(scope, 'flowElements')
      .filter((e) => is(e, 'bpmn:StartEvent'))
      .map(idOf);
  /** Where the path goes when a scope ends: the successors of the sub-process that ends. */
  const afterScope = (scope: ModdleElement | undefined): string[] => {
    if (!scope || !isExpandedSubProcess(scope)) return [];
    const targets = outgoingTargets(scope);
    return targets.length > 0 ? targets : afterScope(scope.$parent);
  };

  const successors = (id: string): string[] => {
    const element = elements.get(id);
    if (!element) return [];
    if (isExpandedSubProcess(element)) return startEvents(element);
    const out = [...outgoingTargets(element)];
    for (const boundary of boundaries) {
      if (boundary.get('attachedToRef') === element && boundary.get('cancelActivity') !== false) out.push(idOf(boundary));
    }
    if (out.length === 0 && !is(element, 'bpmn:BoundaryEvent')) out.push(...afterScope(element.$parent));
    return out;
  };

  const roots = [
    ...startEvents(process),
    ...nodes.filter(isEventSubProcess).flatMap(startEvents),
    ...boundaries.filter((b) => b.get('cancelActivity') === false).map(idOf),
  ];
  return { elements, roots, successors };
}
