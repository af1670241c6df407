/**
 * Residence addresses before and after the merger of 1/7/2025 (processes/administrative-units.json):
 * old units for periods before, new ones (no district) after, either for a period across it; the
 * province an address belongs to on a day; the province whose police issue the certificate.
 */
import { VneidRequest } from '../../../server/intake/vneid-request';
import { sampleVneidRequest, seededRandom } from '../../../tools/simulators/sample-requests';
import { addressProblems, issuingProvinceFor, provinceOn, sameUnitName, type UnitAddress } from '../../../server/intake/administrative-units';

const KINH_DINH: UnitAddress = { provinceCode: '58', districtCode: '582', communeCode: '22759', provinceName: 'Tỉnh Ninh Thuận', communeName: 'Phường Kinh Dinh' };
const PHAN_RANG: UnitAddress = { provinceCode: '56', communeCode: '22759', communeName: 'Phường Phan Rang' };
const PHUOC_HOA: UnitAddress = { provinceCode: '56', districtCode: '568', communeCode: '22372', communeName: 'Phường Phước Hòa' };
const NHA_TRANG: UnitAddress = { provinceCode: '56', communeCode: '22366', communeName: 'Phường Nha Trang', provinceName: 'Khánh Hoà' };

test.each([
  ['old Ninh Thuận units before the merger', KINH_DINH, '2010-01-01', '2020-12-31'],
  ['old units for a residence across the merger', KINH_DINH, '2015-03-01', '2026-11-23'],
  ['new units for a residence across the merger (code 22759 is Phan Rang from 1/7/2025)', PHAN_RANG, '2015-03-01', '2026-11-23'],
  ['new units after the merger', NHA_TRANG, '2025-07-01', '2026-11-23'],
  ['old units up to the last day before the merger', PHUOC_HOA, '2020-01-01', '2025-06-30'],
  ['a province outside the sample: code only', { provinceCode: '79', districtCode: '760', communeCode: '26734' }, '2000-01-01', '2026-11-23'],
  ['codes without names', { provinceCode: '56', communeCode: '22333' }, '2025-08-01', '2026-11-23'],
])('accepted: %s', (_case, address, from, until) => {
  expect(addressProblems(address, from, until)).toEqual([]);
});

/** Residences from before 2025 end in 2020; the others run to the receipt date 23/11/2026. */
test.each([
  ['the old province after the merger', { ...KINH_DINH, districtCode: undefined, communeCode: undefined, communeName: undefined }, '2025-08-01', 'provinceCode',
    'Tỉnh Ninh Thuận (mã 58) chỉ có hiệu lực đến hết 30/06/2025, không dùng cho nơi cư trú 01/08/2025–23/11/2026; từ 01/07/2025 ghi Tỉnh Khánh Hòa (mã 56)'],
  ['an old commune from the first day of the merger', { provinceCode: '56', communeCode: '22372' }, '2025-07-01', 'communeCode',
    'Phường Phước Hòa (mã 22372) chỉ có hiệu lực đến hết 30/06/2025, không dùng cho nơi cư trú 01/07/2025–23/11/2026; từ 01/07/2025 là Phường Nha Trang, Tỉnh Khánh Hòa (mã 56), mã 22366'],
  ['a district after the district level ended', { provinceCode: '56', districtCode: '568', communeCode: '22366' }, '2025-09-01', 'districtCode', 'từ 01/07/2025 không còn cấp huyện'],
  ['an old name for a code reused after the merger', { provinceCode: '56', communeCode: '22759', communeName: 'Phường Kinh Dinh' }, '2025-09-01', 'communeName',
    '"Phường Kinh Dinh" không phải tên của mã xã 22759 trong giai đoạn 01/09/2025–23/11/2026 (Phường Phan Rang): "Phường Kinh Dinh" là tên đến hết 30/06/2025'],
  ['an unknown commune code', { provinceCode: '56', communeCode: '99999' }, '2025-09-01', 'communeCode', 'mã xã 99999 không có trong danh mục của Tỉnh Khánh Hòa (mã 56)'],
  ['a commune of another province', { provinceCode: '58', communeCode: '22366' }, '2010-01-01', 'communeCode', 'mã này là Phường Nha Trang, Tỉnh Khánh Hòa (mã 56)'],
  ['an unknown province code', { provinceCode: '99' }, '2010-01-01', 'provinceCode', 'mã tỉnh 99 không có trong danh mục đơn vị hành chính'],
  ['a district of another province', { provinceCode: '56', districtCode: '582', communeCode: '22372' }, '2010-01-01', 'districtCode', 'mã huyện 582 không có trong danh mục của Tỉnh Khánh Hòa (mã 56)'],
  ['a province name that does not match its code', { provinceCode: '56', provinceName: 'Ninh Thuận' }, '2010-01-01', 'provinceName', 'không phải tên của mã tỉnh 56'],
  ['a commune name without its code', { provinceCode: '56', communeName: 'Phường Nha Trang' }, '2025-09-01', 'communeName', 'cần ghi kèm communeCode'],
])('refused: %s', (_case, address, from, field, message) => {
  const problems = addressProblems(address, from, from < '2025-01-01' ? '2020-12-31' : '2026-11-23');
  expect(problems.map((p) => p.field)).toContain(field);
  expect(problems.find((p) => p.field === field)?.message).toContain(message);
});

