/**
 * The SLA monitor on the real stack: dossiers come in through the intake API and flow through
 * Zeebe to the first human step (Bước 3, one-stop desk); the monitor, with its injected clock,
 * sees that step due soon and then late and mails the right people through the real SMTP sink
 * (Mailpit) — each alert exactly once, with one or two monitor replicas, across an SMTP
 * outage, and never on a day off.
 *
 * @moves-clocks the monitor's clock moves to due times, holidays and report cut-offs: run again at three instants by .ci/run (LLTP_TEST_INSTANTS).
 */
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import path from 'node:path';
import { formatInstant } from '../../../server/calendar/civil-time';
import type { CalendarProvider } from '../../../server/calendar/provider';
import { createMonitor } from '../../../server/monitor';
import type { MonitorDeps } from '../../../server/monitor/tick';
import { toJson } from '../../../server/db/tables';
import { CHECK_AT_NEXT_TICK, insertDossier, newDossier } from '../../../server/readmodel/dossier';
import { lastEndedWeek } from '../../../server/inspection/week';
import { loadProcessCatalog } from '../../../server/sla';
import { MailpitClient } from '../../support/mailpit';
import { monitorHarness, outboxOf, runToTheEnd, type MonitorHarness } from '../../support/monitor';
import { startSystem, type SystemUnderTest } from '../../support/system';
import { eventually } from '../../support/wait';
import { testNow, testNowMs } from '../../support/clock';

const repo = path.resolve(__dirname, '../../..');
const mailpit = new MailpitClient();
let s: SystemUnderTest;
let calendars: CalendarProvider;
let monitor: MonitorHarness;
/** Sequence of the dossiers written directly (not through intake) in this file. */
let handmade = 0;
/** Hand-made dossier codes start at a random number, so that no run repeats another's on the shared broker. */
const HANDMADE_BASE = randomInt(0, 1000);

/** Mails Mailpit received since this file started: the suite runs again at other instants, and a hand-made code of this run may repeat an earlier run's. */
let receivedInThisRun: (m: { Created?: string }) => boolean = () => true;

beforeAll(async () => {
  receivedInThisRun = await mailpit.receivedFromNow();
  s = await startSystem('monitor', 4700);
  monitor = monitorHarness(s, { prefix: 'MON', seed: 100 });
  calendars = monitor.calendars;
}, 90000);
afterAll(async () => {
  monitor?.close();
  await s?.stop();
});

const monitorDeps = (settings: Partial<MonitorDeps['settings']> = {}): Promise<MonitorDeps> => monitor.deps(settings);
const dossierAtCheckStep = (): ReturnType<MonitorHarness['dossierAtCheckStep']> => monitor.dossierAtCheckStep();

async function mailsAbout(code: string): Promise<{ Subject: string; To: string[]; ID: string }[]> {
  const found = (await mailpit.search(`"${code}"`)).filter(receivedInThisRun);
  return found.map((m) => ({ Subject: m.Subject, To: m.To.map((t) => t.Address).sort(), ID: m.ID })).sort((a, b) => a.Subject.localeCompare(b.Subject));
}

const alertById = async (id: string) => s.db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();

const calendarNow = async (at: Date, workingMinutes: number): Promise<Date> => (await calendars.current()).forUnit('stp-mot-cua').add(at, workingMinutes).dueAt;

