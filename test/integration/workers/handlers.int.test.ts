/**
 * Every worker against the real read model (PostgreSQL) and the simulators over loopback,
 * through `processJob` (what the Zeebe worker runs for each job): outputs the contract
 * accepts, the read model written, one timeline step per activation, and a job delivered
 * twice causing no second external effect.
 */
import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import { jobTypes, type JobType } from '../../../processes/contracts';
import { parseInstant } from '../../../server/calendar/civil-time';
import type { VneidRequest } from '../../../server/intake/vneid-request';
import { findDossier } from '../../../server/readmodel/dossier';
import { processJob, type ActivatedJob, type JobAction } from '../../../workers/framework';
import { workers } from '../../../workers/registry';
import { MailpitClient } from '../../support/mailpit';
import { startWorkerTestEnv, uniqueCode, type SimName, type WorkerTestEnv } from './support';
import { testNow } from '../../support/clock';

/** The national version in force on the suite's day (Law 107/2025, from 1/7/2026). */
const NATIONAL = 'quy-trinh-570-v20260701';
const KHANH_HOA = 'khanh-hoa-2799-v20241029';

let env: WorkerTestEnv;
beforeAll(async () => {
  env = await startWorkerTestEnv('workers_handlers');
});
afterAll(async () => {
  await env.stop();
});

const workerOf = (type: JobType) => {
  const worker = workers.find((w) => w.type === type);
  if (!worker) throw new Error(`no worker for ${type}`);
  return worker;
};

let keySeq = randomInt(1_000_000, 9_000_000);
function job(type: JobType, elementId: string, variables: Record<string, unknown>, options: { headers?: Record<string, unknown>; process?: string; elementInstanceKey?: string; retries?: number } = {}): ActivatedJob {
  keySeq += 1;
  return {
    key: String(keySeq),
    type,
    bpmnProcessId: options.process ?? NATIONAL,
    processInstanceKey: '2251799813685249',
    elementId,
    elementInstanceKey: options.elementInstanceKey ?? String(keySeq + 500_000_000),
    retries: options.retries ?? 3,
    // Every job of a dossier sees the internal procedure chosen at intake (its governed steps' terms come from there).
    variables: { activatedAt: `${testNow().toISOString()}[Etc/UTC]`, internalProcessId: KHANH_HOA, ...variables },
    customHeaders: options.headers ?? {},
  };
}

async function run(j: ActivatedJob): Promise<Record<string, unknown>> {
  const action = await processJob(workerOf(j.type as JobType), j, env.deps);
  if (action.action !== 'complete') throw new Error(`${j.type} did not complete: ${JSON.stringify(action)}`);
  return action.variables;
}

const dossier = async (code: string) => findDossier(env.db, code);
const stepsOf = async (code: string) => env.db.selectFrom('steps').selectAll().where('dossierCode', '=', code).orderBy('startedAt').execute();
const declarationOf = async (code: string) => (await env.db.selectFrom('declarations').select('request').where('dossierCode', '=', code).executeTakeFirstOrThrow()).request as VneidRequest;

