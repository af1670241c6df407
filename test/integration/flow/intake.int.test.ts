/**
 * Intake through the real API, database and broker: one dossier and one process instance per
 * receipt number; bad, hostile and unauthorised requests get a 4xx and write nothing.
 */
import { sampleVneidRequest, seededRandom } from '../../../tools/simulators/sample-requests';
import { findDossier } from '../../../server/readmodel/dossier';
import { signIfPartner } from '../../../server/auth/partner-signature';
import { testNowMs } from '../../support/clock';
import { PARTNER_HEADERS, startApiUnderTest, type ApiUnderTest } from '../../support/api';
import { MIN_COUNTER_OFFSET } from '../../support/counters';
import { countRows } from '../../support/database';
import { uniqueId } from '../../support/unique';

/** The worked example's receipt: Monday 23/11/2026, the day before a pending (not confirmed) day off. */
const WORKED_RECEIPT = '2026-11-23T08:15:00+07:00';

let t: ApiUnderTest;
let counter = 0;
beforeAll(async () => {
  // the test database numbers every day's dossiers from a random offset (test/support/counters.ts)
  t = await startApiUnderTest('intake');
}, 60000);
afterAll(async () => t?.stop());

const request = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  ...sampleVneidRequest({ receiptNumber: `BN-INTAKE-${uniqueId()}-${(counter += 1)}`, receivedAt: WORKED_RECEIPT, random: seededRandom(counter) }),
  ...overrides,
});
const count = async (table: 'dossiers' | 'declarations' | 'intakeReceipts'): Promise<number> => countRows(t.db, table);

test('a VNeID request creates a dossier, starts its process and answers with the code and the appointment (form 01)', async () => {
  const answer = await t.post('/api/intake/vneid', request(), PARTNER_HEADERS);
  expect(answer.status).toBe(201);
  expect(answer.body).toMatchObject({
    // received under Law 107/2025 (from 1/7/2026): the provincial police issue, 5 working days
    dossierCode: expect.stringMatching(/^CA\.KHA-261123-\d{4}$/) as string,
    receivedAt: '2026-11-23T08:15:00+07:00',
    agencyName: 'Công an tỉnh Khánh Hòa — Phòng Hồ sơ nghiệp vụ (PV06)',
    statutoryWorkingDays: 5,
    // Monday 23/11/2026 08:15 + 5 working days (Tuesday 24/11 is only pending, not a day off)
    appointmentAt: '2026-11-30T08:15:00+07:00',
    appointmentDate: '2026-11-30',
    estimated: false,
    created: true,
  });
  const dossier = await findDossier(t.db, String(answer.body.dossierCode));
  expect(dossier).toMatchObject({ status: 'open', source: 'vneid', processId: 'quy-trinh-570-v20260701' });
  expect(typeof dossier?.processInstanceKey).toBe('string');
  // the test database numbers the agency in force (CA.KHA, not the configured STP.KHA) from its
  // random offset: another file's instances on the shared broker never carry this code
  expect(Number(String(answer.body.dossierCode).slice(-4))).toBeGreaterThan(MIN_COUNTER_OFFSET);
});

test('the same request twice gives one dossier and one process instance', async () => {
  const body = request();
  const [first, second] = await Promise.all([t.post('/api/intake/vneid', body, PARTNER_HEADERS), t.post('/api/intake/vneid', body, PARTNER_HEADERS)]);
  const third = await t.post('/api/intake/vneid', body, PARTNER_HEADERS);
  expect([first.status, second.status].sort()).toEqual([200, 201]);
  expect(third.status).toBe(200);
  expect(new Set([first.body.dossierCode, second.body.dossierCode, third.body.dossierCode]).size).toBe(1);
  const dossiers = await t.db.selectFrom('dossiers').selectAll().where('receiptNumber', '=', String(body.receiptNumber)).execute();
  expect(dossiers).toHaveLength(1);
  // the fee was paid on VNeID before the request came (the 766 index's online payment)
  expect(dossiers[0]).toMatchObject({ feeCategory: body.feeCategory, feePaidOnline: body.feeCategory !== 'exempt' });
  const receipt = await t.db.selectFrom('intakeReceipts').selectAll().where('receiptNumber', '=', String(body.receiptNumber)).executeTakeFirst();
  expect(receipt?.processInstanceKey).toBe(dossiers[0]?.processInstanceKey);
});