test('a step due soon and then late is mailed once each, to the desk officer and up its escalation chain, without personal data', async () => {
  const { code, fullName, step } = await dossierAtCheckStep();
  const monitor = createMonitor(await monitorDeps(), { holder: 'monitor-a', now: () => clock });
  let clock = await calendarNow(step.dueAt, -10);

  expect((await monitor.runOnce('tick')).ran).toBe(true);
  expect((await monitor.runOnce('tick')).ran).toBe(true);
  const dueSoon = await eventually(async () => ((await mailsAbout(code)).length >= 1 ? mailsAbout(code) : undefined), `due-soon mail for ${code}`, 10000);
  expect(dueSoon.map((m) => [m.Subject, m.To])).toEqual([[`Sắp đến hạn: hồ sơ ${code} — ${step.elementName ?? ''}`, ['motcua@stp.example.vn']]]);

  clock = await calendarNow(step.dueAt, 10);
  await monitor.runOnce('tick');
  await monitor.runOnce('tick');
  const late = await eventually(async () => ((await mailsAbout(code)).length >= 3 ? mailsAbout(code) : undefined), `overdue mails for ${code}`, 10000);
  expect(late.map((m) => [m.Subject.split(':')[0], m.To])).toEqual([
    ['Báo cáo quá hạn (cấp 1)', ['truongphong@stp.example.vn']],
    ['Quá hạn', ['motcua@stp.example.vn']],
    ['Sắp đến hạn', ['motcua@stp.example.vn']],
  ]);

  clock = await calendarNow(step.dueAt, 4 * 60 + 5);
  await monitor.runOnce('tick');
  const escalated = await eventually(async () => ((await mailsAbout(code)).length >= 4 ? mailsAbout(code) : undefined), `second escalation for ${code}`, 10000);
  expect(escalated.find((m) => m.Subject.startsWith('Báo cáo quá hạn (cấp 2)'))?.To).toEqual(['lanhdao@stp.example.vn']);
  // one more tick, run to its end: nothing left to send about the dossier, and no fifth mail
  await runToTheEnd(s.db, monitor, 'tick');
  expect(await outboxOf(s.db, code)).toEqual({ pending: 0, attempts: 4, sent: 4 });
  expect(await mailsAbout(code)).toHaveLength(4);

  const overdue = await mailpit.message(late.find((m) => m.Subject.startsWith('Quá hạn'))!.ID);
  expect(overdue.Text).toContain(code);
  expect(overdue.Text).toMatch(/đã trễ 10 phút/);
  expect(overdue.HTML).toContain(`/ho-so/${code}`);
  expect(overdue.Text).not.toContain(fullName);
  expect(overdue.HTML).not.toContain(fullName);
}, 90000);

test('two monitor replicas running at once mail each alert once; the second takes over when the lease expires', async () => {
  const { code, step } = await dossierAtCheckStep();
  const deps = await monitorDeps();
  let clock = await calendarNow(step.dueAt, -10);
  const a = createMonitor(deps, { holder: 'replica-a', now: () => clock });
  const b = createMonitor({ ...deps, settings: { ...deps.settings } }, { holder: 'replica-b', now: () => clock });
  const outcomes = await Promise.all([a.runOnce('tick'), b.runOnce('tick'), a.runOnce('tick'), b.runOnce('tick')]);
  expect(outcomes.filter((o) => o.ran).length).toBeGreaterThanOrEqual(1);
  expect(outcomes.filter((o) => o.skipped === 'lease-held-elsewhere').length).toBeGreaterThanOrEqual(1);
  await eventually(async () => ((await mailsAbout(code)).length >= 1 ? true : undefined), `due-soon mail for ${code}`, 10000);

  // replica-a stops; once its lease expired (60 s on the monitor clock), replica-b works.
  clock = await calendarNow(step.dueAt, 10); // at least 20 minutes later: replica-a's lease has expired
  expect((await b.runOnce('tick')).ran).toBe(true);
  expect((await a.runOnce('tick')).skipped).toBe('lease-held-elsewhere');
  const mails = await eventually(async () => ((await mailsAbout(code)).length >= 3 ? mailsAbout(code) : undefined), `overdue mails for ${code}`, 10000);
  expect(mails.map((m) => m.Subject.split(':')[0])).toEqual(['Báo cáo quá hạn (cấp 1)', 'Quá hạn', 'Sắp đến hạn']);
}, 90000);

