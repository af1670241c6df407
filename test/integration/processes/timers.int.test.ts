/**
 * Timer paths on the real broker, fired by moving its controlled clock
 * (ZEEBE_CLOCK_CONTROLLED=true): the supplement time limit, the police reminder and
 * escalation, and the apology (form 04), watched at every step a dossier can be at when its
 * apology time comes (check, steps 4–6, steps 7–9, return), that can happen only once. The clock is global to
 * the broker: every clock-moving test lives in this file.
 * Due instants are what the workers will compute with the working calendar; here the test's
 * job replies set them relative to the broker's clock.
 *
 * The clock only ever moves forward in this file: each test starts where the one before left
 * it, and every time a test sets is relative to the broker's clock (`ctx.after`, `brokerNow`).
 * Moving it back between tests (`DELETE /actuator/clock`) is unsound in Zeebe 8.5: the engine's
 * due-date checkers and the actor scheduler's timer wheel keep work scheduled in the moved time
 * (support/broker-clock.ts); after such a reset, the first timer of the next test once waited
 * more than 20 s past its due time (CI, December 2026). The file's `afterAll` restarts the
 * broker at the suite's instant, as before.
 *
 * @moves-clocks the broker's clock moves to fire timers: run again at three instants by .ci/run (LLTP_TEST_INSTANTS).
 */
import { deployProcesses } from '../../../processes/deploy';
import { loadConfig } from '../../../server/config';
import { createLogger } from '../../../server/logger';
import { BrokerClock, createZeebeClient, type ZeebeGrpcClient } from '../../../server/zeebe';
import { backToSuiteInstant, restoreBrokerAfterClockMoves } from '../../support/broker-clock';
import { brokerNow, HOLD, ProcessDriver, requireBroker, time, uniqueDossierCode, type ReplyContext, type Script } from './harness';

jest.setTimeout(90_000);

const config = loadConfig();
const clock = new BrokerClock(config.ZEEBE_MANAGEMENT_URL);
const MINUTE = 60_000;
const { HOUR, DAY } = time;
let zeebe: ZeebeGrpcClient;
let driver: ProcessDriver | undefined;
/** Drivers of the sentinel dossiers of the current test (timerCheck). */
const sentinels: ProcessDriver[] = [];

beforeAll(async () => {
  await requireBroker();
  await backToSuiteInstant(clock);
  zeebe = createZeebeClient({ ...config, LOG_LEVEL: 'silent' }).zeebe;
  await deployProcesses(zeebe, createLogger({ level: 'silent' }));
});

afterEach(async () => {
  await driver?.stop();
  driver = undefined;
  for (const sentinel of sentinels.splice(0)) await sentinel.stop();
});

afterAll(async () => {
  await zeebe.close();
  await restoreBrokerAfterClockMoves();
}, 240_000); // a broker restart and its warm-up

function drive(script: Script): ProcessDriver {
  driver = new ProcessDriver(zeebe, uniqueDossierCode(), script);
  return driver;
}

/**
 * For a clock move that should fire nothing of the test's dossier: a sentinel dossier of its own
 * waits for the citizen's supplement, its time limit `dueInMs` after the broker's clock (start
 * it just before the move, within which it falls). `fired()` waits for the sentinel's closing:
 * the broker has then checked its due timers at the new time, and fired in that pass or
 * before every timer due earlier (a test's timer due by then included).
 */
