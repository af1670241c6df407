/**
 * Alerts worth reading, on the real stack (Zeebe, PostgreSQL, Mailpit), the monitor's clock set
 * around the due time of a dossier's check step (4 working hours, due soon in its last 48 min):
 * a step done within its allotment mails nobody; a step left to run late mails its holder once
 * when due soon, then its holder and the unit's head when overdue, then the escalation chain;
 * an alert held outside working time for a step finished meanwhile is superseded, never sent;
 * a person who takes due-soon notices in the digest finds them there, not in a mail.
 *
 * @moves-clocks the monitor's clock moves around due times: run again at three instants by .ci/run (LLTP_TEST_INSTANTS).
 */
import { formatInstant } from '../../../server/calendar/civil-time';
import type { CalendarProvider } from '../../../server/calendar/provider';
import { hashPassword } from '../../../server/auth/passwords';
import { createMonitor } from '../../../server/monitor';
import type { MonitorDeps } from '../../../server/monitor/tick';
import { MailpitClient } from '../../support/mailpit';
import { monitorHarness, outboxOf, runToTheEnd, type MonitorHarness } from '../../support/monitor';
import { startSystem, type SystemUnderTest } from '../../support/system';
import { eventually } from '../../support/wait';
import { testNow } from '../../support/clock';
import { uniqueId } from '../../support/unique';

const mailpit = new MailpitClient();
let s: SystemUnderTest;
let calendars: CalendarProvider;
let monitor: MonitorHarness;

/** Mails Mailpit received since this file started: the suite runs again at other instants with the same Mailpit, and a dossier code of this run may repeat an earlier run's. */
let receivedInThisRun: (m: { Created?: string }) => boolean = () => true;

beforeAll(async () => {
  receivedInThisRun = await mailpit.receivedFromNow();
  s = await startSystem('worth_reading', 4900);
  monitor = monitorHarness(s, { prefix: 'WR', seed: 500 });
  calendars = monitor.calendars;
  // a second one-stop officer and a head of the one-stop unit (the demo has neither)
  const passwordHash = await hashPassword('worth-reading');
  await s.db
    .insertInto('users')
    .values([
      { username: 'motcua2', displayName: 'Cán bộ Một cửa 2', email: 'motcua2@stp.example.vn', roles: ['oneStopOfficer'], unitId: 'stp-mot-cua', passwordHash, createdAt: testNow() },
      { username: 'truongmotcua', displayName: 'Trưởng Bộ phận Một cửa', email: 'truongmotcua@stp.example.vn', roles: ['headOfDivision'], unitId: 'stp-mot-cua', passwordHash, createdAt: testNow() },
    ])
    .execute();
}, 90000);
afterAll(async () => {
  monitor?.close();
  await s?.stop();
});

/** Alerts leave at once unless a test holds them outside working time. */
const monitorDeps = (settings: Partial<MonitorDeps['settings']> = {}): Promise<MonitorDeps> => monitor.deps({ sendOutsideWorkingTime: true, ...settings });
const dossierAtCheckStep = (): ReturnType<MonitorHarness['dossierAtCheckStep']> => monitor.dossierAtCheckStep();

const workingFrom = async (at: Date, workingMinutes: number): Promise<Date> => (await calendars.current()).forUnit('stp-mot-cua').add(at, workingMinutes).dueAt;

/** Mails about a dossier: subject prefix (before ':') and recipients. */
async function mailsAbout(code: string): Promise<[string, string[]][]> {
  const found = (await mailpit.search(`"${code}"`)).filter(receivedInThisRun);
  return found.map((m): [string, string[]] => [m.Subject.split(':')[0] as string, m.To.map((t) => t.Address).sort()]).sort((a, b) => a[0].localeCompare(b[0]));
}

const alertsOf = async (code: string) => s.db.selectFrom('alerts').select(['id', 'kind', 'deliveryStatus', 'supersededReason', 'sentAt']).where('dossierCode', '=', code).orderBy('id').execute();

async function claimCheck(code: string, username: string): Promise<{ id: string; headers: Record<string, string> }> {
  const { task, headers } = await s.task(code, username, 'lltp.form.check-dossier');
  expect((await s.call('POST', `/api/tasks/${task.id}/claim`, {}, headers)).status).toBe(200);
  return { id: task.id, headers };
}

