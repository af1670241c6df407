/**
 * `npm run bench:alerts`: the alert budget of a working day, measured on the real stack.
 *
 * The product runs in this process (./system.ts: API, workers, simulators; a database of the
 * run) on a broker of the bench's own (./broker.ts), whose
 * controlled clock is pinned to the product's and moved with it 5 minutes at a time through
 * Wednesday 10 March 2027, 07:30–17:30 (Việt Nam); then both go to Thursday 07:30, when the
 * monitor's daily run sends the digests of the dossiers still open. The monitor (real alerts,
 * outbox and Mailpit) ticks at every step.
 *
 * Dossiers: DOSSIERS VNeID requests arrive between 07:30 and 10:30, BACKLOG of them received 10
 * working days earlier less two hours (carried over: their appointment falls on the morning of
 * the day). Scripted officers (the demo accounts, and a head of the one-stop unit added for the
 * day) claim each task when it appears and complete it after a share of its allotment in working
 * time drawn for it (seeded): 65% finish early (10–75%), 25% in the due-soon band (80–98%), 10%
 * beyond their allotment (105–165%, giving the reason the inbox asks for); the carried-over
 * dossiers pass their due date. Tasks other than the fast path's (an apology, say) are left open.
 * After each step the bench waits until every dossier is at a task or closed (the workers had
 * their chance), never for a fixed time.
 *
 * A step is late when it finished after its due time or is still open past it at the end; a
 * dossier is late when one of its steps is, or it passed its appointment unfinished. Figures:
 * - alerts.dossiers, alerts.late_dossiers, alerts.late_steps: what the day held;
 * - alerts.mails_per_on_time_dossier, alerts.mails_per_late_dossier: e-mails (one per
 *   recipient) about the dossier, its steps included, per such dossier;
 * - alerts.late_warned_before_due: share of the late steps whose holder was mailed the due-soon
 *   notice before the due time (heads of division take theirs in the digest, by default);
 * - alerts.late_told_when_overdue: share of the late steps whose holder and a head of their unit
 *   were mailed the overdue notice once it passed;
 * - alerts.old_rule_mails_per_on_time_dossier: the baseline on the same steps: the replaced rule
 *   (due soon from the larger of 20% and 240 minutes, to the whole role) would have mailed at
 *   least once each timed step open at a tick with that little time left;
 * - alerts.digest_mails (the Thursday digests), alerts.mails_per_supervisor_per_day,
 *   alerts.mails_total, alerts.superseded (alerts not sent because their condition had ended).
 * Small mode (LLTP_BENCH_SMALL=1): 12 dossiers, 1 carried over. BENCH_ALERTS_DOSSIERS (40),
 * BENCH_ALERTS_BACKLOG (3).
 */
import { sql } from 'kysely';
import { hashPassword } from '../../server/auth/passwords';
import { formatInstant } from '../../server/calendar/civil-time';
import { createCalendarProvider } from '../../server/calendar/provider';
import type { WorkingCalendar } from '../../server/calendar/working-calendar';
import { createMailer } from '../../server/mail';
import { createMonitor, createMonitorDeps } from '../../server/monitor';
import type { Monitor } from '../../server/monitor/monitor';
import { loadProcessCatalog } from '../../server/sla';
import { BrokerClock } from '../../server/zeebe';
import { sampleVneidRequest, seededRandom } from '../simulators/sample-requests';
import { withOwnBroker } from './broker';
import { PARTNER, startBenchSystem, type BenchSystem } from './system';
import { benchLogger, figureOutput, progressOf, runBench, runId, setting, withStack } from './support';

export const FIGURES = [
  'alerts.dossiers',
  'alerts.late_dossiers',
  'alerts.late_steps',
  'alerts.mails_per_on_time_dossier',
  'alerts.mails_per_late_dossier',
  'alerts.late_warned_before_due',
  'alerts.late_told_when_overdue',
  'alerts.old_rule_mails_per_on_time_dossier',
  'alerts.digest_mails',
  'alerts.mails_per_supervisor_per_day',
  'alerts.mails_total',
  'alerts.superseded',
] as const;