async function timerCheck(dueInMs: number): Promise<{ fired: () => Promise<void> }> {
  const sentinel = new ProcessDriver(zeebe, uniqueDossierCode(), {
    checkDossier: { intakeDecision: 'supplement', missingItems: ['Bản sao hộ chiếu'] },
    requestSupplement: ({ now, after }) => ({ clockStoppedAt: now.toISOString(), supplementDueAt: after(dueInMs) }),
  });
  sentinels.push(sentinel);
  await sentinel.startNational();
  await sentinel.waitFor('notifySupplement');
  return { fired: async () => void (await sentinel.waitFor('closeUnsupplemented')) };
}
/**
 * Moves the broker's clock and makes sure its due timers were checked at the new time.
 * - Before the move, the dossier settles: the job just visited is completed and the broker has
 *   been asked for jobs again, so the wait it leads to, and that wait's timers, exist before the
 *   clock moves. Without it a timer could be created after the move and the check (CI, 7
 *   December 2026, 04:28: "apology while waiting for the police" saw no apology within 20 s).
 * - After the move, a sentinel's timer due at once schedules a pass of the due-date checker
 *   right away, which fires every timer due by then. The check the move itself triggers did not
 *   always fire a test's timer within 20 s under load (CI, 7 December 2026: "apology at the
 *   return step", once "apology only once").
 */
async function advanceAndCheck(d: ProcessDriver, ms: number): Promise<void> {
  await d.settle();
  await clock.advance(ms);
  const check = await timerCheck(0);
  await check.fired();
}

/** Deadlines whose apology timers fire at `apologyPromptAt` (the letter itself is due 4 working hours later, not modelled here). */
const deadlines = ({ after }: ReplyContext, apologyPromptAt: string) => ({ statutoryDueAt: after(10 * DAY), targetDueAt: after(9 * DAY), apologyByAt: after(10 * DAY - 8 * HOUR), apologyPromptAt });
const PREFIX = ['registerDossier', 'checkDossier'];
const SIGNED = ['draftCertificate', 'reviewDraft', 'approveCertificate', 'signCertificate'];
/** Steps 7 and 8: every VNeID dossier goes to the police, one with no record too. */
const POLICE = ['requestPoliceVerification', 'recordVerification'];

test('supplement time limit: the citizen does not supplement in time, the dossier is closed', async () => {
  const d = drive({
    checkDossier: { intakeDecision: 'supplement', missingItems: ['Bản sao hộ chiếu'] },
    requestSupplement: ({ now, after }) => ({ clockStoppedAt: now.toISOString(), supplementDueAt: after(2 * HOUR) }),
  });
  await d.startNational();
  await d.waitFor('notifySupplement');
  await d.settle();
  expect(d.visited).toEqual([...PREFIX, 'requestSupplement', 'notifySupplement']);
  await advanceAndCheck(d, 2 * HOUR + MINUTE);
  await d.waitFor('notifyUnsupplemented');
  await d.expectEnded();
  expect(d.visited).toEqual([...PREFIX, 'requestSupplement', 'notifySupplement', 'closeUnsupplemented', 'notifyUnsupplemented']);
  expect(d.visits.find((v) => v.elementId === 'notifyUnsupplemented')?.headers.notice).toBe('supplement-expired');
});

test('police late: a reminder when the answer is due, an escalation later, then the answer arrives', async () => {
  const d = drive({
    checkDossier: { intakeDecision: 'accept' },
    searchRecords: { searchOutcome: 'needsVerification', verificationScope: 'province' },
    requestPoliceVerification: ({ now, after }) => ({ verificationRequestedAt: now.toISOString(), policeReminderAt: after(46 * HOUR), policeEscalationAt: after(54 * HOUR) }),
    reviewDraft: { reviewDecision: 'approve' },
  });
  await d.startNational();
  await d.waitFor('requestPoliceVerification');
  await advanceAndCheck(d, 46 * HOUR + MINUTE);
  await d.waitFor('remindPolice'); // the broker checked its timers at the new time
  await d.settle();
  expect(d.visited).not.toContain('escalatePoliceLate');
  await advanceAndCheck(d, 8 * HOUR);
  await d.waitFor('escalatePoliceLate'); // the broker checked its timers at the new time
  await d.settle();
  expect(d.visited.filter((e) => e === 'remindPolice')).toHaveLength(1); // a date timer fires once
  await d.publish('lltp.police.verification-answered', { policeAnsweredAt: (await brokerNow()).toISOString() });
  await d.waitFor('returnResult');
  await d.expectEnded();
  expect(d.visited).toEqual([
    ...PREFIX, 'notifyAccepted', 'pushToLltpSoftware', 'acceptInLltpSoftware', 'searchRecords', 'planDeadlines', 'requestPoliceVerification',
    'remindPolice', 'escalatePoliceLate', 'recordVerification', ...SIGNED, 'returnResult',
  ]);
  expect(d.visits.find((v) => v.elementId === 'escalatePoliceLate')?.headers.reason).toBe('police-late');
});

