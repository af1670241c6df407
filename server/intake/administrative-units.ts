/**
 * Administrative units by date (processes/administrative-units.json): which province, district
 * and commune a residence may name for its period, and which province an address belongs to on a
 * given day. Since 1/7/2025 the former Ninh Thuận is part of Khánh Hòa, there is no district level
 * and communes have new names and codes (NQ 202/2025/QH15, NQ 1667/NQ-UBTVQH15, Luật 72/2025/QH15).
 * The agency chosen by date asks `issuingProvinceFor` which province's police issue a dossier.
 * Dates are civil dates in Việt Nam (`YYYY-MM-DD`); a unit is in force from `from` (inclusive)
 * to `to` (exclusive).
 */
import { z } from 'zod';
import unitsFile from '../../processes/administrative-units.json';
import { isLocalDate } from '../calendar/civil-time';

const day = z.string().refine(isLocalDate, 'must be a date YYYY-MM-DD').nullable();
const period = { from: day, to: day };
const provinceSchema = z.object({ code: z.string().regex(/^\d{2}$/), name: z.string().min(1), ...period, successor: z.string().optional() });
const districtSchema = z.object({ code: z.string().regex(/^\d{3}$/), name: z.string().min(1), province: z.string(), ...period });
const communeSchema = z.object({
  code: z.string().regex(/^\d{5}$/),
  name: z.string().min(1),
  province: z.string(),
  district: z.string().nullable(),
  ...period,
  successor: z.string().optional(),
});
const unitsFileSchema = z.object({
  /** Every two-digit province code ever used in citizen ID numbers and addresses (63 before 1/7/2025). */
  provinceCodes: z.array(z.string().regex(/^\d{2}$/)).min(1),
  /** Provinces whose districts and communes this file lists; others are checked for their code only. */
  covered: z.array(z.string()),
  provinces: z.array(provinceSchema),
  districts: z.array(districtSchema),
  communes: z.array(communeSchema),
});

export type Province = z.infer<typeof provinceSchema>;
export type District = z.infer<typeof districtSchema>;
export type Commune = z.infer<typeof communeSchema>;
export type AdministrativeUnits = z.infer<typeof unitsFileSchema>;
type Unit = { from: string | null; to: string | null };

/** The units of processes/administrative-units.json, validated once when the module loads. */
export const UNITS: AdministrativeUnits = unitsFileSchema.parse(unitsFile);

/** An address as a residence history gives it: codes, and optionally the names written beside them. */
export interface UnitAddress {
  provinceCode: string;
  districtCode?: string | undefined;
  communeCode?: string | undefined;
  provinceName?: string | undefined;
  districtName?: string | undefined;
  communeName?: string | undefined;
}

export interface AddressProblem {
  field: keyof UnitAddress;
  message: string;
}

const inForceOn = (unit: Unit, date: string): boolean => (unit.from === null || unit.from <= date) && (unit.to === null || date < unit.to);
/** The unit was in force on some day of [from, until] (both inclusive). */
const overlaps = (unit: Unit, from: string, until: string): boolean => (unit.from === null || unit.from <= until) && (unit.to === null || from < unit.to);