describe('every job type completes with exactly the contract outputs and records its step', () => {
  type Case = [JobType, string, (code: string) => Record<string, unknown>, Record<string, unknown>, string];
  const now = () => testNow().toISOString();
  const cases: Case[] = [
    ['lltp.intake.register', 'registerDossier', (code) => ({ dossierCode: code, agencyCode: 'STP.KHA', receivedAt: now() }), {}, NATIONAL],
    ['lltp.notify.citizen', 'notifyAccepted', (code) => ({ dossierCode: code }), { notice: 'accepted' }, NATIONAL],
    ['lltp.dossier.issue-refusal', 'issueRefusal', (code) => ({ dossierCode: code, refusalReason: 'Không thuộc thẩm quyền' }), {}, NATIONAL],
    ['lltp.dossier.request-supplement', 'requestSupplement', (code) => ({ dossierCode: code, missingItems: ['Ảnh CCCD'] }), {}, NATIONAL],
    ['lltp.dossier.restart-clock', 'restartClock', (code) => ({ dossierCode: code, supplementedAt: now() }), {}, NATIONAL],
    ['lltp.dossier.close-unsupplemented', 'closeUnsupplemented', (code) => ({ dossierCode: code, supplementDueAt: now() }), {}, NATIONAL],
    ['lltp.dossier.close-withdrawn', 'closeWithdrawn', (code) => ({ dossierCode: code, withdrawnAt: now() }), {}, NATIONAL],
    ['lltp.lltp-software.push', 'pushToLltpSoftware', (code) => ({ dossierCode: code }), {}, NATIONAL],
    ['lltp.deadline.plan', 'planDeadlines', (code) => ({ dossierCode: code, searchOutcome: 'noRecord', clockStartedAt: now(), apologyIssued: false }), {}, NATIONAL],
    ['lltp.police.request-verification', 'requestPoliceVerification', (code) => ({ dossierCode: code, caseVariant: 'verification' }), {}, NATIONAL],
    ['lltp.police.remind', 'remindPolice', (code) => ({ dossierCode: code, verificationRequestedAt: now(), policeReminderAt: now() }), {}, NATIONAL],
    ['lltp.sla.escalate', 'escalatePoliceLate', (code) => ({ dossierCode: code, policeReminderAt: now() }), { reason: 'police-late' }, NATIONAL],
    ['lltp.sign.certificate', 'signCertificate', (code) => ({ dossierCode: code }), {}, KHANH_HOA],
    ['lltp.return.result', 'returnResult', (code) => ({ dossierCode: code, certificateNumber: `LLTP-${code}` }), {}, NATIONAL],
    ['lltp.post.send-copy', 'sendCopyByPost', (code) => ({ dossierCode: code, certificateNumber: `LLTP-${code}` }), {}, NATIONAL],
  ];

  test.each(cases)('%s (%s)', async (type, elementId, variables, headers, process) => {
    const code = uniqueCode();
    await env.createDossier(code, { paperCopy: 'post' });
    const outputs = await run(job(type, elementId, variables(code), { headers, process }));
    expect(() => jobTypes[type].outputs.strict().parse(outputs)).not.toThrow();
    const all = await stepsOf(code);
    // the police request also opens step 7 (awaitPoliceAnswer, a receive task), closed by the police's answer
    expect(all.map((s) => s.elementId).sort()).toEqual(elementId === 'requestPoliceVerification' ? ['awaitPoliceAnswer', elementId] : [elementId]);
    const steps = all.filter((s) => s.elementId === elementId);
    expect(steps[0]).toMatchObject({ elementId, actor: 'system' });
    expect(steps[0]?.finishedAt).toBeInstanceOf(Date);
    for (const value of Object.values(outputs)) if (typeof value === 'string' && /T\d\d:/.test(value)) expect(value).toMatch(/\+07:00$/);
  });

  test('the apology worker is covered below; the table covers every other job type', () => {
    expect(new Set([...cases.map((c) => c[0]), 'lltp.apology.issue'])).toEqual(new Set(Object.keys(jobTypes)));
  });
});

