/**
 * Grid layout: columns (widths from their widest element), lanes of fixed-height rows, and
 * orthogonal sequence flows. Deterministic: the same model always gives the same diagram.
 *
 * Flow routing (source → target):
 * - same row, target to the right: a straight line;
 * - out of a gateway or a boundary event: vertical first, then horizontal into the target;
 * - into a gateway (a join): horizontal first, then vertical into its top or bottom;
 * - otherwise: right, then vertical in the gap before the target's column, then right;
 * - backward (loops): up or down into a channel along the lane's edge, left, into the target.
 */
import type { BoundaryTimerSpec, FlowNodeSpec, FlowSpec, LabelSide, ModelSpec, NodeSpec, SubProcessSpec } from './dsl';

export interface Point {
  x: number;
  y: number;
}

export interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ShapeLayout {
  bounds: Bounds;
  label?: Bounds;
}

export interface EdgeLayout {
  waypoints: Point[];
  label?: Bounds;
}

export interface Layout {
  participant: Bounds;
  lanes: Map<string, Bounds>;
  shapes: Map<string, ShapeLayout>;
  edges: Map<string, EdgeLayout>;
}

export const SIZE = {
  task: { width: 120, height: 80 },
  event: { width: 36, height: 36 },
  gateway: { width: 50, height: 50 },
} as const;

const ROW_HEIGHT = 150;
const DEFAULT_GAP = 60;
const EMPTY_COLUMN = 36;
const PARTICIPANT = { x: 120, y: 60, header: 30 };
const LANE_HEADER = 30;
const CONTENT_MARGIN = 50;
const SUB_PADDING = { left: 25, right: 25, top: 28, bottom: 20 };
const LABEL_WIDTH = 90;
const BOUNDARY_LABEL_WIDTH = 130;
const FLOW_LABEL_WIDTH = 110;
const LINE_HEIGHT = 14;
const CHAR_WIDTH = 6.3;
const CHANNEL_OFFSET = 12;

/** Estimated height of an external label of the given width (11 px font, word wrap). */
export function labelHeight(text: string, width = LABEL_WIDTH): number {
  const perLine = Math.max(1, Math.floor(width / CHAR_WIDTH));
  let lines = 1;
  let used = 0;
  for (const word of text.split(/\s+/)) {
    const length = word.length;
    if (used === 0) used = length;
    else if (used + 1 + length <= perLine) used += 1 + length;
    else {
      lines += 1;
      used = length;
    }
    while (used > perLine) {
      lines += 1;
      used -= perLine;
    }
  }
  return lines * LINE_HEIGHT;
}

function labelWidth(text: string, max = LABEL_WIDTH): number {
  return Math.min(max, Math.ceil(text.length * CHAR_WIDTH) + 6);
}

function sizeOf(node: FlowNodeSpec): { width: number; height: number } {
  switch (node.kind) {
    case 'startEvent':
    case 'endEvent':
      return SIZE.event;
    case 'exclusiveGateway':
      return SIZE.gateway;
    default:
      return SIZE.task;
  }
}

const isFlowNode = (node: NodeSpec): node is FlowNodeSpec => node.kind !== 'subProcess';
const center = (b: Bounds): Point => ({ x: b.x + b.width / 2, y: b.y + b.height / 2 });
const round = (b: Bounds): Bounds => ({ x: Math.round(b.x), y: Math.round(b.y), width: Math.round(b.width), height: Math.round(b.height) });

function union(boxes: Bounds[]): Bounds {
  const x1 = Math.min(...boxes.map((b) => b.x));
  const y1 = Math.min(...boxes.map((b) => b.y));
  const x2 = Math.max(...boxes.map((b) => b.x + b.width));
  const y2 = Math.max(...boxes.map((b) => b.y + b.height));
  return { x: x1, y: y1, width: x2 - x1, height: y2 - y1 };
}

