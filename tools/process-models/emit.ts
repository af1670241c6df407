/**
 * Writes a `ModelSpec` and its `Layout` as BPMN 2.0 XML for Zeebe 8.5 (execution platform
 * "Camunda Cloud" 8.5.0, which Camunda Modeler 5 reads to pick its lint rules).
 */
import { slaProperties, type FlowNodeSpec, type FlowSpec, type ModelSpec, type NodeSpec } from './dsl';
import type { Bounds, Layout } from './layout';

const escape = (value: string): string =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\n/g, '&#10;');

const escapeText = (value: string): string => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const attrs = (values: Record<string, string | undefined>): string =>
  Object.entries(values)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([k, v]) => ` ${k}="${escape(v)}"`)
    .join('');

class Writer {
  private readonly lines: string[] = [];
  line(depth: number, text: string): void {
    this.lines.push(`${'  '.repeat(depth)}${text}`);
  }
  toString(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

function properties(w: Writer, depth: number, entries: [string, string][]): void {
  if (entries.length === 0) return;
  w.line(depth, '<zeebe:properties>');
  for (const [name, value] of entries) w.line(depth + 1, `<zeebe:property${attrs({ name, value })} />`);
  w.line(depth, '</zeebe:properties>');
}

function documentation(w: Writer, depth: number, text: string | undefined): void {
  if (text) w.line(depth, `<bpmn:documentation>${escapeText(text)}</bpmn:documentation>`);
}

const ACTIVATED_AT = '<zeebe:input source="=now()" target="activatedAt" />';

export function emitModel(model: ModelSpec, layout: Layout): string {
  const w = new Writer();
  const incoming = (id: string): string[] => model.flows.filter((f) => f.to === id).map((f) => f.id);
  const outgoing = (id: string): string[] => model.flows.filter((f) => f.from === id).map((f) => f.id);
  const childrenOf = (parent: string | undefined): NodeSpec[] => model.nodes.filter((n) => n.parent === parent);
  const containerOf = (id: string): string | undefined => {
    const node = model.nodes.find((n) => n.id === id);
    if (node) return node.parent;
    const boundary = model.boundaries.find((b) => b.id === id);
    return boundary ? model.nodes.find((n) => n.id === boundary.attachedTo)?.parent : undefined;
  };

  const flowRefs = (depth: number, id: string): void => {
    for (const f of incoming(id)) w.line(depth, `<bpmn:incoming>${f}</bpmn:incoming>`);
    for (const f of outgoing(id)) w.line(depth, `<bpmn:outgoing>${f}</bpmn:outgoing>`);
  };

  const writeFlowNode = (node: FlowNodeSpec, depth: number): void => {
    const base = { id: node.id, name: node.name };
    switch (node.kind) {
      case 'startEvent': {
        w.line(depth, `<bpmn:startEvent${attrs({ ...base, isInterrupting: node.interrupting === false ? 'false' : undefined })}>`);
        documentation(w, depth + 1, node.documentation);
        flowRefs(depth + 1, node.id);
        if (node.message) w.line(depth + 1, `<bpmn:messageEventDefinition${attrs({ id: `${node.id}_message`, messageRef: node.message })} />`);
        w.line(depth, '</bpmn:startEvent>');
        return;
      }
      case 'endEvent':
      case 'exclusiveGateway': {
        const tag = node.kind === 'endEvent' ? 'bpmn:endEvent' : 'bpmn:exclusiveGateway';
        w.line(depth, `<${tag}${attrs(base)}>`);
        documentation(w, depth + 1, node.documentation);
        flowRefs(depth + 1, node.id);
        w.line(depth, `</${tag}>`);
        return;
      }
      case 'userTask':
      case 'serviceTask':
      case 'receiveTask':
      case 'callActivity': {
        const tag = `bpmn:${node.kind}`;
        w.line(depth, `<${tag}${attrs({ ...base, messageRef: node.kind === 'receiveTask' ? node.message : undefined })}>`);
        documentation(w, depth + 1, node.documentation);
        w.line(depth + 1, '<bpmn:extensionElements>');
        const d = depth + 2;
        if (node.kind === 'serviceTask') {
          w.line(d, `<zeebe:taskDefinition${attrs({ type: node.jobType, retries: String(node.retries ?? 3) })} />`);
          if (node.headers) {
            w.line(d, '<zeebe:taskHeaders>');
            for (const [key, value] of Object.entries(node.headers)) w.line(d + 1, `<zeebe:header${attrs({ key, value })} />`);
            w.line(d, '</zeebe:taskHeaders>');
          }
        }
        if (node.kind === 'userTask') {
          w.line(d, `<zeebe:formDefinition${attrs({ formKey: node.formKey })} />`);
          w.line(d, `<zeebe:assignmentDefinition${attrs({ candidateGroups: node.candidateGroups })} />`);
        }
        if (node.kind === 'callActivity') {
          w.line(d, `<zeebe:calledElement${attrs({ processId: node.processId, propagateAllChildVariables: 'false' })} />`);
        }
        if (node.kind !== 'receiveTask') {
          w.line(d, '<zeebe:ioMapping>');
          w.line(d + 1, ACTIVATED_AT);
          if (node.kind === 'callActivity') for (const m of node.outputs) w.line(d + 1, `<zeebe:output${attrs({ source: m.source, target: m.target })} />`);
          w.line(d, '</zeebe:ioMapping>');
        }
        properties(w, d, slaProperties(node.sla));
        w.line(depth + 1, '</bpmn:extensionElements>');
        flowRefs(depth + 1, node.id);
        w.line(depth, `</${tag}>`);
        return;
      }
    }
  };

  const writeFlow = (flow: FlowSpec, depth: number): void => {
    const open = `<bpmn:sequenceFlow${attrs({ id: flow.id, name: flow.name, sourceRef: flow.from, targetRef: flow.to })}`;
    if (!flow.condition) {
      w.line(depth, `${open} />`);
      return;
    }
    w.line(depth, `${open}>`);
    w.line(depth + 1, `<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${escapeText(flow.condition)}</bpmn:conditionExpression>`);
    w.line(depth, '</bpmn:sequenceFlow>');
  };

  const writeScope = (parent: string | undefined, depth: number): void => {
    for (const node of childrenOf(parent)) {
      if (node.kind === 'subProcess') {
        w.line(depth, `<bpmn:subProcess${attrs({ id: node.id, name: node.name, triggeredByEvent: node.eventSubProcess ? 'true' : undefined })}>`);
        documentation(w, depth + 1, node.documentation);
        flowRefs(depth + 1, node.id);
        writeScope(node.id, depth + 1);
        w.line(depth, '</bpmn:subProcess>');
      } else {
        writeFlowNode(node, depth);
      }
    }
    for (const boundary of model.boundaries.filter((b) => containerOf(b.id) === parent)) {
      w.line(depth, `<bpmn:boundaryEvent${attrs({ id: boundary.id, name: boundary.name, cancelActivity: boundary.interrupting ? undefined : 'false', attachedToRef: boundary.attachedTo })}>`);
      for (const f of outgoing(boundary.id)) w.line(depth + 1, `<bpmn:outgoing>${f}</bpmn:outgoing>`);
      w.line(depth + 1, `<bpmn:timerEventDefinition${attrs({ id: `${boundary.id}_timer` })}>`);
      w.line(depth + 2, `<bpmn:timeDate xsi:type="bpmn:tFormalExpression">${escapeText(boundary.timeDate)}</bpmn:timeDate>`);
      w.line(depth + 1, '</bpmn:timerEventDefinition>');
      w.line(depth, '</bpmn:boundaryEvent>');
    }
    for (const flow of model.flows.filter((f) => containerOf(f.from) === parent)) writeFlow(flow, depth);
  };

  w.line(0, '<?xml version="1.0" encoding="UTF-8"?>');
  w.line(
    0,
    `<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:modeler="http://camunda.org/schema/modeler/1.0"${attrs({
      id: model.definitionsId,
      targetNamespace: 'https://lltp-flow/processes',
      exporter: 'lltp-flow tools/generate-processes.ts',
      exporterVersion: '1',
      'modeler:executionPlatform': 'Camunda Cloud',
      'modeler:executionPlatformVersion': '8.5.0',
    })}>`,
  );
  w.line(1, `<bpmn:collaboration${attrs({ id: model.collaborationId })}>`);
  w.line(2, `<bpmn:participant${attrs({ id: model.participant.id, name: model.participant.name, processRef: model.process.id })} />`);
  w.line(1, '</bpmn:collaboration>');
  w.line(1, `<bpmn:process${attrs({ id: model.process.id, name: model.process.name, isExecutable: 'true' })}>`);
  documentation(w, 2, model.process.documentation);
  w.line(2, '<bpmn:extensionElements>');
  properties(w, 3, model.process.properties);
  w.line(2, '</bpmn:extensionElements>');
  w.line(2, `<bpmn:laneSet${attrs({ id: `${model.process.id}_lanes` })}>`);
  for (const lane of model.lanes) {
    w.line(3, `<bpmn:lane${attrs({ id: lane.id, name: lane.name })}>`);
    const members = [
      ...model.nodes.filter((n) => n.parent === undefined && n.lane === lane.id).map((n) => n.id),
      ...model.boundaries.filter((b) => containerOf(b.id) === undefined && model.nodes.find((n) => n.id === b.attachedTo)?.lane === lane.id).map((b) => b.id),
    ];
    for (const id of members) w.line(4, `<bpmn:flowNodeRef>${id}</bpmn:flowNodeRef>`);
    w.line(3, '</bpmn:lane>');
  }
  w.line(2, '</bpmn:laneSet>');
  writeScope(undefined, 2);
  w.line(1, '</bpmn:process>');
  for (const message of model.messages) {
    w.line(1, `<bpmn:message${attrs({ id: message.id, name: message.name })}>`);
    w.line(2, '<bpmn:extensionElements>');
    w.line(3, `<zeebe:subscription${attrs({ correlationKey: message.correlationKey })} />`);
    w.line(2, '</bpmn:extensionElements>');
    w.line(1, '</bpmn:message>');
  }

  const dcBounds = (depth: number, b: Bounds): void => w.line(depth, `<dc:Bounds x="${b.x}" y="${b.y}" width="${b.width}" height="${b.height}" />`);
  const shape = (id: string, extra: Record<string, string | undefined> = {}): void => {
    const placed = id === model.participant.id ? { bounds: layout.participant, label: undefined } : layout.shapes.get(id);
    const lane = layout.lanes.get(id);
    const bounds = lane ?? placed?.bounds;
    if (!bounds) throw new Error(`no layout for ${id}`);
    w.line(3, `<bpmndi:BPMNShape${attrs({ id: `${id}_di`, bpmnElement: id, ...extra })}>`);
    dcBounds(4, bounds);
    const label = lane ? undefined : placed?.label;
    if (label) {
      w.line(4, '<bpmndi:BPMNLabel>');
      dcBounds(5, label);
      w.line(4, '</bpmndi:BPMNLabel>');
    }
    w.line(3, '</bpmndi:BPMNShape>');
  };

  w.line(1, `<bpmndi:BPMNDiagram${attrs({ id: `${model.definitionsId}_diagram` })}>`);
  w.line(2, `<bpmndi:BPMNPlane${attrs({ id: `${model.definitionsId}_plane`, bpmnElement: model.collaborationId })}>`);
  shape(model.participant.id, { isHorizontal: 'true' });
  for (const lane of model.lanes) shape(lane.id, { isHorizontal: 'true' });
  const drawScope = (parent: string | undefined): void => {
    for (const node of childrenOf(parent)) {
      if (node.kind === 'subProcess') {
        shape(node.id, { isExpanded: 'true' });
        drawScope(node.id);
      } else {
        shape(node.id);
      }
    }
  };
  drawScope(undefined);
  for (const boundary of model.boundaries) shape(boundary.id);
  for (const flow of model.flows) {
    const edge = layout.edges.get(flow.id);
    if (!edge) throw new Error(`no layout for ${flow.id}`);
    w.line(3, `<bpmndi:BPMNEdge${attrs({ id: `${flow.id}_di`, bpmnElement: flow.id })}>`);
    for (const p of edge.waypoints) w.line(4, `<di:waypoint x="${Math.round(p.x)}" y="${Math.round(p.y)}" />`);
    if (edge.label) {
      w.line(4, '<bpmndi:BPMNLabel>');
      dcBounds(5, edge.label);
      w.line(4, '</bpmndi:BPMNLabel>');
    }
    w.line(3, '</bpmndi:BPMNEdge>');
  }
  w.line(2, '</bpmndi:BPMNPlane>');
  w.line(1, '</bpmndi:BPMNDiagram>');
  w.line(0, '</bpmn:definitions>');
  return w.toString();
}