const DOSSIERS = setting('BENCH_ALERTS_DOSSIERS', 40, 12);
const BACKLOG = setting('BENCH_ALERTS_BACKLOG', 3, 1);
const DAY_START = new Date('2027-03-10T07:30:00+07:00');
const DAY_END = new Date('2027-03-10T17:30:00+07:00');
const ARRIVALS_UNTIL = new Date('2027-03-10T10:30:00+07:00');
const NEXT_MORNING = new Date('2027-03-11T07:30:00+07:00');
const STEP_MS = 5 * 60_000;
/** How long the workers may take to bring the dossiers to a task, in real time (a loaded machine retries calls). */
const SETTLE_LIMIT_MS = 120_000;
const OFFICER: Record<string, string> = { oneStopOfficer: 'motcua', lltpOfficer: 'chuyenvien', headOfDivision: 'truongphong', leader: 'lanhdao' };
const HEAD_OF_ONE_STOP = 'truongmotcua';
/** The fast path's forms and what the officers decide; other tasks are left open. */
const FORM_DATA: Record<string, Record<string, unknown>> = {
  'lltp.form.check-dossier': { intakeDecision: 'accept' },
  'lltp.form.accept-in-lltp': {},
  'lltp.form.search-records': { searchOutcome: 'noRecord' },
  'lltp.form.record-verification': {}, // the police's answer (every VNeID dossier goes to PV06)
  'lltp.form.draft-certificate': {},
  'lltp.form.review-draft': { reviewDecision: 'approve' },
  'lltp.form.approve-certificate': {},
};
const LATE_REASON = 'Chờ ý kiến của lãnh đạo (đo hiệu năng)';
const progress = progressOf('bench:alerts');

/** An officer's working time on a task, as a share of its allotment (see the file's comment). */
function finishingShare(random: () => number): number {
  const band = random();
  const u = random();
  if (band < 0.65) return 0.1 + u * 0.65;
  if (band < 0.9) return 0.8 + u * 0.18;
  return 1.05 + u * 0.6;
}

interface OpenTask {
  id: string;
  dossierCode: string;
  role: string;
  status: string;
  formKey: string;
  startedAt: Date;
  allotmentMinutes: number;
  dueAt: Date;
}

/** The product's clock and the broker's, pinned together and moved together. */
class DayClock {
  private at = DAY_START;
  constructor(private readonly broker: BrokerClock) {}
  readonly now = (): Date => this.at;
  async moveTo(at: Date): Promise<void> {
    this.at = at;
    await this.broker.pin(at);
  }
}

/** The simulated day: the product on its clock, the dossiers and the officers' plans. */
class Day {
  readonly codes: string[] = [];
  private readonly plannedDone = new Map<string, Date>();
  private readonly random = seededRandom(2027);

  constructor(
    readonly sut: BenchSystem,
    readonly calendar: WorkingCalendar,
    readonly monitor: Monitor,
    readonly time: DayClock,
  ) {}

  get clock(): Date {
    return this.time.now();
  }

  async receive(index: number, receivedAt: Date): Promise<void> {
    const request = sampleVneidRequest({ receiptNumber: `BA-${index}-${runId()}`, receivedAt: formatInstant(receivedAt.getTime()), random: seededRandom(900 + index) });
    const answer = await this.sut.call('POST', '/api/intake/vneid', request, PARTNER);
    if (answer.status !== 201) throw new Error(`intake: ${answer.status} ${JSON.stringify(answer.body)}`);
    this.codes.push(String(answer.body.dossierCode));
  }

