/**
 * The apology letter end to end on the real stack: a dossier reaches its apology-by time
 * without being finished; the leader gets the inbox task and, from the monitor, an alert
 * e-mail; the form refuses a new return date that is not a working day or not later than the
 * current appointment (naming the field) and accepts a valid one; the letter (mẫu 04) exists in
 * HTML and PDF with its fields, readable only by the roles that may see personal data, each
 * read audited; the citizen is notified; the appointment moves, once.
 *
 * @moves-clocks the monitor's clock moves to the apology time: run again at three instants by .ci/run (LLTP_TEST_INSTANTS).
 */
import { formatInstant } from '../../../server/calendar/civil-time';
import { createCalendarProvider } from '../../../server/calendar/provider';
import { seedCalendarData } from '../../../server/calendar/seed';
import { WorkingCalendars } from '../../../server/calendar/working-calendar';
import { createLogger } from '../../../server/logger';
import { createMailer } from '../../../server/mail';
import { createMonitor, createMonitorDeps } from '../../../server/monitor';
import { loadProcessCatalog } from '../../../server/sla';
import { sampleVneidRequest, seededRandom } from '../../../tools/simulators/sample-requests';
import { MailpitClient } from '../../support/mailpit';
import { hashPassword } from '../../../server/auth/passwords';
import { PARTNER, STAFF_PASSWORD, startSystem, type InboxTask, type SystemUnderTest } from '../../support/system';
import { sql } from 'kysely';
import { eventually } from '../../support/wait';
import { testClock, testNow } from '../../support/clock';
import { uniqueId } from '../../support/unique';

let s: SystemUnderTest;
const calendar = new WorkingCalendars(seedCalendarData()).forUnit('stp-mot-cua');

/** Mails Mailpit received since this file started: the suite runs again with the same Mailpit, where an earlier run's mail may name the same dossier code. */
let receivedInThisRun: (m: { Created?: string }) => boolean = () => true;
beforeAll(async () => {
  receivedInThisRun = await new MailpitClient().receivedFromNow();
  s = await startSystem('apology', 4750);
}, 90000);
afterAll(async () => s?.stop());

const taskOf = (code: string, username: string, formKey: string) => s.task(code, username, formKey);

const localDate = (at: Date): string => formatInstant(at.getTime()).slice(0, 10);

