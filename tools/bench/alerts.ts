/**
 * `npm run bench:alerts`: the alert budget of a working day, measured on the real stack.
 *
 * The product runs in this process as the tests run it (API, workers, simulators; its own
 * database), its clock and the broker's pinned together and moved 5 minutes at a time through
 * Wednesday 10 March 2027, 07:30–17:30 (Việt Nam). `BENCH_ALERTS_DOSSIERS` (40) VNeID dossiers
 * arrive between 07:30 and 10:30; scripted officers (the demo accounts, and a head of the
 * one-stop unit added for the day) claim each task when it appears and complete it after 10–70%
 * of its allotment in working time (seeded); `BENCH_ALERTS_LATE` (6) of them are left to run
 * late: their check is claimed and never done. The monitor (real alerts, outbox and Mailpit)
 * ticks at every step and runs its daily digest at 07:30.
 *
 * Figures (JSON lines):
 * - alerts.mails_per_on_time_dossier: e-mails (one per recipient) about the dossiers worked within
 *   their allotments, per such dossier (target 0);
 * - alerts.late_dossiers_alerted: share of the late dossiers whose holder got the due-soon notice
 *   before the due time, and whose holder and unit head got the overdue mail once it passed
 *   (target 1.0);
 * - alerts.mails_per_supervisor_per_day: e-mails to the supervisors over the day (digests,
 *   escalations, summaries);
 * - alerts.old_rule_mails_per_on_time_dossier: the baseline on the same day's steps: how many
 *   due-soon mails the replaced rule (the larger of 20% and 240 minutes) would have sent about
 *   them (at least one per timed step open at a tick with that little time left);
 * - alerts.mails_total, alerts.superseded (alerts not sent because their condition had ended).
 */
import { sql } from 'kysely';
import { hashPassword } from '../../server/auth/passwords';
import { formatInstant } from '../../server/calendar/civil-time';
import { createCalendarProvider } from '../../server/calendar/provider';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/logger';
import { createMailer } from '../../server/mail';
import { createMonitor, createMonitorDeps } from '../../server/monitor';
import { loadProcessCatalog } from '../../server/sla';
import { BrokerClock } from '../../server/zeebe';
import { restartBroker } from '../../test/support/broker-clock';
import { PARTNER, startSystem, type SystemUnderTest } from '../../test/support/system';
import { sampleVneidRequest, seededRandom } from '../simulators/sample-requests';
import { emit, progressOf, withStack } from './support';

const DOSSIERS = Number(process.env.BENCH_ALERTS_DOSSIERS ?? 40);
const LATE = Number(process.env.BENCH_ALERTS_LATE ?? 6);
const DAY_START = new Date('2027-03-10T07:30:00+07:00');
const DAY_END = new Date('2027-03-10T17:30:00+07:00');
const ARRIVALS_UNTIL = new Date('2027-03-10T10:30:00+07:00');
const STEP_MS = 5 * 60_000;
const OFFICER: Record<string, string> = { oneStopOfficer: 'motcua', lltpOfficer: 'chuyenvien', headOfDivision: 'truongphong', leader: 'lanhdao' };
const HEAD_OF_ONE_STOP = 'truongmotcua';
const progress = progressOf('bench:alerts');

interface OpenTask {
  id: string;
  dossierCode: string;
  role: string;
  status: string;
  formKey: string;
  startedAt: Date;
  allotmentMinutes: number;
}

const FORM_DATA: Record<string, Record<string, unknown>> = {
  'lltp.form.check-dossier': { intakeDecision: 'accept' },
  'lltp.form.search-records': { searchOutcome: 'noRecord' },
  'lltp.form.review-draft': { reviewDecision: 'approve' },
};