describe('a job delivered twice causes one external effect and one timeline step', () => {
  const cases: [JobType, string, SimName, string, (code: string) => Record<string, unknown>, Record<string, unknown>, string][] = [
    ['lltp.lltp-software.push', 'pushToLltpSoftware', 'lltp-software', 'push', (code) => ({ dossierCode: code }), {}, NATIONAL],
    ['lltp.police.request-verification', 'requestPoliceVerification', 'police', 'request', (code) => ({ dossierCode: code, caseVariant: 'statutory' }), {}, NATIONAL],
    ['lltp.sign.certificate', 'signCertificate', 'signing', 'sign', (code) => ({ dossierCode: code }), {}, KHANH_HOA],
    ['lltp.return.result', 'returnResult', 'vneid', 'return', (code) => ({ dossierCode: code, certificateNumber: `LLTP-${code}` }), {}, NATIONAL],
    ['lltp.post.send-copy', 'sendCopyByPost', 'post', 'ship', (code) => ({ dossierCode: code, certificateNumber: `LLTP-${code}` }), {}, NATIONAL],
    ['lltp.notify.citizen', 'notifySupplement', 'notify', 'notify', (code) => ({ dossierCode: code }), { notice: 'supplement-request' }, NATIONAL],
  ];
  test.each(cases)('%s', async (type, elementId, simName, effect, variables, headers, process) => {
    const code = uniqueCode();
    await env.createDossier(code, { paperCopy: 'post' });
    const before = (await env.stats(simName)).effects[effect] ?? 0;
    const first = job(type, elementId, variables(code), { headers, process });
    const again: ActivatedJob = { ...first, key: String(Number(first.key) + 1_000_000_000) }; // same activation, delivered again (a new job key after a timeout)
    const a = await run(first);
    const b = await run(again);
    const after = await env.stats(simName);
    expect((after.effects[effect] ?? 0) - before).toBe(1);
    expect(await stepsOf(code)).toHaveLength(elementId === 'requestPoliceVerification' ? 2 : 1); // the police request opens step 7 too, once
    // the external answer was the same, so the outputs naming it are the same
    for (const key of ['lltpSoftwareId', 'certificateNumber', 'signedAt', 'postTrackingNumber']) expect(b[key]).toEqual(a[key]);
  });
});

describe('an automated step late because an outside system was late records that system as the reason', () => {
  // In the shipped models only the police's answer is timed (its reason comes with the callback);
  // a designer may time any service task (lltp:sla.allotment): such a step, started five days ago
  // with one working hour and done on the third attempt, is written here as the model would start it.
  test('a timed step done late: reason "Chờ hệ thống ngoài: <system> (lần gọi thứ 3)"; done in time, or untimed: no reason', async () => {
    const started = testNow(-5 * 86_400_000);
    const timedStep = async (code: string, allotmentMinutes: number, startedAt: Date): Promise<ActivatedJob> => {
      const j = job('lltp.lltp-software.push', 'pushToLltpSoftware', { dossierCode: code }, { retries: 1 });
      await env.db
        .insertInto('steps')
        .values({ id: `step:${j.elementInstanceKey}`, dossierCode: code, elementId: 'pushToLltpSoftware', elementName: 'Bước 4', processId: NATIONAL, unitId: 'he-thong-mot-cua', role: 'administrator', startedAt, allotmentMinutes, dueAt: new Date(startedAt.getTime() + 3_600_000) })
        .execute();
      return j;
    };
    const late = uniqueCode();
    await env.createDossier(late);
    await run(await timedStep(late, 60, started));
    expect((await stepsOf(late))[0]).toMatchObject({ lateReason: 'Chờ hệ thống ngoài: Phần mềm quản lý lý lịch tư pháp (lần gọi thứ 3)', lateReasonSource: 'system' });

    const inTime = uniqueCode();
    await env.createDossier(inTime);
    await run(await timedStep(inTime, 60, testNow()));
    expect((await stepsOf(inTime))[0]).toMatchObject({ lateReason: null, lateReasonSource: null });

    const untimed = uniqueCode();
    await env.createDossier(untimed);
    await run(await timedStep(untimed, 0, started));
    expect((await stepsOf(untimed))[0]).toMatchObject({ lateReason: null, lateReasonSource: null });
  });
});

