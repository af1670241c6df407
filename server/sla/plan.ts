/**
 * The SLA plan of a process version: what the workers and the SLA monitor use to compute
 * step due instants, alert the right role, and know which version governs a dossier.
 *
 *   const [plan] = await loadSlaPlanFile('processes/quy-trinh-570-v20241001.bpmn');
 *   plan.steps.checkDossier.allotments.verification  // 240 working minutes
 *
 * Every problem names the file, the element id and the property; all problems of a file are
 * reported at once in one `SlaPlanError`.
 */
import { readFile } from 'node:fs/promises';
import { flowGraphOf, type FlowGraph } from './flow';
import { descendants, executableProcesses, is, readBpmn } from './moddle';
import {
  fourEyesAfter,
  needsSla,
  readProcessTargets,
  readProcessVersion,
  readStepSpec,
  type ProcessTargets,
  type ProcessVersion,
  type SlaProblem,
  type StepShape,
  type StepSla,
} from './spec';

export interface SlaPlan extends ProcessVersion, ProcessTargets {
  /** The file the plan was read from, as given to the loader. */
  source: string;
  /** Every task and call activity of the process (sub-processes included) with its own SLA, by element id. */
  steps: Record<string, StepSla>;
  /** Tasks and call activities whose SLA the agency's internal procedure sets (`lltp:sla.governedBy`), by element id. */
  governedSteps: Record<string, StepShape>;
  /** The paths through the process (for the budget of each case variant: server/sla/budget.ts). */
  flow: FlowGraph;
  /** Four eyes: user task id → the earlier user task whose actor may not do it (`lltp:fourEyes.after`). */
  fourEyes?: Record<string, string>;
}

export interface SourcedProblem extends SlaProblem {
  source: string;
}

export class SlaPlanError extends Error {
  constructor(readonly problems: readonly SourcedProblem[]) {
    super(`Invalid SLA plan:\n${problems.map((p) => `  ${p.source}: ${p.elementId}: ${p.message}`).join('\n')}`);
    this.name = 'SlaPlanError';
  }
}

/** One SLA plan per executable process in the BPMN text; throws `SlaPlanError`. */
export async function loadSlaPlans(xml: string, source: string): Promise<SlaPlan[]> {
  const { definitions, warnings } = await readBpmn(xml, source);
  const problems: SlaProblem[] = warnings.map((w) => ({ elementId: w.elementId, message: `BPMN import: ${w.message}` }));
  const plans: SlaPlan[] = [];
  const processes = executableProcesses(definitions);
  if (processes.length === 0) problems.push({ elementId: definitions.id ?? '(document)', message: 'no executable process' });
  for (const process of processes) {
    const version = readProcessVersion(process);
    const targets = readProcessTargets(process);
    const steps: Record<string, StepSla> = {};
    const governedSteps: Record<string, StepShape> = {};
    const fourEyes: Record<string, string> = {};
    for (const element of descendants(process)) {
      const after = is(element, 'bpmn:UserTask') ? fourEyesAfter(element) : undefined;
      if (after && element.id) fourEyes[element.id] = after;
    }
    for (const element of descendants(process).filter(needsSla)) {
      const step = readStepSpec(element);
      if (!step.ok) problems.push(...step.problems);
      else if (step.value.governed) {
        const { governed: _governed, ...shape } = step.value;
        governedSteps[shape.elementId] = shape;
      } else {
        const { governed: _governed, ...sla } = step.value;
        steps[sla.elementId] = sla;
      }
    }
    if (!version.ok) problems.push(...version.problems);
    if (!targets.ok) problems.push(...targets.problems);
    if (version.ok && targets.ok) plans.push({ ...version.value, ...targets.value, source, steps, governedSteps, flow: flowGraphOf(process), fourEyes });
  }
  if (problems.length > 0) throw new SlaPlanError(problems.map((p) => ({ ...p, source })));
  return plans;
}

export async function loadSlaPlanFile(file: string): Promise<SlaPlan[]> {
  return loadSlaPlans(await readFile(file, 'utf8'), file);
}