test('SMTP down: the alert waits and is retried with back-off; SMTP up again: it arrives once', async () => {
  const { code, step } = await dossierAtCheckStep();
  const deps = await monitorDeps();
  let clock = await calendarNow(step.dueAt, -10);
  const monitor = createMonitor(deps, { holder: 'monitor-smtp', now: () => clock });
  const stack = (...args: string[]): void => {
    const r = spawnSync('bash', [path.join(repo, 'tools/stack/stack.sh'), ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`stack.sh ${args.join(' ')}: ${r.stderr}`);
  };
  stack('stop', 'mailpit');
  try {
    const run = await monitor.runOnce('tick');
    expect(run.run?.counts.mailsFailed).toBeGreaterThanOrEqual(1);
    const alert = await alertById(`step:${step.id}:dueSoon`);
    expect(alert).toMatchObject({ deliveryStatus: 'pending', attempts: 1 });
    expect(alert?.lastError).toBeTruthy();
    expect(alert?.nextAttemptAt?.getTime()).toBe(clock.getTime() + 60_000);
    expect(await s.db.selectFrom('alertSends').select(['attempt', 'outcome']).where('alertId', '=', `step:${step.id}:dueSoon`).execute()).toEqual([{ attempt: 1, outcome: 'failed' }]);
  } finally {
    stack('start', 'mailpit');
  }
  // before the back-off has passed nothing is tried again (by a tick that did run)
  await runToTheEnd(s.db, monitor, 'tick');
  expect((await alertById(`step:${step.id}:dueSoon`))?.attempts).toBe(1);
  clock = await calendarNow(clock, 2); // two working minutes later: past the 60 s back-off
  await runToTheEnd(s.db, monitor, 'tick');
  await runToTheEnd(s.db, monitor, 'tick');
  const alert = await alertById(`step:${step.id}:dueSoon`);
  expect(alert).toMatchObject({ deliveryStatus: 'sent', attempts: 2 });
  // both ticks ran to their end with nothing left to send: Mailpit holds every mail they sent
  expect(await outboxOf(s.db, code)).toEqual({ pending: 0, attempts: 2, sent: 1 });
  const mails = await mailsAbout(code);
  expect(mails.map((m) => m.Subject.split(':')[0])).toEqual(['Sắp đến hạn']);
}, 90000);

test('on a day off nothing is sent: the alert is raised and waits for the next opening', async () => {
  const cal = (await calendars.current()).forUnit('stp-mot-cua');
  // the first weekday holiday after today (Mon–Fri with no working time)
  let day = testNow();
  for (let i = 0; i < 800; i += 1) {
    day = new Date(day.getTime() + 86_400_000);
    const local = new Date(day.getTime() + 7 * 3_600_000);
    const weekday = local.getUTCDay();
    const noonVn = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate(), 5, 0));
    if (weekday >= 1 && weekday <= 5 && !cal.isWorkingInstant(noonVn) && cal.between(new Date(noonVn.getTime() - 5 * 3_600_000), new Date(noonVn.getTime() + 5 * 3_600_000)) === 0) {
      day = noonVn;
      break;
    }
  }
  const holidayNoon = day;
  const code = `STP.KHA-${formatInstant(holidayNoon.getTime()).slice(2, 10).replace(/-/g, '')}-9${String((HANDMADE_BASE + handmade++) % 1000).padStart(3, '0')}`;
  const dueAt = cal.add(holidayNoon, -30).dueAt; // 30 working minutes before the holiday: late on the holiday
  const startedAt = cal.add(dueAt, -240).dueAt;
  const far = cal.add(holidayNoon, 100 * 480).dueAt; // the dossier itself is not late
  await insertDossier(
    s.db,
    newDossier({
      code,
      receiptNumber: `BN-${code}`,
      agencyCode: 'STP.KHA',
      source: 'vneid',
      channel: 'online',
      unitId: 'stp-mot-cua',
      receivedAt: startedAt,
      clockStartAt: startedAt,
      terms: { statutoryWorkingDays: 10, targetWorkingDays: 3, apologyLeadMinutes: 480 },
      deadlines: { statutoryDueAt: far, targetDueAt: far, apologyByAt: far, estimated: false },
      calendarVersion: 0,
    }),
  );
  await s.db.insertInto('steps').values({
    id: `step:holiday-${code}`,
    dossierCode: code,
    elementId: 'checkDossier',
    elementName: 'Bước 3: Tiếp nhận, kiểm tra hồ sơ',
    processId: 'quy-trinh-570-v20241001',
    unitId: 'stp-mot-cua',
    role: 'oneStopOfficer',
    startedAt,
    allotmentMinutes: 240,
    dueAt,
    finishedAt: null,
    calendarVersion: 0,
    dueEstimated: false,
    nextCheckAt: CHECK_AT_NEXT_TICK,
    // as the timeline writes it: the escalation chain of the step's SLA (Khánh Hòa's table for the check)
    escalation: toJson((await loadProcessCatalog()).stepSla('quy-trinh-570-v20241001', 'checkDossier', 'khanh-hoa-2799-v20241029')?.escalation),
  }).execute();
  try {
    let clock = holidayNoon;
    const deps = await monitorDeps();
    const monitor = createMonitor(deps, { holder: 'monitor-holiday', now: () => clock });
    const onHoliday = await monitor.runOnce('tick');
    expect(onHoliday.run?.outsideWorkingTime).toBe(true);
    expect(await alertById(`step:step:holiday-${code}:overdue`)).toMatchObject({ deliveryStatus: 'pending', attempts: 0 });
    // the run has ended without trying a single mail of the dossier: none can have reached Mailpit
    expect(await outboxOf(s.db, code)).toMatchObject({ attempts: 0, sent: 0 });
    expect(await mailsAbout(code)).toHaveLength(0);

    clock = new Date(cal.nextOpening(holidayNoon).getTime() + 60_000);
    await monitor.runOnce('tick');
    const mails = await eventually(async () => ((await mailsAbout(code)).length >= 2 ? mailsAbout(code) : undefined), `mails for ${code}`, 10000);
    expect(mails.map((m) => m.Subject.split(':')[0])).toEqual(['Báo cáo quá hạn (cấp 1)', 'Quá hạn']);
  } finally {
    await s.db.updateTable('steps').set({ finishedAt: testNow(), nextCheckAt: null }).where('id', '=', `step:holiday-${code}`).execute();
    await s.db.updateTable('dossiers').set({ status: 'closed', finishedAt: testNow(), outcome: 'withdrawn', nextCheckAt: null }).where('code', '=', code).execute();
  }
}, 90000);