test('a new commune before the merger is refused', () => {
  const problems = addressProblems(NHA_TRANG, '2010-01-01', '2025-06-30');
  expect(problems).toEqual([{ field: 'communeCode', message: expect.stringContaining('Phường Nha Trang (mã 22366) chỉ có hiệu lực từ 01/07/2025') as string }]);
});

test.each([
  ['Khánh Hoà', 'Tỉnh Khánh Hòa', true],
  ['phường  phan rang', 'Phường Phan Rang', true],
  ['Thuỷ', 'Thủy', true],
  ['Phường Bảo An', 'Phường Phan Rang', false],
])('names compare without case, unit word or tone placement: %s ~ %s → %s', (a, b, same) => {
  expect(sameUnitName(a, b)).toBe(same);
});

test.each([
  ['a former Ninh Thuận commune after the merger', KINH_DINH, '2026-11-23', { code: '56', name: 'Tỉnh Khánh Hòa' }],
  ['the same commune the day before the merger', KINH_DINH, '2025-06-30', { code: '58', name: 'Tỉnh Ninh Thuận' }],
  ['the former province without a commune, on the day of the merger', { provinceCode: '58' }, '2025-07-01', { code: '56', name: 'Tỉnh Khánh Hòa' }],
  ['an old Khánh Hòa commune', PHUOC_HOA, '2026-01-05', { code: '56', name: 'Tỉnh Khánh Hòa' }],
  ['a province outside the sample', { provinceCode: '79' }, '2026-01-05', { code: '79', name: null }],
])('provinceOn: %s', (_case, address, date, province) => {
  expect(provinceOn(address, date)).toEqual(province);
});

describe('issuingProvinceFor', () => {
  const inPhanRang = { ...KINH_DINH, from: '2001-05-01', to: null, abroad: false };
  const inSaigon = { provinceCode: '79', from: '1995-01-01', to: '2001-04-30', abroad: false };
  const abroad = { provinceCode: '79', from: '2019-01-01', to: null, abroad: true };

  test('a person living in former Ninh Thuận goes to Khánh Hòa after the merger, to Ninh Thuận before', () => {
    expect(issuingProvinceFor([inSaigon, inPhanRang], '2026-11-23')).toEqual({ code: '56', name: 'Tỉnh Khánh Hòa' });
    expect(issuingProvinceFor([inSaigon, inPhanRang], '2025-06-30')).toEqual({ code: '58', name: 'Tỉnh Ninh Thuận' });
  });

  test('a person living abroad goes to the province of the last residence in Việt Nam', () => {
    expect(issuingProvinceFor([inSaigon, { ...inPhanRang, to: '2018-12-31' }, abroad], '2026-11-23')).toEqual({ code: '56', name: 'Tỉnh Khánh Hòa' });
  });

  test('a person who never lived in Việt Nam has no province (Cục Hồ sơ nghiệp vụ issues)', () => {
    expect(issuingProvinceFor([abroad], '2026-11-23')).toBeNull();
  });
});

test('the sample request of a former Ninh Thuận resident is valid and goes to Khánh Hòa after the merger', () => {
  const request = VneidRequest.parse(sampleVneidRequest({ receiptNumber: 'BN-NT-0001', receivedAt: '2026-11-23T08:15:00+07:00', random: seededRandom(5), formerNinhThuan: true }));
  expect(issuingProvinceFor(request.declaration.residences, '2026-11-23')).toEqual({ code: '56', name: 'Tỉnh Khánh Hòa' });
});