test('apology while waiting for the police: a leader records the reason and the new date (form 04), the citizen is notified', async () => {
  const d = drive({
    checkDossier: { intakeDecision: 'accept' },
    searchRecords: { searchOutcome: 'needsVerification', verificationScope: 'province' },
    planDeadlines: (ctx) => ({ caseVariant: 'verification', ...deadlines(ctx, ctx.after(2 * HOUR)) }),
    recordApology: { apologyReason: 'Chưa nhận được kết quả xác minh của Công an', newReturnDate: '2024-11-20' },
    issueApology: ({ after }) => ({ apologyIssued: true, returnDueAt: after(5 * DAY), apologyByAt: after(4 * DAY), apologyPromptAt: after(4 * DAY) }),
    reviewDraft: { reviewDecision: 'approve' },
    returnResult: HOLD,
  });
  await d.startNational();
  await d.waitFor('requestPoliceVerification');
  await advanceAndCheck(d, 2 * HOUR + MINUTE);
  await d.waitFor('notifyApology');
  const recorded = d.visits.find((v) => v.elementId === 'recordApology');
  expect(recorded?.variables.apologyIssued).toBe(false);
  expect(typeof recorded?.variables.statutoryDueAt).toBe('string');
  expect(d.visits.find((v) => v.elementId === 'issueApology')?.variables).toMatchObject({ newReturnDate: '2024-11-20' });
  expect(d.visits.find((v) => v.elementId === 'notifyApology')?.headers.notice).toBe('apology');
  // Past the new apology time nothing more happens: the watch of steps 7–9 has fired once.
  const check = await timerCheck(4 * DAY);
  await clock.advance(4 * DAY + MINUTE);
  await check.fired();
  await d.settle();
  expect(d.visited.filter((e) => ['recordApology', 'escalateApologyExhausted'].includes(e))).toEqual(['recordApology']);
  await d.publish('lltp.police.verification-answered', { policeAnsweredAt: (await brokerNow()).toISOString() });
  // The return step starts past the new apology time: its watch fires at once, and an apology
  // already issued is reported instead of repeated (held until then: the timer and the
  // return's job would otherwise race).
  await d.waitFor('returnResult');
  await d.waitFor('escalateApologyExhausted');
  await d.release('returnResult', { returnedAt: (await brokerNow()).toISOString() });
  await d.expectEnded();
  // the return's job and the watch that fires as the return starts come in either order
  expect(d.visited.slice(0, -2)).toEqual([
    ...PREFIX, 'notifyAccepted', 'pushToLltpSoftware', 'acceptInLltpSoftware', 'searchRecords', 'planDeadlines', 'requestPoliceVerification',
    'recordApology', 'issueApology', 'notifyApology', 'recordVerification', ...SIGNED,
  ]);
  expect(d.visited.slice(-2).sort()).toEqual(['escalateApologyExhausted', 'returnResult']);
});

