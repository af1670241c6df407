/**
 * Regression test for "processInstanceKey missing from the dossier view for 8–30% of dossiers
 * whose process instances and tasks exist": 200 VNeID requests at once through the real API,
 * with the workers running; then every dossier has its process instance key (in the view and
 * on its receipt), exactly one process instance, and its first step recorded by that instance.
 * And the cause, reproduced: a start the broker took but whose answer was lost (the request
 * answered 503) is bound by the worker's first job, and the retry of the request starts nothing.
 */
import { formatInstant } from '../../../server/calendar/civil-time';
import { sampleVneidRequest, seededRandom } from '../../../tools/simulators/sample-requests';
import { createZeebeClient } from '../../../server/zeebe';
import { PARTNER, startSystem, type SystemUnderTest } from '../../support/system';
import { testNowMs } from '../../support/clock';
import { uniqueId } from '../../support/unique';
import { eventually } from '../../support/wait';

/** Every dossier of this file is received at the suite's instant. */
const RECEIVED_AT = formatInstant(testNowMs());

jest.setTimeout(300_000);

let sut: SystemUnderTest;
beforeAll(async () => {
  sut = await startSystem('concurrent-intake', 47300, { DATABASE_POOL_MAX: '20' });
}, 120_000);
// Stopping once hung past jest's hook timeout after the 200 intakes (the cause is not found yet:
// see issue 14's note); bounded here so that it cannot take the suite with it.
afterAll(() => Promise.race([sut?.stop(), new Promise((resolve) => setTimeout(resolve, 60_000))]), 90_000);

const stepsOf = async (codes: string[]) =>
  sut.db.selectFrom('steps').select(['dossierCode', 'processInstanceKey', 'processId']).where('dossierCode', 'in', codes).execute();

