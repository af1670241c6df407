/**
 * After step 6 the case variant is known: no record → ordinary; verification in the province →
 * verification; extended (several provinces, abroad, a foreigner, expungement) → statutory.
 * The terms are the national procedure version's (`lltp:target.<variant>`,
 * `lltp:deadline.statutoryExtended` for the statutory variant, else the statutory days the
 * dossier was received with), and the deadlines are computed again on the dossier's clock.
 * After an apology, the promised return date and its apology-by instant stay.
 *
 * A due date that moves to the extended statutory time (10 → 15 working days) is told, once: the
 * citizen through VNeID (notice `statutory-extension`, with the new date and the legal reason,
 * `lltp:form.extension.reason` of the version) and by e-mail when the declaration gives an
 * address (the declaration's read is audited; the mail carries the dossier code, the new date
 * and the reason, nothing of the record), the one-stop desk by the monitor (`extendedAt`), and
 * the audit trail. The notice (idempotent by its id), the mail (audit entry
 * `dossier.extension-mailed` once the SMTP server took it, a stable Message-ID) and the audit
 * entry (written once) come before the dossier's update, so that a job delivered again after a
 * failure tells what it had not.
 */
import { z } from 'zod';
import { forms, instant } from '../processes/contracts';
import type { CaseVariant } from '../server/sla';
import { dossierTermsOf } from '../server/sla';
import { audit } from '../server/audit';
import { formatVnDate } from '../server/monitor/format';
import { readDeclaration } from '../server/readmodel/declaration';
import { factsOf } from '../server/readmodel/deadline-history';
import { complete, defineWorker, dossierCode, TechnicalFault, type JobContext } from './framework';
import { apologyPromptAt, deadlinesOf, dossierOf, iso, planOf, updateOpenDossier } from './dossier-support';

const searchOutcomes = forms['lltp.form.search-records'].outputs;

export function caseVariantOf(search: z.infer<typeof searchOutcomes>): CaseVariant {
  if (search.searchOutcome === 'noRecord') return 'ordinary';
  return search.verificationScope === 'extended' ? 'statutory' : 'verification';
}

export default defineWorker({
  type: 'lltp.deadline.plan',
  variables: z
    .object({ dossierCode, clockStartedAt: instant, apologyIssued: z.boolean(), returnDueAt: instant.optional() })
    .and(searchOutcomes),
  outcomeOf: (outputs) => outputs.caseVariant,
  async handler(ctx) {
    const dossier = await dossierOf(ctx);
    const caseVariant = caseVariantOf(ctx.variables);
    const terms = dossierTermsOf(planOf(ctx.deps, ctx.job.bpmnProcessId), caseVariant, caseVariant === 'statutory');
    const statutoryWorkingDays = caseVariant === 'statutory' ? terms.statutoryWorkingDays : dossier.statutoryWorkingDays;
    const { targetWorkingDays } = terms;
    const deadlines = deadlinesOf(ctx, dossier, { statutoryWorkingDays, targetWorkingDays, apologyLeadMinutes: dossier.apologyLeadMinutes });
    const apologized = ctx.variables.apologyIssued || Boolean(dossier.apology);
    // After an apology the new return date governs: keep it and its apology-by instant.
    const apologyByAt = apologized && dossier.apologyByAt ? dossier.apologyByAt : deadlines.apologyByAt;
    const extended = !apologized && caseVariant === 'statutory' && dossier.statutoryWorkingDays < statutoryWorkingDays && dossier.status === 'open';
    if (extended) await tellExtension(ctx, deadlines.statutoryDueAt);
    const update = {
      caseVariant,
      variant: caseVariant === 'ordinary' ? ('ordinary' as const) : ('verification' as const),
      statutoryWorkingDays,
      targetWorkingDays,
      statutoryDueAt: deadlines.statutoryDueAt,
      targetDueAt: deadlines.targetDueAt,
      apologyByAt,
      appointmentAt: apologized ? dossier.appointmentAt : deadlines.statutoryDueAt,
    };
    const planned = { ...(extended ? { extendedAt: ctx.now } : {}), ...update, deadlinesEstimated: deadlines.estimated, calendarVersion: ctx.calendars.version };
    // the deadlines before the plan stay readable for reports as of an earlier instant: recorded
    // with the update in one statement when they change; otherwise the update alone
    const changed = dossier.status === 'open' && JSON.stringify(factsOf(dossier)) !== JSON.stringify(factsOf({ ...dossier, ...update }));
    await updateOpenDossier(ctx, planned, changed ? { dossierCode: ctx.dossierCode, changeId: `plan:${ctx.job.elementInstanceKey}`, cause: 'plan', at: ctx.now, before: dossier } : undefined);
    return complete({ caseVariant, statutoryDueAt: iso(deadlines.statutoryDueAt), targetDueAt: iso(deadlines.targetDueAt), apologyByAt: iso(apologyByAt), apologyPromptAt: iso(apologyPromptAt(ctx, dossier, apologyByAt)) });
  },
});

