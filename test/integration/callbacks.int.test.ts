/**
 * Partner callbacks bound to what the product asked, through the whole product on the real
 * stack (issue 29, items 6 and 7): the police answer names a request the police-request worker
 * sent, for a dossier waiting for it, from the partner it was sent to, timed by the product's
 * clock, idempotent; one-stop callbacks reach only the partner's agency; every partner call is
 * signed (HMAC-SHA256 over timestamp, method, path and body), within 5 minutes, never replayed.
 */
import { signedHeaders } from '../../server/auth/partner-signature';
import { formatInstant } from '../../server/calendar/civil-time';
import { sampleVneidRequest, seededRandom } from '../../tools/simulators/sample-requests';
import { testNow, testNowMs } from '../support/clock';
import { PARTNER, startSystem, type SystemUnderTest } from '../support/system';
import { uniqueId } from '../support/unique';
import { eventually } from '../support/wait';

/** The police partner of this system (POLICE_PARTNER_ID), not the demo's `ca-pv06`: the audit must name who called. */
const POLICE = { 'x-partner-id': 'ca-kiem-tra', 'x-api-key': PARTNER['x-api-key'] };
/** The demo police partner: same scope, but the requests are not sent to it. */
const OTHER_POLICE = { 'x-partner-id': 'ca-pv06', 'x-api-key': PARTNER['x-api-key'] };
/** A one-stop system of another agency. */
const OTHER_AGENCY = { 'x-partner-id': 'mot-cua-dng', 'x-api-key': 'dng-secret' };

let s: SystemUnderTest;
let n = 0;

beforeAll(async () => {
  s = await startSystem('callbacks', 5650, { POLICE_PARTNER_ID: POLICE['x-partner-id'] });
  await s.db
    .insertInto('partners')
    .values([
      { partnerId: POLICE['x-partner-id'], name: 'Công an (kiểm thử)', scopes: ['callback:police'], signingSecret: POLICE['x-api-key'], agencyCode: null, active: true },
      { partnerId: OTHER_AGENCY['x-partner-id'], name: 'Một cửa Đà Nẵng (kiểm thử)', scopes: ['intake'], signingSecret: OTHER_AGENCY['x-api-key'], agencyCode: 'STP.DNG', active: true },
    ])
    .execute();
}, 90000);
afterAll(async () => s?.stop());

async function intake(): Promise<string> {
  const request = sampleVneidRequest({ receiptNumber: `CB-${uniqueId()}-${(n += 1)}`, receivedAt: formatInstant(testNowMs()), random: seededRandom(n) });
  const answer = await s.call('POST', '/api/intake/vneid', request, PARTNER);
  expect(answer.status).toBe(201);
  return String(answer.body.dossierCode);
}

const recordVerificationTasks = async (code: string): Promise<number> =>
  (await s.db.selectFrom('tasks').select('id').where('dossierCode', '=', code).where('formKey', '=', 'lltp.form.record-verification').execute()).length;
