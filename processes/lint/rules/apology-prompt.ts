/**
 * The apology letter goes out by `apologyByAt` (Decree 61/2018, Art. 19: at the latest one
 * working day before the due date): a process with the apology form (`lltp.form.apology`) asks its
 * leader `lltp:deadline.apologyPrompt` before that instant, and that lead covers the longest
 * allotment of the apology task, so that a leader who uses the whole allotment still sends the
 * letter in time. Reported: the prompt missing, or shorter than the task's allotment; the
 * letter's title or form line (`lltp:form.apology.title`, `lltp:form.apology.form`: each regime
 * names its own form) missing.
 */
import { descendants, formKey, is } from '../../../server/sla/moddle';
import { deadlineProperty, formTextProperty, readProcessTargets, readStepSpec, type FormTextName } from '../../../server/sla/spec';
import { formatWorkingTime } from '../../../server/sla/working-time';
import { executableOnly } from '../rule';

const APOLOGY_FORM = 'lltp.form.apology';

export default executableOnly((node, reporter) => {
  if (!is(node, 'bpmn:Process')) return;
  const tasks = descendants(node).filter((e) => is(e, 'bpmn:UserTask') && formKey(e) === APOLOGY_FORM);
  if (tasks.length === 0) return;
  const targets = readProcessTargets(node);
  if (!targets.ok) return; // reported by lltp/sla-complete
  for (const name of ['apology.title', 'apology.form'] as FormTextName[]) {
    if (!targets.value.forms[name]) reporter.report(node.id ?? '(process)', `${formTextProperty(name)} is missing: the apology letter prints it (the regime's form)`);
  }
  const prompt = targets.value.deadlines.apologyPrompt;
  if (prompt === undefined) {
    reporter.report(node.id ?? '(process)', `${deadlineProperty('apologyPrompt')} is missing: the apology task (${tasks.map((t) => t.id).join(', ')}) must be started that long before apologyByAt`);
    return;
  }
  for (const task of tasks) {
    const spec = readStepSpec(task);
    if (!spec.ok || spec.value.governed) continue; // reported by lltp/sla-complete; a governed task is checked with its agency's table
    const longest = Math.max(...Object.values(spec.value.allotments));
    if (prompt < longest) {
      reporter.report(task.id ?? '(task)', `${deadlineProperty('apologyPrompt')} = ${formatWorkingTime(prompt)} is shorter than this task's allotment ${formatWorkingTime(longest)}: a leader using the allotment would send the apology after apologyByAt`);
    }
  }
});
