/**
 * The SLA monitor beside a system under test: its calendar provider and mailer, its
 * dependencies (a clean lease each time), and a VNeID dossier brought to its open check step.
 */
import { formatInstant } from '../../server/calendar/civil-time';
import { createCalendarProvider, type CalendarProvider } from '../../server/calendar/provider';
import { createLogger } from '../../server/logger';
import { createMailer, type Mailer } from '../../server/mail';
import { createMonitorDeps } from '../../server/monitor';
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