function externalLabel(shape: Bounds, text: string, side: LabelSide, maxWidth = LABEL_WIDTH): Bounds {
  const width = labelWidth(text, maxWidth);
  const height = labelHeight(text, width);
  const c = center(shape);
  switch (side) {
    case 'above':
      return { x: c.x - width / 2, y: shape.y - 4 - height, width, height };
    case 'above-left':
      return { x: c.x - 12 - width, y: shape.y - 2 - height, width, height };
    case 'left':
      return { x: shape.x - 6 - width, y: c.y - height / 2, width, height };
    case 'right':
      return { x: shape.x + shape.width + 6, y: c.y - height / 2, width, height };
    case 'below-right':
      return { x: c.x + 14, y: shape.y + shape.height + 2, width, height };
    case 'below-left':
      return { x: c.x - 14 - width, y: shape.y + shape.height + 2, width, height };
    case 'below':
      return { x: c.x - width / 2, y: shape.y + shape.height + 4, width, height };
  }
}

export function layoutModel(model: ModelSpec): Layout {
  const flowNodes = model.nodes.filter(isFlowNode);
  const subProcesses = model.nodes.filter((n): n is SubProcessSpec => n.kind === 'subProcess');
  const byId = new Map(model.nodes.map((n) => [n.id, n]));

  // Columns.
  const columnCount = Math.max(...flowNodes.map((n) => n.col)) + 1;
  const widths = Array.from({ length: columnCount }, (_, col) => {
    const inColumn = flowNodes.filter((n) => n.col === col).map((n) => sizeOf(n).width);
    return inColumn.length ? Math.max(...inColumn) : EMPTY_COLUMN;
  });
  const contentLeft = PARTICIPANT.x + PARTICIPANT.header + LANE_HEADER + CONTENT_MARGIN;
  const lefts: number[] = [];
  let x = contentLeft;
  for (let col = 0; col < columnCount; col += 1) {
    if (col > 0) x += model.gapBefore?.[col] ?? DEFAULT_GAP;
    lefts.push(x);
    x += widths[col] ?? EMPTY_COLUMN;
  }
  const columnLeft = (col: number): number => lefts[col] ?? contentLeft;
  const columnCenter = (col: number): number => columnLeft(col) + (widths[col] ?? EMPTY_COLUMN) / 2;
  const gapCenter = (col: number): number => columnLeft(col) - (model.gapBefore?.[col] ?? DEFAULT_GAP) / 2;

  // Lanes.
  const laneTop = new Map<string, number>();
  let y = PARTICIPANT.y;
  for (const lane of model.lanes) {
    laneTop.set(lane.id, y);
    y += lane.rows * ROW_HEIGHT;
  }
  const rowCenter = (lane: string, row: number): number => {
    const top = laneTop.get(lane);
    if (top === undefined) throw new Error(`unknown lane ${lane}`);
    return top + ROW_HEIGHT * (row + 0.5);
  };

  const shapes = new Map<string, ShapeLayout>();
  for (const node of flowNodes) {
    const size = sizeOf(node);
    const c = { x: columnCenter(node.col), y: rowCenter(node.lane, node.row) };
    const bounds = round({ x: c.x - size.width / 2, y: c.y - size.height / 2, ...size });
    const hasExternalLabel = node.kind === 'startEvent' || node.kind === 'endEvent' || node.kind === 'exclusiveGateway';
    const label =
      hasExternalLabel && node.name
        ? round(externalLabel(bounds, node.name, node.labelSide ?? (node.kind === 'exclusiveGateway' ? 'above-left' : 'below')))
        : undefined;
    shapes.set(node.id, { bounds, label });
  }

  const placeBoundary = (boundary: BoundaryTimerSpec): void => {
    const host = shapes.get(boundary.attachedTo);
    if (!host) throw new Error(`boundary ${boundary.id}: host ${boundary.attachedTo} not laid out`);
    const cx = 'col' in boundary.at ? columnCenter(boundary.at.col) : host.bounds.x + host.bounds.width * boundary.at.fraction;
    const bounds = round({ x: cx - 18, y: host.bounds.y + host.bounds.height - 18, ...SIZE.event });
    shapes.set(boundary.id, { bounds, label: round(externalLabel(bounds, boundary.name, boundary.labelSide ?? 'below-right', BOUNDARY_LABEL_WIDTH)) });
  };

  // Boundaries on tasks, then sub-processes (innermost first), then boundaries on sub-processes.
  for (const boundary of model.boundaries.filter((b) => byId.get(b.attachedTo)?.kind !== 'subProcess')) placeBoundary(boundary);
  const depth = (node: NodeSpec): number => (node.parent ? 1 + depth(byId.get(node.parent) as NodeSpec) : 0);
  for (const sub of [...subProcesses].sort((a, b) => depth(b) - depth(a))) {
    const children = model.nodes.filter((n) => n.parent === sub.id).map((n) => n.id);
    const boundaryIds = model.boundaries.filter((b) => children.includes(b.attachedTo)).map((b) => b.id);
    const boxes = [...children, ...boundaryIds].flatMap((id) => {
      const shape = shapes.get(id);
      return shape ? [shape.bounds, ...(shape.label ? [shape.label] : [])] : [];
    });
    if (boxes.length === 0) throw new Error(`sub-process ${sub.id} has no children`);
    const inner = union(boxes);
    shapes.set(sub.id, {
      bounds: round({
        x: inner.x - SUB_PADDING.left,
        y: inner.y - SUB_PADDING.top,
        width: inner.width + SUB_PADDING.left + SUB_PADDING.right,
        height: inner.height + SUB_PADDING.top + SUB_PADDING.bottom,
      }),
    });
  }
  for (const boundary of model.boundaries.filter((b) => byId.get(b.attachedTo)?.kind === 'subProcess')) placeBoundary(boundary);

  const boundaryIds = new Set(model.boundaries.map((b) => b.id));
  const gatewayIds = new Set(flowNodes.filter((n) => n.kind === 'exclusiveGateway').map((n) => n.id));
  const splitIds = new Set([...gatewayIds].filter((id) => model.flows.filter((f) => f.from === id).length > 1));
  const subProcessIds = new Set(subProcesses.map((n) => n.id));
  const colOf = (id: string): number | undefined => {
    const node = byId.get(id);
    return node && isFlowNode(node) ? node.col : undefined;
  };

  const edges = new Map<string, EdgeLayout>();
  for (const flow of model.flows) {
    const source = shapes.get(flow.from)?.bounds;
    const target = shapes.get(flow.to)?.bounds;
    if (!source || !target) throw new Error(`flow ${flow.id}: ${flow.from} or ${flow.to} not laid out`);
    const waypoints = route(flow, source, target, {
      sourceIsSplit: splitIds.has(flow.from),
      sourceIsSubProcess: subProcessIds.has(flow.from),
      targetIsSubProcess: subProcessIds.has(flow.to),
      sourceIsBoundary: boundaryIds.has(flow.from),
      targetIsGateway: gatewayIds.has(flow.to),
      gapX: (() => {
        const col = colOf(flow.to);
        if (col !== undefined) return gapCenter(col);
        return target.x - 20;
      })(),
      channelY: flow.loop
        ? flow.loop.side === 'above'
          ? (laneTop.get(flow.loop.lane) ?? 0) + CHANNEL_OFFSET
          : (laneTop.get(flow.loop.lane) ?? 0) + ROW_HEIGHT * (model.lanes.find((l) => l.id === flow.loop?.lane)?.rows ?? 1) - CHANNEL_OFFSET
        : undefined,
    });
    edges.set(flow.id, { waypoints, label: flow.name ? round(flowLabel(waypoints, flow.name)) : undefined });
  }

  const contentRight = Math.max(...[...shapes.values()].flatMap((s) => [s.bounds.x + s.bounds.width, ...(s.label ? [s.label.x + s.label.width] : [])]));
  const participant: Bounds = { x: PARTICIPANT.x, y: PARTICIPANT.y, width: contentRight + CONTENT_MARGIN - PARTICIPANT.x, height: y - PARTICIPANT.y };
  const lanes = new Map<string, Bounds>();
  for (const lane of model.lanes) {
    lanes.set(lane.id, {
      x: PARTICIPANT.x + PARTICIPANT.header,
      y: laneTop.get(lane.id) ?? 0,
      width: participant.width - PARTICIPANT.header,
      height: lane.rows * ROW_HEIGHT,
    });
  }
  return { participant, lanes, shapes, edges };
}