test('apology only once: a first apology during steps 4–6, then escalation instead of a second one during steps 7–9', async () => {
  const d = drive({
    registerDossier: (ctx) => ({ internalProcessId: 'khanh-hoa-2799-v20241029', clockStartedAt: ctx.now.toISOString(), ...deadlines(ctx, ctx.after(4 * HOUR)), apologyIssued: false }),
    checkDossier: { intakeDecision: 'accept' },
    acceptInLltpSoftware: HOLD,
    recordApology: { apologyReason: 'Phần mềm LLTP gián đoạn', newReturnDate: '2024-11-25' },
    issueApology: ({ after }) => ({ apologyIssued: true, returnDueAt: after(2 * DAY), apologyByAt: after(1 * DAY), apologyPromptAt: after(1 * DAY) }),
    searchRecords: { searchOutcome: 'needsVerification', verificationScope: 'province' },
    // The plan keeps the date moved by the apology (contract of lltp.deadline.plan).
    planDeadlines: (ctx) => ({ caseVariant: 'verification', ...deadlines(ctx, String(ctx.job.variables.apologyPromptAt)) }),
    reviewDraft: { reviewDecision: 'approve' },
    returnResult: HOLD,
  });
  await d.startNational();
  await d.waitFor('acceptInLltpSoftware'); // step 5 is in the LLTP officer's inbox
  await advanceAndCheck(d, 4 * HOUR + MINUTE);
  await d.waitFor('notifyApology');
  await d.release('acceptInLltpSoftware');
  await d.waitFor('requestPoliceVerification');
  await advanceAndCheck(d, 1 * DAY + MINUTE);
  await d.waitFor('escalateApologyExhausted'); // the broker checked its timers at the new time
  await d.settle();
  expect(d.visited.filter((e) => e === 'recordApology')).toHaveLength(1);
  expect(d.visits.find((v) => v.elementId === 'escalateApologyExhausted')).toMatchObject({ headers: { reason: 'apology-already-issued' }, variables: { apologyIssued: true } });
  await d.publish('lltp.police.verification-answered', { policeAnsweredAt: (await brokerNow()).toISOString() });
  // The return step starts past the apology time too: its watch reports again (held until
  // then: the timer and the return's job would otherwise race).
  await d.waitFor('returnResult');
  await d.waitFor('escalateApologyExhausted', 2);
  await d.release('returnResult', { returnedAt: (await brokerNow()).toISOString() });
  await d.expectEnded();
  expect(d.visited.slice(0, -2)).toEqual([
    ...PREFIX, 'notifyAccepted', 'pushToLltpSoftware', 'acceptInLltpSoftware',
    'recordApology', 'issueApology', 'notifyApology',
    'searchRecords', 'planDeadlines', 'requestPoliceVerification',
    'escalateApologyExhausted',
    'recordVerification', ...SIGNED,
  ]);
  expect(d.visited.slice(-2).sort()).toEqual(['escalateApologyExhausted', 'returnResult']);
});

test('apology at the check step; the apology time already past at steps 4–6 makes no second apology task', async () => {
  const d = drive({
    registerDossier: (ctx) => ({ internalProcessId: 'khanh-hoa-2799-v20241029', clockStartedAt: ctx.now.toISOString(), ...deadlines(ctx, ctx.after(2 * HOUR)), apologyIssued: false }),
    checkDossier: HOLD,
    acceptInLltpSoftware: HOLD,
    recordApology: HOLD,
    issueApology: ({ after }) => ({ apologyIssued: true, returnDueAt: after(3 * DAY), apologyByAt: after(2 * DAY), apologyPromptAt: after(2 * DAY) }),
    searchRecords: { searchOutcome: 'noRecord' },
    planDeadlines: (ctx) => ({ caseVariant: 'ordinary', ...deadlines(ctx, String(ctx.job.variables.apologyPromptAt)) }),
    reviewDraft: { reviewDecision: 'approve' },
  });
  await d.startNational();
  await d.waitFor('checkDossier'); // the one-stop officer has not finished the check
  await advanceAndCheck(d, 2 * HOUR + MINUTE);
  await d.waitFor('recordApology');
  // The check ends while the leader has not yet recorded the apology: steps 4–6 start with
  // the apology time already past, their watch fires at once, and no second task appears.
  await d.release('checkDossier', { intakeDecision: 'accept' });
  await d.waitFor('acceptInLltpSoftware');
  const check = await timerCheck(30_000);
  await clock.advance(MINUTE); // the broker checks due timers when its clock moves
  await check.fired();
  await d.settle();
  expect(d.visited.filter((e) => ['recordApology', 'escalateApologyExhausted'].includes(e))).toEqual(['recordApology']);
  await d.release('recordApology', { apologyReason: 'Hồ sơ cần đối chiếu thêm', newReturnDate: '2024-11-22' });
  await d.waitFor('notifyApology');
  // Both watches fired (check, then steps 4–6); only the first made a task.
  expect(d.visits.find((v) => v.elementId === 'issueApology')?.variables).toMatchObject({ apologyTimerFirings: 2, newReturnDate: '2024-11-22' });
  await d.release('acceptInLltpSoftware');
  await d.answerPolice(); // no record, but a VNeID dossier: the police check it
  await d.waitFor('returnResult');
  await d.expectEnded();
  expect(d.visited).toEqual([
    ...PREFIX, 'recordApology', 'notifyAccepted', 'pushToLltpSoftware', 'acceptInLltpSoftware', 'issueApology', 'notifyApology',
    'searchRecords', 'planDeadlines', ...POLICE, ...SIGNED, 'returnResult',
  ]);
});