test('the same receipt number with other content is a conflict (409), and nothing changes', async () => {
  const body = request();
  const first = await t.post('/api/intake/vneid', body, PARTNER_HEADERS);
  const other = await t.post('/api/intake/vneid', { ...body, purpose: 'visa', formType: body.formType === 1 ? 2 : 1 }, PARTNER_HEADERS);
  expect(other.status).toBe(409);
  expect(other.body.dossierCode).toBe(first.body.dossierCode);
});

test.each([
  ['no body', () => undefined, 415],
  ['malformed JSON', () => '{"receiptNumber": ', 400],
  ['an empty object', () => ({}), 400],
  ['a JSON array', () => [request()], 400],
  ['a wrong form type', () => ({ ...request(), formType: 7 }), 400],
  ['an operator injection', () => ({ ...request(), receiptNumber: { $gt: '' } }), 400],
  ['an unknown field', () => ({ ...request(), role: 'administrator' }), 400],
  ['a name too long', () => ({ ...request(), declaration: { ...(request().declaration as object), fullName: 'A'.repeat(5000) } }), 400],
  ['a body over 256 kB', () => ({ ...request(), purposeDetail: 'A'.repeat(300_000) }), 413],
])('%s is refused and nothing is written', async (_case, make, status) => {
  const tables = ['dossiers', 'declarations', 'intakeReceipts'] as const;
  const before = await Promise.all(tables.map(count));
  const body: unknown = make();
  const answer = await t.post('/api/intake/vneid', body, PARTNER_HEADERS);
  expect(answer.status).toBe(status);
  expect(typeof answer.body.error).toBe('string');
  expect(await Promise.all(tables.map(count))).toEqual(before);
});

test('the error names the bad field', async () => {
  const answer = await t.post('/api/intake/vneid', { ...request(), declaration: { ...(request().declaration as object), birthDate: '1990-13-01' } }, PARTNER_HEADERS);
  expect(answer.status).toBe(400);
  expect(answer.body.error).toContain('declaration.birthDate');
});

test.each([
  ['no credentials', {}, 401],
  ['a wrong key', { 'x-partner-id': 'mot-cua-tinh', 'x-api-key': 'nope' }, 401],
  ['the police partner (no intake scope)', { 'x-partner-id': 'ca-pv06', 'x-api-key': PARTNER_HEADERS['x-api-key'] }, 403],
])('intake with %s is refused (%i)', async (_case, headers, status) => {
  const before = await count('dossiers');
  expect((await t.post('/api/intake/vneid', request(), headers)).status).toBe(status);
  expect(await count('dossiers')).toBe(before);
});

test('a staff user cannot call the partners\' intake endpoint', async () => {
  const headers = await t.login('chuyenvien');
  expect((await t.post('/api/intake/vneid', request(), headers)).status).toBe(403);
});

test('dossiers of other channels are recorded with their channel and dates', async () => {
  const headers = await t.login('motcua');
  const body = { receiptNumber: `BN-OTHER-${uniqueId()}`, channel: 'inPerson', receivedAt: '2026-11-23T15:30:00+07:00', formType: 1, offlineReason: 'noElectronicIdentity' };
  const answer = await t.post('/api/intake/other', body, headers);
  expect(answer.status).toBe(201);
  const dossier = await findDossier(t.db, String(answer.body.dossierCode));
  // a paper dossier received after 15:00 counts from the next working day's opening
  expect(dossier).toMatchObject({ source: 'inPerson', channel: 'paper', status: 'open' });
  expect((dossier?.clockStartAt as Date).toISOString()).toBe('2026-11-24T00:30:00.000Z');
  expect(dossier?.processInstanceKey).toBeNull();
});

/** Whether anything was stored for a receipt number: its receipt, its dossier. */
const storedFor = async (receiptNumber: string): Promise<number> =>
  (await t.db.selectFrom('intakeReceipts').select('receiptNumber').where('receiptNumber', '=', receiptNumber).execute()).length
  + (await t.db.selectFrom('dossiers').select('code').where('receiptNumber', '=', receiptNumber).execute()).length;

