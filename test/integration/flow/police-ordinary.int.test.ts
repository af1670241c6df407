/**
 * Every VNeID dossier goes to the provincial police (PV06), one whose search found no record
 * (ordinary) too: through the whole product on the real stack (intake API → Zeebe → workers →
 * police simulator → callback → inbox), step 7 runs with the national model's ordinary
 * allotment (6 working hours), step 8 with Khánh Hòa's ordinary row (2 working hours), and both
 * are in the dossier's timeline. Before the police gateway read `channel`, an ordinary dossier
 * went from step 6 straight to step 9: no police request, no step 7 or 8.
 */
import { formatInstant } from '../../../server/calendar/civil-time';
import { sampleVneidRequest, seededRandom } from '../../../tools/simulators/sample-requests';
import { testNowMs } from '../../support/clock';
import { PARTNER, startSystem, type SystemUnderTest } from '../../support/system';
import { uniqueId } from '../../support/unique';
import { eventually } from '../../support/wait';

let s: SystemUnderTest;

beforeAll(async () => {
  s = await startSystem('police_ordinary', 5760);
}, 90_000);
afterAll(async () => s?.stop());

interface TimelineStep {
  elementId: string;
  unitId: string;
  role: string | null;
  actor: string | null;
  outcome: string | null;
  allotmentWorkingMinutes: number;
  startedAt: string;
  dueAt: string;
  finishedAt: string | null;
}

const work = (code: string, username: string, formKey: string, data: Record<string, unknown> = {}): Promise<void> => s.work(code, username, formKey, data);

test('an ordinary VNeID dossier goes through the police: step 7 with 6 working hours, the answer by callback, step 8 with 2', async () => {
  const request = sampleVneidRequest({ receiptNumber: `PV06-${uniqueId()}`, receivedAt: formatInstant(testNowMs()), random: seededRandom(4242) });
  const received = await s.call('POST', '/api/intake/vneid', request, PARTNER);
  expect(received.status).toBe(201);
  const code = String(received.body.dossierCode);
  await s.simPost('police', '/_sim/scenarios', { dossierCode: code, answerAfterWorkingHours: 1, result: 'noRecord', deliveries: 1 });
  const requestsBefore = (await s.simStats('police')).effects.request ?? 0;

  await work(code, 'motcua', 'lltp.form.check-dossier', { intakeDecision: 'accept' });
  await work(code, 'chuyenvien', 'lltp.form.accept-in-lltp');
  await work(code, 'chuyenvien', 'lltp.form.search-records', { searchOutcome: 'noRecord' });

  // Step 7: the police have the request, the timeline has the step with the ordinary allotment.
  const waiting = await eventually(async () => {
    const d = await s.dossier(code);
    return (d.timeline as TimelineStep[]).some((t) => t.elementId === 'awaitPoliceAnswer') ? d : undefined;
  }, `step 7 of ${code} to start`);
  expect(waiting.caseVariant).toBe('ordinary');
  const step7 = (waiting.timeline as TimelineStep[]).find((t) => t.elementId === 'awaitPoliceAnswer');
  expect(step7).toMatchObject({ unitId: 'ca-pv06', role: 'police', allotmentWorkingMinutes: 360 });
  expect((await s.simStats('police')).effects.request).toBe(requestsBefore + 1);

  // The police's answer (the simulator calls back) closes step 7; step 8 is the LLTP officer's.
  await work(code, 'chuyenvien', 'lltp.form.record-verification');
  await work(code, 'chuyenvien', 'lltp.form.draft-certificate');
  await work(code, 'truongphong', 'lltp.form.review-draft', { reviewDecision: 'approve' });
  await work(code, 'lanhdao', 'lltp.form.approve-certificate');
  const done = await eventually(async () => {
    const d = await s.dossier(code);
    return d.status === 'closed' && d.outcome === 'issued' && (d.timeline as TimelineStep[]).every((t) => t.finishedAt !== null) ? d : undefined;
  }, `dossier ${code} to be issued with every step finished`, 45_000);

  const timeline = done.timeline as TimelineStep[];
  const order = timeline.map((t) => t.elementId);
  expect(order.indexOf('searchRecords')).toBeLessThan(order.indexOf('awaitPoliceAnswer'));
  expect(order.indexOf('awaitPoliceAnswer')).toBeLessThan(order.indexOf('recordVerification'));
  expect(order.indexOf('recordVerification')).toBeLessThan(order.indexOf('draftCertificate'));
  expect(order.filter((id) => id === 'awaitPoliceAnswer')).toHaveLength(1);
  expect(timeline.find((t) => t.elementId === 'requestPoliceVerification')).toMatchObject({ actor: 'system' });
  expect(timeline.find((t) => t.elementId === 'awaitPoliceAnswer')).toMatchObject({ unitId: 'ca-pv06', allotmentWorkingMinutes: 360, actor: 'partner:ca-pv06', outcome: 'answered' });
  expect(timeline.find((t) => t.elementId === 'recordVerification')).toMatchObject({ unitId: 'stp-hctp', role: 'lltpOfficer', actor: 'chuyenvien', allotmentWorkingMinutes: 120 });
  expect(await s.db.selectFrom('audit').select('id').where('dossierCode', '=', code).where('action', '=', 'police.answer').execute()).toHaveLength(1);
  expect(await s.db.selectFrom('dossiers').select(['policeResult']).where('code', '=', code).executeTakeFirst()).toEqual({ policeResult: 'noRecord' });
}, 150_000);
