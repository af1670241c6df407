/**
 * A draft linted with the same rules as a deploy (processes/lint/run.ts): the draft is written
 * beside a copy of the installed models (PROCESSES_DIR, with the versions deployed with
 * approval) in a temporary folder, and that folder is linted whole, so the checks across models
 * (catalog, coverage, budgets, reachability) judge the draft with the versions it joins.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { failingProblems, lintProcesses, type LintProblem } from '../../processes/lint/run';
import { propertyOf, vietnameseMessage } from '../designer/draft-lint';
import type { StoredModel } from '../sla/catalog';
import type { SubmissionLintJson } from '../db/tables';

export interface DraftLint {
  /** The problems that fail the lint (nothing may be deployed). */
  failing: SubmissionLintJson;
  /** The draft's problems that do not (budgets as information, a missing image). */
  notes: SubmissionLintJson;
}

const shown = (p: LintProblem): SubmissionLintJson[number] => ({
  elementId: `${path.basename(p.file)}: ${p.elementId}`,
  rule: p.rule,
  category: p.category,
  // in Vietnamese, as the what-if gives them (server/designer/draft-lint.ts), with the property named
  message: `${propertyOf(p.message) ? `thuộc tính ${propertyOf(p.message)}: ` : ''}${vietnameseMessage(p.message)}`,
});

export async function lintDraft(dir: string, stored: readonly StoredModel[], draft: { resourceName: string; processId: string; xml: string }): Promise<DraftLint> {
  const work = await mkdtemp(path.join(tmpdir(), 'lltp-draft-'));
  try {
    await cp(dir, work, { recursive: true, filter: (source) => !source.endsWith('.ts') });
    for (const model of stored) await writeFile(path.join(work, model.resourceName), model.xml);
    await writeFile(path.join(work, draft.resourceName), draft.xml);
    const run = await lintProcesses(work);
    const failing = failingProblems(run);
    const ofDraft = (p: LintProblem): boolean => path.basename(p.file) === draft.resourceName || p.message.includes(draft.processId);
    return { failing: failing.map(shown), notes: run.problems.filter((p) => !failing.includes(p) && ofDraft(p)).map(shown) };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
