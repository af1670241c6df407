/**
 * Every job-based element (service task and the like) has a fixed job type that a worker in
 * workers/ serves, or that sits on the explicit allow-list of pending types
 * (workers/registry.ts) until its worker exists.
 */
import { extension, text } from '../../../server/sla/moddle';
import { isJobTypeAccepted } from '../../../workers/registry';
import { executableOnly } from '../rule';

export default executableOnly((node, reporter) => {
  const definition = extension(node, 'zeebe:TaskDefinition');
  if (!definition) return;
  const id = node.id ?? '(no id)';
  const type = text(definition, 'type')?.trim() ?? '';
  if (type === '') reporter.report(id, 'has no job type (zeebe:taskDefinition type)');
  else if (type.startsWith('=')) reporter.report(id, `job type "${type}" is an expression; use a fixed type so a worker file can be named after it`);
  else if (!isJobTypeAccepted(type)) {
    reporter.report(id, `job type "${type}" has no worker (workers/registry.ts workerJobTypes) and is not on the pending allow-list (pendingJobTypes)`);
  }
});
