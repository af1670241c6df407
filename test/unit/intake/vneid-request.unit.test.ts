import { describeIssues, isExtendedCase, VneidRequest } from '../../../server/intake/vneid-request';
import { formatDossierCode, yymmdd } from '../../../server/intake/dossier-code';
import { sampleVneidRequest, seededRandom } from '../../../tools/simulators/sample-requests';

const valid = (overrides: { extended?: boolean; paperCopyByPost?: boolean } = {}): Record<string, unknown> =>
  JSON.parse(JSON.stringify(sampleVneidRequest({ receiptNumber: 'H34.1-2611-0001', receivedAt: '2026-11-23T08:15:00+07:00', random: seededRandom(7), ...overrides }))) as Record<string, unknown>;

function set(body: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const keys = path.split('.');
  let target = body;
  for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
  if (value === undefined) delete target[keys[keys.length - 1]!];
  else target[keys[keys.length - 1]!] = value;
  return body;
}

test('a sample request is valid', () => {
  expect(VneidRequest.safeParse(valid()).success).toBe(true);
  expect(VneidRequest.safeParse(valid({ extended: true, paperCopyByPost: true })).success).toBe(true);
});

test.each([
  ['receiptNumber', 'x', 'receiptNumber'],
  ['receiptNumber', undefined, 'receiptNumber'],
  ['receivedAt', '2026-11-23 08:15', 'receivedAt'],
  ['receivedAt', '2026-11-23T08:15:00', 'receivedAt'],
  ['formType', 3, 'formType: must be 1 or 2'],
  ['formType', '1', 'formType'],
  ['purpose', 'curiosity', 'purpose'],
  ['declaration.fullName', '   ', 'declaration.fullName: không được để trống'],
  ['declaration.birthDate', '1990-02-30', 'declaration.birthDate: must be a date YYYY-MM-DD'],
  ['declaration.birthDate', '2030-01-01', 'declaration.birthDate: must not be after the receipt date'],
  ['declaration.nationality', 'Vietnam', 'declaration.nationality'],
  ['declaration.idDocument.number', '12 34', 'declaration.idDocument.number'],
  ['declaration.residences', [], 'declaration.residences: must list at least one place of residence'],
  ['declaration.phone', 'call me', 'declaration.phone'],
  ['declaration.email', 'not-mail', 'declaration.email'],
  ['declaration.fullName', 'A'.repeat(101), 'declaration.fullName: dài tối đa 100 ký tự'],
  ['copies.paper', 2, 'copies.delivery: must be post or desk'],
  ['copies.paper', -1, 'copies.paper'],
  ['copies.delivery', 'post', 'copies.postalAddress: is required for delivery by post'],
  ['declaration.fullName', 'Nguyễn\u0000Văn', 'declaration.fullName: không được chứa ký tự điều khiển'],
  ['declaration.otherNames', ['\u200b\u2060'], 'declaration.otherNames.0: không được để trống'],
  ['declaration.father', { fullName: 'Trần \u202eVăn' }, 'declaration.father.fullName: không được chứa ký tự điều khiển hướng chữ'],
  ['declaration.spouse', { fullName: '\ufeff' }, 'declaration.spouse.fullName: không được để trống'],
  ['declaration.birthPlace', 'Nha Trang\u0000', 'declaration.birthPlace: không được chứa ký tự điều khiển'],
  ['purposeDetail', 'x'.repeat(301), 'purposeDetail: dài tối đa 300 ký tự'],
  ['isAdmin', true, 'isAdmin'],
  ['declaration.$where', '1', '$where'],
])('%s = %j is refused with a message naming it', (path, value, message) => {
  const result = VneidRequest.safeParse(set(valid(), path, value));
  expect(result.success).toBe(false);
  if (!result.success) expect(describeIssues(result.error)).toContain(message);
});