describe('dossier clock and deadlines', () => {
  test('request-supplement stops the clock once; restart-clock restarts it from the supplement and recomputes every deadline', async () => {
    const code = uniqueCode();
    const created = await env.createDossier(code);
    const first = job('lltp.dossier.request-supplement', 'requestSupplement', { dossierCode: code, missingItems: ['Tờ khai'] });
    const stopped = await run(first);
    const repeat = await run({ ...first, key: `${first.key}9` });
    expect(repeat).toEqual(stopped);
    let doc = await dossier(code);
    expect(doc?.stoppedIntervals).toHaveLength(1);
    expect(doc?.stoppedIntervals[0]?.to).toBeNull();
    expect(doc?.statutoryDueAt).toBeNull();
    const calendar = (await env.deps.calendars.current()).forUnit('stp-mot-cua');
    const waited = calendar.between(new Date(parseInstant(stopped.clockStoppedAt as string)), new Date(parseInstant(stopped.supplementDueAt as string)));
    expect(waited).toBe(15 * 480); // lltp:deadline.supplementWait = 15wd

    const supplementedAt = testNow(60_000).toISOString();
    const restartJob = job('lltp.dossier.restart-clock', 'restartClock', { dossierCode: code, supplementedAt });
    const restarted = await run(restartJob);
    await run({ ...restartJob, key: `${restartJob.key}9` }); // delivered again: nothing more recorded
    doc = await dossier(code);
    // each change is recorded once with the deadlines before it, for reports read as of an earlier instant
    const moves = await env.db.selectFrom('deadlineMoves').select(['cause', 'at', 'before']).where('dossierCode', '=', code).orderBy('id').execute();
    expect(moves.map((m) => m.cause)).toEqual(['supplement', 'restart']);
    expect(moves[0]!.at.getTime()).toBe(parseInstant(stopped.clockStoppedAt as string));
    expect(moves[0]!.before).toMatchObject({ statutoryDueAt: created.statutoryDueAt!.toISOString(), targetDueAt: created.targetDueAt!.toISOString(), clockStartAt: created.clockStartAt.toISOString() });
    expect(moves[1]!.at.toISOString()).toBe(new Date(supplementedAt).toISOString());
    expect(moves[1]!.before).toMatchObject({ statutoryDueAt: null, targetDueAt: null, clockStartAt: created.clockStartAt.toISOString() });
    expect(doc?.stoppedIntervals[0]?.to?.toISOString()).toBe(new Date(supplementedAt).toISOString());
    expect(doc?.clockStartAt.getTime()).toBe(parseInstant(restarted.clockStartedAt as string));
    expect(doc?.clockStartAt.getTime()).toBeGreaterThanOrEqual(new Date(supplementedAt).getTime());
    expect(doc?.statutoryDueAt?.getTime()).toBe(parseInstant(restarted.statutoryDueAt as string));
    expect(doc?.appointmentAt?.getTime()).toBe(doc?.statutoryDueAt?.getTime());
    expect(calendar.between(doc!.clockStartAt, doc!.statutoryDueAt!)).toBe(5 * 480); // Law 107: 5 working days
    expect(calendar.between(doc!.clockStartAt, doc!.targetDueAt!)).toBe(3 * 480);
  });

  // the terms of Law 107 (v20260701): 5 working days, 3 and 5 days' targets, 15 days for the extended cases (unverified)
  test.each([
    [{ searchOutcome: 'noRecord' }, 'ordinary', 'ordinary', 5, 3],
    [{ searchOutcome: 'needsVerification', verificationScope: 'province' }, 'verification', 'verification', 5, 5],
    [{ searchOutcome: 'needsVerification', verificationScope: 'extended' }, 'statutory', 'verification', 15, 15],
  ])('deadline.plan %j → %s', async (search, caseVariant, variant, statutoryDays, targetDays) => {
    const code = uniqueCode();
    const created = await env.createDossier(code);
    const outputs = await run(job('lltp.deadline.plan', 'planDeadlines', { dossierCode: code, clockStartedAt: created.clockStartAt.toISOString(), apologyIssued: false, ...search }));
    expect(outputs.caseVariant).toBe(caseVariant);
    const doc = await dossier(code);
    expect(doc).toMatchObject({ caseVariant, variant, statutoryWorkingDays: statutoryDays, targetWorkingDays: targetDays });
    const calendar = (await env.deps.calendars.current()).forUnit('stp-mot-cua');
    expect(calendar.between(doc!.clockStartAt, new Date(parseInstant(outputs.statutoryDueAt as string)))).toBe(statutoryDays * 480);
    expect(calendar.between(doc!.clockStartAt, new Date(parseInstant(outputs.targetDueAt as string)))).toBe(targetDays * 480);
    expect(doc?.appointmentAt?.getTime()).toBe(parseInstant(outputs.statutoryDueAt as string));
  });

  test('deadline.plan: a due date moved to 15 working days is told once — the citizen through VNeID and by e-mail, the audit trail, the desk (extendedAt); never for 10 days', async () => {
    const notices = async () => (await env.stats('notify')).effects.notify ?? 0;
    const code = uniqueCode();
    const created = await env.createDossier(code);
    const before = await notices();
    const extended = { dossierCode: code, clockStartedAt: created.clockStartAt.toISOString(), apologyIssued: false, searchOutcome: 'needsVerification', verificationScope: 'extended' };
    const outputs = await run(job('lltp.deadline.plan', 'planDeadlines', extended));
    // the same job delivered again (at least once): no second notice, no second audit entry
    await run(job('lltp.deadline.plan', 'planDeadlines', extended));
    expect((await notices()) - before).toBe(1);
    // the deadlines before the plan are kept once (reports as of an earlier instant read them)
    const moves = await env.db.selectFrom('deadlineMoves').select(['cause', 'before']).where('dossierCode', '=', code).execute();
    expect(moves.map((m) => m.cause)).toEqual(['plan']);
    expect(moves[0]!.before).toMatchObject({ caseVariant: 'ordinary', statutoryWorkingDays: 5, targetWorkingDays: 3, statutoryDueAt: created.statutoryDueAt!.toISOString() });
    const doc = await dossier(code);
    expect(doc?.extendedAt).toBeInstanceOf(Date);
    const entries = await env.db.selectFrom('audit').select(['detail', 'actor']).where('dossierCode', '=', code).where('action', '=', 'dossier.deadline-extended').execute();
    expect(entries).toHaveLength(1);
    const [y, m, d] = String(outputs.statutoryDueAt).slice(0, 10).split('-');
    expect(entries[0]!.detail).toContain(`hẹn trả kết quả mới ${d}/${m}/${y}`);
    expect(entries[0]!.detail).toContain('Điều 48 Luật Lý lịch tư pháp');
    // the citizen's e-mail address, given in the declaration, gets the same news once
    const declaration = await declarationOf(code);
    const mails = await new MailpitClient().search(`subject:"${code}"`);
    expect(mails).toHaveLength(1);
    const mail = await new MailpitClient().message(mails[0]!.ID);
    expect(mail.To.map((t) => t.Address)).toEqual([declaration.declaration.email]);
    expect(mail.Text).toContain(`Ngày hẹn trả kết quả mới: ${d}/${m}/${y}`);
    expect(mail.Text).toContain('Điều 48 Luật Lý lịch tư pháp');
    expect(mail.Text).not.toContain(declaration.declaration.fullName);
    // a 10-day dossier moves nothing and tells nobody
    const ordinary = uniqueCode();
    const createdOrdinary = await env.createDossier(ordinary);
    const beforeOrdinary = await notices();
    await run(job('lltp.deadline.plan', 'planDeadlines', { dossierCode: ordinary, clockStartedAt: createdOrdinary.clockStartAt.toISOString(), apologyIssued: false, searchOutcome: 'needsVerification', verificationScope: 'province' }));
    expect((await notices()) - beforeOrdinary).toBe(0);
    expect((await dossier(ordinary))?.extendedAt).toBeNull();
    expect(await new MailpitClient().search(`subject:"${ordinary}"`)).toHaveLength(0);
  });

  test('deadline.plan after an apology keeps the promised date and its apology-by instant', async () => {
    const code = uniqueCode();
    const created = await env.createDossier(code);
    const promised = new Date(created.statutoryDueAt!.getTime() + 5 * 86_400_000);
    const apologyByAt = new Date(promised.getTime() - 86_400_000);
    await env.db
      .updateTable('dossiers')
      .set({ apologyReason: 'x', apologyNewReturnDate: '2099-01-01', apologyIssuedAt: testNow(), apologyIssuedBy: 'leader', appointmentAt: promised, apologyByAt })
      .where('code', '=', code)
      .execute();
    const outputs = await run(job('lltp.deadline.plan', 'planDeadlines', { dossierCode: code, searchOutcome: 'noRecord', clockStartedAt: created.clockStartAt.toISOString(), apologyIssued: true, returnDueAt: promised.toISOString() }));
    expect(parseInstant(outputs.apologyByAt as string)).toBe(apologyByAt.getTime());
    const doc = await dossier(code);
    expect(doc?.appointmentAt?.getTime()).toBe(promised.getTime());
    expect(doc?.apologyByAt?.getTime()).toBe(apologyByAt.getTime());
  });

  test('police.request-verification: reminder at the due time of awaitPoliceAnswer, escalation one working day later', async () => {
    const code = uniqueCode();
    await env.createDossier(code);
    const outputs = await run(job('lltp.police.request-verification', 'requestPoliceVerification', { dossierCode: code, caseVariant: 'verification' }));
    const calendar = (await env.deps.calendars.current()).forUnit('ca-pv06');
    const requested = new Date(parseInstant(outputs.verificationRequestedAt as string));
    const reminder = new Date(parseInstant(outputs.policeReminderAt as string));
    expect(calendar.between(requested, reminder)).toBe(840); // 14h for the verification variant under Law 107 (v20260701)
    expect(calendar.between(reminder, new Date(parseInstant(outputs.policeEscalationAt as string)))).toBe(480); // leader@1wd
    expect(env.sims.police.sim.context.answers.has(`request:${code}:police`)).toBe(true);
  });

  test('police.request-verification for an ordinary VNeID dossier: step 7 opens with the ordinary allotment (6h), the reminder at its due time', async () => {
    const code = uniqueCode();
    await env.createDossier(code); // ordinary until step 6 says otherwise
    const outputs = await run(job('lltp.police.request-verification', 'requestPoliceVerification', { dossierCode: code, caseVariant: 'ordinary' }));
    const calendar = (await env.deps.calendars.current()).forUnit('ca-pv06');
    const requested = new Date(parseInstant(outputs.verificationRequestedAt as string));
    const reminder = new Date(parseInstant(outputs.policeReminderAt as string));
    expect(calendar.between(requested, reminder)).toBe(360);
    const step7 = (await stepsOf(code)).find((s) => s.elementId === 'awaitPoliceAnswer');
    expect(step7).toMatchObject({ unitId: 'ca-pv06', role: 'police', caseVariant: 'ordinary', allotmentMinutes: 360, finishedAt: null });
    expect(step7?.dueAt.getTime()).toBe(reminder.getTime());
  });
});