async function completeCheck(code: string): Promise<void> {
  const headers = await s.as('motcua');
  const task = await eventually(async () => {
    const list = await s.call('GET', '/api/tasks', undefined, headers);
    return ((list.body.tasks ?? []) as { id: string; dossierCode: string; formKey: string }[]).find((t) => t.dossierCode === code && t.formKey === 'lltp.form.check-dossier');
  }, `check task of ${code}`, 30000);
  expect((await s.call('POST', `/api/tasks/${task.id}/claim`, {}, headers)).status).toBe(200);
  expect((await s.call('POST', `/api/tasks/${task.id}/complete`, { data: { intakeDecision: 'accept' } }, headers)).status).toBe(200);
}

test('optional notice: when a late step is finally done, the people told it was late hear it is done, once', async () => {
  const { code, step } = await dossierAtCheckStep();
  const monitor = createMonitor(await monitorDeps({ notifyDoneLate: true }), { holder: 'monitor-done', now: () => clock });
  let clock = await calendarNow(step.dueAt, 10);
  await monitor.runOnce('tick');
  await eventually(async () => ((await mailsAbout(code)).some((m) => m.Subject.startsWith('Quá hạn')) ? true : undefined), `overdue mail for ${code}`, 10000);
  await completeCheck(code);
  await eventually(async () => ((await s.db.selectFrom('steps').select('finishedAt').where('id', '=', step.id).executeTakeFirst())?.finishedAt ? true : undefined), 'the check step to be finished', 20000);
  clock = await calendarNow(clock, 5);
  await monitor.runOnce('tick');
  await monitor.runOnce('tick');
  const done = await eventually(async () => {
    const found = (await mailsAbout(code)).filter((m) => m.Subject.startsWith('Đã hoàn thành (trễ hạn)'));
    return found.length ? found : undefined;
  }, `done-late notice for ${code}`, 10000);
  expect(done.map((m) => m.To)).toEqual([['motcua@stp.example.vn']]);
}, 90000);

