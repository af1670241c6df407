/**
 * The project's bpmnlint rules (processes/lint/rules), each run alone on tiny fixtures named
 * after the case they show: test/unit/processes/fixtures/<rule>/<valid|invalid>-<case>.bpmn.
 * A valid fixture gives no report; an invalid one gives a report that names the element
 * and the rule.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { formatProblem, lintXml } from '../../../processes/lint/run';
import { rules } from '../../../processes/lint/plugin';

const FIXTURES = path.join(__dirname, 'fixtures');

type Expected = { element: string; message: RegExp } | 'valid';

const cases: [rule: string, fixture: string, expected: Expected][] = [
  ['sla-complete', 'valid-per-variant-allotments', 'valid'],
  ['sla-complete', 'valid-shared-allotment', 'valid'],
  ['sla-complete', 'invalid-missing-unit', { element: 'Task_1', message: /lltp:sla\.unit is missing/ }],
  ['sla-complete', 'invalid-missing-variant', { element: 'Task_1', message: /lltp:sla\.allotment\.statutory is missing/ }],
  ['sla-complete', 'invalid-bad-working-time', { element: 'Task_1', message: /lltp:sla\.allotment "4 hours" is not a working time/ }],
  ['sla-complete', 'invalid-stopped-clock-with-allotment', { element: 'Task_1', message: /stopped needs every allotment to be 0h/ }],
  ['sla-complete', 'invalid-unknown-property', { element: 'Task_1', message: /lltp:sla\.owner is not an SLA property/ }],
  ['sla-complete', 'invalid-escalation-syntax', { element: 'Task_1', message: /lltp:sla\.escalation .*not "role" or "role@working time"/ }],
  ['sla-complete', 'invalid-missing-process-target', { element: 'fixture-v20240101', message: /lltp:target\.statutory is missing/ }],
  ['sla-complete', 'invalid-call-activity-without-sla', { element: 'Call_1', message: /lltp:sla\.unit is missing/ }],
  ['sla-complete', 'valid-governed-by-internal-procedure', 'valid'],
  ['sla-complete', 'invalid-governed-step-with-own-sla', { element: 'Task_1', message: /lltp:sla\.allotment: a step governed by the internal procedure takes its SLA from there \(lltp:step\.Task_1\.\* on the internal procedure\)/ }],
  ['sla-complete', 'invalid-governed-by-unknown', { element: 'Task_1', message: /lltp:sla\.governedBy must be internalProcedure/ }],
  ['sla-complete', 'valid-step-table', 'valid'],
  ['sla-complete', 'invalid-unknown-deadline', { element: 'fixture-v20240101', message: /lltp:deadline\.urgent is not a deadline the product reads \(known: lltp:deadline\.statutory, / }],
  ['sla-complete', 'invalid-step-table-missing-role', { element: 'fixture-v20240101', message: /lltp:step\.checkDossier: lltp:step\.checkDossier\.role is missing/ }],
  ['sla-complete', 'invalid-step-table-unknown-property', { element: 'fixture-v20240101', message: /lltp:step\.checkDossier\.clock is not lltp:step\.<element id>\.<allotment/ }],
  ['apology-prompt', 'valid-prompt-covers-task', 'valid'],
  ['apology-prompt', 'invalid-prompt-shorter-than-task', { element: 'Apology', message: /lltp:deadline\.apologyPrompt = 2h is shorter than this task's allotment 4h/ }],
  ['apology-prompt', 'invalid-title-missing', { element: 'fixture-v20240101', message: /lltp:form\.apology\.title is missing: the apology letter prints it/ }],
  ['apology-prompt', 'invalid-prompt-missing', { element: 'fixture-v20240101', message: /lltp:deadline\.apologyPrompt is missing: the apology task \(Apology\)/ }],
  ['four-eyes-earlier-task', 'valid-approval-after-review', 'valid'],
  ['four-eyes-earlier-task', 'invalid-unknown-task', { element: 'Approve', message: /lltp:fourEyes\.after = Reviw is not a user task of this process/ }],
  ['four-eyes-earlier-task', 'invalid-later-task', { element: 'Approve', message: /lltp:fourEyes\.after = Review does not come before this task on any path/ }],
  ['four-eyes-earlier-task', 'invalid-self', { element: 'Approve', message: /names this task itself/ }],
  ['sla-within-target', 'valid-within-target', 'valid'],
  ['sla-within-target', 'valid-loop-counts-once', 'valid'],
  ['sla-within-target', 'valid-non-interrupting-branch-separate', 'valid'],
  ['sla-within-target', 'invalid-path-over-target', { element: 'Task_2', message: /ordinary allotments add up to 1wd 1h along Start_1 → Task_1 → Task_2, over the target 1wd/ }],
  ['sla-within-target', 'invalid-over-target-inside-subprocess', { element: 'Task_inner', message: /verification allotments add up to 2wd 1h along .*Sub_1 → Sub_start → Task_inner/ }],
  ['sla-within-target', 'valid-ordinary-skips-police-branch', 'valid'],
  ['sla-within-target', 'valid-default-flow-not-taken-when-condition-holds', 'valid'],
  ['sla-within-target', 'invalid-ordinary-branch-over-target', { element: 'Sign', message: /ordinary allotments add up to 1wd 1h along Start_1 → Check → NeedsPolice → Fast → Join → Sign, over the target 1wd/ }],
  ['sla-within-target', 'invalid-interrupting-boundary-branch-over-target', { element: 'Task_late', message: /ordinary allotments add up to 1wd 2h along Start_1 → Task_1 → Timer_1 → Task_late/ }],
  ['sla-reachable', 'valid-vneid-dossiers-reach-police', 'valid'],
  ['sla-reachable', 'invalid-ordinary-allotment-behind-variant-condition', { element: 'Police', message: /lltp:sla\.allotment\.ordinary = 8h is unreachable: no path takes ordinary dossiers to this step/ }],
  ['sla-reachable', 'invalid-shared-allotment-behind-unknown-channel', { element: 'Refuse', message: /lltp:sla\.allotment = 1h is unreachable: no path reaches this step for any case variant and channel/ }],
  ['job-type-registered', 'valid-pending-type', 'valid'],
  ['job-type-registered', 'invalid-unregistered-type', { element: 'Task_1', message: /job type "lltp\.fax\.send" has no worker .* not on the pending allow-list/ }],
  ['job-type-registered', 'invalid-expression-type', { element: 'Task_1', message: /job type "=jobType" is an expression/ }],
  ['job-type-registered', 'invalid-missing-type', { element: 'Task_1', message: /has no job type/ }],
  ['message-consistency', 'valid-catalogue-message', 'valid'],
  ['message-consistency', 'invalid-unknown-message', { element: 'Message_1', message: /message "lltp\.dossier\.lost" is not in the message catalogue/ }],
  ['message-consistency', 'invalid-wrong-correlation-key', { element: 'Message_1', message: /correlates with "=receiptNumber"; the catalogue says "=dossierCode"/ }],
  ['message-consistency', 'invalid-duplicate-name', { element: 'Message_2', message: /message name "lltp\.dossier\.supplemented" is already declared by Message_1/ }],
  ['message-consistency', 'invalid-unused-message', { element: 'Message_2', message: /message "lltp\.dossier\.withdrawn" is declared but no element waits for it/ }],
  ['zeebe-8-5-extensions', 'valid-supported-extensions', 'valid'],
  ['zeebe-8-5-extensions', 'invalid-execution-listener', { element: 'Task_1', message: /extension <zeebe:ExecutionListeners> is not run by Zeebe 8\.5/ }],
  ['zeebe-8-5-extensions', 'invalid-version-tag', { element: 'fixture-v20240101', message: /extension <zeebe:VersionTag> is not run by Zeebe 8\.5/ }],
  ['zeebe-8-5-extensions', 'invalid-binding-type', { element: 'Call_1', message: /attribute bindingType of <zeebe:CalledElement> needs Zeebe 8\.6/ }],
  ['zeebe-8-5-extensions', 'invalid-camunda7-extension', { element: 'Task_1', message: /extension <camunda:inputOutput> is not run by Zeebe 8\.5/ }],
  ['no-calendar-timer', 'valid-time-date-variable', 'valid'],
  ['no-calendar-timer', 'invalid-time-duration', { element: 'Timer_1', message: /timeDuration "PT4H" \(calendar time\)/ }],
  ['no-calendar-timer', 'invalid-time-cycle', { element: 'Timer_1', message: /timeCycle "R3\/PT1H" \(calendar time\)/ }],
  ['no-calendar-timer', 'invalid-fixed-date', { element: 'Timer_1', message: /timeDate "2024-10-10T17:00:00\+07:00" is not a variable/ }],
  ['job-worker-user-task', 'valid-job-worker-user-task', 'valid'],
  ['job-worker-user-task', 'invalid-zeebe-user-task', { element: 'Task_1', message: /is a Camunda user task \(zeebe:userTask\)/ }],
  ['user-task-form-known', 'valid-known-form', 'valid'],
  ['user-task-form-known', 'invalid-missing-form-key', { element: 'Task_1', message: /has no form key/ }],
  ['user-task-form-known', 'invalid-unknown-form-key', { element: 'Task_1', message: /form key "lltp\.form\.coffee-break" is not in the form catalogue/ }],
  ['user-task-candidate-group', 'valid-group-includes-role', 'valid'],
  ['user-task-candidate-group', 'valid-governed-without-groups', 'valid'],
  ['user-task-candidate-group', 'invalid-no-candidate-groups', { element: 'Task_1', message: /has no candidate groups/ }],
  ['user-task-candidate-group', 'invalid-group-without-role', { element: 'Task_1', message: /candidate groups "leader" do not include the responsible role "oneStopOfficer"/ }],
  ['activation-time-captured', 'valid-captured', 'valid'],
  ['activation-time-captured', 'valid-receive-task-exempt', 'valid'],
  ['activation-time-captured', 'invalid-missing-input', { element: 'Task_1', message: /does not capture its activation time/ }],
  ['activation-time-captured', 'invalid-wrong-source', { element: 'Task_1', message: /does not capture its activation time/ }],
  ['process-version', 'valid-versioned-process', 'valid'],
  ['process-version', 'valid-with-effective-to', 'valid'],
  ['process-version', 'invalid-missing-effective-from', { element: 'fixture-v20240101', message: /lltp:effectiveFrom is missing/ }],
  ['process-version', 'invalid-id-mismatch', { element: 'fixture-latest', message: /process id must be fixture-v20240101/ }],
  ['process-version', 'invalid-effective-to-before-from', { element: 'fixture-v20240101', message: /lltp:effectiveTo must be after lltp:effectiveFrom/ }],
  ['process-version', 'invalid-bad-date', { element: 'fixture-v20240230', message: /lltp:effectiveFrom must be a date YYYY-MM-DD/ }],
];

async function lintFixture(rule: string, fixture: string) {
  const file = path.join(FIXTURES, rule, `${fixture}.bpmn`);
  return lintXml(await readFile(file, 'utf8'), file, { rules: { [`lltp/${rule}`]: 'error' } });
}

describe('project lint rules on their fixtures', () => {
  test.each(cases)('lltp/%s: %s', async (rule, fixture, expected) => {
    const problems = await lintFixture(rule, fixture);
    if (expected === 'valid') {
      expect(problems.map((p) => formatProblem(p))).toEqual([]);
      return;
    }
    expect(problems.length).toBeGreaterThan(0);
    for (const problem of problems) expect(problem.rule).toBe(`lltp/${rule}`);
    const lines = problems.map((p) => formatProblem(p));
    const found = lines.some((l) => l.includes(` ${expected.element} [lltp/${rule}] `) && expected.message.test(l));
    expect({ lines, found }).toEqual({ lines, found: true });
  });

  test('every fixture is in the table, and every rule has valid and invalid fixtures', async () => {
    const onDisk: string[] = [];
    for (const rule of await readdir(FIXTURES)) {
      for (const file of await readdir(path.join(FIXTURES, rule))) onDisk.push(`${rule}/${path.basename(file, '.bpmn')}`);
    }
    expect(onDisk.sort()).toEqual(cases.map(([rule, fixture]) => `${rule}/${fixture}`).sort());
    for (const rule of Object.keys(rules)) {
      const ofRule = cases.filter(([r]) => r === rule);
      expect({ rule, valid: ofRule.some(([, f]) => f.startsWith('valid-')), invalid: ofRule.some(([, f]) => f.startsWith('invalid-')) }).toEqual({ rule, valid: true, invalid: true });
    }
    for (const [, fixture, expected] of cases) expect(fixture.startsWith('valid-')).toBe(expected === 'valid');
  });
});
