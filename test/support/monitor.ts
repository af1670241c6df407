/**
 * The SLA monitor beside a system under test: its calendar provider and mailer, its
 * dependencies (a clean lease each time), a VNeID dossier brought to its open check step, and
 * what proves that the monitor had its chance before a "nothing more was sent" check: a run
 * recorded as finished in `monitor_runs`, and a dossier's outbox with nothing left to send.
 */
import { formatInstant } from '../../server/calendar/civil-time';
import { createCalendarProvider, type CalendarProvider } from '../../server/calendar/provider';
import { createLogger } from '../../server/logger';
import { createMailer, type Mailer } from '../../server/mail';
import type { Db } from '../../server/db';
import { createMonitorDeps } from '../../server/monitor';
import type { Monitor, RunKind } from '../../server/monitor/monitor';
import type { MonitorDeps } from '../../server/monitor/tick';
import type { Step } from '../../server/readmodel/step';
import { loadProcessCatalog } from '../../server/sla';
import { sampleVneidRequest, seededRandom } from '../../tools/simulators/sample-requests';
import { PARTNER, type SystemUnderTest } from './system';
import { eventually } from './wait';
import { testClock, testNowMs } from './clock';
import { uniqueId } from './unique';

export interface MonitorHarness {
  calendars: CalendarProvider;
  mailer: Mailer;
  /** The monitor's dependencies (retries and lease of a minute unless set), the lease table emptied. */
  deps(settings?: Partial<MonitorDeps['settings']>): Promise<MonitorDeps>;
  /** A VNeID dossier through intake: its code, the citizen's name and its open check step. */
  dossierAtCheckStep(): Promise<{ code: string; fullName: string; step: Step }>;
  close(): void;
}

export function monitorHarness(s: SystemUnderTest, receipts: { prefix: string; seed: number }): MonitorHarness {
  const calendars = createCalendarProvider({ db: s.db, now: testClock(), refreshMs: 1000 });
  const mailer = createMailer(s.config, { timeoutMs: 3000 });
  let n = 0;
  return {
    calendars,
    mailer,
    async deps(settings = {}) {
      await s.db.deleteFrom('leases').execute();
      return createMonitorDeps({ db: s.db, config: s.config, catalog: await loadProcessCatalog(), calendars, mailer, logger: createLogger({ level: 'silent' }), settings: { retryMs: 60_000, leaseMs: 60_000, ...settings }, now: testClock() });
    },
    async dossierAtCheckStep() {
      n += 1;
      const request = sampleVneidRequest({ receiptNumber: `${receipts.prefix}-${uniqueId()}-${n}`, receivedAt: formatInstant(testNowMs()), random: seededRandom(receipts.seed + n) });
      const answer = await s.call('POST', '/api/intake/vneid', request, PARTNER);
      if (answer.status !== 201 && answer.status !== 200) throw new Error(`intake: ${answer.status} ${JSON.stringify(answer.body)}`); // 200: completed by a re-sent request
      const code = String(answer.body.dossierCode);
      const step = await eventually(
        async () => s.db.selectFrom('steps').selectAll().where('dossierCode', '=', code).where('elementId', '=', 'checkDossier').where('finishedAt', 'is', null).executeTakeFirst(),
        `check step of ${code}`,
        30000,
      );
      return { code, fullName: request.declaration.fullName, step };
    },
    close: () => mailer.close(),
  };
}

/**
 * Runs the monitor once and expects the run to have taken place and ended without error, as
 * `monitor_runs` recorded it (not skipped for a lease held elsewhere: a skipped run had no
 * chance to raise or send anything). A run sends the mails it delivers before it ends, and
 * Mailpit stores a message before it answers the SMTP client: once the run has ended, every mail
 * it sent is in Mailpit. Returns the recorded run.
 */
export async function runToTheEnd(db: Db, monitor: Monitor, kind: RunKind): Promise<{ id: string; counts: unknown }> {
  const outcome = await monitor.runOnce(kind);
  expect({ ran: outcome.ran, skipped: outcome.skipped }).toEqual({ ran: true, skipped: undefined });
  const recorded = await db.selectFrom('monitorRuns').select(['id', 'finishedAt', 'error', 'counts']).where('id', '=', outcome.run?.id ?? '').executeTakeFirst();
  expect({ finished: recorded?.finishedAt instanceof Date, error: recorded?.error }).toEqual({ finished: true, error: null });
  return { id: recorded!.id, counts: recorded!.counts };
}

/**
 * One dossier's outbox: its alerts still to be sent (pending, whether waiting for working time
 * or a retry), and the mail attempts recorded for its alerts (`sent`: accepted by the SMTP
 * server). With nothing pending after a finished run, no further mail about the dossier is on
 * its way: Mailpit holds one message per `sent`.
 */
export async function outboxOf(db: Db, code: string): Promise<{ pending: number; attempts: number; sent: number }> {
  const pending = await db.selectFrom('alerts').select('id').where('dossierCode', '=', code).where('deliveryStatus', '=', 'pending').execute();
  const sends = await db.selectFrom('alertSends').innerJoin('alerts', 'alerts.id', 'alertSends.alertId').select('alertSends.outcome').where('alerts.dossierCode', '=', code).execute();
  return { pending: pending.length, attempts: sends.length, sent: sends.filter((send) => send.outcome === 'sent').length };
}
