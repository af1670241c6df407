/**
 * No criminal-record fact in the engine (issue 29, item 7): a dossier's instance on the real
 * broker, driven by the harness (which activates every job with all its variables: Zeebe 8.5
 * has no query of an instance's variables without Operate), waits for the police; the answer
 * `recordFound` comes through the real callback route (signed as the police partner, for a
 * request recorded as the police-request worker records it); the instance runs to its end, and
 * no job after the answer (the last ones see every variable of the process scope) carries
 * `policeResult`, the result, or anything but the instant the answer came.
 */
import { deployProcesses } from '../../../processes/deploy';
import { signIfPartner } from '../../../server/auth/partner-signature';
import { policeCallbackRoutes } from '../../../server/callbacks/police';
import { createLogger } from '../../../server/logger';
import { createZeebeClient, type ZeebeGrpcClient } from '../../../server/zeebe';
import { PARTNER_KEY, startTestApp, type TestApp } from '../../support/app';
import { testClock, testNow, testNowMs } from '../../support/clock';
import { insertLiteralDossier } from '../../support/literal-dossier';
import { KHANH_HOA_PROCESS_ID, NATIONAL_PROCESS_ID, ProcessDriver, requireBroker, uniqueDossierCode } from './harness';

jest.setTimeout(60_000);

let zeebe: ZeebeGrpcClient;
let app: TestApp;
let driver: ProcessDriver | undefined;

beforeAll(async () => {
  await requireBroker();
  app = await startTestApp('police_variables', (db, config) => {
    zeebe = createZeebeClient({ ...config, LOG_LEVEL: 'silent' }).zeebe;
    const now = testClock();
    return [{ path: '/api/callbacks', router: policeCallbackRoutes({ zeebe, db, auth: { db, now }, now }) }];
  });
  await deployProcesses(zeebe, createLogger({ level: 'silent' }));
}, 60_000);

afterAll(async () => {
  await driver?.stop();
  await zeebe?.close();
  await app?.stop();
});

test('the police answer reaches the engine as the instant it came, never as its result', async () => {
  const code = uniqueDossierCode();
  await insertLiteralDossier(app.db, {
    code,
    receiptNumber: `VARS-${code}`,
    receivedAt: testNow(),
    statutoryDueAt: testNow(10 * 86_400_000),
    targetDueAt: testNow(3 * 86_400_000),
    calendarVersion: 0,
    processId: NATIONAL_PROCESS_ID,
    internalProcessId: KHANH_HOA_PROCESS_ID,
  });
  driver = new ProcessDriver(zeebe, code, {
    checkDossier: { intakeDecision: 'accept' },
    searchRecords: { searchOutcome: 'needsVerification', verificationScope: 'province' },
    reviewDraft: { reviewDecision: 'approve' },
  });
  await driver.startNational();
  await driver.waitFor('requestPoliceVerification');
  // what the police-request worker records before its request leaves
  await app.db.insertInto('policeRequests').values({ requestId: `${code}:police`, dossierCode: code, partnerId: 'ca-pv06', sentAt: testNow() }).execute();
  await driver.settle();

  const path = '/api/callbacks/police';
  const body = JSON.stringify({ requestId: `${code}:police`, dossierCode: code, result: 'recordFound' });
  const response = await fetch(`${app.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signIfPartner({ 'x-partner-id': 'ca-pv06', 'x-api-key': PARTNER_KEY }, 'POST', path, body, testNowMs) },
    body,
  });
  expect(response.status).toBe(202);

  await driver.waitFor('returnResult');
  await driver.expectEnded();
  const after = driver.visits.slice(driver.visited.indexOf('recordVerification'));
  expect(after.map((v) => v.elementId)).toEqual(['recordVerification', 'draftCertificate', 'reviewDraft', 'approveCertificate', 'signCertificate', 'returnResult']);
  for (const visit of after) {
    expect(Object.keys(visit.variables)).not.toContain('policeResult');
    expect(JSON.stringify(visit.variables)).not.toMatch(/recordFound|noRecord/);
    expect(typeof visit.variables.policeAnsweredAt).toBe('string');
  }
});