test('apology: leader task and alert, validated form, letter in HTML and PDF, citizen notified, appointment moved once', async () => {
  // received one statutory limit ago (the law in force: 5 working days under Law 107), so its apology is due now
  const statutory = (await loadProcessCatalog()).versionInForce('quy-trinh-570', testNow()).deadlines.statutory!;
  const request = sampleVneidRequest({ receiptNumber: `APO-${uniqueId()}`, receivedAt: formatInstant(calendar.add(testNow(), -statutory).dueAt.getTime()), random: seededRandom(77) });
  const intake = await s.call('POST', '/api/intake/vneid', request, PARTNER);
  expect(intake.status).toBe(201);
  const code = String(intake.body.dossierCode);
  const check = await taskOf(code, 'motcua', 'lltp.form.check-dossier');
  await s.call('POST', `/api/tasks/${check.task.id}/claim`, {}, check.headers);
  expect((await s.call('POST', `/api/tasks/${check.task.id}/complete`, { data: { intakeDecision: 'accept' } }, check.headers)).status).toBe(200);

  // the leader's inbox task
  const { task, headers } = await taskOf(code, 'lanhdao', 'lltp.form.apology');

  // the monitor's alert to the leader (at the next opening if now is outside working time)
  const provider = createCalendarProvider({ db: s.db, now: testClock(), refreshMs: 1000 });
  const deps = createMonitorDeps({ db: s.db, config: s.config, catalog: await loadProcessCatalog(), calendars: provider, mailer: createMailer(s.config), logger: createLogger({ level: 'silent' }), now: testClock() });
  await s.db.deleteFrom('leases').execute();
  const now = testNow();
  const clock = calendar.isWorkingInstant(now) ? now : new Date(calendar.nextOpening(now).getTime() + 60_000);
  let monitorNow = clock;
  const monitor = createMonitor(deps, { holder: 'monitor-apology', now: () => monitorNow });
  await monitor.runOnce('tick');
  await monitor.runOnce('tick');
  const mails = await eventually(async () => {
    const found = (await new MailpitClient().search(`"${code}"`)).filter(receivedInThisRun).filter((m) => m.Subject.startsWith('Cần lập văn bản xin lỗi'));
    return found.length ? found : undefined;
  }, `apology alert for ${code}`, 10000);
  expect(mails).toHaveLength(1);
  expect(mails[0]!.To.map((t) => t.Address)).toEqual(['lanhdao@stp.example.vn']);

  // the form: a day off and a date not after the appointment are refused, naming the field
  const dossier = (await s.call('GET', `/api/dossiers/${code}`, undefined, headers)).body as { deadlines: { appointmentAt: string } };
  const appointment = new Date(dossier.deadlines.appointmentAt);
  let dayOff = new Date(appointment.getTime());
  do dayOff = new Date(dayOff.getTime() + 86_400_000);
  while (calendar.between(new Date(Date.parse(`${localDate(dayOff)}T00:00:00+07:00`)), new Date(Date.parse(`${localDate(dayOff)}T23:59:00+07:00`))) > 0);
  expect((await s.call('POST', `/api/tasks/${task.id}/claim`, {}, headers)).status).toBe(200);
  const refusedDayOff = await s.call('POST', `/api/tasks/${task.id}/complete`, { data: { apologyReason: 'Chờ xác minh', newReturnDate: localDate(dayOff) } }, headers);
  expect(refusedDayOff.status).toBe(400);
  expect(String(refusedDayOff.body.error)).toMatch(/newReturnDate: .*không phải ngày làm việc/);
  const refusedEarly = await s.call('POST', `/api/tasks/${task.id}/complete`, { data: { apologyReason: 'Chờ xác minh', newReturnDate: localDate(appointment) } }, headers);
  expect(refusedEarly.status).toBe(400);
  expect(String(refusedEarly.body.error)).toMatch(/newReturnDate: .*phải sau ngày hẹn hiện tại/);

  const newReturnDate = localDate(calendar.add(appointment, 3 * 480).dueAt);
  const reason = 'Chờ kết quả xác minh của Công an tỉnh Khánh Hòa về nơi cư trú trước đây';
  expect((await s.call('POST', `/api/tasks/${task.id}/complete`, { data: { apologyReason: reason, newReturnDate } }, headers)).status).toBe(200);

  // the appointment moves; the citizen is notified (the notice step is done)
  const after = await eventually(async () => {
    const d = (await s.call('GET', `/api/dossiers/${code}`, undefined, headers)).body as {
      apology: { newReturnDate: string; issuedBy: string } | null;
      deadlines: { appointmentAt: string };
      timeline: { elementId: string; finishedAt: string | null }[];
    };
    return d.apology && d.timeline.some((t) => t.elementId === 'notifyApology' && t.finishedAt) ? d : undefined;
  }, 'the apology to be issued and notified', 30000);
  expect(after.apology).toMatchObject({ newReturnDate, issuedBy: 'lanhdao' });
  expect(after.deadlines.appointmentAt.slice(0, 10)).toBe(newReturnDate);

  // the one-stop desk is told in writing that the apology went out, with the new date, once
  monitorNow = new Date(clock.getTime() + 60_000);
  await monitor.runOnce('tick');
  await monitor.runOnce('tick');
  const deskMails = await eventually(async () => {
    const found = (await new MailpitClient().search(`"${code}"`)).filter(receivedInThisRun).filter((m) => m.Subject.startsWith('Đã gửi văn bản xin lỗi'));
    return found.length ? found : undefined;
  }, `the desk's notice of the apology for ${code}`, 10000);
  expect(deskMails).toHaveLength(1);
  const desk = await s.db.selectFrom('users').select('email').where('unitId', '=', 'stp-mot-cua').where(sql<boolean>`'oneStopOfficer' = ANY(roles)`).where('active', '=', true).execute();
  expect(deskMails[0]!.To.map((t) => t.Address).sort()).toEqual(desk.map((u) => u.email).sort());
  expect(deskMails[0]!.To.length).toBeGreaterThan(0);

  // the letter, HTML and PDF, with its fields; audited; not for inspectors
  const html = await fetch(`${s.api.url}/api/dossiers/${code}/letters/apology?format=html`, { headers });
  expect(html.status).toBe(200);
  const text = await html.text();
  const [y, m, d] = newReturnDate.split('-');
  // the issuing body and the form of the dossier's law (received under Law 107: the police, the form of Decree 118/2025)
  const letterFacts = [request.declaration.fullName, code, reason, `${d}/${m}/${y}`, 'Công an tỉnh Khánh Hòa', 'PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ', 'Nghị định số 118/2025/NĐ-CP', 'sẽ không trả được kết quả'];
  for (const expected of letterFacts) expect(text).toContain(expected);
  expect(text).not.toContain('chưa trả');
  const pdf = await fetch(`${s.api.url}/api/dossiers/${code}/letters/apology`, { headers });
  expect(pdf.headers.get('content-type')).toBe('application/pdf');
  expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
  expect((await fetch(`${s.api.url}/api/dossiers/${code}/letters/apology`, { headers: await s.as('thanhtra') })).status).toBe(403);
  const reads = await s.db.selectFrom('audit').select('detail').where('dossierCode', '=', code).where('action', '=', 'dossier.read-details').where('actor', '=', 'lanhdao').execute();
  expect(reads.map((r) => r.detail).sort()).toEqual(['văn bản xin lỗi (html)', 'văn bản xin lỗi (pdf)']);
  // personal data by unit: an officer of a unit the dossier never passed through is refused the
  // letter and the declaration (403), and the refusal is audited; the one-stop officer who
  // received it may read its declaration
  await s.db
    .insertInto('users')
    .values({ username: 'chuyenvienkhac', displayName: 'Chuyên viên đơn vị khác', email: 'cvk@stp.example.vn', roles: ['lltpOfficer'], unitId: 'stp-thanh-tra', passwordHash: await hashPassword(STAFF_PASSWORD), createdAt: testNow() })
    .execute();
  const outsider = await s.as('chuyenvienkhac');
  const letterOutside = await s.call('GET', `/api/dossiers/${code}/letters/apology?format=html`, undefined, outsider);
  expect(letterOutside.status).toBe(403);
  expect(String(letterOutside.body.error)).toContain('không thuộc đơn vị của bạn');
  expect((await s.call('GET', `/api/dossiers/${code}?details=1`, undefined, outsider)).status).toBe(403);
  expect((await s.call('GET', `/api/dossiers/${code}`, undefined, outsider)).status).toBe(200); // the dossier without personal data stays readable
  const denied = await s.db.selectFrom('audit').select('detail').where('dossierCode', '=', code).where('action', '=', 'dossier.read-denied').where('actor', '=', 'chuyenvienkhac').execute();
  expect(denied).toHaveLength(2);
  deps.mailer.close();
  const ownUnit = await s.call('GET', `/api/dossiers/${code}?details=1`, undefined, await s.as('motcua'));
  expect(ownUnit.status).toBe(200);
  expect(ownUnit.body.declaration).toBeDefined();

  // once per dossier: no second apology task. The second chance for one was the apology watch of
  // steps 4–6, which fired as the dossier entered them (its time long past) and went to "already
  // requested". The inbox has had its chance to take a task from it once it has taken one the
  // engine created later: the officer accepts the dossier in the LLTP software, and the search
  // task that follows reaches the inbox.
  await s.work(code, 'chuyenvien', 'lltp.form.accept-in-lltp');
  await s.task(code, 'chuyenvien', 'lltp.form.search-records');
  const again = await s.call('GET', '/api/tasks', undefined, headers);
  expect(((again.body.tasks ?? []) as InboxTask[]).filter((t) => t.dossierCode === code && t.formKey === 'lltp.form.apology')).toEqual([]);
}, 120000);
