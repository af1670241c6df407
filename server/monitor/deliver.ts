/**
 * Delivery of raised alerts (the outbox): pending alerts whose next attempt is due are sent
 * through the mailer, each attempt claimed first by a unique insert (`<alert>#<attempt>`), so
 * that two replicas never send the same attempt; the alert then records `sent` (with the time)
 * or the error and the next attempt (exponential back-off, capped), and `failed` after
 * MONITOR_MAIL_MAX_ATTEMPTS. Outside working time nothing is sent unless configured: the
 * alerts wait, in order, for the next opening. Every mail has a stable Message-ID, so a crash
 * between the SMTP server's acceptance and the record of it gives at most one duplicate that
 * mail clients recognise.
 */
import { isDuplicateKey } from '../db';
import type { WorkingCalendars } from '../calendar/working-calendar';
import type { AlertDoc } from './model';
import type { MonitorDeps } from './tick';

export interface DeliveryResult {
  sent: number;
  failed: number;
  /** Alerts still pending after this pass (waiting for working time or a retry). */
  waiting: number;
  outsideWorkingTime: boolean;
}

export function inWorkingTime(calendars: WorkingCalendars, now: Date): boolean {
  return calendars.forUnit().isWorkingInstant(now);
}

export function retryDelayMs(attempt: number, settings: { retryMs: number; retryMaxMs: number }): number {
  return Math.min(settings.retryMaxMs, settings.retryMs * 2 ** Math.max(0, attempt - 1));
}

export async function deliverPending(deps: MonitorDeps, calendars: WorkingCalendars, now: Date, holder: string): Promise<DeliveryResult> {
  const { alerts, sends } = deps.models;
  const outside = !deps.settings.sendOutsideWorkingTime && !inWorkingTime(calendars, now);
  const result: DeliveryResult = { sent: 0, failed: 0, waiting: 0, outsideWorkingTime: outside };
  if (!outside) {
    const due = (await alerts.find({ 'delivery.status': 'pending', 'delivery.nextAttemptAt': { $lte: now } }).sort({ detectedAt: 1 }).limit(2000).lean()) as AlertDoc[];
    for (const alert of due) {
      const attempt = alert.delivery.attempts + 1;
      try {
        await sends.create({ _id: `${alert._id}#${attempt}`, holder, at: now });
      } catch (error) {
        if (isDuplicateKey(error)) continue; // another replica has this attempt
        throw error;
      }
      try {
        if (!alert.mail) throw new Error('alert has no rendered mail');
        await deps.mailer.send({
          to: alert.recipients.map((r) => r.email),
          subject: alert.mail.subject,
          text: alert.mail.text,
          html: alert.mail.html,
          messageId: alert.delivery.messageId,
          headers: { 'X-LLTP-Alert': alert._id },
        });
        await alerts.updateOne({ _id: alert._id }, { $set: { 'delivery.status': 'sent', 'delivery.sentAt': now, 'delivery.attempts': attempt, 'delivery.lastError': null, 'delivery.nextAttemptAt': null } });
        result.sent += 1;
      } catch (error) {
        const giveUp = attempt >= deps.settings.maxAttempts;
        const message = (error as Error).message.slice(0, 500);
        await alerts.updateOne(
          { _id: alert._id },
          {
            $set: {
              'delivery.status': giveUp ? 'failed' : 'pending',
              'delivery.attempts': attempt,
              'delivery.lastError': message,
              'delivery.nextAttemptAt': giveUp ? null : new Date(now.getTime() + retryDelayMs(attempt, deps.settings)),
            },
          },
        );
        result.failed += 1;
        deps.logger.warn({ alert: alert._id, attempt, giveUp, error: message }, 'alert e-mail not accepted by the SMTP server');
      }
    }
  }
  result.waiting = await alerts.countDocuments({ 'delivery.status': 'pending' });
  return result;
}