/** `2025-07-01` → `01/07/2025`. */
const vnDate = (date: string): string => `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
const lastDayBefore = (date: string): string => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
};
const periodOf = (unit: Unit): string =>
  unit.from === null && unit.to === null ? 'không thời hạn' : `${unit.from ? `từ ${vnDate(unit.from)}` : ''}${unit.from && unit.to ? ' ' : ''}${unit.to ? `đến hết ${vnDate(lastDayBefore(unit.to))}` : ''}`;

const UNIT_PREFIX = /^(tỉnh|thành phố|tp\.?|huyện|quận|thị xã|phường|xã|thị trấn|đặc khu)\s+/u;
/** Names compare without case, without the unit word ("Phường", "Tỉnh") and with either tone placement (Hoà = Hòa). */
export function sameUnitName(a: string, b: string): boolean {
  const key = (name: string): string =>
    name
      .normalize('NFD')
      .replace(/([ou])([aey])([\u0300\u0301\u0303\u0309\u0323])/giu, '$1$3$2')
      .normalize('NFC')
      .toLocaleLowerCase('vi')
      .replace(/\s+/gu, ' ')
      .trim()
      .replace(UNIT_PREFIX, '');
  return key(a) === key(b);
}

const provinceByCode = (units: AdministrativeUnits, code: string): Province | undefined => units.provinces.find((p) => p.code === code);
const provinceLabel = (units: AdministrativeUnits, code: string): string => {
  const province = provinceByCode(units, code);
  return province ? `${province.name} (mã ${code})` : `tỉnh mã ${code}`;
};

/**
 * What is wrong with an address for a residence from `from` to `until` (inclusive): a code
 * unknown to the province, a unit not in force in that period (an old name after 1/7/2025, a new
 * one before), a district after the district level ended, a name that does not match its code.
 */
export function addressProblems(address: UnitAddress, from: string, until: string, units: AdministrativeUnits = UNITS): AddressProblem[] {
  if (!units.provinceCodes.includes(address.provinceCode)) {
    return [{ field: 'provinceCode', message: `mã tỉnh ${address.provinceCode} không có trong danh mục đơn vị hành chính` }];
  }
  if (!units.covered.includes(address.provinceCode)) return [];
  const province = provinceByCode(units, address.provinceCode);
  if (!province) return [{ field: 'provinceCode', message: `mã tỉnh ${address.provinceCode} không có trong danh mục đơn vị hành chính` }];
  const problems: AddressProblem[] = [];
  if (!overlaps(province, from, until)) {
    const successor = province.successor ? `; từ ${vnDate(province.to ?? from)} ghi ${provinceLabel(units, province.successor)}` : '';
    problems.push({ field: 'provinceCode', message: `${province.name} (mã ${province.code}) chỉ có hiệu lực ${periodOf(province)}, không dùng cho nơi cư trú ${vnDate(from)}–${vnDate(until)}${successor}` });
  }
  if (address.provinceName !== undefined && !sameUnitName(address.provinceName, province.name)) {
    problems.push({ field: 'provinceName', message: `"${address.provinceName}" không phải tên của mã tỉnh ${province.code} (${province.name})` });
  }
  problems.push(...districtProblems(units, address, from, until), ...communeProblems(units, address, from, until));
  return problems;
}

function districtProblems(units: AdministrativeUnits, address: UnitAddress, from: string, until: string): AddressProblem[] {
  if (address.districtCode === undefined) {
    return address.districtName === undefined ? [] : [{ field: 'districtName', message: 'cần ghi kèm districtCode (mã huyện)' }];
  }
  const district = units.districts.find((d) => d.code === address.districtCode && d.province === address.provinceCode);
  if (!district) {
    return [{ field: 'districtCode', message: `mã huyện ${address.districtCode} không có trong danh mục của ${provinceLabel(units, address.provinceCode)}` }];
  }
  const problems: AddressProblem[] = [];
  if (!overlaps(district, from, until)) {
    problems.push({ field: 'districtCode', message: `${district.name} (mã ${district.code}) chỉ có hiệu lực ${periodOf(district)}; từ 01/07/2025 không còn cấp huyện (Luật 72/2025/QH15), nơi cư trú ${vnDate(from)}–${vnDate(until)} bỏ mã huyện` });
  }
  if (address.districtName !== undefined && !sameUnitName(address.districtName, district.name)) {
    problems.push({ field: 'districtName', message: `"${address.districtName}" không phải tên của mã huyện ${district.code} (${district.name})` });
  }
  return problems;
}

function communeProblems(units: AdministrativeUnits, address: UnitAddress, from: string, until: string): AddressProblem[] {
  if (address.communeCode === undefined) {
    return address.communeName === undefined ? [] : [{ field: 'communeName', message: 'cần ghi kèm communeCode (mã xã)' }];
  }
  const sameCode = units.communes.filter((c) => c.code === address.communeCode);
  const inProvince = sameCode.filter((c) => c.province === address.provinceCode);
  if (inProvince.length === 0) {
    const elsewhere = sameCode[0];
    const where = elsewhere ? ` (mã này là ${elsewhere.name}, ${provinceLabel(units, elsewhere.province)})` : '';
    return [{ field: 'communeCode', message: `mã xã ${address.communeCode} không có trong danh mục của ${provinceLabel(units, address.provinceCode)}${where}` }];
  }
  const commune = inProvince.find((c) => overlaps(c, from, until));
  if (!commune) {
    const known = inProvince[0] as Commune;
    const successor = known.successor ? units.communes.find((c) => c.code === known.successor && c.from === known.to) : undefined;
    const next = successor ? `; từ ${vnDate(successor.from ?? from)} là ${successor.name}, ${provinceLabel(units, successor.province)}, mã ${successor.code}` : '';
    return [{ field: 'communeCode', message: `${known.name} (mã ${known.code}) chỉ có hiệu lực ${periodOf(known)}, không dùng cho nơi cư trú ${vnDate(from)}–${vnDate(until)}${next}` }];
  }
  const problems: AddressProblem[] = [];
  if (commune.district !== null && address.districtCode !== undefined && commune.district !== address.districtCode) {
    problems.push({ field: 'communeCode', message: `${commune.name} (mã ${commune.code}) không thuộc huyện mã ${address.districtCode}` });
  }
  if (address.communeName !== undefined && !sameUnitName(address.communeName, commune.name)) {
    const other = sameCode.find((c) => c !== commune && sameUnitName(address.communeName ?? '', c.name));
    const why = other ? `: "${other.name}" là tên ${periodOf(other)}` : '';
    problems.push({ field: 'communeName', message: `"${address.communeName}" không phải tên của mã xã ${commune.code} trong giai đoạn ${vnDate(from)}–${vnDate(until)} (${commune.name})${why}` });
  }
  return problems;
}

/** A province as it is on a given day. `name` is null for a province this file does not cover. */
export interface ProvinceOnDay {
  code: string;
  name: string | null;
}

/**
 * The province an address belongs to on `date`: an old commune is followed to its successor
 * commune, a merged province to the province it merged into (former Ninh Thuận → Khánh Hòa from
 * 1/7/2025). Addresses of provinces the file does not cover keep their code.
 */
export function provinceOn(address: Pick<UnitAddress, 'provinceCode' | 'communeCode'>, date: string, units: AdministrativeUnits = UNITS): ProvinceOnDay {
  const candidates = units.communes.filter((c) => c.code === address.communeCode && c.province === address.provinceCode);
  let commune = candidates.find((c) => inForceOn(c, date)) ?? candidates.find((c) => c.to !== null && c.to <= date);
  for (let hops = 0; commune && !inForceOn(commune, date) && commune.successor && hops < 10; hops += 1) {
    const after: string | null = commune.to;
    const successorCode: string = commune.successor;
    commune = units.communes.find((c) => c.code === successorCode && c.from === after);
  }
  let code = commune && inForceOn(commune, date) ? commune.province : address.provinceCode;
  for (let province = provinceByCode(units, code), hops = 0; province && !inForceOn(province, date) && province.successor && hops < 10; hops += 1) {
    code = province.successor;
    province = provinceByCode(units, code);
  }
  return { code, name: provinceByCode(units, code)?.name ?? null };
}

/** One place of residence of a declaration, as far as routing needs it. */
export interface RoutedResidence extends UnitAddress {
  from: string;
  to: string | null;
  abroad: boolean;
}

/**
 * The province whose police issue the certificate, on the receipt date: that of the residence in
 * Việt Nam the person lives in on that day (the most recent one if several), else of the last
 * residence in Việt Nam before leaving (NĐ 216/2026 Art. 22(6)); null when the person never lived
 * in Việt Nam: Cục Hồ sơ nghiệp vụ (V06) issues.
 */
export function issuingProvinceFor(residences: readonly RoutedResidence[], receiptDate: string, units: AdministrativeUnits = UNITS): ProvinceOnDay | null {
  const inVietnam = residences.filter((r) => !r.abroad);
  const current = inVietnam.filter((r) => r.from <= receiptDate && (r.to === null || r.to >= receiptDate));
  const byLatest = (list: readonly RoutedResidence[], key: (r: RoutedResidence) => string): RoutedResidence | undefined =>
    [...list].sort((a, b) => key(b).localeCompare(key(a)))[0];
  const residence = byLatest(current, (r) => r.from) ?? byLatest(inVietnam, (r) => r.to ?? r.from);
  return residence ? provinceOn(residence, receiptDate, units) : null;
}
