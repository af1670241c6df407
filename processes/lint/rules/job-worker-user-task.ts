/**
 * User tasks are job-worker user tasks (job type `io.camunda.zeebe:userTask`), served by the
 * project's own inbox: no `zeebe:userTask` extension (a Camunda user task needs Tasklist).
 */
import { extension, is } from '../../../server/sla/moddle';
import { executableOnly } from '../rule';

export default executableOnly((node, reporter) => {
  if (is(node, 'bpmn:UserTask') && extension(node, 'zeebe:UserTask')) {
    reporter.report(node.id ?? '(no id)', 'is a Camunda user task (zeebe:userTask); the inbox serves job-worker user tasks: remove the zeebe:userTask extension');
  }
});
