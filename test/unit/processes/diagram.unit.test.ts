/**
 * Diagram interchange of every model in processes/ (generated or drawn in Modeler): every
 * flow node, lane and sequence flow is drawn; shapes do not overlap (except a boundary event
 * on its host and elements inside their sub-process); children sit inside their
 * sub-process and top-level nodes inside their lane; labels cover no shape and no other
 * label; flows are orthogonal, start and end on their elements, and cross no other shape.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { processFiles } from '../../../server/sla/catalog';
import { descendants, executableProcesses, is, isModdleElement, list, readBpmn, type ModdleElement } from '../../../server/sla/moddle';

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

interface Diagram {
  file: string;
  nodes: ModdleElement[];
  flows: ModdleElement[];
  lanes: ModdleElement[];
  shapes: Map<string, { bounds: Box; label?: Box }>;
  edges: Map<string, { points: { x: number; y: number }[]; label?: Box }>;
}

const box = (bounds: unknown): Box => {
  const b = bounds as Box;
  return { x: Number(b.x), y: Number(b.y), width: Number(b.width), height: Number(b.height) };
};

async function readDiagram(file: string): Promise<Diagram> {
  const { definitions } = await readBpmn(await readFile(file, 'utf8'), file);
  const all = executableProcesses(definitions).flatMap((p) => [p, ...descendants(p)]);
  const plane = list(definitions, 'diagrams')[0]?.get('plane') as ModdleElement;
  const shapes = new Map<string, { bounds: Box; label?: Box }>();
  const edges = new Map<string, { points: { x: number; y: number }[]; label?: Box }>();
  for (const di of list(plane, 'planeElement')) {
    const element = di.get('bpmnElement');
    if (!isModdleElement(element) || !element.id) continue;
    const labelElement = di.get('label');
    const label = isModdleElement(labelElement) && labelElement.get('bounds') ? box(labelElement.get('bounds')) : undefined;
    if (is(di, 'bpmndi:BPMNShape')) shapes.set(element.id, { bounds: box(di.get('bounds')), label });
    if (is(di, 'bpmndi:BPMNEdge')) {
      edges.set(element.id, { points: list(di, 'waypoint').map((p) => ({ x: Number(p.get('x')), y: Number(p.get('y')) })), label });
    }
  }
  return {
    file,
    nodes: all.filter((e) => is(e, 'bpmn:FlowNode')),
    flows: all.filter((e) => is(e, 'bpmn:SequenceFlow')),
    lanes: executableProcesses(definitions).flatMap((p) => list(p, 'laneSets').flatMap((s) => list(s, 'lanes'))),
    shapes,
    edges,
  };
}

const overlaps = (a: Box, b: Box, margin = 0): boolean =>
  a.x < b.x + b.width - margin && b.x < a.x + a.width - margin && a.y < b.y + b.height - margin && b.y < a.y + a.height - margin;

const inside = (inner: Box, outer: Box): boolean =>
  inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;

const onBorder = (p: { x: number; y: number }, b: Box): boolean => {
  const withinX = p.x >= b.x - 1 && p.x <= b.x + b.width + 1;
  const withinY = p.y >= b.y - 1 && p.y <= b.y + b.height + 1;
  const onVertical = Math.abs(p.x - b.x) <= 1 || Math.abs(p.x - (b.x + b.width)) <= 1;
  const onHorizontal = Math.abs(p.y - b.y) <= 1 || Math.abs(p.y - (b.y + b.height)) <= 1;
  return withinX && withinY && (onVertical || onHorizontal);
};

/** True when the segment passes through the inside of the box (shrunk by 2 px). */
function segmentCrosses(a: { x: number; y: number }, b: { x: number; y: number }, r: Box): boolean {
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
const attachedTo = (element: ModdleElement): ModdleElement | undefined => (is(element, 'bpmn:BoundaryEvent') ? (element.get('attachedToRef') as ModdleElement) : undefined);

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

/** Every problem of one diagram, as readable strings; empty when the diagram is clean. */
function diagramProblems(d: Diagram): string[] {
  const problems: string[] = [];
  for (const e of [...d.nodes, ...d.lanes]) if (!d.shapes.has(e.id ?? '')) problems.push(`${e.id} is not drawn`);
  for (const f of d.flows) if ((d.edges.get(f.id ?? '')?.points.length ?? 0) < 2) problems.push(`${f.id} is not drawn`);

  for (const [i, a] of d.nodes.entries()) {
    for (const b of d.nodes.slice(i + 1)) {
      if (mayOverlap(a, b)) continue;
      const ba = d.shapes.get(a.id ?? '')?.bounds;
      const bb = d.shapes.get(b.id ?? '')?.bounds;
      if (ba && bb && overlaps(ba, bb)) problems.push(`${a.id} overlaps ${b.id}`);
    }
  }

  for (const node of d.nodes) {
    const bounds = d.shapes.get(node.id ?? '')?.bounds;
    const parent = node.$parent;
    if (!bounds || is(node, 'bpmn:BoundaryEvent') || !parent || !isSubProcess(parent)) continue;
    const parentBounds = d.shapes.get(parent.id ?? '')?.bounds;
    if (parentBounds && !inside(bounds, parentBounds)) problems.push(`${node.id} is outside ${parent.id}`);
  }
  for (const lane of d.lanes) {
    const laneBounds = d.shapes.get(lane.id ?? '')?.bounds;
    for (const node of list(lane, 'flowNodeRef')) {
      const bounds = d.shapes.get(node.id ?? '')?.bounds;
      // Expanded sub-processes may span lanes; boundary events sit on their host's edge.
      if (!bounds || !laneBounds || isSubProcess(node) || is(node, 'bpmn:BoundaryEvent')) continue;
      if (!inside(bounds, laneBounds)) problems.push(`${node.id} is outside lane ${lane.id}`);
    }
  }

  const labels = [...d.shapes.entries(), ...d.edges.entries()].flatMap(([id, s]) => (s.label ? [{ id, label: s.label }] : []));
  const solid = d.nodes.filter((n) => !isSubProcess(n));
  for (const { id, label } of labels) {
    for (const node of solid) {
      const bounds = d.shapes.get(node.id ?? '')?.bounds;
      if (node.id !== id && bounds && overlaps(label, bounds)) problems.push(`label of ${id} covers ${node.id}`);
    }
  }
  for (const [i, a] of labels.entries()) {
    for (const b of labels.slice(i + 1)) if (overlaps(a.label, b.label)) problems.push(`label of ${a.id} covers label of ${b.id}`);
  }

  for (const flow of d.flows) {
    const points = d.edges.get(flow.id ?? '')?.points ?? [];
    const source = flow.get('sourceRef') as ModdleElement;
    const target = flow.get('targetRef') as ModdleElement;
    const sb = d.shapes.get(source.id ?? '')?.bounds;
    const tb = d.shapes.get(target.id ?? '')?.bounds;
    const first = points[0];
    const last = points[points.length - 1];
    if (!sb || !tb || !first || !last) continue;
    if (!onBorder(first, sb)) problems.push(`${flow.id} does not start on ${source.id}`);
    if (!onBorder(last, tb)) problems.push(`${flow.id} does not end on ${target.id}`);
    for (let i = 1; i < points.length; i += 1) {
      const a = points[i - 1];
      const b = points[i];
      if (!a || !b) continue;
      if (a.x !== b.x && a.y !== b.y) problems.push(`${flow.id} segment ${i} is diagonal`);
      for (const node of solid) {
        if (node === source || node === target) continue;
        const bounds = d.shapes.get(node.id ?? '')?.bounds;
        if (bounds && segmentCrosses(a, b, bounds)) problems.push(`${flow.id} crosses ${node.id}`);
      }
    }
  }
  return problems;
}

describe('diagram interchange', () => {
  test('the models in processes/ are completely drawn, without overlaps or crossings', async () => {
    const files = await processFiles();
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const file of files) {
      const d = await readDiagram(file);
      expect(d.nodes.length).toBeGreaterThan(5);
      expect({ file: path.basename(file), problems: diagramProblems(d) }).toEqual({ file: path.basename(file), problems: [] });
    }
  });

  test('a badly drawn diagram shows every kind of problem', async () => {
    const d = await readDiagram(path.join(__dirname, 'diagram-fixtures', 'badly-drawn.bpmn'));
    expect(diagramProblems(d).sort()).toEqual(
      [
        'Task_undrawn is not drawn',
        'Flow_undrawn is not drawn',
        'Task_a overlaps Task_b',
        'Task_inner is outside Sub_1',
        'Task_far is outside lane Lane_1',
        'label of End_1 covers Task_far',
        'label of Start_1 covers label of Flow_ab',
        'Flow_ab segment 1 is diagonal',
        'Flow_cross crosses Task_b',
        'Flow_cross does not end on Task_c',
      ].sort(),
    );
  });
});