test('a 4-hour step is not "due soon" when it starts, and a step finished within its allotment mails nobody', async () => {
  const { code, step } = await dossierAtCheckStep();
  expect(step.allotmentMinutes).toBe(240);
  let clock = await workingFrom(step.startedAt, 1);
  const monitor = createMonitor(await monitorDeps(), { holder: 'wr-1', now: () => clock });
  await monitor.runOnce('tick');
  // 49 working minutes left: on track (due soon from 48 = 20% of 240)
  clock = await workingFrom(step.dueAt, -49);
  await monitor.runOnce('tick');
  expect(await alertsOf(code)).toEqual([]);
  const { id, headers } = await claimCheck(code, 'motcua');
  expect((await s.call('POST', `/api/tasks/${id}/complete`, { data: { intakeDecision: 'accept' } }, headers)).status).toBe(200);
  await eventually(async () => ((await s.db.selectFrom('steps').select('finishedAt').where('id', '=', step.id).executeTakeFirst())?.finishedAt ? true : undefined), 'the check to finish');
  clock = await workingFrom(step.dueAt, 30);
  await runToTheEnd(s.db, monitor, 'tick');
  await runToTheEnd(s.db, monitor, 'tick');
  // both ticks ran to their end and raised nothing for the step: no mail about it can be on its way
  expect((await alertsOf(code)).filter((a) => a.id.includes(step.id))).toEqual([]);
  expect((await mailsAbout(code)).filter(([subject]) => /Sắp đến hạn|Quá hạn|Báo cáo quá hạn/.test(subject))).toEqual([]);
}, 90000);

test('a step left to run late: due soon to its holder only; overdue to the holder and the unit head; then the escalation chain; once each', async () => {
  const { code, step } = await dossierAtCheckStep();
  await claimCheck(code, 'motcua');
  let clock = await workingFrom(step.dueAt, -20);
  const monitor = createMonitor(await monitorDeps(), { holder: 'wr-2', now: () => clock });
  await monitor.runOnce('tick');
  await eventually(async () => ((await mailsAbout(code)).length >= 1 ? true : undefined), 'the due-soon mail');
  // the holder, not the other one-stop officer, not the head (heads take due-soon notices in the digest)
  expect(await mailsAbout(code)).toEqual([['Sắp đến hạn', ['motcua@stp.example.vn']]]);

  clock = await workingFrom(step.dueAt, 10);
  await monitor.runOnce('tick');
  await eventually(async () => ((await mailsAbout(code)).length >= 3 ? true : undefined), 'the overdue mails');
  expect(await mailsAbout(code)).toEqual([
    ['Báo cáo quá hạn (cấp 1)', ['truongmotcua@stp.example.vn']],
    ['Quá hạn', ['motcua@stp.example.vn', 'truongmotcua@stp.example.vn']],
    ['Sắp đến hạn', ['motcua@stp.example.vn']],
  ]);
  clock = await workingFrom(step.dueAt, 4 * 60 + 5);
  await runToTheEnd(s.db, monitor, 'tick');
  await runToTheEnd(s.db, monitor, 'tick');
  // both ticks ran to their end with nothing left to send: Mailpit holds every mail about the dossier
  expect(await outboxOf(s.db, code)).toEqual({ pending: 0, attempts: 4, sent: 4 });
  const all = await mailsAbout(code);
  expect(all).toHaveLength(4);
  expect(all.find(([subject]) => subject === 'Báo cáo quá hạn (cấp 2)')?.[1]).toEqual(['lanhdao@stp.example.vn']);
  // in that order: due soon, then overdue and level 1, then level 2
  const sent = (await alertsOf(code)).filter((a) => a.id.startsWith(`step:${step.id}`) && a.sentAt).sort((a, b) => a.sentAt!.getTime() - b.sentAt!.getTime());
  expect(sent.map((a) => a.kind)).toEqual(['dueSoon', expect.stringMatching(/overdue|escalation/), expect.stringMatching(/overdue|escalation/), 'escalation']);
}, 90000);

test('an alert held outside working time for a step finished meanwhile is superseded and never sent', async () => {
  const { code, step } = await dossierAtCheckStep();
  const late = await workingFrom(step.dueAt, 10);
  // 21:00 that evening: outside working time, the step overdue
  const evening = new Date(`${formatInstant(late.getTime()).slice(0, 10)}T21:00:00+07:00`);
  let clock = evening;
  const monitor = createMonitor(await monitorDeps({ sendOutsideWorkingTime: false }), { holder: 'wr-3', now: () => clock });
  await monitor.runOnce('tick');
  const held = await alertsOf(code);
  expect(held.filter((a) => a.kind === 'overdue').map((a) => a.deliveryStatus)).toEqual(['pending']);
  // the officer finishes the check before the office opens
  const { id, headers } = await claimCheck(code, 'motcua');
  expect((await s.call('POST', `/api/tasks/${id}/complete`, { data: { intakeDecision: 'accept' } }, headers)).status).toBe(200);
  await eventually(async () => ((await s.db.selectFrom('steps').select('finishedAt').where('id', '=', step.id).executeTakeFirst())?.finishedAt ? true : undefined), 'the check to finish');
  clock = (await calendars.current()).forUnit('stp-mot-cua').nextOpening(evening);
  clock = new Date(clock.getTime() + 60_000);
  await runToTheEnd(s.db, monitor, 'tick');
  const after = (await alertsOf(code)).filter((a) => a.id.startsWith(`step:${step.id}`));
  expect(after.length).toBeGreaterThanOrEqual(2);
  expect(after.every((a) => a.deliveryStatus === 'superseded' && a.supersededReason === 'bước đã hoàn thành' && a.sentAt === null)).toBe(true);
  // the tick has ended with nothing pending and no mail tried: none can have reached Mailpit
  expect(await outboxOf(s.db, code)).toEqual({ pending: 0, attempts: 0, sent: 0 });
  expect((await mailsAbout(code)).filter(([subject]) => /Quá hạn|Báo cáo quá hạn|Sắp đến hạn/.test(subject))).toEqual([]);
}, 90000);

