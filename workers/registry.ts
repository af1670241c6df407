/**
 * Which job types have a worker. A worker lives in `workers/<job type>.ts`; when one is
 * written, its type moves from `pendingJobTypes` to `workerJobTypes`. The process lint rule
 * `lltp/job-type-registered` accepts a service task only if its type is in one of the two
 * lists, and a unit test keeps `pendingJobTypes` honest (every entry is used by a model and
 * has no worker yet), so the allow-list can only shrink. `registerWorkers` starts them all.
 */
import type { ZeebeGrpcClient } from '../server/zeebe';
import { runWorker, type RunningWorker, type Worker, type WorkerDeps, type WorkerRunOptions } from './framework';
import apologyIssue from './lltp.apology.issue';
import deadlinePlan from './lltp.deadline.plan';
import closeUnsupplemented from './lltp.dossier.close-unsupplemented';
import closeWithdrawn from './lltp.dossier.close-withdrawn';
import issueRefusal from './lltp.dossier.issue-refusal';
import requestSupplement from './lltp.dossier.request-supplement';
import restartClock from './lltp.dossier.restart-clock';
import intakeRegister from './lltp.intake.register';
import lltpSoftwarePush from './lltp.lltp-software.push';
import notifyCitizen from './lltp.notify.citizen';
import policeRemind from './lltp.police.remind';
import policeRequestVerification from './lltp.police.request-verification';
import postSendCopy from './lltp.post.send-copy';
import returnResult from './lltp.return.result';
import signCertificate from './lltp.sign.certificate';
import slaEscalate from './lltp.sla.escalate';

/** Every worker, one per job type (each file is named after its type). */
export const workers: readonly Worker[] = [
  apologyIssue,
  deadlinePlan,
  closeUnsupplemented,
  closeWithdrawn,
  issueRefusal,
  requestSupplement,
  restartClock,
  intakeRegister,
  lltpSoftwarePush,
  notifyCitizen,
  policeRemind,
  policeRequestVerification,
  postSendCopy,
  returnResult,
  signCertificate,
  slaEscalate,
] as readonly Worker[];

/** Job types served by a worker in this directory. */
export const workerJobTypes: readonly string[] = workers.map((w) => w.type);

/** Job types the models use whose worker is not written yet (explicit allow-list, shrinking). */
export const pendingJobTypes: readonly string[] = [];

/** True when a worker serves the job type or it is on the pending allow-list. */
export function isJobTypeAccepted(type: string): boolean {
  return workerJobTypes.includes(type) || pendingJobTypes.includes(type);
}

/** Starts one Zeebe worker per job type; close them all to drain and stop. */
export function registerWorkers(zeebe: ZeebeGrpcClient, deps: WorkerDeps, options: WorkerRunOptions, only: readonly string[] = workerJobTypes): RunningWorker[] {
  return workers.filter((w) => only.includes(w.type)).map((worker) => runWorker(zeebe, worker, deps, options));
}