const audits = (code: string, action: string) => s.db.selectFrom('audit').select(['actor', 'at']).where('dossierCode', '=', code).where('action', '=', action).execute();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('the police answer', () => {
  test('is refused before the request is sent (nothing published: the dossier still waits once it is sent), from another partner, for another dossier, with its own time; accepted once at the product\'s time; a replay is idempotent', async () => {
    const code = await intake();
    const requestId = `${code}:police`;
    await s.simPost('police', '/_sim/scenarios', { dossierCode: code, answerAfterWorkingHours: null });
    const answer = { requestId, dossierCode: code, result: 'recordFound' };

    // early: no request sent yet
    const early = await s.call('POST', '/api/callbacks/police', answer, POLICE);
    expect(early.status).toBe(404);
    expect(early.body.error).toEqual(expect.stringContaining('requestId'));

    await s.work(code, 'motcua', 'lltp.form.check-dossier', { intakeDecision: 'accept' });
    await s.work(code, 'chuyenvien', 'lltp.form.accept-in-lltp');
    await s.work(code, 'chuyenvien', 'lltp.form.search-records', { searchOutcome: 'needsVerification', verificationScope: 'province' });
    const sent = await eventually(() => s.db.selectFrom('policeRequests').selectAll().where('requestId', '=', requestId).executeTakeFirst(), 'the police request recorded', 30000);
    expect(sent).toMatchObject({ dossierCode: code, partnerId: POLICE['x-partner-id'], answeredAt: null, result: null });
    // the early answer was not kept by the engine: the dossier waits for the police
    await sleep(4000);
    expect(await recordVerificationTasks(code)).toBe(0);

    const otherPartner = await s.call('POST', '/api/callbacks/police', answer, OTHER_POLICE);
    expect(otherPartner.status).toBe(403);
    expect(otherPartner.body.error).toEqual(expect.stringContaining(POLICE['x-partner-id']));
    const otherDossier = await s.call('POST', '/api/callbacks/police', { ...answer, dossierCode: 'STP.KHA-261208-9999' }, POLICE);
    expect(otherDossier.status).toBe(409);
    expect(otherDossier.body.error).toEqual(expect.stringContaining('dossierCode'));
    const ownTime = await s.call('POST', '/api/callbacks/police', { ...answer, answeredAt: '2026-01-01T09:00:00+07:00' }, POLICE);
    expect(ownTime.status).toBe(400);
    expect(ownTime.body.error).toEqual(expect.stringContaining('answeredAt'));
    expect(await audits(code, 'police.answer')).toHaveLength(0);

    const before = testNowMs();
    const accepted = await s.call('POST', '/api/callbacks/police', answer, POLICE);
    const after = testNowMs();
    expect(accepted).toMatchObject({ status: 202, body: { accepted: true, duplicate: false } });
    const stored = await s.db.selectFrom('policeRequests').selectAll().where('requestId', '=', requestId).executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ result: 'recordFound', answeredBy: POLICE['x-partner-id'] });
    expect(stored.answeredAt!.getTime()).toBeGreaterThanOrEqual(before);
    expect(stored.answeredAt!.getTime()).toBeLessThanOrEqual(after);
    expect(stored.publishedAt).not.toBeNull();
    const dossier = await s.db.selectFrom('dossiers').select(['policeAnsweredAt', 'policeResult']).where('code', '=', code).executeTakeFirstOrThrow();
    expect(dossier).toEqual({ policeAnsweredAt: stored.answeredAt, policeResult: 'recordFound' });
    expect((await audits(code, 'police.answer')).map((a) => a.actor)).toEqual([`partner:${POLICE['x-partner-id']}`]);
    await eventually(async () => (await recordVerificationTasks(code)) === 1 || undefined, 'the officer\'s task after the answer', 30000);

    // the same answer again: 200, nothing published or recorded again; another answer: 409
    const replay = await s.call('POST', '/api/callbacks/police', answer, POLICE);
    expect(replay).toMatchObject({ status: 200, body: { accepted: true, duplicate: true } });
    const changed = await s.call('POST', '/api/callbacks/police', { ...answer, result: 'noRecord' }, POLICE);
    expect(changed.status).toBe(409);
    expect(changed.body.error).toEqual(expect.stringContaining('result'));
    const again = await s.db.selectFrom('policeRequests').selectAll().where('requestId', '=', requestId).executeTakeFirstOrThrow();
    expect(again).toEqual(stored);
    expect(await audits(code, 'police.answer')).toHaveLength(1);
    await sleep(1000);
    expect(await recordVerificationTasks(code)).toBe(1);
  }, 120000);

  test('for a dossier that is no longer open is refused', async () => {
    const code = await intake();
    await s.db.insertInto('policeRequests').values({ requestId: `${code}:police`, dossierCode: code, partnerId: POLICE['x-partner-id'], sentAt: testNow() }).execute();
    expect((await s.call('POST', `/api/callbacks/one-stop/${code}/withdrawn`, { at: formatInstant(testNowMs()), eventId: `wd-${code}` }, PARTNER)).status).toBe(202);
    await eventually(async () => (await s.dossier(code)).status === 'closed' || undefined, 'the withdrawn dossier closed', 30000);
    const late = await s.call('POST', '/api/callbacks/police', { requestId: `${code}:police`, dossierCode: code, result: 'noRecord' }, POLICE);
    expect(late.status).toBe(409);
    expect(late.body.error).toEqual(expect.stringContaining(code));
    expect(await audits(code, 'police.answer')).toHaveLength(0);
  }, 60000);
});

describe('deliveries at once (the claim is one statement)', () => {
  test('two deliveries of one police answer: recorded and audited once, marked published; one 202, the other a 200 duplicate', async () => {
    const code = await intake();
    const requestId = `${code}:police`;
    await s.db.insertInto('policeRequests').values({ requestId, dossierCode: code, partnerId: POLICE['x-partner-id'], sentAt: testNow() }).execute();
    const answer = { requestId, dossierCode: code, result: 'noRecord' };
    const answers = await Promise.all([1, 2].map(() => s.call('POST', '/api/callbacks/police', answer, POLICE)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 202]);
    expect(answers.find((a) => a.status === 200)?.body).toMatchObject({ accepted: true, duplicate: true });
    expect(await audits(code, 'police.answer')).toHaveLength(1);
    const stored = await s.db.selectFrom('policeRequests').select(['result', 'publishedAt']).where('requestId', '=', requestId).executeTakeFirstOrThrow();
    expect(stored.result).toBe('noRecord');
    expect(stored.publishedAt).not.toBeNull();
  }, 60000);
});