async function main(): Promise<void> {
  await withStack('bench:alerts', async () => {
    let clock = DAY_START;
    const brokerClock = new BrokerClock(loadConfig().ZEEBE_MANAGEMENT_URL);
    await brokerClock.pin(clock);
    let s: SystemUnderTest | undefined;
    try {
      s = await startSystem('bench_alerts', 5200, { SESSION_HOURS: '48', LOG_LEVEL: 'warn' }, { now: () => clock });
      const sut = s;
      await sut.db
        .insertInto('users')
        .values({ username: HEAD_OF_ONE_STOP, displayName: 'Trưởng Bộ phận Một cửa', email: `${HEAD_OF_ONE_STOP}@stp.example.vn`, roles: ['headOfDivision'], unitId: 'stp-mot-cua', passwordHash: await hashPassword('bench'), createdAt: clock })
        .execute();
      const calendars = createCalendarProvider({ db: sut.db, now: () => clock, refreshMs: 3_600_000 });
      const calendar = (await calendars.current()).forUnit('stp-mot-cua');
      const mailer = createMailer(sut.config, { timeoutMs: 5000 });
      const monitor = createMonitor(createMonitorDeps({ db: sut.db, config: sut.config, catalog: await loadProcessCatalog(), calendars, mailer, logger: createLogger({ level: 'warn' }) }), { holder: 'bench-alerts', now: () => clock });
      const rnd = seededRandom(2027);

      // arrivals, spread over the morning; the first LATE are left to run late
      const arrivals = Array.from({ length: DOSSIERS }, (_, i) => new Date(DAY_START.getTime() + Math.floor(((ARRIVALS_UNTIL.getTime() - DAY_START.getTime()) * i) / DOSSIERS)));
      const late = new Set<string>();
      const codes: string[] = [];
      const plannedDone = new Map<string, Date>();
      let next = 0;
      await monitor.runOnce('daily');

      for (; clock <= DAY_END; ) {
        while (next < arrivals.length && (arrivals[next] as Date) <= clock) {
          const request = sampleVneidRequest({ receiptNumber: `BA-${next}-${Date.now()}`, receivedAt: formatInstant(clock.getTime()), random: seededRandom(900 + next) });
          const answer = await sut.call('POST', '/api/intake/vneid', request, PARTNER);
          if (answer.status !== 201) throw new Error(`intake: ${answer.status} ${JSON.stringify(answer.body)}`);
          const code = String(answer.body.dossierCode);
          codes.push(code);
          if (next < LATE) late.add(code);
          next += 1;
        }
        // let the workers and the inbox take what the clock released
        await new Promise((r) => setTimeout(r, 400));
        const tasks = (await sut.db
          .selectFrom('tasks as t')
          .innerJoin('steps as s', (j) => j.on(sql`s.id`, '=', sql`'step:' || substr(t.id, 6)`))
          .select(['t.id', 't.dossierCode', 't.role', 't.status', 't.formKey', 't.startedAt', 's.allotmentMinutes'])
          .where('t.status', 'in', ['open', 'claimed'])
          .where('t.dossierCode', 'in', codes.length ? codes : [''])
          .execute()) as OpenTask[];
        for (const task of tasks) {
          const username = OFFICER[task.role];
          if (!username) continue;
          const headers = await sut.as(username);
          if (task.status === 'open') {
            const claimed = await sut.call('POST', `/api/tasks/${task.id}/claim`, {}, headers);
            if (claimed.status !== 200) throw new Error(`claim ${task.id}: ${claimed.status} ${JSON.stringify(claimed.body)}`);
            const share = 0.1 + rnd() * 0.6;
            plannedDone.set(task.id, calendar.add(task.startedAt, Math.floor(task.allotmentMinutes * share)).dueAt);
          }
          if (late.has(task.dossierCode) && task.formKey === 'lltp.form.check-dossier') continue;
          const due = plannedDone.get(task.id);
          if (!due || due > clock) continue;
          const done = await sut.call('POST', `/api/tasks/${task.id}/complete`, { data: FORM_DATA[task.formKey] ?? {} }, headers);
          if (done.status !== 200) throw new Error(`complete ${task.formKey} of ${task.dossierCode}: ${done.status} ${JSON.stringify(done.body)}`);
        }
        await monitor.runOnce('tick');
        if (clock.getTime() % (60 * 60_000) === 30 * 60_000) progress(`${formatInstant(clock.getTime()).slice(11, 16)}: ${codes.length} dossiers received`);
        clock = new Date(clock.getTime() + STEP_MS);
        await brokerClock.pin(clock);
      }
      mailer.close();

      // the figures, from the alerts the monitor raised and what it sent
      const alerts = await sut.db.selectFrom('alerts').select(['id', 'kind', 'dossierCode', 'stepId', 'recipients', 'deliveryStatus', 'sentAt', 'dueAt']).execute();
      const sent = alerts.filter((a) => a.deliveryStatus === 'sent');
      const mails = (list: typeof sent): number => list.reduce((sum, a) => sum + a.recipients.length, 0);
      const onTime = codes.filter((c) => !late.has(c));
      const aboutOnTime = sent.filter((a) => a.dossierCode && !late.has(a.dossierCode));
      const supervisors = new Set((await sut.db.selectFrom('users').select('username').where(sql<boolean>`'supervisor' = ANY(roles)`).execute()).map((u) => u.username));
      let alerted = 0;
      for (const code of late) {
        const step = await sut.db.selectFrom('steps').select(['id', 'dueAt']).where('dossierCode', '=', code).where('elementId', '=', 'checkDossier').executeTakeFirstOrThrow();
        const dueSoon = sent.find((a) => a.id === `step:${step.id}:dueSoon`);
        const overdue = sent.find((a) => a.id === `step:${step.id}:overdue`);
        const toldBefore = dueSoon?.sentAt && dueSoon.sentAt <= step.dueAt && dueSoon.recipients.some((r) => r.username === 'motcua');
        const toldAfter = overdue?.sentAt && overdue.sentAt > step.dueAt && ['motcua', HEAD_OF_ONE_STOP].every((u) => overdue.recipients.some((r) => r.username === u));
        if (toldBefore && toldAfter) alerted += 1;
        else progress(`late dossier ${code}: due-soon ${dueSoon?.sentAt?.toISOString() ?? 'not sent'}, overdue ${overdue?.sentAt?.toISOString() ?? 'not sent'} (due ${step.dueAt.toISOString()})`);
      }
      // the baseline, measured on the same day's steps: the rule this replaced ("due soon" from the
      // larger of 20% and 240 minutes, to everyone holding the role) would have mailed each timed step
      // of these dossiers that was open at a tick with that little time left
      const onTimeSteps = await sut.db
        .selectFrom('steps')
        .select(['startedAt', 'finishedAt', 'dueAt', 'allotmentMinutes', 'unitId'])
        .where('dossierCode', 'in', onTime.length ? onTime : [''])
        .where('allotmentMinutes', '>', 0)
        .execute();
      let oldRuleMails = 0;
      for (const step of onTimeSteps) {
        const threshold = Math.max(Math.ceil(step.allotmentMinutes * 0.2), 240);
        const end = step.finishedAt ?? DAY_END;
        for (let t = Math.ceil(step.startedAt.getTime() / STEP_MS) * STEP_MS; t <= end.getTime(); t += STEP_MS) {
          if (calendar.between(new Date(t), step.dueAt) <= threshold) {
            oldRuleMails += 1;
            break;
          }
        }
      }
      const toSupervisors = sent.reduce((sum, a) => sum + a.recipients.filter((r) => supervisors.has(r.username)).length, 0);
      progress(`${codes.length} dossiers (${late.size} left late), ${alerts.length} alerts raised, ${sent.length} sent (${mails(sent)} e-mails), ${alerts.filter((a) => a.deliveryStatus === 'superseded').length} superseded, ${alerts.filter((a) => a.deliveryStatus === 'inDigest').length} left for the digest`);
      emit('alerts.mails_per_on_time_dossier', onTime.length ? mails(aboutOnTime) / onTime.length : 0, 'mails');
      emit('alerts.old_rule_mails_per_on_time_dossier', onTime.length ? oldRuleMails / onTime.length : 0, 'mails');
      emit('alerts.late_dossiers_alerted', late.size ? alerted / late.size : 1, 'share');
      emit('alerts.mails_per_supervisor_per_day', supervisors.size ? toSupervisors / supervisors.size : 0, 'mails');
      emit('alerts.mails_total', mails(sent), 'mails');
      emit('alerts.superseded', alerts.filter((a) => a.deliveryStatus === 'superseded').length, 'alerts');
      if (mails(aboutOnTime) > 0 || alerted < late.size) process.exitCode = 1;
    } finally {
      await s?.stop();
      await brokerClock.reset().catch(() => undefined);
      await restartBroker(0); // the broker back on the real time, its periodic work scheduled anew
    }
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:alerts failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
