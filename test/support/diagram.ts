/**
 * Is a model completely and cleanly drawn? Reads the diagram interchange (BPMN DI) of a file
 * and lists, as readable strings, everything a reader of the diagram would trip over: a flow
 * node, lane or sequence flow not drawn; shapes overlapping (except a boundary event on its
 * host and elements inside their sub-process); a child outside its sub-process or a top-level
 * node outside its lane; a label covering a shape or another label; a flow that is not
 * orthogonal, does not start and end on its elements, or crosses another shape.
 */
import { readFile } from 'node:fs/promises';
import { descendants, executableProcesses, is, isModdleElement, list, readBpmn } from '../../server/sla/moddle';
import type { ModdleElement } from '../../server/sla/moddle';

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

interface Point {
  x: number;
  y: number;
}

export interface Diagram {
  file: string;
  nodes: ModdleElement[];
  flows: ModdleElement[];
  lanes: ModdleElement[];
  shapes: Map<string, { bounds: Box; label?: Box }>;
  edges: Map<string, { points: Point[]; label?: Box }>;
}

const box = (bounds: unknown): Box => {
  const b = bounds as Box;
  return { x: Number(b.x), y: Number(b.y), width: Number(b.width), height: Number(b.height) };
};

function labelOf(di: ModdleElement): Box | undefined {
  const label = di.get('label');
  return isModdleElement(label) && label.get('bounds') ? box(label.get('bounds')) : undefined;
}

export async function readDiagram(file: string): Promise<Diagram> {
  const { definitions } = await readBpmn(await readFile(file, 'utf8'), file);
  const processes = executableProcesses(definitions);
  const all = processes.flatMap((p) => [p, ...descendants(p)]);
  const plane = list(definitions, 'diagrams')[0]?.get('plane') as ModdleElement | undefined;
  const shapes: Diagram['shapes'] = new Map();
  const edges: Diagram['edges'] = new Map();
  for (const di of list(plane, 'planeElement')) {
    const element = di.get('bpmnElement');
    if (!isModdleElement(element) || !element.id) continue;
    if (is(di, 'bpmndi:BPMNShape')) shapes.set(element.id, { bounds: box(di.get('bounds')), label: labelOf(di) });
    if (is(di, 'bpmndi:BPMNEdge')) {
      const points = list(di, 'waypoint').map((p) => ({ x: Number(p.get('x')), y: Number(p.get('y')) }));
      edges.set(element.id, { points, label: labelOf(di) });
    }
  }
  return {
    file,
    nodes: all.filter((e) => is(e, 'bpmn:FlowNode')),
    flows: all.filter((e) => is(e, 'bpmn:SequenceFlow')),
    lanes: processes.flatMap((p) => list(p, 'laneSets').flatMap((s) => list(s, 'lanes'))),
    shapes,
    edges,
  };
}

const overlaps = (a: Box, b: Box): boolean =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

const inside = (inner: Box, outer: Box): boolean =>
  inner.x >= outer.x &&
  inner.y >= outer.y &&
  inner.x + inner.width <= outer.x + outer.width &&
  inner.y + inner.height <= outer.y + outer.height;

const onBorder = (p: Point, b: Box): boolean => {
  const withinX = p.x >= b.x - 1 && p.x <= b.x + b.width + 1;
  const withinY = p.y >= b.y - 1 && p.y <= b.y + b.height + 1;
  const onVertical = Math.abs(p.x - b.x) <= 1 || Math.abs(p.x - (b.x + b.width)) <= 1;
  const onHorizontal = Math.abs(p.y - b.y) <= 1 || Math.abs(p.y - (b.y + b.height)) <= 1;
  return withinX && withinY && (onVertical || onHorizontal);
};

/** True when the segment passes through the inside of the box (shrunk by 2 px). */
function segmentCrosses(a: Point, b: Point, r: Box): boolean {
  const inner = { x: r.x + 2, y: r.y + 2, width: r.width - 4, height: r.height - 4 };
  if (a.x === b.x) {
    const [y1, y2] = [Math.min(a.y, b.y), Math.max(a.y, b.y)];
    return a.x > inner.x && a.x < inner.x + inner.width && y1 < inner.y + inner.height && y2 > inner.y;
  }
  const [x1, x2] = [Math.min(a.x, b.x), Math.max(a.x, b.x)];
  return a.y > inner.y && a.y < inner.y + inner.height && x1 < inner.x + inner.width && x2 > inner.x;
}

const ancestors = (element: ModdleElement): ModdleElement[] => {
  const out: ModdleElement[] = [];
  for (let p = element.$parent; p && !is(p, 'bpmn:Process'); p = p.$parent) out.push(p);
  return out;
};

const isSubProcess = (element: ModdleElement): boolean => is(element, 'bpmn:SubProcess');
const attachedTo = (element: ModdleElement): ModdleElement | undefined =>
  is(element, 'bpmn:BoundaryEvent') ? (element.get('attachedToRef') as ModdleElement) : undefined;
