/**
 * Delivery of raised alerts (the outbox): pending alerts whose next attempt is due are claimed
 * in batches (`UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)`: two replicas never
 * take the same alert), each attempt is recorded in `alert_sends` (one row per alert and
 * attempt), the mail goes through the mailer, and the alert records `sent` (with the time) or
 * the error and the next attempt (exponential back-off, capped), and `failed` after
 * MONITOR_MAIL_MAX_ATTEMPTS. Outside working time nothing is sent unless configured: the alerts
 * wait, in order, for the next opening. Every mail has a stable Message-ID, so a crash between
 * the SMTP server's acceptance and the record of it gives at most one duplicate that mail
 * clients recognise.
 */
import { sql } from 'kysely';
import type { WorkingCalendars } from '../calendar/working-calendar';
import type { Alert } from './model';
import type { MonitorDeps } from './tick';

export interface DeliveryResult {
  sent: number;
  failed: number;
  /** Alerts still pending after this pass (waiting for working time or a retry). */
  waiting: number;
  outsideWorkingTime: boolean;
}

/** Alerts claimed at once, and how long a claim protects an alert from other replicas. */
const CLAIM_BATCH = 100;
const CLAIM_MS = 5 * 60_000;
/** At most this many mails per run; the rest wait for the next run. */
const MAX_PER_RUN = 2000;

export function inWorkingTime(calendars: WorkingCalendars, now: Date): boolean {
  return calendars.forUnit().isWorkingInstant(now);
}

export function retryDelayMs(attempt: number, settings: { retryMs: number; retryMaxMs: number }): number {
  return Math.min(settings.retryMaxMs, settings.retryMs * 2 ** Math.max(0, attempt - 1));
}

/** Claims the next due pending alerts for `holder`, oldest first. */
async function claim(deps: MonitorDeps, now: Date, holder: string): Promise<Alert[]> {
  const until = new Date(now.getTime() + CLAIM_MS);
  const claimed = await deps.db
    .updateTable('alerts')
    .set({ claimedBy: holder, claimedUntil: until })
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('alerts')
        .select('id')
        .where('deliveryStatus', '=', 'pending')
        .where('nextAttemptAt', '<=', now)
        .where((w) => w.or([w('claimedUntil', 'is', null), w('claimedUntil', '<', now)]))
        .orderBy('nextAttemptAt')
        .orderBy('detectedAt')
        .limit(CLAIM_BATCH)
        .forUpdate()
        .skipLocked(),
    )
    .returningAll()
    .execute();
  return claimed.sort((a, b) => a.detectedAt.getTime() - b.detectedAt.getTime() || a.id.localeCompare(b.id));
}

async function deliverOne(deps: MonitorDeps, alert: Alert, now: Date, holder: string): Promise<'sent' | 'failed' | 'skipped'> {
  const attempt = alert.attempts + 1;
  const recorded = await deps.db
    .insertInto('alertSends')
    .values({ alertId: alert.id, attempt, holder, at: now, outcome: null, error: null })
    .onConflict((oc) => oc.columns(['alertId', 'attempt']).doNothing())
    .returning('attempt')
    .executeTakeFirst();
  if (!recorded) {
    // This attempt was made already by a replica that stopped before recording its outcome:
    // count it, and try again after the back-off (the stable Message-ID marks a duplicate).
    await deps.db
      .updateTable('alerts')
      .set({ attempts: attempt, nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempt, deps.settings)), claimedBy: null, claimedUntil: null })
      .where('id', '=', alert.id)
      .where('claimedBy', '=', holder)
      .execute();
    return 'skipped';
  }
  try {
    if (!alert.mailSubject || alert.mailText === null) throw new Error('alert has no rendered mail');
    await deps.mailer.send({
      to: alert.recipients.map((r) => r.email),
      subject: alert.mailSubject,
      text: alert.mailText,
      ...(alert.mailHtml ? { html: alert.mailHtml } : {}),
      messageId: alert.messageId,
      headers: { 'X-LLTP-Alert': alert.id },
    });
  } catch (error) {
    const giveUp = attempt >= deps.settings.maxAttempts;
    const message = (error as Error).message.slice(0, 500);
    await deps.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('alerts')
        .set({
          deliveryStatus: giveUp ? 'failed' : 'pending',
          attempts: attempt,
          lastError: message,
          nextAttemptAt: giveUp ? null : new Date(now.getTime() + retryDelayMs(attempt, deps.settings)),
          claimedBy: null,
          claimedUntil: null,
        })
        .where('id', '=', alert.id)
        .execute();
      await tx.updateTable('alertSends').set({ outcome: 'failed', error: message }).where('alertId', '=', alert.id).where('attempt', '=', attempt).execute();
    });
    deps.logger.warn({ alert: alert.id, attempt, giveUp, error: message }, 'alert e-mail not accepted by the SMTP server');
    return 'failed';
  }
  await deps.db.transaction().execute(async (tx) => {
    await tx
      .updateTable('alerts')
      .set({ deliveryStatus: 'sent', sentAt: now, attempts: attempt, lastError: null, nextAttemptAt: null, claimedBy: null, claimedUntil: null })
      .where('id', '=', alert.id)
      .execute();
    await tx.updateTable('alertSends').set({ outcome: 'sent' }).where('alertId', '=', alert.id).where('attempt', '=', attempt).execute();
  });
  return 'sent';
}

export async function deliverPending(deps: MonitorDeps, calendars: WorkingCalendars, now: Date, holder: string): Promise<DeliveryResult> {
  const outside = !deps.settings.sendOutsideWorkingTime && !inWorkingTime(calendars, now);
  const result: DeliveryResult = { sent: 0, failed: 0, waiting: 0, outsideWorkingTime: outside };
  if (!outside) {
    let handled = 0;
    while (handled < MAX_PER_RUN) {
      const batch = await claim(deps, now, holder);
      if (batch.length === 0) break;
      for (const alert of batch) {
        const outcome = await deliverOne(deps, alert, now, holder);
        if (outcome === 'sent') result.sent += 1;
        if (outcome === 'failed') result.failed += 1;
      }
      handled += batch.length;
    }
  }
  const waiting = await deps.db
    .selectFrom('alerts')
    .select(sql<number>`count(*)`.as('n'))
    .where('deliveryStatus', '=', 'pending')
    .executeTakeFirstOrThrow();
  result.waiting = Number(waiting.n);
  return result;
}