interface RouteContext {
  /** A gateway with more than one outgoing flow. */
  sourceIsSplit: boolean;
  sourceIsSubProcess: boolean;
  targetIsSubProcess: boolean;
  sourceIsBoundary: boolean;
  targetIsGateway: boolean;
  /** x of the vertical segment in the gap before the target's column. */
  gapX: number;
  channelY: number | undefined;
}

const SUB_PROCESS_PORT_MARGIN = 20;
const clamp = (value: number, low: number, high: number): number => Math.min(high, Math.max(low, value));

function route(flow: FlowSpec, s: Bounds, t: Bounds, ctx: RouteContext): Point[] {
  // An expanded sub-process is entered (left) and left (right) at the height of the other end
  // when it can be, so flows stay short and horizontal.
  const tc = ctx.targetIsSubProcess
    ? { x: t.x + t.width / 2, y: clamp(s.y + s.height / 2, t.y + SUB_PROCESS_PORT_MARGIN, t.y + t.height - SUB_PROCESS_PORT_MARGIN) }
    : center(t);
  const sc = ctx.sourceIsSubProcess
    ? { x: s.x + s.width / 2, y: clamp(tc.y, s.y + SUB_PROCESS_PORT_MARGIN, s.y + s.height - SUB_PROCESS_PORT_MARGIN) }
    : center(s);
  const sRight = s.x + s.width;

  if (ctx.channelY !== undefined) {
    // Backward flow through a channel along a lane edge.
    const up = ctx.channelY < sc.y;
    const startY = up ? s.y : s.y + s.height;
    const endY = up ? t.y : t.y + t.height;
    return [
      { x: sc.x, y: startY },
      { x: sc.x, y: ctx.channelY },
      { x: tc.x, y: ctx.channelY },
      { x: tc.x, y: endY },
    ];
  }
  if (ctx.sourceIsBoundary) {
    if (Math.abs(sc.x - tc.x) < 1) return [{ x: sc.x, y: s.y + s.height }, { x: tc.x, y: tc.y < sc.y ? t.y + t.height : t.y }];
    return [{ x: sc.x, y: s.y + s.height }, { x: sc.x, y: tc.y }, { x: t.x, y: tc.y }];
  }
  if (Math.abs(sc.y - tc.y) < 1) {
    return [
      { x: sRight, y: sc.y },
      { x: t.x, y: tc.y },
    ];
  }
  if (ctx.sourceIsSplit) {
    const down = tc.y > sc.y;
    return [{ x: sc.x, y: down ? s.y + s.height : s.y }, { x: sc.x, y: tc.y }, { x: t.x, y: tc.y }];
  }
  if (ctx.targetIsGateway && flow.entry === undefined) {
    return [{ x: sRight, y: sc.y }, { x: tc.x, y: sc.y }, { x: tc.x, y: tc.y > sc.y ? t.y : t.y + t.height }];
  }
  return [
    { x: sRight, y: sc.y },
    { x: ctx.gapX, y: sc.y },
    { x: ctx.gapX, y: tc.y },
    { x: t.x, y: tc.y },
  ];
}

function flowLabel(points: Point[], text: string): Bounds {
  const [a, b] = points as [Point, Point];
  const width = labelWidth(text, FLOW_LABEL_WIDTH);
  const height = labelHeight(text, width);
  if (Math.abs(a.x - b.x) < 1) {
    // First leg vertical: label to the right of it, near its start.
    const down = b.y > a.y;
    return { x: a.x + 6, y: down ? a.y + 4 : a.y - 4 - height, width, height };
  }
  return { x: a.x + 6, y: a.y - 3 - height, width, height };
}