describe('closing', () => {
  test.each([
    ['lltp.dossier.issue-refusal', 'issueRefusal', { refusalReason: 'Hồ sơ không hợp lệ' }, 'refused', 'refusedAt'],
    ['lltp.dossier.close-withdrawn', 'closeWithdrawn', { withdrawnAt: testNow().toISOString() }, 'withdrawn', 'closedAt'],
    ['lltp.dossier.close-unsupplemented', 'closeUnsupplemented', { supplementDueAt: testNow().toISOString() }, 'unsupplemented', 'closedAt'],
    ['lltp.return.result', 'returnResult', { certificateNumber: 'LLTP-X' }, 'issued', 'returnedAt'],
  ] as const)('%s (%s) closes the dossier once', async (type, elementId, variables, outcome, output) => {
    const code = uniqueCode();
    await env.createDossier(code);
    const first = await run(job(type, elementId, { dossierCode: code, ...variables }));
    const second = await run(job(type, elementId, { dossierCode: code, ...variables }));
    expect(second[output]).toBe(first[output]);
    const doc = await dossier(code);
    expect(doc).toMatchObject({ status: 'closed', outcome });
    expect(doc?.finishedAt?.getTime()).toBe(parseInstant(first[output] as string));
  });
});

describe('apology.issue', () => {
  async function setUp(): Promise<{ code: string; appointment: Date }> {
    const code = uniqueCode();
    const created = await env.createDossier(code);
    return { code, appointment: created.appointmentAt! };
  }
  const localDate = (date: Date, days: number) => new Date(date.getTime() + 7 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);

  async function nextWorkingDate(after: Date, days: number): Promise<string> {
    const calendar = (await env.deps.calendars.current()).forUnit('stp-mot-cua');
    for (let d = days; ; d += 1) {
      const date = localDate(after, d);
      const start = new Date(`${date}T00:00:00+07:00`);
      if (calendar.between(start, new Date(start.getTime() + 86_400_000)) > 0) return date;
    }
  }

  test('stores the apology once: end of office hours on the new date, apology-by one working day before; a repeat answers the same', async () => {
    const { code } = await setUp();
    const doc0 = await dossier(code);
    const date = await nextWorkingDate(doc0!.appointmentAt!, 3);
    const first = job('lltp.apology.issue', 'issueApology', { dossierCode: code, apologyReason: 'Chờ kết quả xác minh', newReturnDate: date });
    const outputs = await run(first);
    expect(outputs.returnDueAt).toBe(`${date}T17:00:00+07:00`);
    const calendar = (await env.deps.calendars.current()).forUnit('stp-mot-cua');
    expect(calendar.between(new Date(parseInstant(outputs.apologyByAt as string)), new Date(parseInstant(outputs.returnDueAt as string)))).toBe(480);
    expect(await run({ ...first, key: `${first.key}7` })).toEqual(outputs);
    const doc = await dossier(code);
    expect(doc?.apology).toMatchObject({ newReturnDate: date, issuedBy: 'leader' });
    expect(doc?.appointmentAt?.toISOString()).toBe(new Date(parseInstant(outputs.returnDueAt as string)).toISOString());
  });

  test.each([
    ['a rest day', (appointment: Date) => {
      for (let d = 1; ; d += 1) {
        const date = localDate(appointment, d);
        if ([0, 6].includes(new Date(`${date}T12:00:00Z`).getUTCDay())) return date;
      }
    }, /newReturnDate: .*không phải ngày làm việc/],
    ['a date not later than the appointment', (appointment: Date) => localDate(appointment, 0), /newReturnDate: .*phải sau ngày hẹn hiện tại/],
  ])('refuses %s with an incident (no retries)', async (_what, pick, message) => {
    const { code, appointment } = await setUp();
    const action: JobAction = await processJob(workerOf('lltp.apology.issue'), job('lltp.apology.issue', 'issueApology', { dossierCode: code, apologyReason: 'x', newReturnDate: pick(appointment) }), env.deps);
    expect(action).toMatchObject({ action: 'fail', retries: 0 });
    expect(action.action === 'fail' && action.errorMessage).toMatch(message);
    expect((await dossier(code))?.apology).toBeNull();
  });

  test('a second apology with another date is refused', async () => {
    const { code } = await setUp();
    const doc0 = await dossier(code);
    await run(job('lltp.apology.issue', 'issueApology', { dossierCode: code, apologyReason: 'x', newReturnDate: await nextWorkingDate(doc0!.appointmentAt!, 3) }));
    const action = await processJob(workerOf('lltp.apology.issue'), job('lltp.apology.issue', 'issueApology', { dossierCode: code, apologyReason: 'y', newReturnDate: await nextWorkingDate(doc0!.appointmentAt!, 10) }), env.deps);
    expect(action).toMatchObject({ action: 'fail', retries: 0 });
    expect(action.action === 'fail' && action.errorMessage).toMatch(/only once/);
  });
});

