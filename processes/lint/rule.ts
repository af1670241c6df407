/**
 * What a project lint rule is: a bpmnlint rule (one per file in ./rules, file name = rule id)
 * that looks at one moddle element at a time and reports problems by element id.
 */
import { ancestor, is, type ModdleElement } from '../../server/sla/moddle';

export interface Reporter {
  report(id: string, message: string): void;
}

export interface RuleDefinition {
  check(node: ModdleElement, reporter: Reporter): void;
}

export type RuleFactory = (config?: unknown) => RuleDefinition;

/** True for elements of an executable process (the only ones Zeebe runs and these rules check). */
export function inExecutableProcess(node: ModdleElement): boolean {
  const process = is(node, 'bpmn:Process') ? node : ancestor(node, 'bpmn:Process');
  return process?.get('isExecutable') === true;
}

/** A rule that only looks at elements of executable processes. */
export function executableOnly(check: RuleDefinition['check']): RuleFactory {
  return () => ({
    check(node, reporter) {
      if (inExecutableProcess(node)) check(node, reporter);
    },
  });
}
