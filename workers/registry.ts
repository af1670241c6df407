/**
 * Which job types have a worker. A worker lives in `workers/<job type>.ts`; when one is
 * written, its type moves from `pendingJobTypes` to `workerJobTypes`. The process lint rule
 * `lltp/job-type-registered` accepts a service task only if its type is in one of the two
 * lists, and a unit test keeps `pendingJobTypes` honest (every entry is used by a model and
 * has no worker yet), so the allow-list can only shrink.
 */

/** Job types served by a worker in this directory. */
export const workerJobTypes: readonly string[] = [];

/** Job types the models use whose worker is not written yet (explicit allow-list, shrinking). */
export const pendingJobTypes: readonly string[] = [
  'lltp.apology.issue',
  'lltp.deadline.plan',
  'lltp.dossier.close-unsupplemented',
  'lltp.dossier.close-withdrawn',
  'lltp.dossier.issue-refusal',
  'lltp.dossier.request-supplement',
  'lltp.dossier.restart-clock',
  'lltp.intake.register',
  'lltp.lltp-software.push',
  'lltp.notify.citizen',
  'lltp.police.remind',
  'lltp.police.request-verification',
  'lltp.post.send-copy',
  'lltp.return.result',
  'lltp.sign.certificate',
  'lltp.sla.escalate',
];

/** True when a worker serves the job type or it is on the pending allow-list. */
export function isJobTypeAccepted(type: string): boolean {
  return workerJobTypes.includes(type) || pendingJobTypes.includes(type);
}
