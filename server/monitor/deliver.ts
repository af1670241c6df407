/**
 * Delivery of raised alerts (the outbox): pending alerts whose next attempt is due are claimed
 * in batches (`UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)`: two replicas never
 * take the same alert), each attempt is recorded in `alert_sends` (one row per alert and
 * attempt) before its mail goes through the mailer, and each alert records `sent` (with the
 * time) or the error and the next attempt (exponential back-off, capped), and `failed` after
 * MONITOR_MAIL_MAX_ATTEMPTS: a few statements per batch, whatever its size. Each mail is rendered
 * when it is sent, from the template version and data its alert stored (server/monitor/templates.ts):
 * every attempt sends the same bytes. Before a mail leaves
 * (first attempt or retry, held or not) its condition is judged again: an alert whose step or
 * dossier has finished or moved on is marked `superseded` (with the reason) and never sent.
 * Outside working time nothing is sent unless configured: the alerts
 * wait, in order, for the next opening. Every mail has a stable Message-ID, so a crash between
 * the SMTP server's acceptance and the record of it gives at most one duplicate that mail
 * clients recognise.
 */
import { sql } from 'kysely';
import type { WorkingCalendars } from '../calendar/working-calendar';
import { isSmtpUnavailable } from '../outage';
import { judgeDossier, judgeStep } from './classify';
import type { Alert } from './model';
import { renderStored, type MailBody, type TemplateVersion } from './templates';
import { clockStoppedColumn, DOSSIER_COLUMNS, STEP_COLUMNS, type MonitorDeps } from './tick';