describe('reminders and escalations', () => {
  const mailpit = new MailpitClient();
  test.each([
    ['lltp.police.remind', 'remindPolice', {}, 'police-reminder', ['lltpOfficer']],
    ['lltp.sla.escalate', 'escalatePoliceLate', { reason: 'police-late' }, 'police-late', ['leader']],
    ['lltp.sla.escalate', 'escalateApologyExhausted', { reason: 'apology-already-issued' }, 'apology-already-issued', ['leader', 'supervisor']],
  ] as const)('%s (%s) records one escalation and sends one e-mail without personal data', async (type, elementId, headers, reason, roles) => {
    const code = uniqueCode();
    await env.createDossier(code);
    const past = testNow(-3 * 86_400_000).toISOString();
    const first = job(type, elementId, { dossierCode: code, verificationRequestedAt: past, policeReminderAt: past }, { headers });
    await run(first);
    await run({ ...first, key: `${first.key}3` });
    const escalations = await env.db.selectFrom('escalations').selectAll().where('dossierCode', '=', code).execute();
    expect(escalations).toHaveLength(1);
    expect(escalations[0]).toMatchObject({ reason, elementId, roles: [...roles] });
    expect(escalations[0]?.mailedAt).toBeInstanceOf(Date);
    // Both jobs have run to their end, and the worker records `mailedAt` once the SMTP server has
    // taken the mail (Mailpit stores a message before it answers): every mail they sent is there.
    const messages = await mailpit.search(`subject:"${code}"`);
    expect(messages).toHaveLength(1);
    const message = await mailpit.message(messages[0]!.ID);
    const users = await env.db.selectFrom('users').select('email').where('roles', '&&', sql<string[]>`${[...roles]}::text[]`).execute();
    expect(message.To.map((t) => t.Address).sort()).toEqual(users.map((u) => u.email).sort());
    expect(message.Text).toContain(code);
    const declaration = await declarationOf(code);
    expect(message.Text).not.toContain(declaration.declaration.fullName);
  });
});

