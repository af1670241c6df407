/**
 * A small description language for the shipped models: semantics (elements, Zeebe extensions,
 * SLA properties) plus a grid position (lane, row, column) for every flow node. `layout.ts`
 * turns the grid into diagram interchange (shapes, waypoints, label bounds) deterministically
 * and `emit.ts` writes BPMN 2.0 XML that Camunda Modeler 5 opens as drawn.
 */
import type { CaseVariant, ClockMode } from '../../server/sla/spec';

export type VariantTimes = string | Record<CaseVariant, string>;

export interface SlaSpec {
  allotment: VariantTimes;
  unit: string;
  unitName: string;
  role: string;
  escalation: string;
  clock?: Exclude<ClockMode, 'running'>;
}

export interface Mapping {
  source: string;
  target: string;
}

export type LabelSide = 'below' | 'above' | 'left' | 'right' | 'below-right' | 'below-left' | 'above-left';
export type Side = 'left' | 'right' | 'top' | 'bottom';

interface Placed {
  id: string;
  name?: string;
  documentation?: string;
  lane: string;
  /** Row inside the lane, from 0 at the top. */
  row: number;
  col: number;
  /** Enclosing sub-process, if any. */
  parent?: string;
  labelSide?: LabelSide;
}

export type FlowNodeSpec =
  | (Placed & { kind: 'startEvent'; message?: string; interrupting?: boolean })
  | (Placed & { kind: 'endEvent' })
  | (Placed & { kind: 'exclusiveGateway' })
  | (Placed & { kind: 'userTask'; formKey: string; candidateGroups: string; sla: SlaSpec })
  | (Placed & { kind: 'serviceTask'; jobType: string; headers?: Record<string, string>; retries?: number; sla: SlaSpec })
  | (Placed & { kind: 'receiveTask'; message: string; sla: SlaSpec })
  | (Placed & { kind: 'callActivity'; processId: string; outputs: Mapping[]; sla: SlaSpec });

export interface SubProcessSpec {
  kind: 'subProcess';
  id: string;
  name: string;
  documentation?: string;
  /** Lane whose flowNodeRef lists the sub-process. */
  lane: string;
  parent?: string;
  eventSubProcess?: boolean;
}

export type NodeSpec = FlowNodeSpec | SubProcessSpec;

export interface BoundaryTimerSpec {
  id: string;
  name: string;
  attachedTo: string;
  /** FEEL expression reading an ISO date-time variable, e.g. `=apologyByAt`. */
  timeDate: string;
  interrupting: boolean;
  /** Where on the host's bottom edge: above a grid column, or at a fraction of the width. */
  at: { col: number } | { fraction: number };
  labelSide?: LabelSide;
}

export interface FlowSpec {
  id: string;
  from: string;
  to: string;
  name?: string;
  /** FEEL condition, e.g. `=intakeDecision = "refuse"`. */
  condition?: string;
  /** Route a backward flow through a horizontal channel above/below its rows. */
  loop?: { side: 'above' | 'below'; lane: string };
  /** Force the side where the flow enters its target. */
  entry?: Side;
}

export interface MessageSpec {
  id: string;
  name: string;
  correlationKey: string;
}

export interface LaneSpec {
  id: string;
  name: string;
  rows: number;
}

export interface ModelSpec {
  /** File name in processes/. */
  fileName: string;
  definitionsId: string;
  collaborationId: string;
  participant: { id: string; name: string };
  process: { id: string; name: string; documentation: string; properties: [string, string][] };
  lanes: LaneSpec[];
  nodes: NodeSpec[];
  boundaries: BoundaryTimerSpec[];
  flows: FlowSpec[];
  messages: MessageSpec[];
  /** Extra horizontal space before a column (default gap applies otherwise). */
  gapBefore?: Record<number, number>;
}

/** SLA properties in the documented syntax (`lltp:sla.*`). */
export function slaProperties(sla: SlaSpec): [string, string][] {
  const out: [string, string][] = [];
  if (typeof sla.allotment === 'string') out.push(['lltp:sla.allotment', sla.allotment]);
  else for (const [variant, time] of Object.entries(sla.allotment)) out.push([`lltp:sla.allotment.${variant}`, time]);
  out.push(['lltp:sla.unit', sla.unit], ['lltp:sla.unitName', sla.unitName], ['lltp:sla.role', sla.role], ['lltp:sla.escalation', sla.escalation]);
  if (sla.clock) out.push(['lltp:sla.clock', sla.clock]);
  return out;
}