export interface DeliveryResult {
  sent: number;
  failed: number;
  /** Alerts not sent because their condition no longer held (the step or dossier finished or moved on). */
  superseded: number;
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

interface Outcome {
  id: string;
  attempt: number;
  status: 'sent' | 'pending' | 'failed' | 'superseded';
  error: string | null;
  nextAttemptAt: Date | null;
}

/** Kinds whose condition is judged again before the mail leaves (digests and notices of a fact are sent as they are). */
const RECHECKED = new Set(['dueSoon', 'overdue', 'escalation', 'apologyDue']);

/**
 * The alerts of the batch whose condition no longer holds now, with the reason: the step or
 * dossier finished, or its judgement now (status, due time, apology) no longer raises this key.
 */
async function supersededOf(deps: MonitorDeps, calendars: WorkingCalendars, batch: readonly Alert[], now: Date): Promise<Map<string, string>> {
  const superseded = new Map<string, string>();
  const stepAlerts = batch.filter((a) => RECHECKED.has(a.kind) && a.subject === 'step' && a.stepId);
  const dossierAlerts = batch.filter((a) => RECHECKED.has(a.kind) && a.subject === 'dossier' && a.dossierCode);
  const [steps, dossiers] = await Promise.all([
    stepAlerts.length ? deps.db.selectFrom('steps').select(STEP_COLUMNS).where('id', 'in', stepAlerts.map((a) => a.stepId as string)).execute() : [],
    dossierAlerts.length
      ? deps.db.selectFrom('dossiers').select(DOSSIER_COLUMNS).select(clockStoppedColumn.as('clockStopped')).where('code', 'in', dossierAlerts.map((a) => a.dossierCode as string)).execute()
      : [],
  ]);
  const stepById = new Map(steps.map((s) => [s.id, s]));
  for (const alert of stepAlerts) {
    const step = stepById.get(alert.stepId as string);
    if (!step || step.finishedAt) {
      superseded.set(alert.id, 'bước đã hoàn thành');
      continue;
    }
    const judged = judgeStep(step, step.escalation, calendars.forUnit(step.unitId), now, deps.settings.dueSoon);
    if (!judged.conditions.some((c) => c.key === alert.id)) superseded.set(alert.id, `không còn đúng: bước nay ${judged.status}`);
  }
  const dossierByCode = new Map(dossiers.map((d) => [d.code, d]));
  for (const alert of dossierAlerts) {
    const dossier = dossierByCode.get(alert.dossierCode as string);
    if (!dossier || dossier.status !== 'open') {
      superseded.set(alert.id, 'hồ sơ đã kết thúc');
      continue;
    }
    const judged = judgeDossier({ ...dossier, apology: dossier.apologyIssuedAt }, deps.settings.dossierEscalation, calendars.forUnit(dossier.unitId), now, deps.settings.dueSoon);
    if (!judged.conditions.some((c) => c.key === alert.id)) superseded.set(alert.id, `không còn đúng: hồ sơ nay ${judged.status}`);
  }
  return superseded;
}

/** The stored template versions the alerts are rendered from. */
async function templatesOf(deps: MonitorDeps, alerts: readonly Alert[]): Promise<Map<string, TemplateVersion>> {
  const versions = [...new Set(alerts.map((a) => a.mailTemplate).filter((v): v is string => v !== null))];
  if (versions.length === 0) return new Map();
  const rows = await deps.db.selectFrom('mailTemplates').select(['version', 'name', 'layout', 'html', 'text', 'shared']).where('version', 'in', versions).execute();
  return new Map(rows.map((t) => [t.version, t]));
}

/** The mail of an alert: rendered from its template version and data, or as stored by an alert raised before migration 0012. */
export function mailOf(alert: Pick<Alert, 'mailSubject' | 'mailText' | 'mailHtml' | 'mailTemplate' | 'mailData'>, templates: ReadonlyMap<string, TemplateVersion>): MailBody {
  if (alert.mailTemplate !== null && alert.mailData !== null) {
    const template = templates.get(alert.mailTemplate);
    if (!template) throw new Error(`mail template ${alert.mailTemplate} is not stored`);
    if (!alert.mailSubject) throw new Error('alert has no mail subject');
    return renderStored(template, alert.mailData, alert.mailSubject);
  }
  if (!alert.mailSubject || alert.mailText === null) throw new Error('alert has no mail (never rendered, or cleared by retention)');
  return { subject: alert.mailSubject, text: alert.mailText, html: alert.mailHtml ?? '' };
}

/**
 * Records the attempt of each claimed alert (`alert_sends`, one row per alert and attempt:
 * an attempt already recorded was made by a replica that stopped before recording its outcome,
 * so it counts, and the alert waits for its back-off), sends the mails, and records every
 * outcome in one transaction.
 */
async function deliverBatch(deps: MonitorDeps, calendars: WorkingCalendars, claimed: readonly Alert[], now: Date, holder: string): Promise<{ sent: number; failed: number; superseded: number }> {
  const superseded = await supersededOf(deps, calendars, claimed, now);
  const outcomes: Outcome[] = claimed
    .filter((a) => superseded.has(a.id))
    .map((a) => ({ id: a.id, attempt: a.attempts, status: 'superseded' as const, error: superseded.get(a.id) as string, nextAttemptAt: null }));
  const batch = claimed.filter((a) => !superseded.has(a.id));
  const attempts = batch.map((a) => a.attempts + 1);
  const recorded = batch.length === 0 ? { rows: [] } : await sql<{ alertId: string }>`
    INSERT INTO alert_sends (alert_id, attempt, holder, at)
    SELECT id, attempt, ${holder}, ${now} FROM unnest(${batch.map((a) => a.id)}::text[], ${attempts}::integer[]) AS v (id, attempt)
    ON CONFLICT (alert_id, attempt) DO NOTHING
    RETURNING alert_id`.execute(deps.db);
  const fresh = new Set(recorded.rows.map((r) => r.alertId));
  const templates = await templatesOf(deps, batch.filter((a) => fresh.has(a.id)));
  for (const [i, alert] of batch.entries()) {
    const attempt = attempts[i] as number;
    const retryAt = new Date(now.getTime() + retryDelayMs(attempt, deps.settings));
    if (!fresh.has(alert.id)) {
      outcomes.push({ id: alert.id, attempt, status: 'pending', error: alert.lastError, nextAttemptAt: retryAt });
      continue;
    }
    try {
      const mail = mailOf(alert, templates);
      await deps.mailer.send({
        to: alert.recipients.map((r) => r.email),
        subject: mail.subject,
        text: mail.text,
        ...(mail.html ? { html: mail.html } : {}),
        messageId: alert.messageId,
        headers: { 'X-LLTP-Alert': alert.id },
      });
      outcomes.push({ id: alert.id, attempt, status: 'sent', error: null, nextAttemptAt: null });
      deps.outages?.success('smtp');
    } catch (error) {
      const giveUp = attempt >= deps.settings.maxAttempts;
      const message = (error as Error).message.slice(0, 500);
      outcomes.push({ id: alert.id, attempt, status: giveUp ? 'failed' : 'pending', error: message, nextAttemptAt: giveUp ? null : retryAt });
      // an unreachable server is one outage, logged quietly; a mail it refused is logged on its own
      // (the mailer's errors are the SMTP server's: an ECONNREFUSED here is not the database's)
      if (!giveUp && isSmtpUnavailable(error) && deps.outages) deps.outages.failure('smtp', error);
      else deps.logger.warn({ alert: alert.id, attempt, giveUp, error: message }, 'alert e-mail not accepted by the SMTP server');
    }
  }
  const column = <T>(pick: (o: Outcome) => T): T[] => outcomes.map(pick);
  await deps.db.transaction().execute(async (tx) => {
    await sql`
      UPDATE alerts AS a
      SET delivery_status = v.status, attempts = v.attempt, next_attempt_at = v.next_attempt_at,
          last_error = CASE WHEN v.status = 'superseded' THEN a.last_error ELSE v.error END,
          superseded_reason = CASE WHEN v.status = 'superseded' THEN v.error ELSE a.superseded_reason END,
          sent_at = CASE WHEN v.status = 'sent' THEN ${now}::timestamptz ELSE a.sent_at END, claimed_by = NULL, claimed_until = NULL
      FROM unnest(${column((o) => o.id)}::text[], ${column((o) => o.attempt)}::integer[], ${column((o) => o.status)}::text[],
                  ${column((o) => o.error)}::text[], ${column((o) => o.nextAttemptAt)}::timestamptz[]) AS v (id, attempt, status, error, next_attempt_at)
      WHERE a.id = v.id AND a.claimed_by = ${holder}`.execute(tx);
    const made = outcomes.filter((o) => fresh.has(o.id));
    if (made.length === 0) return;
    await sql`
      UPDATE alert_sends AS s SET outcome = CASE WHEN v.status = 'sent' THEN 'sent' ELSE 'failed' END, error = v.error
      FROM unnest(${made.map((o) => o.id)}::text[], ${made.map((o) => o.attempt)}::integer[], ${made.map((o) => o.status)}::text[], ${made.map((o) => o.error)}::text[])
        AS v (id, attempt, status, error)
      WHERE s.alert_id = v.id AND s.attempt = v.attempt`.execute(tx);
  });
  return {
    sent: outcomes.filter((o) => o.status === 'sent').length,
    failed: outcomes.filter((o) => fresh.has(o.id) && o.status !== 'sent').length,
    superseded: superseded.size,
  };
}

export async function deliverPending(deps: MonitorDeps, calendars: WorkingCalendars, now: Date, holder: string): Promise<DeliveryResult> {
  const outside = !deps.settings.sendOutsideWorkingTime && !inWorkingTime(calendars, now);
  const result: DeliveryResult = { sent: 0, failed: 0, superseded: 0, waiting: 0, outsideWorkingTime: outside };
  if (!outside) {
    let handled = 0;
    while (handled < MAX_PER_RUN) {
      const batch = await claim(deps, now, holder);
      if (batch.length === 0) break;
      const { sent, failed, superseded } = await deliverBatch(deps, calendars, batch, now, holder);
      result.sent += sent;
      result.failed += failed;
      result.superseded += superseded;
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
