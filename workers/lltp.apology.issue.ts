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
import { DAY_MS, dayNumberOfLocalDate, dayNumberOf, dayStartMs, localDateOf } from '../server/calendar/civil-time';
import type { WorkingCalendar } from '../server/calendar/working-calendar';
import { complete, defineWorker, dossierCode, PermanentFault, TechnicalFault } from './framework';
import { iso, loadDossier } from './dossier-support';

const apologyForm = forms['lltp.form.apology'].outputs;

/** End of office hours on a civil date, or null when the unit does not work that day. */
export function endOfOfficeHours(calendar: WorkingCalendar, date: string): Date | null {
  const start = new Date(dayStartMs(dayNumberOfLocalDate(date)));
  const minutes = calendar.between(start, new Date(start.getTime() + DAY_MS));
  if (minutes <= 0) return null;
  return calendar.add(start, minutes).dueAt;
}

export default defineWorker({
  type: 'lltp.apology.issue',
  variables: z.object({ dossierCode, apologyReason: apologyForm.shape.apologyReason, newReturnDate: apologyForm.shape.newReturnDate }),
  outcomeOf: () => 'apology',
  async handler(ctx) {
    const { apologyReason, newReturnDate } = ctx.variables;
    const dossier = await loadDossier(ctx.deps, ctx.dossierCode);
    const calendar = ctx.calendars.forUnit(dossier.unitId);
    const workingDay = ctx.deps.policy.deadlines.workingDayMinutes;
    const answer = (returnDueAt: Date, apologyByAt: Date) => complete({ apologyIssued: true as const, returnDueAt: iso(returnDueAt), apologyByAt: iso(apologyByAt) });

    if (dossier.apology) {
      if (dossier.apology.newReturnDate !== newReturnDate) {
        throw new PermanentFault(`dossier ${ctx.dossierCode}: an apology was already issued (return date ${dossier.apology.newReturnDate}); the return date may be moved only once`);
      }
      const returnDueAt = endOfOfficeHours(calendar, newReturnDate);
      if (!returnDueAt) throw new TechnicalFault(`dossier ${ctx.dossierCode}: ${newReturnDate} is no longer a working day`);
      return answer(returnDueAt, calendar.add(returnDueAt, -workingDay).dueAt);
    }

    const returnDueAt = endOfOfficeHours(calendar, newReturnDate);
    if (!returnDueAt) throw new PermanentFault(`newReturnDate ${newReturnDate} is not a working day of unit ${dossier.unitId}`);
    const current = dossier.appointmentAt ?? dossier.statutoryDueAt;
    if (current && newReturnDate <= localDateOf(dayNumberOf(current.getTime()))) {
      throw new PermanentFault(`newReturnDate ${newReturnDate} must be later than the current appointment ${localDateOf(dayNumberOf(current.getTime()))}`);
    }
    const apologyByAt = calendar.add(returnDueAt, -workingDay).dueAt;
    const result = await ctx.deps.models.dossiers.updateOne(
      { code: ctx.dossierCode, apology: null },
      { $set: { apology: { reason: apologyReason, newReturnDate, issuedAt: ctx.now, issuedBy: 'leader' }, appointmentAt: returnDueAt, apologyByAt } },
    );
    if (result.modifiedCount === 0) {
      const again = await loadDossier(ctx.deps, ctx.dossierCode);
      if (again.apology?.newReturnDate !== newReturnDate) throw new PermanentFault(`dossier ${ctx.dossierCode}: another apology was issued meanwhile`);
    }
    return answer(returnDueAt, apologyByAt);
  },
});
