/**
 * Reminders and escalations (police.remind, sla.escalate): one `escalations` row per
 * activation (`escalation:<dossierCode>:<elementInstanceKey>`, inserted once) and
 * one e-mail to the active users holding the roles, with a stable Message-ID; `mailedAt` is set
 * once the SMTP server took it, so a repeated job does not send it again. The text names
 * only the dossier code, the step, the unit, the due time and how late it is.
 */
import { sql } from 'kysely';
import { formatInstant } from '../server/calendar/civil-time';
import type { StepSla } from '../server/sla/spec';
import type { JobContext } from './framework';

export interface EscalationRequest {
  reason: string;
  /** The late step, from the SLA plan. */
  step: StepSla;
  roles: readonly string[];
  dueAt: Date | null;
  /** Subject line start, Vietnamese. */
  title: string;
}

export const escalationId = (code: string, elementInstanceKey: string): string => `escalation:${code}:${elementInstanceKey}`;
export const escalationMessageId = (code: string, elementInstanceKey: string): string => `<escalation.${code}.${elementInstanceKey}@lltp-flow>`;

function describeLateness(minutes: number, workingDayMinutes: number): string {
  if (minutes <= 0) return 'đến hạn';
  const days = Math.floor(minutes / workingDayMinutes);
  const rest = minutes % workingDayMinutes;
  const hours = Math.floor(rest / 60);
  const mins = rest % 60;
  const parts = [days ? `${days} ngày làm việc` : '', hours ? `${hours} giờ` : '', mins ? `${mins} phút` : ''].filter(Boolean);
  return `trễ ${parts.join(' ')}`;
}

export async function raiseEscalation(ctx: JobContext<unknown, unknown>, request: EscalationRequest): Promise<{ recipients: number; mailed: boolean }> {
  const { db } = ctx.deps;
  const id = escalationId(ctx.dossierCode, ctx.job.elementInstanceKey);
  const calendar = ctx.calendars.forUnit(request.step.unit);
  const late = request.dueAt ? Math.max(0, calendar.between(request.dueAt, ctx.now)) : 0;
  const roles: string[] = [...request.roles];
  const recipients = await db.selectFrom('users').select('email').where('active', '=', true).where('roles', '&&', sql<string[]>`${roles}::text[]`).execute();
  const messageId = escalationMessageId(ctx.dossierCode, ctx.job.elementInstanceKey);
  await db
    .insertInto('escalations')
    .values({
      id,
      dossierCode: ctx.dossierCode,
      elementId: ctx.job.elementId,
      elementInstanceKey: ctx.job.elementInstanceKey,
      processInstanceKey: ctx.job.processInstanceKey,
      reason: request.reason,
      stepElementId: request.step.elementId,
      unitId: request.step.unit,
      roles,
      dueAt: request.dueAt,
      lateWorkingMinutes: late,
      at: ctx.now,
      recipients: recipients.length,
      messageId,
      mailedAt: null,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  const stored = await db.selectFrom('escalations').selectAll().where('id', '=', id).executeTakeFirst();
  if (stored?.mailedAt) return { recipients: stored.recipients, mailed: false };
  if (recipients.length === 0) {
    ctx.logger.warn({ roles: request.roles, reason: request.reason }, 'no active user holds the escalation roles: recorded, no e-mail sent');
    return { recipients: 0, mailed: false };
  }
  const unit = request.step.unitName ?? request.step.unit;
  const due = stored?.dueAt ?? request.dueAt;
  const lateness = describeLateness(stored?.lateWorkingMinutes ?? late, ctx.deps.policy.deadlines.workingDayMinutes);
  const text = [
    `${request.title}`,
    '',
    `Hồ sơ: ${ctx.dossierCode}`,
    `Bước: ${request.step.name || request.step.elementId}`,
    `Đơn vị: ${unit}`,
    `Hạn xử lý: ${due ? formatInstant(due.getTime()).replace('T', ' ').slice(0, 16) + ' (giờ Việt Nam)' : 'không xác định'}`,
    `Tình trạng: ${lateness}`,
    '',
    'Đề nghị đồng chí chỉ đạo, đôn đốc xử lý. Thư này được gửi tự động từ hệ thống theo dõi thời hạn; không trả lời thư này.',
  ].join('\n');
  await ctx.deps.mailer.send({
    to: recipients.map((u) => u.email),
    subject: `[LLTP] ${request.title} – hồ sơ ${ctx.dossierCode}`,
    text,
    messageId,
    headers: { 'X-LLTP-Dossier': ctx.dossierCode, 'X-LLTP-Reason': request.reason },
  });
  await db.updateTable('escalations').set({ mailedAt: ctx.deps.clock.now() }).where('id', '=', id).where('mailedAt', 'is', null).execute();
  return { recipients: recipients.length, mailed: true };
}
