/**
 * Fictitious certificate requests, as the provincial one-stop system would forward them from
 * VNeID: used by the demo feed, the tests and the benchmarks. Deterministic for a given seed.
 * Every person here is invented.
 */
import type { VneidRequest } from '../../server/intake/vneid-request';

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Võ', 'Đặng', 'Bùi'];
const MIDDLE = ['Văn', 'Thị', 'Hữu', 'Minh', 'Ngọc', 'Thanh', 'Đức', 'Quốc'];
const GIVEN = ['An', 'Bình', 'Châu', 'Dũng', 'Hà', 'Khánh', 'Lan', 'Long', 'Mai', 'Nam', 'Phương', 'Quân', 'Sơn', 'Trang', 'Vy'];
const WARDS = ['phường Lộc Thọ', 'phường Vĩnh Hải', 'phường Phước Long', 'xã Vĩnh Ngọc', 'phường Cam Nghĩa'];

/** A small, seedable pseudo-random generator (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

export interface SampleOptions {
  receiptNumber: string;
  receivedAt: string;
  random: () => number;
  /** Lived in another province too (statutory 15 working days). */
  extended?: boolean;
  paperCopyByPost?: boolean;
  /**
   * Lives in Phan Rang (the former Ninh Thuận, a Khánh Hòa ward since 1/7/2025), declared with the
   * old province, district and commune codes, valid for a residence that began before the merger.
   */
  formerNinhThuan?: boolean;
}

export function sampleVneidRequest(options: SampleOptions): VneidRequest {
  const { random } = options;
  const fullName = `${pick(random, FAMILY)} ${pick(random, MIDDLE)} ${pick(random, GIVEN)}`;
  const birthYear = 1960 + Math.floor(random() * 45);
  const month = String(1 + Math.floor(random() * 12)).padStart(2, '0');
  const day = String(1 + Math.floor(random() * 28)).padStart(2, '0');
  const residences: VneidRequest['declaration']['residences'] = [
    { from: `${birthYear}-${month}-${day}`, to: null, address: `${1 + Math.floor(random() * 200)} đường Trần Phú, ${pick(random, WARDS)}, Nha Trang, Khánh Hòa`, provinceCode: '56', abroad: false },
  ];
  if (options.formerNinhThuan) {
    residences[0] = {
      ...residences[0]!,
      address: `${1 + Math.floor(random() * 200)} đường Thống Nhất, phường Kinh Dinh, TP Phan Rang-Tháp Chàm, Ninh Thuận`,
      provinceCode: '58',
      districtCode: '582',
      communeCode: '22759',
      communeName: 'Phường Kinh Dinh',
    };
  }
  if (options.extended) {
    residences.unshift({ from: `${birthYear}-${month}-${day}`, to: `${birthYear + 18}-08-31`, address: 'phường Bến Nghé, Quận 1, TP Hồ Chí Minh', provinceCode: '79', abroad: false });
    residences[1]!.from = `${birthYear + 18}-09-01`;
  }
  return {
    receiptNumber: options.receiptNumber,
    receivedAt: options.receivedAt,
    feeReceiptNumber: `BL-${options.receiptNumber}`,
    feeCategory: 'full',
    formType: random() < 0.8 ? 1 : 2,
    purpose: pick(random, ['employment', 'studyAbroad', 'visa', 'marriageWithForeigner', 'business'] as const),
    declaration: {
      fullName,
      otherNames: [],
      sex: fullName.includes(' Thị ') ? 'female' : 'male',
      birthDate: `${birthYear}-${month}-${day}`,
      birthPlace: 'Khánh Hòa',
      nationality: 'VN',
      ethnicity: 'Kinh',
      idDocument: { type: 'cccd', number: `056${String(Math.floor(random() * 1e9)).padStart(9, '0')}`, issuedOn: '2021-06-15' },
      residences,
      father: { fullName: `${fullName.split(' ')[0]} Văn ${pick(random, GIVEN)}` },
      mother: { fullName: `${pick(random, FAMILY)} Thị ${pick(random, GIVEN)}` },
      phone: `09${String(Math.floor(random() * 1e8)).padStart(8, '0')}`,
      email: `nguoidan${Math.floor(random() * 1e6)}@example.vn`,
    },
    expungementCheck: false,
    copies: options.paperCopyByPost
      ? { paper: 1, delivery: 'post', postalAddress: residences[residences.length - 1]!.address }
      : { paper: 0, delivery: 'none' },
  };
}
