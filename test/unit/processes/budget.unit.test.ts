/**
 * The budget of each case variant: allotments added up along the paths the variant can take
 * (server/sla/budget.ts), on the lint fixtures and on the shipped models with each agency's
 * table. Figures in working minutes (1 working day = 480).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { checkBudgets, decideCondition } from '../../../server/sla/budget';
import { flowGraphOf } from '../../../server/sla/flow';
import { budgetProblems } from '../../../processes/lint/run';
import { loadProcessCatalog } from '../../../server/sla/catalog';
import { descendants, executableProcesses, readBpmn } from '../../../server/sla/moddle';
import { needsSla, readProcessTargets, readStepSpec, type CaseVariant } from '../../../server/sla/spec';

const FIXTURES = path.join(__dirname, 'fixtures', 'sla-within-target');

async function processOf(file: string) {
  const { definitions } = await readBpmn(await readFile(file, 'utf8'), file);
  const [process] = executableProcesses(definitions);
  if (!process) throw new Error(`no executable process in ${file}`);
  return process;
}

/** Budgets of a fixture with the allotments its own steps carry. */
async function budgetsOf(fixture: string): Promise<Record<CaseVariant, number>> {
  const process = await processOf(path.join(FIXTURES, `${fixture}.bpmn`));
  const targets = readProcessTargets(process);
  if (!targets.ok) throw new Error(JSON.stringify(targets.problems));
  const steps = new Map(descendants(process).filter(needsSla).map((e) => [e.id ?? '', readStepSpec(e)]));
  const check = checkBudgets(
    flowGraphOf(process),
    (id: string) => {
      const spec = steps.get(id);
      return spec?.ok && !spec.value.governed ? spec.value.allotments : undefined;
    },
    targets.value.targets,
  );
  return { ordinary: check.budgets.ordinary.minutes, verification: check.budgets.verification.minutes, statutory: check.budgets.statutory.minutes };
}

describe('conditions on the case variant', () => {
  test.each([
    ['=caseVariant = "ordinary"', 'ordinary', 'holds'],
    ['=caseVariant = "ordinary"', 'verification', 'fails'],
    ['=caseVariant = "verification" or caseVariant = "statutory"', 'statutory', 'holds'],
    ['=caseVariant = "verification" or caseVariant = "statutory"', 'ordinary', 'fails'],
    ['=caseVariant != "ordinary"', 'verification', 'holds'],
    ['=caseVariant in ["verification", "statutory"]', 'ordinary', 'fails'],
    ['=intakeDecision = "refuse"', 'ordinary', 'unknown'],
    ['=caseVariant = "ordinary" and paperCopy = "post"', 'ordinary', 'unknown'],
    ['=apologyIssued != true', 'statutory', 'unknown'],
    ['=caseVariant = ', 'ordinary', 'unknown'],
  ] as const)('%s for %s: %s', (condition, variant, decision) => {
    expect(decideCondition(condition, variant)).toBe(decision);
  });
});

describe('budgets of the fixtures', () => {
  test.each([
    // Ordinary skips the police branch (8h for ordinary, never taken); the refusal (unknown condition) is followed.
    ['valid-ordinary-skips-police-branch', { ordinary: 240 + 120 + 60, verification: 240 + 360 + 120 + 60, statutory: 240 + 360 + 120 + 60 }],
    ['invalid-ordinary-branch-over-target', { ordinary: 240 + 180 + 120 + 60, verification: 240 + 360 + 120 + 60, statutory: 240 + 360 + 120 + 60 }],
    // The default flow is left when "caseVariant = ordinary" holds.
    ['valid-default-flow-not-taken-when-condition-holds', { ordinary: 0, verification: 240, statutory: 240 }],
    ['valid-loop-counts-once', undefined],
    ['invalid-path-over-target', { ordinary: 360 + 180, verification: 360 + 60, statutory: 360 + 60 }],
  ] as const)('%s', async (fixture, expected) => {
    const budgets = await budgetsOf(fixture);
    if (expected) expect(budgets).toEqual(expected);
    else for (const minutes of Object.values(budgets)) expect(minutes).toBeGreaterThan(0);
  });
});

describe('budgets of the shipped models with each agency', () => {
  test('Khánh Hòa: ordinary 24h (16h of its own steps, the police 6h and step 8 2h: every VNeID dossier goes to PV06) of 3 working days, verification and statutory up to their targets', async () => {
    const catalog = await loadProcessCatalog();
    const problems = budgetProblems(catalog);
    expect(problems.filter((p) => p.category !== 'info')).toEqual([]);
    const budgets = problems.map((p) => p.message);
    expect(budgets).toContain('STP.KHA, quy-trinh-570-v20241001 with khanh-hoa-2799-v20241029: budget ordinary 3wd of 3wd, verification 9wd of 9wd, statutory 15wd of 15wd');
    // Under the police: R2 keeps the pilot's 3/9 days as a default; R3 verification fits Law 107's 5 days
    expect(budgets).toContain('CA.KHA, quy-trinh-570-v20250301 with khanh-hoa-pv06-v20250301: budget ordinary 3wd of 3wd, verification 9wd of 9wd, statutory 15wd of 15wd');
    expect(budgets).toContain('CA.KHA, quy-trinh-570-v20260701 with khanh-hoa-pv06-v20260701: budget ordinary 3wd of 3wd, verification 5wd of 5wd, statutory 15wd of 15wd');
    // one line per pair of versions that can govern one dossier of one agency: 2 (Sở) + 3 (police)
    expect(budgets.length).toBe(catalog.versions('khanh-hoa-2799').length + catalog.versions('quy-trinh-570').length - 1);
  });

  test('an hour more on a governed step shows in the budget, and is an overrun where the budget is full', async () => {
    const catalog = await loadProcessCatalog();
    const internal = catalog.plan('khanh-hoa-2799-v20241029')!;
    internal.governs.searchRecords!.allotments.ordinary += 60;
    const problems = budgetProblems(catalog);
    expect(problems.map((p) => p.message)).toContain('STP.KHA, quy-trinh-570-v20241001 with khanh-hoa-2799-v20241029: budget ordinary 3wd 1h of 3wd, verification 9wd of 9wd, statutory 15wd of 15wd');
    // the ordinary path through the police (step 7, step 8) is full: the hour more overruns it
    expect(problems.filter((p) => p.category === 'error').map((p) => p.message)).toContainEqual(
      expect.stringMatching(/^STP\.KHA, quy-trinh-570-v20241001 with khanh-hoa-2799-v20241029: ordinary allotments add up to 3wd 1h along .*searchRecords.*awaitPoliceAnswer → recordVerification.*, over the target 3wd/),
    );
    internal.governs.searchRecords!.allotments.verification += 60;
    const over = budgetProblems(catalog).filter((p) => p.category === 'error');
    expect(over.map((p) => p.message)).toContainEqual(expect.stringMatching(/^STP\.KHA, quy-trinh-570-v20241001 with khanh-hoa-2799-v20241029: verification allotments add up to 9wd 1h along .*searchRecords.*, over the target 9wd/));
  });
});
