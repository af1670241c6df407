/**
 * A certificate request as the provincial one-stop system forwards it from VNeID (domain
 * brief §7). Strict: unknown fields, wrong types and absurd values are refused with a message
 * naming the field; nothing is written unless the whole request is valid.
 */
import { z } from 'zod';
import { isLocalDate } from '../calendar/civil-time';
import { describeIssues, nfcText, personName } from '../api/text';
import { addressProblems, provinceOn } from './administrative-units';
import { channelRuleProblems, OFFLINE_REASONS, receiptDateOf, requestRuleProblems } from './request-rules';

export { describeIssues };

/** The longest value of each free-text field (docs/http-api.md, "Giới hạn độ dài"). */
export const LIMITS = { name: 100, place: 200, address: 300, purposeDetail: 300, ethnicity: 50, feeReceiptNumber: 40, unitName: 100 } as const;
const localDate = z.string().refine(isLocalDate, 'must be a date YYYY-MM-DD');
const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with an offset, e.g. 2026-11-23T08:15:00+07:00' });

const person = z.strictObject({ fullName: personName(LIMITS.name), birthYear: z.number().int().min(1900).max(2100).optional() });

const residence = z.strictObject({
  from: localDate,
  to: localDate.nullable(),
  address: nfcText(LIMITS.address),
  /** Province code (two digits, as in citizen ID numbers) where the address is. */
  provinceCode: z.string().regex(/^\d{2}$/, 'must be a two-digit province code'),
  /**
   * The district and commune, by code (and name if given), as they were during the residence:
   * old units before 1/7/2025, new ones (no district) after (server/intake/administrative-units.ts).
   */
  districtCode: z.string().regex(/^\d{3}$/, 'phải là mã huyện 3 chữ số').optional(),
  communeCode: z.string().regex(/^\d{5}$/, 'phải là mã xã 5 chữ số').optional(),
  provinceName: nfcText(LIMITS.unitName).optional(),
  districtName: nfcText(LIMITS.unitName).optional(),
  communeName: nfcText(LIMITS.unitName).optional(),
  abroad: z.boolean().default(false),
});

/** Who files the request: the person themself (also when absent) or someone they authorised. */
const requester = z
  .strictObject({
    relationship: z.enum(['self', 'authorised']),
    fullName: personName(LIMITS.name).optional(),
    idNumber: z.string().regex(/^[A-Z0-9]{6,20}$/, 'must be 6–20 capital letters or digits').optional(),
  })
  .superRefine((r, ctx) => {
    if (r.relationship !== 'authorised') return;
    if (!r.fullName) ctx.addIssue({ code: 'custom', path: ['fullName'], message: 'cần ghi họ tên người được ủy quyền' });
    if (!r.idNumber) ctx.addIssue({ code: 'custom', path: ['idNumber'], message: 'cần ghi số giấy tờ tùy thân của người được ủy quyền' });
  });

export const PURPOSES = ['employment', 'studyAbroad', 'visa', 'marriageWithForeigner', 'adoption', 'business', 'other'] as const;

