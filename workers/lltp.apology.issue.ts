/**
 * Phiếu xin lỗi và hẹn lại ngày trả kết quả (mẫu 04), once per dossier. The new return date
 * must be a working day of the dossier's unit and later than the current appointment; the
 * return is due at the end of office hours that day, and the apology-by instant moves to one
 * working day before it (then the dossier is escalated: no second apology).
 * The models catch no BPMN error here, so a refused date is a permanent fault (an incident
 * with the reason, for the leader's form to be corrected). Stored with a conditional update
 * (only where no apology exists); the same job delivered again returns the same result.
 */
import { z } from 'zod';
import { forms } from '../processes/contracts';
import { checkApology, endOfOfficeHours, ApologyRuleError } from '../server/apology/rules';
import { apologyLetterId, insertLetter, letterExists, renderApologyHtml, renderApologyPdf, type ApologyLetterFields } from '../server/apology/letter';
import { formatVnDate } from '../server/monitor/format';
import { readDeclaration } from '../server/readmodel/declaration';
import { CHECK_AT_NEXT_TICK, type Dossier } from '../server/readmodel/dossier';
import { complete, defineWorker, dossierCode, PermanentFault, TechnicalFault, type JobContext } from './framework';
import { apologyPromptAt, dossierOf, iso, loadDossier, planOf } from './dossier-support';

const apologyForm = forms['lltp.form.apology'].outputs;

export { endOfOfficeHours };

const CHANNELS: Record<string, string> = {
  vneid: 'ứng dụng VNeID',
  nationalPortal: 'Cổng Dịch vụ công quốc gia',
  provincialPortal: 'Cổng dịch vụ công của tỉnh',
  inPerson: 'Bộ phận Một cửa',
  post: 'dịch vụ bưu chính',
};

const VN_DATE_WORDS = (at: Date): string => {
  const [d, m, y] = formatVnDate(at).split('/');
  return `ngày ${d} tháng ${m} năm ${y}`;
};

/** Renders and stores the letter once (`apology:<code>`); the same job again finds it there. */
async function storeLetter(ctx: JobContext<{ apologyReason: string; newReturnDate: string }, unknown>, dossier: Dossier, oldDue: Date | null, issuedBy: string): Promise<void> {
  const id = apologyLetterId(ctx.dossierCode);
  if (await letterExists(ctx.deps.db, id)) return;
  const declaration = await readDeclaration(ctx.deps.db, ctx.dossierCode, { actor: 'system:apology-letter', purpose: 'lập văn bản xin lỗi (mẫu 04)', at: ctx.now });
  const signer = await ctx.deps.db.selectFrom('users').select('displayName').where('username', '=', issuedBy).executeTakeFirst();
  // the issuing body of the dossier (agencies.json): its name and the place its letters are written
  const agency = ctx.deps.catalog.agencies.find((a) => a.code === dossier.agencyCode);
  const agencyName = agency?.name ?? dossier.agencyCode ?? ctx.dossierCode.split('-')[0] ?? '';
  const [y, m, d] = ctx.variables.newReturnDate.split('-');
  // the regime's own form: its title and basis come from the national procedure version
  const forms = planOf(ctx.deps, ctx.job.bpmnProcessId).forms;
  if (!forms['apology.title'] || !forms['apology.form']) throw new TechnicalFault(`process ${ctx.job.bpmnProcessId} has no lltp:form.apology.title or lltp:form.apology.form: the letter cannot be printed`);
  const fields: ApologyLetterFields = {
    title: forms['apology.title'],
    formNote: forms['apology.form'],
    agencyName,
    place: agency?.place ?? agencyName,
    letterNumber: `${ctx.dossierCode}/XL`,
    issuedDateText: VN_DATE_WORDS(ctx.now),
    citizenName: declaration?.declaration.fullName ?? '(không đọc được tờ khai)',
    dossierCode: ctx.dossierCode,
    receivedDate: formatVnDate(dossier.receivedAt),
    channel: CHANNELS[dossier.source ?? 'vneid'] ?? 'ứng dụng VNeID',
    oldReturnDate: oldDue ? formatVnDate(oldDue) : '—',
    reason: ctx.variables.apologyReason,
    newReturnDate: `${d}/${m}/${y}`,
    signerTitle: 'LÃNH ĐẠO SỞ TƯ PHÁP',
    signerName: signer?.displayName ?? issuedBy,
  };
  await insertLetter(ctx.deps.db, { id, dossierCode: ctx.dossierCode, kind: 'apology', fields, html: renderApologyHtml(fields), pdf: await renderApologyPdf(fields, ctx.now), createdAt: ctx.now });
}