const boundsOf = (d: Diagram, element: ModdleElement): Box | undefined => d.shapes.get(element.id ?? '')?.bounds;

/** Pairs of flow nodes that may overlap: a boundary event and its host; a node and a sub-process around it. */
function mayOverlap(a: ModdleElement, b: ModdleElement): boolean {
  if (attachedTo(a) === b || attachedTo(b) === a) return true;
  if (ancestors(a).includes(b) || ancestors(b).includes(a)) return true;
  const hostA = attachedTo(a);
  const hostB = attachedTo(b);
  if (hostA && (ancestors(b).includes(hostA) || hostA === b)) return true;
  if (hostB && (ancestors(a).includes(hostB) || hostB === a)) return true;
  return false;
}

function undrawn(d: Diagram): string[] {
  const problems: string[] = [];
  for (const e of [...d.nodes, ...d.lanes]) if (!d.shapes.has(e.id ?? '')) problems.push(`${e.id} is not drawn`);
  for (const f of d.flows) if ((d.edges.get(f.id ?? '')?.points.length ?? 0) < 2) problems.push(`${f.id} is not drawn`);
  return problems;
}

function overlappingShapes(d: Diagram): string[] {
  const problems: string[] = [];
  for (const [i, a] of d.nodes.entries()) {
    for (const b of d.nodes.slice(i + 1)) {
      const [ba, bb] = [boundsOf(d, a), boundsOf(d, b)];
      if (!mayOverlap(a, b) && ba && bb && overlaps(ba, bb)) problems.push(`${a.id} overlaps ${b.id}`);
    }
  }
  return problems;
}

function misplacedShapes(d: Diagram): string[] {
  const problems: string[] = [];
  for (const node of d.nodes) {
    const parent = node.$parent;
    if (is(node, 'bpmn:BoundaryEvent') || !parent || !isSubProcess(parent)) continue;
    const [bounds, parentBounds] = [boundsOf(d, node), boundsOf(d, parent)];
    if (bounds && parentBounds && !inside(bounds, parentBounds)) problems.push(`${node.id} is outside ${parent.id}`);
  }
  for (const lane of d.lanes) {
    const laneBounds = boundsOf(d, lane);
    for (const node of list(lane, 'flowNodeRef')) {
      const bounds = boundsOf(d, node);
      // Expanded sub-processes may span lanes; boundary events sit on their host's edge.
      if (!bounds || !laneBounds || isSubProcess(node) || is(node, 'bpmn:BoundaryEvent')) continue;
      if (!inside(bounds, laneBounds)) problems.push(`${node.id} is outside lane ${lane.id}`);
    }
  }
  return problems;
}

function coveringLabels(d: Diagram): string[] {
  const problems: string[] = [];
  const drawn = [...d.shapes.entries(), ...d.edges.entries()];
  const labels = drawn.flatMap(([id, s]) => (s.label ? [{ id, label: s.label }] : []));
  for (const { id, label } of labels) {
    for (const node of d.nodes.filter((n) => !isSubProcess(n))) {
      const bounds = boundsOf(d, node);
      if (node.id !== id && bounds && overlaps(label, bounds)) problems.push(`label of ${id} covers ${node.id}`);
    }
  }
  for (const [i, a] of labels.entries()) {
    for (const b of labels.slice(i + 1)) {
      if (overlaps(a.label, b.label)) problems.push(`label of ${a.id} covers label of ${b.id}`);
    }
  }
  return problems;
}

function badlyRoutedFlow(d: Diagram, flow: ModdleElement): string[] {
  const problems: string[] = [];
  const points = d.edges.get(flow.id ?? '')?.points ?? [];
  const source = flow.get('sourceRef') as ModdleElement;
  const target = flow.get('targetRef') as ModdleElement;
  const [sb, tb] = [boundsOf(d, source), boundsOf(d, target)];
  const [first, last] = [points[0], points[points.length - 1]];
  if (!sb || !tb || !first || !last) return problems;
  if (!onBorder(first, sb)) problems.push(`${flow.id} does not start on ${source.id}`);
  if (!onBorder(last, tb)) problems.push(`${flow.id} does not end on ${target.id}`);
  const obstacles = d.nodes.filter((n) => !isSubProcess(n) && n !== source && n !== target);
  for (const [i, b] of points.entries()) {
    const a = points[i - 1];
    if (!a) continue;
    if (a.x !== b.x && a.y !== b.y) problems.push(`${flow.id} segment ${i} is diagonal`);
    for (const node of obstacles) {
      const bounds = boundsOf(d, node);
      if (bounds && segmentCrosses(a, b, bounds)) problems.push(`${flow.id} crosses ${node.id}`);
    }
  }
  return problems;
}

/** Every problem of one diagram, as readable strings; empty when the diagram is clean. */
export function diagramProblems(d: Diagram): string[] {
  return [
    ...undrawn(d),
    ...overlappingShapes(d),
    ...misplacedShapes(d),
    ...coveringLabels(d),
    ...d.flows.flatMap((flow) => badlyRoutedFlow(d, flow)),
  ];
}