describe('one-stop callbacks and intake', () => {
  test('reach only the partner\'s agency: another agency\'s one-stop system can neither withdraw, supplement nor send dossiers', async () => {
    const code = await intake();
    const at = formatInstant(testNowMs());
    for (const event of ['withdrawn', 'supplemented']) {
      const refused = await s.call('POST', `/api/callbacks/one-stop/${code}/${event}`, { at, eventId: `x-${event}-${code}` }, OTHER_AGENCY);
      expect(refused.status).toBe(403);
      expect(refused.body.error).toEqual(expect.stringContaining('STP.DNG'));
    }
    const sentElsewhere = await s.call('POST', '/api/intake/vneid', sampleVneidRequest({ receiptNumber: `CB-DNG-${uniqueId()}`, receivedAt: at, random: seededRandom(7) }), OTHER_AGENCY);
    expect(sentElsewhere.status).toBe(403);
    await sleep(2000);
    expect((await s.dossier(code)).status).toBe('open');
    expect(await audits(code, 'dossier.withdrawn')).toHaveLength(0);
    // its own one-stop system can, and the audit names it
    expect((await s.call('POST', `/api/callbacks/one-stop/${code}/withdrawn`, { at, eventId: `wd-${code}` }, PARTNER)).status).toBe(202);
    expect((await audits(code, 'dossier.withdrawn')).map((a) => a.actor)).toEqual([`partner:${PARTNER['x-partner-id']}`]);
  }, 60000);
});

describe('partner signatures', () => {
  const body = (): string => JSON.stringify({ at: formatInstant(testNowMs()), eventId: `sig-${uniqueId()}` });
  const path = '/api/callbacks/one-stop/STP.KHA-261208-9998/supplemented';
  const post = (headers: Record<string, string>, sent: string, target = path): Promise<{ status: number; error: string }> =>
    fetch(`${s.api.url}${target}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: sent }).then(async (r) => ({
      status: r.status,
      error: String(((await r.json()) as { error?: string }).error),
    }));
  const secret = { partnerId: PARTNER['x-partner-id'], secret: PARTNER['x-api-key'] };

  test('a signed call passes (404: no such dossier); the same call again is a replay', async () => {
    const sent = body();
    const headers = signedHeaders(secret, 'POST', path, sent, testNowMs());
    expect(await post(headers, sent)).toMatchObject({ status: 404 });
    const replay = await post(headers, sent);
    expect(replay.status).toBe(401);
    expect(replay.error).toContain('X-LLTP-Timestamp');
  });

  test.each([
    ['the key alone, unsigned', () => ({ ...PARTNER }), 'X-LLTP-Signature'],
    ['a timestamp 6 minutes old', (sent: string) => signedHeaders(secret, 'POST', path, sent, testNowMs(-6 * 60_000)), '5 phút'],
    ['a timestamp 6 minutes ahead', (sent: string) => signedHeaders(secret, 'POST', path, sent, testNowMs(6 * 60_000)), '5 phút'],
    ['a wrong secret', (sent: string) => signedHeaders({ ...secret, secret: 'guess' }, 'POST', path, sent, testNowMs()), 'X-LLTP-Signature'],
    ['another body than the one signed', (sent: string) => signedHeaders(secret, 'POST', path, sent.replace('sig-', 'sig2-'), testNowMs()), 'X-LLTP-Signature'],
    ['another path than the one signed', (sent: string) => signedHeaders(secret, 'POST', path.replace('supplemented', 'withdrawn'), sent, testNowMs()), 'X-LLTP-Signature'],
    ['another method than the one signed', (sent: string) => signedHeaders(secret, 'PUT', path, sent, testNowMs()), 'X-LLTP-Signature'],
    ['no timestamp', (sent: string) => ({ ...signedHeaders(secret, 'POST', path, sent, testNowMs()), 'x-lltp-timestamp': '' }), 'X-LLTP-Timestamp'],
  ])('%s: 401 naming the problem', async (_case, headersOf, named) => {
    const sent = body();
    const refused = await post(headersOf(sent), sent);
    expect(refused.status).toBe(401);
    expect(refused.error).toContain(named);
  });
});