/** Who completed the leader's form (the timeline's actor of `recordApology`). */
async function issuer(ctx: JobContext<unknown, unknown>): Promise<string> {
  const step = await ctx.deps.db
    .selectFrom('steps')
    .select('actor')
    .where('dossierCode', '=', ctx.dossierCode)
    .where('elementId', '=', 'recordApology')
    .where('finishedAt', 'is not', null)
    .orderBy('finishedAt', 'desc')
    .limit(1)
    .executeTakeFirst();
  return step?.actor ?? 'leader';
}

export default defineWorker({
  type: 'lltp.apology.issue',
  variables: z.object({ dossierCode, apologyReason: apologyForm.shape.apologyReason, newReturnDate: apologyForm.shape.newReturnDate }),
  outcomeOf: () => 'apology',
  async handler(ctx) {
    const { apologyReason, newReturnDate } = ctx.variables;
    const dossier = await dossierOf(ctx);
    const calendar = ctx.calendars.forUnit(dossier.unitId);
    const lead = dossier.apologyLeadMinutes;
    const answer = (returnDueAt: Date, apologyByAt: Date) =>
      complete({ apologyIssued: true as const, returnDueAt: iso(returnDueAt), apologyByAt: iso(apologyByAt), apologyPromptAt: iso(apologyPromptAt(ctx, dossier, apologyByAt)) });

    if (dossier.apology) {
      if (dossier.apology.newReturnDate !== newReturnDate) {
        throw new PermanentFault(`dossier ${ctx.dossierCode}: an apology was already issued (return date ${dossier.apology.newReturnDate}); the return date may be moved only once`);
      }
      const returnDueAt = endOfOfficeHours(calendar, newReturnDate);
      if (!returnDueAt) throw new TechnicalFault(`dossier ${ctx.dossierCode}: ${newReturnDate} is no longer a working day`);
      await storeLetter(ctx, dossier, dossier.statutoryDueAt, dossier.apology.issuedBy);
      return answer(returnDueAt, calendar.add(returnDueAt, -lead).dueAt);
    }

    let returnDueAt: Date;
    try {
      ({ returnDueAt } = checkApology({ ...dossier, apology: null }, { newReturnDate }, calendar, ctx.now));
    } catch (error) {
      if (error instanceof ApologyRuleError) throw new PermanentFault(error.message);
      throw error;
    }
    const oldDue = dossier.appointmentAt ?? dossier.statutoryDueAt;
    const apologyByAt = calendar.add(returnDueAt, -lead).dueAt;
    const issuedBy = await issuer(ctx);
    const result = await ctx.deps.db
      .updateTable('dossiers')
      .set({
        apologyReason,
        apologyNewReturnDate: newReturnDate,
        apologyIssuedAt: ctx.now,
        apologyIssuedBy: issuedBy,
        appointmentAt: returnDueAt,
        apologyByAt,
        nextCheckAt: CHECK_AT_NEXT_TICK,
      })
      .where('code', '=', ctx.dossierCode)
      .where('apologyIssuedAt', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) {
      const again = await loadDossier(ctx.deps, ctx.dossierCode);
      if (again.apology?.newReturnDate !== newReturnDate) throw new PermanentFault(`dossier ${ctx.dossierCode}: another apology was issued meanwhile`);
    }
    await storeLetter(ctx, dossier, oldDue, issuedBy);
    return answer(returnDueAt, apologyByAt);
  },
});