test('apology at the return step: the e-certificate cannot be returned before the apology time', async () => {
  const d = drive({
    checkDossier: { intakeDecision: 'accept' },
    searchRecords: { searchOutcome: 'noRecord' },
    planDeadlines: (ctx) => ({ caseVariant: 'ordinary', ...deadlines(ctx, ctx.after(2 * HOUR)) }),
    reviewDraft: { reviewDecision: 'approve' },
    returnResult: HOLD, // VNeID does not take the result
    recordApology: { apologyReason: 'VNeID không nhận kết quả', newReturnDate: '2024-11-21' },
    issueApology: ({ after }) => ({ apologyIssued: true, returnDueAt: after(3 * DAY), apologyByAt: after(2 * DAY), apologyPromptAt: after(2 * DAY) }),
  });
  await d.startNational();
  await d.answerPolice();
  await d.waitFor('returnResult');
  await advanceAndCheck(d, 2 * HOUR + MINUTE);
  await d.waitFor('notifyApology');
  await d.release('returnResult', { returnedAt: (await brokerNow()).toISOString() });
  await d.expectEnded();
  expect(d.visited).toEqual([
    ...PREFIX, 'notifyAccepted', 'pushToLltpSoftware', 'acceptInLltpSoftware', 'searchRecords', 'planDeadlines', ...POLICE, ...SIGNED, 'returnResult',
    'recordApology', 'issueApology', 'notifyApology',
  ]);
});

test('no apology when the dossier is done before the apology time', async () => {
  const d = drive({
    registerDossier: (ctx) => ({ internalProcessId: 'khanh-hoa-2799-v20241029', clockStartedAt: ctx.now.toISOString(), ...deadlines(ctx, ctx.after(3 * HOUR)), apologyIssued: false }),
    checkDossier: { intakeDecision: 'accept' },
    searchRecords: { searchOutcome: 'noRecord' },
    planDeadlines: (ctx) => ({ caseVariant: 'ordinary', ...deadlines(ctx, ctx.after(3 * HOUR)) }),
    reviewDraft: { reviewDecision: 'approve' },
  });
  await d.startNational();
  await d.answerPolice();
  await d.waitFor('returnResult');
  await d.expectEnded();
  const check = await timerCheck(3 * HOUR);
  await clock.advance(3 * HOUR + MINUTE);
  await check.fired();
  await d.settle();
  expect(d.visited).toEqual([...PREFIX, 'notifyAccepted', 'pushToLltpSoftware', 'acceptInLltpSoftware', 'searchRecords', 'planDeadlines', ...POLICE, ...SIGNED, 'returnResult']);
});