export const VneidRequest = z.strictObject({
  /** Số biên nhận: unique per dossier, the idempotency key. */
  receiptNumber: z.string().regex(/^[A-Za-z0-9.\-_/]{4,40}$/, 'must be 4–40 letters, digits or . - _ /'),
  /** When the one-stop system received the request. */
  receivedAt: instant,
  feeReceiptNumber: nfcText(LIMITS.feeReceiptNumber),
  feeCategory: z.enum(['full', 'reduced', 'exempt']),
  formType: z.union([z.literal(1), z.literal(2)], { message: 'must be 1 or 2 (Phiếu số 1 or số 2)' }),
  purpose: z.enum(PURPOSES),
  purposeDetail: nfcText(LIMITS.purposeDetail).optional(),
  requester: requester.optional(),
  declaration: z.strictObject({
    fullName: personName(LIMITS.name),
    otherNames: z.array(personName(LIMITS.name)).max(5, 'tối đa 5 tên khác').default([]),
    sex: z.enum(['male', 'female']),
    birthDate: localDate,
    birthPlace: nfcText(LIMITS.place),
    nationality: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code, e.g. VN'),
    ethnicity: nfcText(LIMITS.ethnicity),
    idDocument: z.strictObject({
      type: z.enum(['cccd', 'passport']),
      number: z.string().regex(/^[A-Z0-9]{6,20}$/, 'must be 6–20 capital letters or digits'),
      issuedOn: localDate,
    }),
    residences: z.array(residence).min(1, 'must list at least one place of residence').max(30, 'tối đa 30 nơi cư trú'),
    father: person.optional(),
    mother: person.optional(),
    spouse: person.optional(),
    phone: z.string().regex(/^\+?\d{9,15}$/, 'must be 9–15 digits, optionally starting with +'),
    email: z.email({ message: 'must be an e-mail address' }).max(200).optional(),
  }),
  /** The person's request for the verification of automatic expungement (xóa án tích). */
  expungementCheck: z.boolean().default(false),
  copies: z.strictObject({
    /** Paper copies requested besides the electronic certificate. */
    paper: z.number().int().min(0).max(10),
    delivery: z.enum(['none', 'post', 'desk']),
    postalAddress: nfcText(LIMITS.address).optional(),
  }),
}).superRefine((request, ctx) => {
  const { copies } = request;
  if (copies.paper > 0 && copies.delivery === 'none') {
    ctx.addIssue({ code: 'custom', path: ['copies', 'delivery'], message: 'must be post or desk when paper copies are requested' });
  }
  if (copies.delivery === 'post' && !copies.postalAddress) {
    ctx.addIssue({ code: 'custom', path: ['copies', 'postalAddress'], message: 'is required for delivery by post' });
  }
  if (request.declaration.birthDate > request.receivedAt.slice(0, 10)) {
    ctx.addIssue({ code: 'custom', path: ['declaration', 'birthDate'], message: 'must not be after the receipt date' });
    return;
  }
  const receiptDate = receiptDateOf(request.receivedAt);
  request.declaration.residences.forEach((residence, i) => {
    if (residence.abroad) return;
    for (const problem of addressProblems(residence, residence.from, residence.to ?? receiptDate)) {
      ctx.addIssue({ code: 'custom', path: ['declaration', 'residences', i, problem.field], message: problem.message });
    }
  });
  for (const problem of requestRuleProblems(request)) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
});
export type VneidRequest = z.infer<typeof VneidRequest>;

/**
 * The case decides the statutory deadline: 15 working days instead of 10 (Law on LLTP Art. 48).
 * Provinces are counted as they are on the receipt date: Ninh Thuận and Khánh Hòa are one from 1/7/2025.
 */
export function isExtendedCase(request: VneidRequest): boolean {
  const receiptDate = receiptDateOf(request.receivedAt);
  const provinces = new Set(request.declaration.residences.map((r) => provinceOn(r, receiptDate).code));
  return provinces.size > 1 || request.declaration.residences.some((r) => r.abroad) || request.declaration.nationality !== 'VN' || request.expungementCheck;
}

/** Dossiers received through other channels, recorded so the VNeID share can be computed. */
export const OTHER_CHANNELS = ['nationalPortal', 'provincialPortal', 'inPerson', 'post'] as const;
export const OtherChannelRecord = z.strictObject({
  receiptNumber: z.string().regex(/^[A-Za-z0-9.\-_/]{4,40}$/, 'must be 4–40 letters, digits or . - _ /'),
  channel: z.enum(OTHER_CHANNELS),
  receivedAt: instant,
  formType: z.union([z.literal(1), z.literal(2)], { message: 'must be 1 or 2' }),
  finishedAt: instant.optional(),
  /** Why a dossier received from 1/7/2026 was filed in person or by post, when online is the default. */
  offlineReason: z.enum(OFFLINE_REASONS).optional(),
}).superRefine((record, ctx) => {
  for (const problem of channelRuleProblems(record)) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
});
export type OtherChannelRecord = z.infer<typeof OtherChannelRecord>;
