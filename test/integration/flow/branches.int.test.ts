/**
 * End to end, every branch from intake to the end, through the whole product on the real
 * stack: intake API → Zeebe (Quy trình 570 + Khánh Hòa QĐ 2799) → job workers → simulators of
 * the external systems; human steps done by the demo officers through the inbox API.
 *
 * @moves-clocks dossiers received in the past, late on the suite's clock: run again at three instants by .ci/run (LLTP_TEST_INSTANTS).
 */
import { formatInstant } from '../../../server/calendar/civil-time';
import { seedCalendarData } from '../../../server/calendar/seed';
import { WorkingCalendars } from '../../../server/calendar/working-calendar';
import { loadProcessCatalog } from '../../../server/sla/catalog';
import { sampleVneidRequest, seededRandom } from '../../../tools/simulators/sample-requests';
import { eventually } from '../../support/wait';
import { PARTNER, startSystem, type SystemUnderTest } from '../../support/system';
import { testNow, testNowMs } from '../../support/clock';
import { uniqueId } from '../../support/unique';

let s: SystemUnderTest;
let n = 0;
const calendar = new WorkingCalendars(seedCalendarData()).forUnit('stp-mot-cua');

beforeAll(async () => {
  s = await startSystem('branches', 4300);
}, 90000);
afterAll(async () => s?.stop());

async function intake(options: { paperCopyByPost?: boolean; desk?: boolean; receivedAt?: Date } = {}): Promise<string> {
  const request = sampleVneidRequest({
    receiptNumber: `E2E-${uniqueId()}-${(n += 1)}`,
    receivedAt: formatInstant((options.receivedAt ?? testNow()).getTime()),
    random: seededRandom(n),
    paperCopyByPost: options.paperCopyByPost,
  });
  if (options.desk) request.copies = { paper: 1, delivery: 'desk' };
  const answer = await s.call('POST', '/api/intake/vneid', request, PARTNER);
  expect(answer.status).toBe(201);
  return String(answer.body.dossierCode);
}

const work = (code: string, username: string, formKey: string, data: Record<string, unknown> = {}): Promise<void> => s.work(code, username, formKey, data);
const dossier = (code: string): Promise<Record<string, unknown>> => s.dossier(code);

async function finished(code: string, outcome: string): Promise<Record<string, unknown>> {
  return eventually(async () => {
    const d = await dossier(code);
    return d.status === 'closed' && d.outcome === outcome ? d : undefined;
  }, `dossier ${code} to end as ${outcome}`, 45000);
}

async function throughDrafting(code: string, review: 'approve' | 'revise-once' = 'approve'): Promise<void> {
  await work(code, 'chuyenvien', 'lltp.form.draft-certificate');
  if (review === 'revise-once') {
    await work(code, 'truongphong', 'lltp.form.review-draft', { reviewDecision: 'revise', reviewComment: 'Sửa mục nơi cư trú' });
    await work(code, 'chuyenvien', 'lltp.form.draft-certificate');
  }
  await work(code, 'truongphong', 'lltp.form.review-draft', { reviewDecision: 'approve' });
  await work(code, 'lanhdao', 'lltp.form.approve-certificate');
}

/** Steps 3–6, then steps 7–8: every VNeID dossier goes to the police (one with no record too), whose simulator answers; the LLTP officer records it. */
async function acceptAndSearch(code: string, search: Record<string, unknown>): Promise<void> {
  await work(code, 'motcua', 'lltp.form.check-dossier', { intakeDecision: 'accept' });
  await work(code, 'chuyenvien', 'lltp.form.accept-in-lltp');
  await work(code, 'chuyenvien', 'lltp.form.search-records', search);
  await work(code, 'chuyenvien', 'lltp.form.record-verification');
}

const elementsOf = (d: Record<string, unknown>): string[] => (d.timeline as { elementId: string }[]).map((t) => t.elementId);

