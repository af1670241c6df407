/**
 * The project's bpmnlint plugin `lltp`: one rule per file in ./rules, the file name is the
 * rule id (`lltp/<file>`). `.bpmnlintrc` enables them with `plugin:lltp/recommended`.
 */
import activationTimeCaptured from './rules/activation-time-captured';
import apologyPrompt from './rules/apology-prompt';
import fourEyesEarlierTask from './rules/four-eyes-earlier-task';
import jobTypeRegistered from './rules/job-type-registered';
import jobWorkerUserTask from './rules/job-worker-user-task';
import messageConsistency from './rules/message-consistency';
import noCalendarTimer from './rules/no-calendar-timer';
import processVersion from './rules/process-version';
import slaComplete from './rules/sla-complete';
import slaReachable from './rules/sla-reachable';
import slaWithinTarget from './rules/sla-within-target';
import userTaskCandidateGroup from './rules/user-task-candidate-group';
import userTaskFormKnown from './rules/user-task-form-known';
import zeebe85Extensions from './rules/zeebe-8-5-extensions';
import type { RuleFactory } from './rule';

export const PLUGIN_NAME = 'lltp';
export const PLUGIN_PACKAGE = 'bpmnlint-plugin-lltp';

export const rules: Record<string, RuleFactory> = {
  'activation-time-captured': activationTimeCaptured,
  'apology-prompt': apologyPrompt,
  'four-eyes-earlier-task': fourEyesEarlierTask,
  'job-type-registered': jobTypeRegistered,
  'job-worker-user-task': jobWorkerUserTask,
  'message-consistency': messageConsistency,
  'no-calendar-timer': noCalendarTimer,
  'process-version': processVersion,
  'sla-complete': slaComplete,
  'sla-reachable': slaReachable,
  'sla-within-target': slaWithinTarget,
  'user-task-candidate-group': userTaskCandidateGroup,
  'user-task-form-known': userTaskFormKnown,
  'zeebe-8-5-extensions': zeebe85Extensions,
};

export const configs = {
  recommended: { rules: Object.fromEntries(Object.keys(rules).map((id) => [`${PLUGIN_NAME}/${id}`, 'error'])) },
};