test('decomposed (NFD) Vietnamese is accepted and stored composed (NFC)', () => {
  const body = set(set(valid(), 'declaration.fullName', ' Nguyễn Thị Hương '.normalize('NFD')), 'declaration.otherNames', ['Hường'.normalize('NFD')]);
  const parsed = VneidRequest.parse(body);
  expect(parsed.declaration.fullName).toBe('Nguyễn Thị Hương'.normalize('NFC'));
  expect(parsed.declaration.otherNames).toEqual(['Hường'.normalize('NFC')]);
});

test.each([
  ['one province only', (b: Record<string, unknown>) => b, false],
  ['several provinces', () => valid({ extended: true }), true],
  ['a foreigner', (b: Record<string, unknown>) => set(b, 'declaration.nationality', 'FR'), true],
  ['expungement to verify', (b: Record<string, unknown>) => set(b, 'expungementCheck', true), true],
])('the statutory extended case (15 working days): %s → %s', (_case, change, extended) => {
  expect(isExtendedCase(VneidRequest.parse(change(valid())))).toBe(extended);
});

test.each([
  ['2026-11-22T17:30:00Z', '261123'], // already 23 Nov in Việt Nam
  ['2026-11-23T16:59:59Z', '261123'],
  ['2026-12-31T23:00:00+07:00', '261231'],
])('dossier codes use the receipt date in Việt Nam: %s → %s', (at, day) => {
  expect(yymmdd(new Date(at))).toBe(day);
  expect(formatDossierCode('000.00.18.H34', new Date(at), 7)).toBe(`000.00.18.H34-${day}-0007`);
});

describe('residences before and after the merger of 1/7/2025', () => {
  const phanRangBefore = { from: '2001-05-01', to: '2024-12-31', address: '5 Thống Nhất, phường Kinh Dinh, Phan Rang-Tháp Chàm, Ninh Thuận', provinceCode: '58', districtCode: '582', communeCode: '22759', communeName: 'Phường Kinh Dinh' };
  const nhaTrangAfter = { from: '2025-01-01', to: null, address: '20 Trần Phú, phường Nha Trang, Khánh Hòa', provinceCode: '56', communeCode: '22366' };
  const withResidences = (residences: unknown[]): Record<string, unknown> => set(valid(), 'declaration.residences', residences);

  test('old Ninh Thuận units before, new Khánh Hòa units after: accepted, one province on the receipt date (10 days, not 15)', () => {
    const parsed = VneidRequest.parse(withResidences([phanRangBefore, nhaTrangAfter]));
    expect(isExtendedCase(parsed)).toBe(false);
  });

  test.each([
    ['an old commune for a residence after the merger', [phanRangBefore, { ...nhaTrangAfter, from: '2025-07-01', communeCode: '22372' }], 'declaration.residences.1.communeCode: Phường Phước Hòa (mã 22372) chỉ có hiệu lực đến hết 30/06/2025'],
    ['the old province for a residence after the merger', [{ ...phanRangBefore, from: '2025-07-01', to: null, districtCode: undefined, communeCode: undefined, communeName: undefined }], 'declaration.residences.0.provinceCode: Tỉnh Ninh Thuận (mã 58) chỉ có hiệu lực đến hết 30/06/2025'],
    ['an unknown commune code', [phanRangBefore, { ...nhaTrangAfter, communeCode: '12345' }], 'declaration.residences.1.communeCode: mã xã 12345 không có trong danh mục của Tỉnh Khánh Hòa (mã 56)'],
    ['a commune code of the wrong shape', [{ ...nhaTrangAfter, communeCode: '2236' }], 'declaration.residences.0.communeCode: phải là mã xã 5 chữ số'],
  ])('%s is refused naming the field', (_case, residences, message) => {
    const result = VneidRequest.safeParse(withResidences(JSON.parse(JSON.stringify(residences)) as unknown[]));
    expect(result.success).toBe(false);
    if (!result.success) expect(describeIssues(result.error)).toContain(message);
  });
});