test('no record: the police check it all the same (VNeID), the e-certificate is returned to VNeID, with a complete timeline', async () => {
  const code = await intake();
  await acceptAndSearch(code, { searchOutcome: 'noRecord' });
  await throughDrafting(code);
  await finished(code, 'issued');
  // the steps after the return (the citizen's notice) may still be ending when the dossier closes
  const d = await eventually(async () => {
    const view = await dossier(code);
    return (view.timeline as { finishedAt: string | null }[]).every((t) => t.finishedAt !== null) ? view : undefined;
  }, `every step of ${code} to finish`, 30000);
  expect(d.caseVariant).toBe('ordinary');
  const timeline = d.timeline as { elementId: string; finishedAt: string | null; dueAt: string; actor: string | null; allotmentWorkingMinutes: number }[];
  expect(timeline.every((t) => t.finishedAt !== null)).toBe(true);
  expect(timeline.every((t) => typeof t.dueAt === 'string' && t.actor)).toBe(true);
  expect(elementsOf(d)).toEqual(expect.arrayContaining(['checkDossier', 'pushToLltpSoftware', 'searchRecords', 'planDeadlines', 'requestPoliceVerification', 'awaitPoliceAnswer', 'recordVerification', 'signCertificate', 'returnResult']));
  expect(timeline.find((t) => t.elementId === 'checkDossier')).toMatchObject({ actor: 'motcua', allotmentWorkingMinutes: 240 });
  expect((await s.simStats('vneid')).effects.return).toBeGreaterThanOrEqual(1);
}, 120000);

test('verification by the police: the answer comes back by callback, delivered twice, recorded once', async () => {
  const code = await intake();
  await s.simPost('police', '/_sim/scenarios', { dossierCode: code, answerAfterWorkingHours: 1, result: 'noRecord', deliveries: 2 });
  const before = (await s.simStats('police')).effects.request ?? 0;
  await acceptAndSearch(code, { searchOutcome: 'needsVerification', verificationScope: 'province' });
  await throughDrafting(code);
  const d = await finished(code, 'issued');
  expect(d.caseVariant).toBe('verification');
  expect((await s.simStats('police')).effects.request).toBe(before + 1);
  expect(await s.db.selectFrom('audit').select('id').where('dossierCode', '=', code).where('action', '=', 'police.answer').execute()).toHaveLength(1);
  expect(elementsOf(d)).toEqual(expect.arrayContaining(['requestPoliceVerification', 'awaitPoliceAnswer', 'recordVerification']));
  expect((d.timeline as { elementId: string; allotmentWorkingMinutes: number }[]).find((t) => t.elementId === 'awaitPoliceAnswer')?.allotmentWorkingMinutes).toBe(840); // 14h: the verification allotment of step 7 under Law 107 (v20260701)
}, 120000);

test('an extended case (several provinces) gets the 15-working-day statutory deadline after the search', async () => {
  const code = await intake();
  await s.simPost('police', '/_sim/scenarios', { dossierCode: code, answerAfterWorkingHours: 1, result: 'noRecord', deliveries: 1 });
  const before = await dossier(code);
  await acceptAndSearch(code, { searchOutcome: 'needsVerification', verificationScope: 'extended' });
  const after = await eventually(async () => {
    const d = await dossier(code);
    return d.caseVariant === 'statutory' ? d : undefined;
  }, 'the statutory variant');
  expect((after.deadlines as { statutoryWorkingDays: number }).statutoryWorkingDays).toBe(15);
  expect((after.deadlines as { statutoryDueAt: string }).statutoryDueAt > (before.deadlines as { statutoryDueAt: string }).statutoryDueAt).toBe(true);
}, 120000);

test('incomplete dossier: supplement request stops the clock; the supplement restarts it from zero', async () => {
  const code = await intake();
  await work(code, 'motcua', 'lltp.form.check-dossier', { intakeDecision: 'supplement', missingItems: ['Bản chụp CCCD rõ nét'] });
  await eventually(async () => ((await dossier(code)).stoppedIntervals as unknown[]).length === 1 || undefined, 'the clock to stop');
  const supplementedAt = formatInstant(testNowMs());
  expect((await s.call('POST', `/api/callbacks/one-stop/${code}/supplemented`, { at: supplementedAt, eventId: `sup-${code}` }, PARTNER)).status).toBe(202);
  // the same event again changes nothing
  expect((await s.call('POST', `/api/callbacks/one-stop/${code}/supplemented`, { at: supplementedAt, eventId: `sup-${code}` }, PARTNER)).status).toBe(202);
  await work(code, 'motcua', 'lltp.form.check-dossier', { intakeDecision: 'accept' });
  const d = await dossier(code);
  const deadlines = d.deadlines as { clockStartAt: string };
  expect(new Date(deadlines.clockStartAt).getTime()).toBeGreaterThanOrEqual(new Date(supplementedAt).getTime() - 1000);
  expect(elementsOf(d).filter((e) => e === 'checkDossier')).toHaveLength(2);
}, 120000);