  /** Waits until every dossier is at a task or closed: the workers and the inbox had their chance. */
  async settle(): Promise<void> {
    if (this.codes.length === 0) return;
    const started = performance.now();
    for (;;) {
      const moving = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM dossiers d
        WHERE d.code IN (${sql.join(this.codes)}) AND d.status = 'open'
          AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.dossier_code = d.code AND t.status IN ('open', 'claimed'))`.execute(this.sut.db);
      if (Number(moving.rows[0]?.n) === 0) return;
      if (performance.now() - started > SETTLE_LIMIT_MS) throw new Error(`${moving.rows[0]?.n} dossier(s) reached no task within ${SETTLE_LIMIT_MS / 1000} s at ${formatInstant(this.clock.getTime())}: ${await this.whereStuck()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Where the dossiers that reached no task are: their unfinished steps, or their last one. */
  private async whereStuck(): Promise<string> {
    const rows = await sql<{ code: string; element_id: string; finished: boolean }>`
      SELECT DISTINCT ON (d.code) d.code, s.element_id, s.finished_at IS NOT NULL AS finished
      FROM dossiers d LEFT JOIN steps s ON s.dossier_code = d.code
      WHERE d.code IN (${sql.join(this.codes)}) AND d.status = 'open'
        AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.dossier_code = d.code AND t.status IN ('open', 'claimed'))
      ORDER BY d.code, (s.finished_at IS NULL) DESC, s.started_at DESC`.execute(this.sut.db);
    return rows.rows.map((r) => `${r.code} ${r.finished ? 'after' : 'at'} ${r.element_id ?? 'no step'}`).join(', ');
  }

  /** Each officer claims what appeared (drawing when they will finish) and completes what is done by now. */
  async work(): Promise<void> {
    if (this.codes.length === 0) return;
    const tasks = (await this.sut.db
      .selectFrom('tasks as t')
      .innerJoin('steps as s', (j) => j.on(sql`s.id`, '=', sql`'step:' || substr(t.id, 6)`))
      .select(['t.id', 't.dossierCode', 't.role', 't.status', 't.formKey', 't.startedAt', 's.allotmentMinutes', 's.dueAt'])
      .where('t.status', 'in', ['open', 'claimed'])
      .where('t.dossierCode', 'in', this.codes)
      .execute()) as OpenTask[];
    for (const task of tasks) {
      const username = OFFICER[task.role];
      if (!username || !(task.formKey in FORM_DATA)) continue;
      const headers = await this.sut.as(username);
      if (task.status === 'open') {
        const claimed = await this.sut.call('POST', `/api/tasks/${task.id}/claim`, {}, headers);
        if (claimed.status !== 200) throw new Error(`claim ${task.id}: ${claimed.status} ${JSON.stringify(claimed.body)}`);
        this.plannedDone.set(task.id, this.calendar.add(task.startedAt, Math.floor(task.allotmentMinutes * finishingShare(this.random))).dueAt);
      }
      const done = this.plannedDone.get(task.id);
      if (!done || done > this.clock) continue;
      const body = { data: FORM_DATA[task.formKey], ...(this.clock > task.dueAt ? { lateReason: LATE_REASON } : {}) };
      const completed = await this.sut.call('POST', `/api/tasks/${task.id}/complete`, body, headers);
      if (completed.status !== 200) throw new Error(`complete ${task.formKey} of ${task.dossierCode}: ${completed.status} ${JSON.stringify(completed.body)}`);
    }
  }
}

/** The day, 5 minutes at a time, and the next morning's daily run with its digests. */
async function runDay(day: Day): Promise<void> {
  const span = ARRIVALS_UNTIL.getTime() - DAY_START.getTime();
  const arrivals = Array.from({ length: DOSSIERS }, (_, i) => new Date(DAY_START.getTime() + Math.floor((span * i) / DOSSIERS)));
  // carried over: received 10 working days before the day less two hours, so due on its morning
  const carriedOver = day.calendar.add(DAY_START, -(10 * 480 - 120)).dueAt;
  let next = 0;
  for (; day.clock <= DAY_END; await day.time.moveTo(new Date(day.clock.getTime() + STEP_MS))) {
    for (; next < arrivals.length && arrivals[next]! <= day.clock; next++) await day.receive(next, next < BACKLOG ? carriedOver : day.clock);
    await day.settle();
    await day.work();
    await day.settle();
    const tick = await day.monitor.runOnce('tick');
    if (tick.run?.error) throw new Error(`monitor tick: ${tick.run.error}`);
    if (day.clock.getTime() % (60 * 60_000) === 30 * 60_000) progress(`${formatInstant(day.clock.getTime()).slice(11, 16)}: ${day.codes.length} dossiers received`);
  }
  await day.time.moveTo(NEXT_MORNING);
  await day.settle();
  const daily = await day.monitor.runOnce('daily');
  if (daily.run?.error) throw new Error(`monitor daily run: ${daily.run.error}`);
  progress(`Thursday 07:30: the daily run raised ${daily.run?.counts.alertsRaised ?? 0} alerts (digests among them), sent ${daily.run?.counts.mailsSent ?? 0} mails`);
}

/** The figures, from the steps, the dossiers and the alerts the monitor raised and sent. */
async function figures(day: Day): Promise<void> {
  const { db } = day.sut;
  const out = figureOutput(FIGURES);
  const end = DAY_END;
  const steps = await db
    .selectFrom('steps as s')
    .leftJoin('tasks as t', (j) => j.on(sql`t.id`, '=', sql`'task:' || substr(s.id, 6)`))
    .select(['s.id', 's.dossierCode', 's.unitId', 's.startedAt', 's.finishedAt', 's.dueAt', 's.allotmentMinutes', 't.claimedBy'])
    .where('s.dossierCode', 'in', day.codes)
    .where('s.allotmentMinutes', '>', 0)
    .execute();
  const dossiers = await db.selectFrom('dossiers').select(['code', 'appointmentAt', 'finishedAt']).where('code', 'in', day.codes).execute();
  const lateSteps = steps.filter((s) => (s.finishedAt ?? end) > s.dueAt);
  const late = new Set(lateSteps.map((s) => s.dossierCode));
  for (const d of dossiers) if (d.appointmentAt && (d.finishedAt ?? end) > d.appointmentAt) late.add(d.code);
  const onTime = day.codes.filter((c) => !late.has(c));

  const alerts = await db.selectFrom('alerts').select(['id', 'kind', 'dossierCode', 'recipients', 'deliveryStatus', 'sentAt']).execute();
  const sent = alerts.filter((a) => a.deliveryStatus === 'sent');
  const mails = (list: typeof sent): number => list.reduce((sum, a) => sum + a.recipients.length, 0);
  const about = (codes: Set<string>): number => mails(sent.filter((a) => a.dossierCode !== null && codes.has(a.dossierCode)));
  const heads = await db.selectFrom('users').select(['username', 'unitId']).where(sql<boolean>`'headOfDivision' = ANY(roles)`).execute();
  const supervisors = new Set((await db.selectFrom('users').select('username').where(sql<boolean>`'supervisor' = ANY(roles)`).execute()).map((u) => u.username));
  const to = (alert: (typeof sent)[number] | undefined, username: string | null): boolean => !!username && !!alert?.recipients.some((r) => r.username === username);
  let warned = 0;
  let told = 0;
  for (const step of lateSteps) {
    const dueSoon = sent.find((a) => a.id === `step:${step.id}:dueSoon`);
    const overdue = sent.find((a) => a.id === `step:${step.id}:overdue`);
    if (dueSoon?.sentAt && dueSoon.sentAt <= step.dueAt && to(dueSoon, step.claimedBy)) warned += 1;
    const head = heads.find((h) => h.unitId === step.unitId)?.username ?? null;
    if (overdue?.sentAt && overdue.sentAt > step.dueAt && to(overdue, step.claimedBy) && to(overdue, head)) told += 1;
  }
  let oldRuleMails = 0;
  for (const step of steps.filter((s) => !late.has(s.dossierCode))) {
    const threshold = Math.max(Math.ceil(step.allotmentMinutes * 0.2), 240);
    for (let t = Math.ceil(step.startedAt.getTime() / STEP_MS) * STEP_MS; t <= (step.finishedAt ?? end).getTime(); t += STEP_MS) {
      if (day.calendar.between(new Date(t), step.dueAt) > threshold) continue;
      oldRuleMails += 1;
      break;
    }
  }
  progress(`${day.codes.length} dossiers (${late.size} late, ${lateSteps.length} late steps), ${alerts.length} alerts raised, ${sent.length} sent (${mails(sent)} e-mails)`);
  const byKind = (list: typeof sent, who: (username: string) => boolean): string => {
    const counts = new Map<string, number>();
    for (const a of list) counts.set(a.kind, (counts.get(a.kind) ?? 0) + a.recipients.filter((r) => who(r.username)).length);
    return [...counts].filter(([, n]) => n > 0).map(([kind, n]) => `${kind} ${n}`).join(', ') || 'none';
  };
  progress(`e-mails by kind: ${byKind(sent, () => true)}; to supervisors: ${byKind(sent, (u) => supervisors.has(u))}`);
  out.emit('alerts.dossiers', day.codes.length, 'dossiers');
  out.emit('alerts.late_dossiers', late.size, 'dossiers');
  out.emit('alerts.late_steps', lateSteps.length, 'steps');
  out.emit('alerts.mails_per_on_time_dossier', onTime.length ? about(new Set(onTime)) / onTime.length : 0, 'mails');
  out.emit('alerts.mails_per_late_dossier', late.size ? about(late) / late.size : 0, 'mails');
  out.emit('alerts.late_warned_before_due', lateSteps.length ? warned / lateSteps.length : 1, 'share');
  out.emit('alerts.late_told_when_overdue', lateSteps.length ? told / lateSteps.length : 1, 'share');
  out.emit('alerts.old_rule_mails_per_on_time_dossier', onTime.length ? oldRuleMails / onTime.length : 0, 'mails');
  out.emit('alerts.digest_mails', mails(sent.filter((a) => a.kind === 'digest')), 'mails');
  out.emit('alerts.mails_per_supervisor_per_day', supervisors.size ? sent.reduce((sum, a) => sum + a.recipients.filter((r) => supervisors.has(r.username)).length, 0) / supervisors.size : 0, 'mails');
  out.emit('alerts.mails_total', mails(sent), 'mails');
  out.emit('alerts.superseded', alerts.filter((a) => a.deliveryStatus === 'superseded').length, 'alerts');
}

async function main(): Promise<void> {
  await withStack('bench:alerts', ['postgres', 'mailpit'], () =>
    withOwnBroker('alerts', async (broker) => {
      const time = new DayClock(new BrokerClock(broker.env.ZEEBE_MANAGEMENT_URL));
      await time.moveTo(DAY_START);
      const sut = await startBenchSystem('alerts', broker.env, 5200, time.now);
      const mailer = createMailer(sut.config, { timeoutMs: 5000 });
      try {
        const passwordHash = await hashPassword('bench');
        const head = { username: HEAD_OF_ONE_STOP, displayName: 'Trưởng Bộ phận Một cửa', email: `${HEAD_OF_ONE_STOP}@stp.example.vn`, roles: ['headOfDivision'], unitId: 'stp-mot-cua', passwordHash, createdAt: DAY_START };
        await sut.db.insertInto('users').values(head).execute();
        const calendars = createCalendarProvider({ db: sut.db, now: time.now, refreshMs: 3_600_000 });
        const calendar = (await calendars.current()).forUnit('stp-mot-cua');
        const deps = createMonitorDeps({ db: sut.db, config: sut.config, catalog: await loadProcessCatalog(), calendars, mailer, logger: benchLogger() });
        const day = new Day(sut, calendar, createMonitor(deps, { holder: 'bench-alerts', now: time.now }), time);
        await runDay(day);
        await figures(day);
      } finally {
        mailer.close();
        await sut.stop();
      }
    }),
  );
}

runBench('bench:alerts', module, main);