const EXTENSION_AUDIT = 'dossier.deadline-extended';
const EXTENSION_MAILED = 'dossier.extension-mailed';

const audited = async (ctx: JobContext<{ dossierCode: string }, unknown>, action: string): Promise<boolean> =>
  Boolean(await ctx.deps.db.selectFrom('audit').select('id').where('dossierCode', '=', ctx.dossierCode).where('action', '=', action).executeTakeFirst());

/** The citizen's notice and the audit entry of a due date moved to the extended statutory time. */
async function tellExtension(ctx: JobContext<{ dossierCode: string }, unknown>, newDueAt: Date): Promise<void> {
  const reason = planOf(ctx.deps, ctx.job.bpmnProcessId).forms['extension.reason'];
  if (!reason) throw new TechnicalFault(`process ${ctx.job.bpmnProcessId} has no lltp:form.extension.reason: the citizen cannot be told why the due date moves`);
  const newReturnDate = iso(newDueAt).slice(0, 10);
  await ctx.deps.adapters.notify.notify({ notificationId: `${ctx.dossierCode}:statutory-extension`, dossierCode: ctx.dossierCode, kind: 'statutory-extension', newReturnDate, reason });
  if (!(await audited(ctx, EXTENSION_MAILED))) await mailExtension(ctx, newDueAt, reason);
  if (!(await audited(ctx, EXTENSION_AUDIT))) {
    await audit(ctx.deps.db, { at: ctx.now, actor: 'system:lltp.deadline.plan', action: EXTENSION_AUDIT, dossierCode: ctx.dossierCode, detail: `hẹn trả kết quả mới ${formatVnDate(newDueAt)}; ${reason}` });
  }
}

/** The same news by e-mail, when the citizen's declaration gives an address. */
async function mailExtension(ctx: JobContext<{ dossierCode: string }, unknown>, newDueAt: Date, reason: string): Promise<void> {
  const request = await readDeclaration(ctx.deps.db, ctx.dossierCode, { actor: 'system:lltp.deadline.plan', purpose: 'báo công dân ngày hẹn trả kết quả mới (gia hạn theo luật định)', at: ctx.now });
  const address = request?.declaration.email;
  if (!address) return;
  const date = formatVnDate(newDueAt);
  await ctx.deps.mailer.send({
    to: address,
    subject: `Hồ sơ ${ctx.dossierCode}: ngày hẹn trả Phiếu lý lịch tư pháp chuyển sang ${date}`,
    text: [
      `Hồ sơ đề nghị cấp Phiếu lý lịch tư pháp mã ${ctx.dossierCode}`,
      '',
      `Ngày hẹn trả kết quả mới: ${date}.`,
      `Lý do: ${reason}`,
      '',
      'Ông/bà theo dõi hồ sơ và nhận kết quả trên ứng dụng VNeID như đã đăng ký. Thư này được gửi tự động; không trả lời thư này.',
    ].join('\n'),
    messageId: `<statutory-extension.${ctx.dossierCode}@lltp-flow>`,
    headers: { 'X-LLTP-Dossier': ctx.dossierCode, 'X-LLTP-Notice': 'statutory-extension' },
  });
  await audit(ctx.deps.db, { at: ctx.now, actor: 'system:lltp.deadline.plan', action: EXTENSION_MAILED, dossierCode: ctx.dossierCode, detail: `thư báo ngày hẹn mới ${date}` });
}