test('the daily digest lists each person\'s late and due-soon items once a day; the Friday summary gives supervisors the VNeID share and the on-time rate', async () => {
  const fresh = await mailpit.receivedFromNow();
  const mine = (m: { To: { Address: string }[]; Created: string }, address: string): boolean => m.To.some((t) => t.Address === address) && fresh(m);
  const { code, step } = await dossierAtCheckStep();
  const deps = await monitorDeps();
  const clock = await calendarNow(step.dueAt, 10);
  const monitor = createMonitor(deps, { holder: 'monitor-digest', now: () => clock });
  await runToTheEnd(s.db, monitor, 'daily');
  await runToTheEnd(s.db, monitor, 'daily');
  // both daily runs have ended: the desk officer's digest was raised once and sent once
  const digestAlerts = await s.db.selectFrom('alerts').select(['id', 'deliveryStatus']).where('kind', '=', 'digest').where('id', 'like', 'digest:motcua:%').execute();
  expect(digestAlerts.map((a) => a.deliveryStatus)).toEqual(['sent']);
  const digests = (await mailpit.search('subject:"Tổng hợp ngày"')).filter((m) => mine(m, 'motcua@stp.example.vn'));
  expect(digests).toHaveLength(1);
  const digest = await mailpit.message(digests[0]!.ID);
  expect(digest.Text).toContain('QUÁ HẠN');
  expect(digest.Text).toContain(code);
  expect(digest.HTML).toContain(`/ho-so/${code}`);

  // the summary of the report week the test dossiers were received in, sent just after its cut-off (Friday 16:00)
  const weeklyDeps = await monitorDeps({ sendOutsideWorkingTime: true });
  const cutoff = { weekday: 'Fri', minutes: 16 * 60 };
  const afterCutoff = new Date(lastEndedWeek(testNow(7 * 24 * 3600_000), cutoff).to.getTime() + 5 * 60_000);
  await createMonitor(weeklyDeps, { holder: 'monitor-weekly', now: () => afterCutoff }).runOnce('weekly');
  const weekly = await eventually(async () => {
    const found = (await mailpit.search('subject:"Báo cáo tuần"')).filter((m) => mine(m, 'giamsat@stp.example.vn'));
    return found.length ? found : undefined;
  }, 'the supervisor\'s weekly summary', 10000);
  const summary = await mailpit.message(weekly[0]!.ID);
  expect(summary.Text).toMatch(/Ứng dụng VNeID: [1-9]\d*/);
  expect(summary.Text).toMatch(/Tỷ lệ qua VNeID theo hồ sơ tiếp nhận \(.*mọi kênh\): [\d,]+% \(chỉ tiêu trên 80%\)/);
  expect(summary.Text).toMatch(/Tỷ lệ qua VNeID theo hồ sơ đã giải quyết \(.*mọi kênh\): (?:[\d,]+%|—) \(chỉ tiêu trên 80%\)/);
  expect(summary.Text).toMatch(/Tỷ lệ đúng hạn .*\(chỉ tiêu 100%\)/);
}, 90000);

test('operations: status for supervisors, "run now" for administrators (served by the lease holder), Prometheus metrics', async () => {
  const deps = await monitorDeps();
  // The status shows the latest run: this monitor runs a minute after the latest run of this
  // file (whose clocks moved ahead to due times and holidays).
  const latest = await s.db.selectFrom('monitorRuns').select((eb) => eb.fn.max('startedAt').as('startedAt')).executeTakeFirstOrThrow();
  const opsNow = new Date(Math.max(testNowMs(), latest.startedAt ? new Date(latest.startedAt).getTime() : 0) + 60_000);
  const monitor = createMonitor(deps, { holder: 'monitor-ops', now: () => opsNow });
  expect((await s.call('GET', '/api/monitor/status', undefined, await s.as('motcua'))).status).toBe(403);
  expect((await s.call('POST', '/api/monitor/run', { kind: 'tick' }, await s.as('giamsat'))).status).toBe(403);
  const badKind = await s.call('POST', '/api/monitor/run', { kind: 'hourly' }, await s.as('quantri'));
  expect(badKind.status).toBe(400);
  expect(String(badKind.body.error)).toContain('kind');
  const asked = await s.call('POST', '/api/monitor/run', { kind: 'tick' }, await s.as('quantri'));
  expect(asked.status).toBe(202);
  expect(await monitor.takeRequests()).toBeGreaterThanOrEqual(1);
  expect(await s.db.selectFrom('monitorRequests').selectAll().where('id', '=', String(asked.body.requestId)).executeTakeFirst()).toMatchObject({ takenBy: 'monitor-ops' });

  const status = await s.call('GET', '/api/monitor/status', undefined, await s.as('giamsat'));
  expect(status.status).toBe(200);
  expect(status.body).toMatchObject({ lease: { holder: 'monitor-ops', active: true }, lastRuns: { tick: { holder: 'monitor-ops', error: null } } });
  expect((status.body.lastRuns as { tick: { counts: { steps: Record<string, number> } } }).tick.counts.steps).toHaveProperty('onTrack');
  expect(status.body.deliveries).toHaveProperty('sent');

  expect((await fetch(`${s.api.url}/metrics`)).status).toBe(401);
  const metrics = await fetch(`${s.api.url}/metrics`, { headers: await s.as('quantri') });
  expect(metrics.status).toBe(200);
  const text = await metrics.text();
  expect(text).toMatch(/lltp_alert_mails\{status="sent"\} \d+/);
  expect(text).toMatch(/lltp_monitor_tick_duration_seconds \d/);
  expect(text).toContain('lltp_open_late_dossiers');
}, 60000);