test('a person who takes due-soon notices in the digest gets no mail for them; the daily digest lists them', async () => {
  const headers = await s.as('motcua');
  const chosen = await s.call('PUT', '/api/auth/me/preferences', { dueSoonDelivery: 'digest' }, headers);
  expect(chosen).toMatchObject({ status: 200, body: { dueSoonDelivery: 'digest', dueSoonDeliveryChosen: 'digest' } });
  expect((await s.call('PUT', '/api/auth/me/preferences', { dueSoonDelivery: 'weekly' }, headers)).body.error).toMatch(/^dueSoonDelivery: /);
  expect((await s.call('GET', '/api/auth/me', undefined, await s.as('truongphong'))).body).toMatchObject({ dueSoonDelivery: 'digest', dueSoonDeliveryChosen: null });
  try {
    const { code, step } = await dossierAtCheckStep();
    await claimCheck(code, 'motcua');
    const clock = await workingFrom(step.dueAt, -20);
    const monitor = createMonitor(await monitorDeps(), { holder: 'wr-4', now: () => clock });
    await monitor.runOnce('tick');
    expect((await alertsOf(code)).map((a) => [a.kind, a.deliveryStatus])).toEqual([['dueSoon', 'inDigest']]);
    const fresh = await mailpit.receivedFromNow();
    await monitor.runOnce('daily');
    const digest = await eventually(async () => {
      const found = (await mailpit.search('subject:"Tổng hợp ngày"')).filter((m) => m.To.some((t) => t.Address === 'motcua@stp.example.vn') && fresh(m));
      return found.length ? found : undefined;
    }, 'the desk officer\'s digest', 10000);
    const text = (await mailpit.message(digest[0]!.ID)).Text;
    expect(text).toContain(code);
    expect((await mailsAbout(code)).filter(([subject]) => subject === 'Sắp đến hạn')).toEqual([]);
  } finally {
    await s.call('PUT', '/api/auth/me/preferences', { dueSoonDelivery: null }, headers);
  }
}, 90000);

test('housekeeping: the daily run deletes expired log-in sessions and log-in attempts older than a day, and keeps the live ones', async () => {
  const at = testNow();
  await s.db
    .insertInto('loginAttempts')
    .values([
      { account: 'wr-old', address: '198.51.100.250', attemptedAt: new Date(at.getTime() - 25 * 3600_000), outcome: 'failed' },
      { account: 'wr-recent', address: '198.51.100.250', attemptedAt: new Date(at.getTime() - 3600_000), outcome: 'failed' },
    ])
    .execute();
  await s.db
    .insertInto('sessions')
    .values([
      { tokenDigest: `expired-${uniqueId()}`, username: 'motcua', createdAt: new Date(at.getTime() - 48 * 3600_000), expiresAt: new Date(at.getTime() - 3600_000) },
      { tokenDigest: `live-${uniqueId()}`, username: 'motcua', createdAt: at, expiresAt: new Date(at.getTime() + 3600_000) },
    ])
    .execute();
  const run = await createMonitor(await monitorDeps(), { holder: 'wr-5', now: () => at }).runOnce('daily');
  expect(run.run?.counts.sessionsRemoved).toBeGreaterThanOrEqual(1);
  expect(await s.db.selectFrom('sessions').select('tokenDigest').where('expiresAt', '<', at).execute()).toEqual([]);
  expect((await s.db.selectFrom('sessions').select('tokenDigest').where('tokenDigest', 'like', 'live-%').execute()).length).toBe(1);
  expect(run.run?.counts.loginAttemptsRemoved).toBeGreaterThanOrEqual(1);
  expect((await s.db.selectFrom('loginAttempts').select('account').where('address', '=', '198.51.100.250').execute()).map((r) => r.account)).toEqual(['wr-recent']);
});
