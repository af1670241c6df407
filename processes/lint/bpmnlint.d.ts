/** The part of bpmnlint 11 this project uses (the package ships no declaration for its entry). */
declare module 'bpmnlint' {
  export interface LintReport {
    id?: string;
    message: string;
    category: 'error' | 'warn' | 'info' | 'rule-error';
    path?: string[];
  }
  export interface LintResolver {
    resolveRule(pkg: string, ruleName: string): unknown;
    resolveConfig(pkg: string, configName: string): unknown;
  }
  export interface LintConfig {
    extends?: string | string[];
    rules?: Record<string, unknown>;
  }
  export class Linter {
    constructor(options: { config?: LintConfig; resolver: LintResolver });
    lint(definitions: unknown, config?: LintConfig): Promise<Record<string, LintReport[]>>;
  }
}

declare module 'bpmnlint/lib/resolver/node-resolver' {
  import type { LintResolver } from 'bpmnlint';
  class NodeResolver implements LintResolver {
    constructor(options?: { require?: NodeJS.Require; requireLocal?: NodeJS.Require });
    resolveRule(pkg: string, ruleName: string): unknown;
    resolveConfig(pkg: string, configName: string): unknown;
  }
  export = NodeResolver;
}