test('200 concurrent intakes: one dossier and one process instance each, and the key on every dossier', async () => {
  const run = uniqueId();
  const bodies = Array.from({ length: 200 }, (_, i) =>
    sampleVneidRequest({ receiptNumber: `BN-CONC-${run}-${i}`, receivedAt: RECEIVED_AT, random: seededRandom(i + 1) }),
  );
  // Sent as the one-stop system does: a 503 (the broker pushing back under the burst) is sent
  // again after its Retry-After, and then completes the same dossier (200, created: false).
  let pushedBack = 0;
  const send = async (body: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    for (let attempt = 1; ; attempt += 1) {
      const answer = await sut.callOnce('POST', '/api/intake/vneid', body, PARTNER);
      if (answer.status !== 503 || attempt === 10) return answer;
      pushedBack += 1;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  };
  const answers = await Promise.all(bodies.map(send));
  expect(answers.filter((a) => a.status !== 201 && a.status !== 200).map((a) => a.body)).toEqual([]);
  // every request was answered for good: re-sent ones completed their own dossier, none made a second
  expect(answers.filter((a) => a.status === 200).length).toBeLessThanOrEqual(pushedBack);

  const dossiers = await sut.db
    .selectFrom('dossiers')
    .innerJoin('intakeReceipts', 'intakeReceipts.dossierCode', 'dossiers.code')
    .select(['dossiers.code', 'dossiers.processId', 'dossiers.processInstanceKey', 'intakeReceipts.processInstanceKey as receiptKey'])
    .where('dossiers.receiptNumber', 'like', `BN-CONC-${run}-%`)
    .execute();
  expect(dossiers).toHaveLength(200);
  expect(dossiers.filter((d) => !d.processInstanceKey || d.receiptKey !== d.processInstanceKey).map((d) => d.code)).toEqual([]);

  const codes = dossiers.map((d) => d.code);
  const steps = await eventually(async () => {
    const rows = await stepsOf(codes);
    return new Set(rows.map((r) => r.dossierCode)).size === codes.length ? rows : undefined;
  }, 'a step for every dossier', 120_000);
  const keyOf = new Map(dossiers.map((d) => [d.code, d.processInstanceKey]));
  const processOf = new Map(dossiers.map((d) => [d.code, d.processId]));
  const strangers = steps.filter((s) => s.processId === processOf.get(s.dossierCode) && s.processInstanceKey !== keyOf.get(s.dossierCode));
  expect(strangers).toEqual([]);

  const views = await Promise.all(codes.slice(0, 40).map((code) => sut.dossier(code)));
  expect(views.filter((v) => typeof v.processInstanceKey !== 'string' || v.processInstanceKey !== keyOf.get(String(v.code)))).toEqual([]);
});

test('a start whose answer was lost: the retried request adopts the instance the worker bound, and every further instance of the dossier is cancelled without costing the workers a slot', async () => {
  const body = sampleVneidRequest({ receiptNumber: `BN-LOST-${uniqueId()}`, receivedAt: RECEIVED_AT, random: seededRandom(7) });
  const first = await sut.call('POST', '/api/intake/vneid', body, PARTNER);
  expect(first.status).toBe(201);
  const code = String(first.body.dossierCode);
  const dossier = await sut.db.selectFrom('dossiers').select(['processInstanceKey', 'processId']).where('code', '=', code).executeTakeFirstOrThrow();
  const k1 = String(dossier.processInstanceKey);
  await eventually(async () => ((await stepsOf([code])).length > 0 ? true : undefined), 'the first step', 30_000);

  // The intake never heard the broker's answer: its receipt has no key (the worker's first job bound the dossier).
  await sut.db.updateTable('intakeReceipts').set({ processInstanceKey: null, startLeaseUntil: null }).where('dossierCode', '=', code).execute();
  const again = await sut.call('POST', '/api/intake/vneid', body, PARTNER);
  expect(again).toMatchObject({ status: 200, body: { dossierCode: code, created: false } });
  const receipt = await sut.db.selectFrom('intakeReceipts').select('processInstanceKey').where('dossierCode', '=', code).executeTakeFirstOrThrow();
  expect(receipt.processInstanceKey).toBe(k1);

  // More instances of the same dossier (starts retried after ambiguous answers), more than the
  // workers' 16 slots per job type: each first job finds the dossier bound to k1 and cancels its
  // instance, and the slot it held is free again (a leaked slot per cancel once stopped the
  // worker polling for good after a broker outage).
  const { camunda, zeebe } = createZeebeClient({ ...sut.config, LOG_LEVEL: 'silent' });
  try {
    const duplicates = await Promise.all(
      Array.from({ length: 20 }, async () =>
        (await zeebe.createProcessInstance({ bpmnProcessId: String(dossier.processId), variables: { dossierCode: code, agencyCode: 'STP.KHA', receivedAt: RECEIVED_AT, paperCopy: 'none', channel: 'vneid' } })).processInstanceKey,
      ),
    );
    for (const k2 of duplicates) {
      await eventually(
        () => zeebe.cancelProcessInstance(k2).then(() => undefined, (error: Error) => (/NOT_FOUND/.test(error.message) ? true : undefined)),
        'every duplicate instance cancelled by the worker',
        30_000,
      );
    }
    // and the workers still take new work
    const next = await sut.call('POST', '/api/intake/vneid', sampleVneidRequest({ receiptNumber: `BN-AFTER-${uniqueId()}`, receivedAt: RECEIVED_AT, random: seededRandom(8) }), PARTNER);
    expect(next.status).toBe(201);
    await eventually(async () => ((await stepsOf([String(next.body.dossierCode)])).length > 0 ? true : undefined), 'the next dossier’s first step', 30_000);
    const keys = new Set((await stepsOf([code])).filter((s) => s.processId === dossier.processId).map((s) => s.processInstanceKey));
    expect([...keys]).toEqual([k1]);
    expect((await sut.db.selectFrom('dossiers').select('processInstanceKey').where('code', '=', code).executeTakeFirstOrThrow()).processInstanceKey).toBe(k1);
  } finally {
    await camunda.closeAllClients();
  }
});

test('tasks: the role is checked before the id is looked up, and a task of another unit is answered like an unknown one', async () => {
  const code = String((await sut.db.selectFrom('dossiers').select('code').where('receiptNumber', 'like', 'BN-CONC-%').executeTakeFirstOrThrow()).code);
  const { task } = await sut.task(code, 'motcua', 'lltp.form.check-dossier');
  const unknown = 'task:999999999999';
  const inspector = await sut.as('thanhtra');
  const asInspector = await Promise.all([task.id, unknown].map((id) => sut.call('POST', `/api/tasks/${id}/claim`, {}, inspector)));
  expect(asInspector.map((a) => a.status)).toEqual([403, 403]);
  expect(asInspector[0]!.body).toEqual(asInspector[1]!.body);
  const otherUnit = await sut.as('chuyenvien');
  const asOtherUnit = await Promise.all(
    ['claim', 'release', 'complete'].flatMap((action) => [task.id, unknown].map((id) => sut.call('POST', `/api/tasks/${id}/${action}`, {}, otherUnit))),
  );
  expect(asOtherUnit.map((a) => a.status)).toEqual([404, 404, 404, 404, 404, 404]);
  expect(new Set(asOtherUnit.map((a) => JSON.stringify(a.body))).size).toBe(1);
  const partner = await sut.call('POST', `/api/tasks/${task.id}/claim`, {}, PARTNER);
  expect(partner.status).toBe(403);
});
