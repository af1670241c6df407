/**
 * Path tests on the real broker (no clock moves): each test drives one dossier through a
 * branch of Quy trình 570 (and the Khánh Hòa internal procedure it calls) and asserts the
 * sequence of visited jobs, then that the instance has ended. See harness.ts for how
 * visited elements are observed, and how a test knows that nothing more is coming (settle).
 * Timer paths are in timers.int.test.ts.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { deployProcesses } from '../../../processes/deploy';
import { loadConfig } from '../../../server/config';
import { createLogger } from '../../../server/logger';
import { createZeebeClient, type ZeebeGrpcClient } from '../../../server/zeebe';
import { brokerNow, HOLD, KHANH_HOA_PROCESS_ID, ProcessDriver, requireBroker, uniqueDossierCode, type Script } from './harness';

jest.setTimeout(60_000);

const config = loadConfig();
let zeebe: ZeebeGrpcClient;
let driver: ProcessDriver | undefined;

beforeAll(async () => {
  await requireBroker();
  zeebe = createZeebeClient({ ...config, LOG_LEVEL: 'silent' }).zeebe;
  await deployProcesses(zeebe, createLogger({ level: 'silent' }));
});

afterEach(async () => {
  await driver?.stop();
  driver = undefined;
});

afterAll(async () => {
  await zeebe.close();
});

function drive(script: Script): ProcessDriver {
  driver = new ProcessDriver(zeebe, uniqueDossierCode(), script);
  return driver;
}

const PREFIX = ['registerDossier', 'checkDossier'];
const ACCEPTED = ['notifyAccepted', 'pushToLltpSoftware', 'acceptInLltpSoftware', 'searchRecords', 'planDeadlines'];
const SIGNED = ['draftCertificate', 'reviewDraft', 'approveCertificate', 'signCertificate'];
const POLICE = ['requestPoliceVerification'];
const AFTER_POLICE = ['recordVerification'];

describe('Quy trình 570 on the broker', () => {
  test('invalid dossier: refusal (form 03) and notice', async () => {
    const d = drive({ checkDossier: { intakeDecision: 'refuse', refusalReason: 'Không đúng đối tượng được cấp Phiếu số 2' } });
    await d.startNational();
    await d.waitFor('notifyRefusal');
    await d.expectEnded();
    expect(d.visited).toEqual([...PREFIX, 'issueRefusal', 'notifyRefusal']);
    expect(d.visits.find((v) => v.elementId === 'notifyRefusal')?.headers.notice).toBe('refusal');
    expect(d.visits.find((v) => v.elementId === 'issueRefusal')?.variables.refusalReason).toBe('Không đúng đối tượng được cấp Phiếu số 2');
  });

  test('incomplete dossier: supplement request (form 02), wait for the citizen, restart from zero, then no record: the police still check (VNeID)', async () => {
    const d = drive({
      checkDossier: [{ intakeDecision: 'supplement', missingItems: ['Ảnh chân dung'] }, { intakeDecision: 'accept' }],
      searchRecords: { searchOutcome: 'noRecord' },
      reviewDraft: { reviewDecision: 'approve' },
    });
    await d.startNational();
    await d.waitFor('notifySupplement');
    await d.settle();
    expect(d.visited).toEqual([...PREFIX, 'requestSupplement', 'notifySupplement']); // waiting, clock stopped
    await d.publish('lltp.dossier.supplemented', { supplementedAt: (await brokerNow()).toISOString() });
    await d.answerPolice();
    await d.waitFor('returnResult');
    await d.expectEnded();
    expect(d.visited).toEqual([...PREFIX, 'requestSupplement', 'notifySupplement', 'restartClock', 'checkDossier', ...ACCEPTED, ...POLICE, ...AFTER_POLICE, ...SIGNED, 'returnResult']);
    expect(d.visits.find((v) => v.elementId === 'restartClock')?.variables.supplementedAt).toEqual(expect.any(String));
    expect(d.visits.find((v) => v.elementId === 'notifySupplement')?.headers.notice).toBe('supplement-request');
  });

  test('no record, VNeID dossier: the police check it all the same (step 7, then step 8), no paper copy', async () => {
    const d = drive({ checkDossier: { intakeDecision: 'accept' }, searchRecords: { searchOutcome: 'noRecord' }, reviewDraft: { reviewDecision: 'approve' } });
    await d.startNational('none');
    await d.waitFor('requestPoliceVerification');
    await d.settle();
    expect(d.visited.at(-1)).toBe('requestPoliceVerification'); // waiting for the police
    expect(d.visits.find((v) => v.elementId === 'requestPoliceVerification')?.variables).toMatchObject({ caseVariant: 'ordinary', channel: 'vneid' });
    await d.answerPolice();
    await d.waitFor('returnResult');
    await d.expectEnded();
    expect(d.visited).toEqual([...PREFIX, ...ACCEPTED, ...POLICE, ...AFTER_POLICE, ...SIGNED, 'returnResult']);
    expect(d.visits.find((v) => v.elementId === 'draftCertificate')).toMatchObject({ bpmnProcessId: KHANH_HOA_PROCESS_ID, variables: { caseVariant: 'ordinary' } });
  });

  test('no record, another channel: the fast path without the police (the gateway\'s default flow)', async () => {
    const d = drive({ checkDossier: { intakeDecision: 'accept' }, searchRecords: { searchOutcome: 'noRecord' }, reviewDraft: { reviewDecision: 'approve' } });
    await d.startNational('none', 'inPerson');
    await d.waitFor('returnResult');
    await d.expectEnded();
    expect(d.visited).toEqual([...PREFIX, ...ACCEPTED, ...SIGNED, 'returnResult']);
  });

  test('verification by the police: the answer arrives as a message; the draft is sent back once; paper copy by post', async () => {
    const d = drive({
      checkDossier: { intakeDecision: 'accept' },
      searchRecords: { searchOutcome: 'needsVerification', verificationScope: 'province' },
      reviewDraft: [{ reviewDecision: 'revise', reviewComment: 'Sai năm sinh' }, { reviewDecision: 'approve' }],
    });
    await d.startNational('post');
    await d.waitFor('requestPoliceVerification');
    await d.settle();
    expect(d.visited.at(-1)).toBe('requestPoliceVerification'); // waiting for the police
    await d.publish('lltp.police.verification-answered', { policeAnsweredAt: (await brokerNow()).toISOString() });
    await d.waitFor('sendCopyByPost');
    await d.expectEnded();
    expect(d.visited).toEqual([
      ...PREFIX, ...ACCEPTED, ...POLICE, ...AFTER_POLICE,
      'draftCertificate', 'reviewDraft', 'draftCertificate', 'reviewDraft', 'approveCertificate', 'signCertificate',
      'returnResult', 'sendCopyByPost',
    ]);
    expect(d.visits.find((v) => v.elementId === 'planDeadlines')?.variables).toMatchObject({ searchOutcome: 'needsVerification', verificationScope: 'province' });
    expect(d.visits.find((v) => v.elementId === 'returnResult')?.variables.certificateNumber).toMatch(/^KHA-/);
  });

  test('statutory case (15 working days): verification beyond the province; paper copy at the desk', async () => {
    const d = drive({
      checkDossier: { intakeDecision: 'accept' },
      searchRecords: { searchOutcome: 'needsVerification', verificationScope: 'extended' },
      reviewDraft: { reviewDecision: 'approve' },
    });
    await d.startNational('desk');
    await d.waitFor('requestPoliceVerification');
    expect(d.visits.find((v) => v.elementId === 'requestPoliceVerification')?.variables.caseVariant).toBe('statutory');
    await d.publish('lltp.police.verification-answered', { policeAnsweredAt: (await brokerNow()).toISOString() });
    await d.waitFor('handOverCopyAtDesk');
    await d.expectEnded();
    expect(d.visited).toEqual([...PREFIX, ...ACCEPTED, ...POLICE, ...AFTER_POLICE, ...SIGNED, 'returnResult', 'handOverCopyAtDesk']);
  });

  test('withdrawal by the citizen stops the dossier, also inside the internal procedure', async () => {
    const d = drive({ checkDossier: { intakeDecision: 'accept' }, searchRecords: { searchOutcome: 'noRecord' }, reviewDraft: HOLD });
    await d.startNational();
    await d.answerPolice();
    await d.waitFor('reviewDraft'); // the head of division has the draft in the inbox
    await d.publish('lltp.dossier.withdrawn', { withdrawnAt: (await brokerNow()).toISOString() });
    await d.waitFor('notifyWithdrawn');
    await d.expectEnded();
    expect(d.visited).toEqual([...PREFIX, ...ACCEPTED, ...POLICE, ...AFTER_POLICE, 'draftCertificate', 'reviewDraft', 'closeWithdrawn', 'notifyWithdrawn']);
    await expect(d.release('reviewDraft', { reviewDecision: 'approve' })).rejects.toThrow('held job of reviewDraft no longer exists');
    expect(d.visits.find((v) => v.elementId === 'notifyWithdrawn')?.headers.notice).toBe('withdrawn');
  });

  test("another province plugs in its own internal procedure through internalProcessId", async () => {
    const fixture = path.join(__dirname, 'fixtures', 'tinh-thu-nghiem-v20250301.bpmn');
    await zeebe.deployResource({ name: 'tinh-thu-nghiem-v20250301.bpmn', process: await readFile(fixture) });
    const d = drive({
      registerDossier: ({ now, after }) => ({
        internalProcessId: 'tinh-thu-nghiem-v20250301',
        clockStartedAt: now.toISOString(),
        statutoryDueAt: after(14 * 86_400_000),
        targetDueAt: after(5 * 86_400_000),
        apologyByAt: after(13 * 86_400_000),
        apologyPromptAt: after(12 * 86_400_000),
        apologyIssued: false,
      }),
      checkDossier: { intakeDecision: 'accept' },
      searchRecords: { searchOutcome: 'noRecord' },
    });
    await d.startNational();
    await d.answerPolice();
    await d.waitFor('returnResult');
    await d.expectEnded();
    expect(d.visited).toEqual([...PREFIX, ...ACCEPTED, ...POLICE, ...AFTER_POLICE, 'ttnDraft', 'ttnApprove', 'ttnSign', 'returnResult']);
    expect(d.visits.find((v) => v.elementId === 'ttnSign')?.bpmnProcessId).toBe('tinh-thu-nghiem-v20250301');
  });
});

describe('Khánh Hòa internal procedure on its own', () => {
  test('draft, review (sent back, then approved), leader approves, certificate signed', async () => {
    const d = drive({ reviewDraft: [{ reviewDecision: 'revise', reviewComment: 'Thiếu nơi sinh' }, { reviewDecision: 'approve' }] });
    await d.start(KHANH_HOA_PROCESS_ID, { caseVariant: 'verification' });
    await d.waitFor('signCertificate');
    await d.expectEnded();
    expect(d.visited).toEqual(['draftCertificate', 'reviewDraft', 'draftCertificate', 'reviewDraft', 'approveCertificate', 'signCertificate']);
    expect(d.visits[2]?.variables.reviewComment).toBe('Thiếu nơi sinh');
    expect(d.visits[0]?.variables.activatedAt).toEqual(expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/));
  });
});