describe('addresses after the merger of 1/7/2025 and Law 107\'s request rules (received 23/11/2026)', () => {
  /** Lived in Phan Rang (former Ninh Thuận) since 2001: the old units, for a residence that runs across the merger. */
  const exNinhThuan = { from: '2001-05-01', to: null, address: '5 Thống Nhất, phường Kinh Dinh, TP Phan Rang-Tháp Chàm', provinceCode: '58', districtCode: '582', communeCode: '22759', communeName: 'Phường Kinh Dinh' };
  const withDeclaration = (changes: Record<string, unknown>, top: Record<string, unknown> = {}): Record<string, unknown> => {
    const body = request(top);
    return { ...body, declaration: { ...(body.declaration as object), ...changes } };
  };

  test('a dossier from a former Ninh Thuận address is accepted and routed to Khánh Hòa', async () => {
    const body = sampleVneidRequest({ receiptNumber: `BN-INTAKE-${uniqueId()}-${(counter += 1)}`, receivedAt: '2026-11-23T08:15:00+07:00', random: seededRandom(counter), formerNinhThuan: true });
    const answer = await t.post('/api/intake/vneid', body, PARTNER_HEADERS);
    expect(answer.status).toBe(201);
    expect(answer.body.issuingProvince).toEqual({ code: '56', name: 'Tỉnh Khánh Hòa' });
    const dossier = await findDossier(t.db, String(answer.body.dossierCode));
    // the police of the merged Khánh Hòa, in force on 23/11/2026
    expect(dossier).toMatchObject({ agencyCode: 'CA.KHA', receiptNumber: body.receiptNumber });
  });

  test.each([
    ['an old commune for a residence after the merger', () => withDeclaration({ residences: [{ ...exNinhThuan, to: '2025-08-31' }, { from: '2025-09-01', to: null, address: '20 Trần Phú, Nha Trang', provinceCode: '56', communeCode: '22372' }] }),
      'declaration.residences.1.communeCode: Phường Phước Hòa (mã 22372) chỉ có hiệu lực đến hết 30/06/2025'],
    ['the old province for a residence after the merger', () => withDeclaration({ residences: [{ from: '2025-09-01', to: null, address: 'Phan Rang', provinceCode: '58' }] }),
      'declaration.residences.0.provinceCode: Tỉnh Ninh Thuận (mã 58) chỉ có hiệu lực đến hết 30/06/2025'],
    ['an unknown commune code', () => withDeclaration({ residences: [{ ...exNinhThuan, communeCode: '99999' }] }),
      'declaration.residences.0.communeCode: mã xã 99999 không có trong danh mục của Tỉnh Ninh Thuận (mã 58)'],
    ['an applicant who turns 16 the day after receipt', () => withDeclaration({ birthDate: '2010-11-24', residences: [{ ...exNinhThuan, from: '2010-11-24' }] }),
      'declaration.birthDate: người được cấp Phiếu phải đủ 16 tuổi vào ngày tiếp nhận 23/11/2026'],
    ['a Phiếu số 2 requested by an authorised person', () => request({ formType: 2, requester: { relationship: 'authorised', fullName: 'Trần Văn Bình', idNumber: '056090001234' } }),
      'requester.relationship: Phiếu số 2 chỉ cấp theo yêu cầu của chính người được cấp'],
  ])('%s is refused 400 naming the field, nothing written', async (_case, makeBody, message) => {
    const body = makeBody();
    const answer = await t.post('/api/intake/vneid', body, PARTNER_HEADERS);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toContain(message);
    expect(await storedFor(String(body.receiptNumber))).toBe(0);
  });

  test('a dossier filed in person with no reason, when online is the default, is refused 400 naming offlineReason, nothing written', async () => {
    const headers = await t.login('motcua');
    const receiptNumber = `BN-OTHER-${uniqueId()}`;
    const answer = await t.post('/api/intake/other', { receiptNumber, channel: 'inPerson', receivedAt: '2026-11-23T10:00:00+07:00', formType: 1 }, headers);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toContain('offlineReason: hồ sơ nhận từ 23/11/2026 nộp trực tuyến là mặc định');
    expect(await storedFor(receiptNumber)).toBe(0);
  });
});

