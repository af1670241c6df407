/**
 * Law 107/2025/QH15's request rules at intake, at their boundaries: 16 years old on the receipt
 * date, Phiếu số 2 only for the person themself, online by default; dossiers received before
 * 1/7/2026 (in Việt Nam) keep the old rules.
 */
import { ageOn, receiptDateOf, requestRulesOn } from '../../../server/intake/request-rules';
import { describeIssues, OtherChannelRecord, VneidRequest } from '../../../server/intake/vneid-request';
import { sampleVneidRequest, seededRandom } from '../../../tools/simulators/sample-requests';

/** A valid request received at `receivedAt` from a person born on `birthDate`. */
function requestOf(receivedAt: string, birthDate: string, changes: Record<string, unknown> = {}): Record<string, unknown> {
  const body = JSON.parse(JSON.stringify(sampleVneidRequest({ receiptNumber: 'BN-RULES-0001', receivedAt, random: seededRandom(3) }))) as Record<string, unknown>;
  const declaration = body.declaration as Record<string, unknown>;
  declaration.birthDate = birthDate;
  declaration.residences = [{ from: birthDate, to: null, address: '12 đường Thống Nhất, phường Phan Rang, Khánh Hòa', provinceCode: '56' }];
  return { ...body, ...changes };
}

const refusal = (body: unknown, schema: typeof VneidRequest | typeof OtherChannelRecord = VneidRequest): string | null => {
  const result = schema.safeParse(body);
  return result.success ? null : describeIssues(result.error);
};

test.each([
  ['2010-07-15', '2026-07-14', 15],
  ['2010-07-15', '2026-07-15', 16],
  ['2008-02-29', '2024-02-28', 15],
  ['2008-02-29', '2024-02-29', 16],
  ['2008-02-29', '2025-02-28', 16], // born 29/2: a year older on 1/3 in a year without 29/2
  ['2008-02-29', '2025-03-01', 17],
])('born %s, on %s: %i years old', (birthDate, date, age) => {
  expect(ageOn(birthDate, date)).toBe(age);
});

test.each([
  ['2026-06-30T16:59:59Z', '2026-06-30', 'Luật Lý lịch tư pháp 2009 (Luật 28/2009/QH12)'],
  ['2026-06-30T17:00:00Z', '2026-07-01', 'Luật 107/2025/QH15 sửa đổi Luật Lý lịch tư pháp; NĐ 216/2026/NĐ-CP'],
])('received at %s is received on %s in Việt Nam, under %s', (receivedAt, date, basis) => {
  expect(receiptDateOf(receivedAt)).toBe(date);
  expect(requestRulesOn(date).basis).toBe(basis);
});

describe('age 16 or over (from 1/7/2026)', () => {
  test.each([
    ['the day before the 16th birthday', '2026-07-14T09:00:00+07:00', 'declaration.birthDate: người được cấp Phiếu phải đủ 16 tuổi vào ngày tiếp nhận 14/07/2026 (Luật 107/2025/QH15'],
    ['the 16th birthday', '2026-07-15T09:00:00+07:00', null],
    ['the 16th birthday in Việt Nam, still the day before in UTC', '2026-07-14T17:30:00Z', null],
  ])('born 15/7/2010, received on %s', (_case, receivedAt, message) => {
    const refused = refusal(requestOf(receivedAt, '2010-07-15'));
    if (message === null) expect(refused).toBeNull();
    else expect(refused).toContain(message);
  });

  test.each([
    ['30/6/2026 (old rules: no minimum age)', '2026-06-30T16:59:59Z', false],
    ['1/7/2026 (Law 107)', '2026-06-30T17:00:00Z', true],
  ])('a 15-year-old received on %s → refused: %s', (_case, receivedAt, refused) => {
    const message = refusal(requestOf(receivedAt, '2011-01-10'));
    expect(message === null ? false : message.includes('declaration.birthDate: người được cấp Phiếu phải đủ 16 tuổi')).toBe(refused);
  });
});

describe('Phiếu số 2 only for the person themself (from 1/7/2026)', () => {
  const authorised = { relationship: 'authorised', fullName: 'Trần Văn Bình', idNumber: '056090001234' };
  test.each([
    ['số 2 by an authorised person, received 30/6/2026', 2, authorised, '2026-06-30T10:00:00+07:00', null],
    ['số 2 by an authorised person, received 1/7/2026', 2, authorised, '2026-07-01T08:00:00+07:00', 'requester.relationship: Phiếu số 2 chỉ cấp theo yêu cầu của chính người được cấp'],
    ['số 2 by the person themself, received 1/7/2026', 2, { relationship: 'self' }, '2026-07-01T08:00:00+07:00', null],
    ['số 2 with no requester (the person themself), received 1/7/2026', 2, undefined, '2026-07-01T08:00:00+07:00', null],
    ['số 1 by an authorised person, received 1/7/2026', 1, authorised, '2026-07-01T08:00:00+07:00', null],
    ['an authorised person with no name', 1, { relationship: 'authorised', idNumber: '056090001234' }, '2026-07-01T08:00:00+07:00', 'requester.fullName: cần ghi họ tên người được ủy quyền'],
  ])('%s', (_case, formType, requester, receivedAt, message) => {
    const refused = refusal(requestOf(receivedAt, '1990-04-02', { formType, ...(requester ? { requester } : {}) }));
    if (message === null) expect(refused).toBeNull();
    else expect(refused).toContain(message);
  });
});

describe('online by default (from 1/7/2026): dossiers of other channels', () => {
  const record = (receivedAt: string, channel: string, offlineReason?: string): Record<string, unknown> => ({
    receiptNumber: 'BN-OTHER-0001', channel, receivedAt, formType: 1, ...(offlineReason ? { offlineReason } : {}),
  });
  test.each([
    ['in person, received 30/6/2026, no reason', record('2026-06-30T16:59:59Z', 'inPerson'), null],
    ['in person, received 1/7/2026, no reason', record('2026-06-30T17:00:00Z', 'inPerson'), 'offlineReason: hồ sơ nhận từ 01/07/2026 nộp trực tuyến là mặc định'],
    ['by post, received 1/7/2026, a foreigner', record('2026-07-01T08:00:00+07:00', 'post', 'foreigner'), null],
    ['in person, received 1/7/2026, no electronic identity', record('2026-07-01T08:00:00+07:00', 'inPerson', 'noElectronicIdentity'), null],
    ['through the national portal, received 1/7/2026', record('2026-07-01T08:00:00+07:00', 'nationalPortal'), null],
    ['an unknown reason', record('2026-07-01T08:00:00+07:00', 'inPerson', 'busy'), 'offlineReason'],
  ])('%s', (_case, body, message) => {
    const refused = refusal(body, OtherChannelRecord);
    if (message === null) expect(refused).toBeNull();
    else expect(refused).toContain(message);
  });
});