test('invalid dossier: refusal (form 03) ends it', async () => {
  const code = await intake();
  await work(code, 'motcua', 'lltp.form.check-dossier', { intakeDecision: 'refuse', refusalReason: 'Không thuộc thẩm quyền' });
  const d = await finished(code, 'refused');
  expect(elementsOf(d)).toContain('issueRefusal');
}, 60000);

test('withdrawal by the citizen ends the dossier; its pending task can no longer be completed', async () => {
  const code = await intake();
  const { task, headers } = await s.task(code, 'motcua', 'lltp.form.check-dossier');
  expect((await s.call('POST', `/api/callbacks/one-stop/${code}/withdrawn`, { at: formatInstant(testNowMs()), eventId: `wd-${code}` }, PARTNER)).status).toBe(202);
  await finished(code, 'withdrawn');
  await s.call('POST', `/api/tasks/${task.id}/claim`, {}, headers);
  const late = await s.call('POST', `/api/tasks/${task.id}/complete`, { data: { intakeDecision: 'accept' } }, headers);
  expect(late.status).toBe(409);
}, 60000);

test('paper copy by post: one shipment ordered', async () => {
  const code = await intake({ paperCopyByPost: true });
  const before = (await s.simStats('post')).effects.ship ?? 0;
  await acceptAndSearch(code, { searchOutcome: 'noRecord' });
  await throughDrafting(code, 'revise-once');
  await finished(code, 'issued');
  await eventually(async () => ((await s.simStats('post')).effects.ship === before + 1 ? true : undefined), 'the shipment');
  expect(elementsOf(await dossier(code))).toContain('sendCopyByPost');
}, 120000);

test('paper copy at the desk: the one-stop officer hands it over', async () => {
  const code = await intake({ desk: true });
  await acceptAndSearch(code, { searchOutcome: 'noRecord' });
  await throughDrafting(code);
  await work(code, 'motcua', 'lltp.form.hand-over-copy', { handedOverAt: formatInstant(testNowMs()) });
  await finished(code, 'issued');
}, 120000);

test('apology: a dossier at its apology time gets a leader task; the letter moves the appointment once', async () => {
  // received 10 working days ago: its apology time (due − 1 working day) has passed
  // received one statutory limit of the law in force ago (5 working days under Law 107): its apology is due now
  const statutory = (await loadProcessCatalog()).versionInForce('quy-trinh-570', testNow()).deadlines.statutory!;
  const code = await intake({ receivedAt: calendar.add(testNow(), -statutory).dueAt });
  const before = await dossier(code);
  const appointment = (before.deadlines as { appointmentAt: string }).appointmentAt;
  const newReturn = calendar.add(new Date(appointment), 3 * 480).dueAt;
  const newReturnDate = formatInstant(newReturn.getTime()).slice(0, 10);
  // the apology watch starts with steps 4–6, once the desk has accepted the dossier
  await work(code, 'motcua', 'lltp.form.check-dossier', { intakeDecision: 'accept' });
  await work(code, 'lanhdao', 'lltp.form.apology', { apologyReason: 'Chờ kết quả xác minh', newReturnDate });
  const after = await eventually(async () => {
    const d = await dossier(code);
    return d.apology ? d : undefined;
  }, 'the apology to be recorded');
  expect((after.apology as { newReturnDate: string }).newReturnDate).toBe(newReturnDate);
  expect((after.deadlines as { appointmentAt: string }).appointmentAt.slice(0, 10)).toBe(newReturnDate);
}, 90000);