describe('input hygiene', () => {
  const declarationOf = (body: Record<string, unknown>, changes: Record<string, unknown>): Record<string, unknown> => ({
    ...body,
    declaration: { ...(body.declaration as object), ...changes },
  });
  const raw = async (contentType: string, bytes: Uint8Array): Promise<{ status: number; body: Record<string, unknown> }> => {
    const headers = signIfPartner(PARTNER_HEADERS, 'POST', '/api/intake/vneid', Buffer.from(bytes), testNowMs);
    const response = await fetch(`${t.api.url}/api/intake/vneid`, { method: 'POST', headers: { ...headers, 'content-type': contentType }, body: bytes });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  test('decomposed (NFD) Vietnamese is stored composed (NFC)', async () => {
    const name = 'Nguyễn Thị Hường';
    const body = declarationOf(request(), { fullName: name.normalize('NFD'), birthPlace: 'Khánh Hòa'.normalize('NFD') });
    const answer = await t.post('/api/intake/vneid', body, PARTNER_HEADERS);
    expect(answer.status).toBe(201);
    const row = await t.db.selectFrom('declarations').select('request').where('dossierCode', '=', String(answer.body.dossierCode)).executeTakeFirstOrThrow();
    const stored = (row.request as { declaration: { fullName: string; birthPlace: string } }).declaration;
    expect(stored.fullName).toBe(name.normalize('NFC'));
    expect(stored.birthPlace).toBe('Khánh Hòa'.normalize('NFC'));
  });

  test.each([
    ['NUL in the full name', { fullName: 'Nguyễn\u0000Văn A' }, 'declaration.fullName: không được chứa ký tự điều khiển'],
    ['a right-to-left override in the mother\'s name', { mother: { fullName: 'Lê \u202eThị B' } }, 'declaration.mother.fullName: không được chứa ký tự điều khiển hướng chữ'],
    ['another name of zero-width characters only', { otherNames: ['\u200b\u200d'] }, 'declaration.otherNames.0: không được để trống'],
    ['an address over its limit', { residences: [{ from: '2000-01-01', to: null, address: 'đ'.repeat(301), provinceCode: '56' }] }, 'declaration.residences.0.address: dài tối đa 300 ký tự'],
  ])('%s is refused 400 naming the field, nothing written', async (_case, changes, message) => {
    const before = await count('declarations');
    const answer = await t.post('/api/intake/vneid', declarationOf(request(), changes), PARTNER_HEADERS);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toContain(message);
    expect(await count('declarations')).toBe(before);
  });

  const utf16le = (text: string): Uint8Array => new Uint8Array([0xff, 0xfe, ...Buffer.from(text, 'utf16le')]);
  test.each([
    ['a declared UTF-16 charset', 'application/json; charset=utf-16', () => Buffer.from(JSON.stringify(request()), 'utf16le'), 'charset=utf-16'],
    ['a declared Latin-1 charset', 'application/json; charset=iso-8859-1', () => Buffer.from(JSON.stringify(request()), 'latin1'), 'charset=iso-8859-1'],
    ['a UTF-16 byte order mark', 'application/json', () => utf16le(JSON.stringify(request())), 'UTF-16LE'],
    ['bytes that are not UTF-8', 'application/json', () => Buffer.concat([Buffer.from('{"receiptNumber":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]), 'không phải UTF-8'],
  ])('%s is refused 415 saying the body must be UTF-8, nothing written', async (_case, contentType, bytes, mention) => {
    const before = await count('dossiers');
    const answer = await raw(contentType, bytes());
    expect(answer.status).toBe(415);
    expect(answer.body.error).toContain('UTF-8');
    expect(answer.body.error).toContain(mention);
    expect(await count('dossiers')).toBe(before);
  });

  test('an explicit charset=UTF-8 is accepted', async () => {
    expect((await raw('application/json; charset="UTF-8"', Buffer.from(JSON.stringify(request())))).status).toBe(201);
  });

  test('a body nested deeper than 32 levels is refused 400', async () => {
    const answer = await t.post('/api/intake/vneid', `${'['.repeat(10_000)}${']'.repeat(10_000)}`, PARTNER_HEADERS);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toContain('32');
  });
});