describe('faults', () => {
  test('a missing variable fails the job with one retry fewer, naming the variable, and back-off', async () => {
    const code = uniqueCode();
    await env.createDossier(code);
    const action = await processJob(workerOf('lltp.return.result'), job('lltp.return.result', 'returnResult', { dossierCode: code }, { retries: 2 }), env.deps);
    expect(action).toMatchObject({ action: 'fail', retries: 1 });
    expect(action.action === 'fail' && action.errorMessage).toMatch(/variable certificateNumber is missing/);
    expect(action.action === 'fail' && action.retryBackOff).toBe(400);
  });

  test('a missing dossier is a technical fault (retried)', async () => {
    const action = await processJob(workerOf('lltp.intake.register'), job('lltp.intake.register', 'registerDossier', { dossierCode: uniqueCode(), agencyCode: 'STP.KHA', receivedAt: testNow().toISOString() }), env.deps);
    expect(action).toMatchObject({ action: 'fail', retries: 2 });
    expect(action.action === 'fail' && action.errorMessage).toMatch(/is not in the read model/);
  });

  test('an unknown header value is named', async () => {
    const code = uniqueCode();
    await env.createDossier(code);
    const action = await processJob(workerOf('lltp.notify.citizen'), job('lltp.notify.citizen', 'notifyAccepted', { dossierCode: code }, { headers: { notice: 'hello' } }), env.deps);
    expect(action.action === 'fail' && action.errorMessage).toMatch(/header notice/);
  });

  test('post.send-copy reads the address through the audited declaration read, and never logs it', async () => {
    const code = uniqueCode();
    await env.createDossier(code, { paperCopy: 'post' });
    await run(job('lltp.post.send-copy', 'sendCopyByPost', { dossierCode: code, certificateNumber: `LLTP-${code}` }));
    const audit = await env.db.selectFrom('audit').selectAll().where('dossierCode', '=', code).execute();
    expect(audit).toEqual([expect.objectContaining({ actor: 'system:lltp.post.send-copy', action: 'dossier.read-details', detail: 'gửi bản giấy qua bưu chính' })]);
    const declaration = await declarationOf(code);
    const logText = JSON.stringify(env.logs);
    expect(logText).not.toContain(declaration.declaration.fullName);
    expect(logText).not.toContain(declaration.copies.postalAddress!);
    const line = env.logs.find((l) => l.dossierCode === code && l.msg === 'job completed');
    expect(line?.taskType).toBe('lltp.post.send-copy');
    expect(typeof line?.jobKey).toBe('string');
    expect(typeof line?.processInstanceKey).toBe('string');
  });
});
