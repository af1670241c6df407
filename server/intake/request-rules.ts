/**
 * Who may request a certificate, and how, by receipt date (processes/request-rules.json): from
 * 1/7/2026 Law 107/2025/QH15 asks the person to be 16 or over, lets only the person themself
 * request a Phiếu số 2, and makes online requests the default (in person or by post only for
 * foreigners and people without an electronic identity). Dossiers received before keep the old
 * rules (NĐ 216/2026 Art. 28). The receipt date is the civil date in Việt Nam.
 */
import { z } from 'zod';
import rulesFile from '../../processes/request-rules.json';
import { dayNumberOf, isLocalDate, localDateOf } from '../calendar/civil-time';

export const OFFLINE_REASONS = ['foreigner', 'noElectronicIdentity'] as const;
export type OfflineReason = (typeof OFFLINE_REASONS)[number];
const OFFLINE_REASON_LABELS: Record<OfflineReason, string> = {
  foreigner: 'người nước ngoài (foreigner)',
  noElectronicIdentity: 'người chưa có định danh điện tử (noElectronicIdentity)',
};

const periodSchema = z.object({
  from: z.string().refine(isLocalDate, 'must be a date YYYY-MM-DD').nullable(),
  basis: z.string().min(1),
  minimumAge: z.number().int().min(0).nullable(),
  formTwoSelfOnly: z.boolean(),
  offlineOnlyFor: z.array(z.enum(OFFLINE_REASONS)).nullable(),
  unverified: z.string().optional(),
});
const rulesFileSchema = z.object({ periods: z.array(periodSchema).min(1) }).refine(
  (file) => file.periods[0]?.from === null && file.periods.every((p, i) => i === 0 || (p.from !== null && p.from > (file.periods[i - 1]?.from ?? ''))),
  'the first period starts with from: null, the others follow in date order',
);
export type RequestRules = z.infer<typeof periodSchema>;

/** The periods of processes/request-rules.json, validated once when the module loads. */
export const REQUEST_RULES: readonly RequestRules[] = rulesFileSchema.parse(rulesFile).periods;

/** The receipt date in Việt Nam of an ISO instant (its own date part if it is no instant at all). */
export function receiptDateOf(receivedAt: string): string {
  const ms = Date.parse(receivedAt);
  return Number.isNaN(ms) ? receivedAt.slice(0, 10) : localDateOf(dayNumberOf(ms));
}

/** The rules for a dossier received on `date` (YYYY-MM-DD). */
export function requestRulesOn(date: string, periods: readonly RequestRules[] = REQUEST_RULES): RequestRules {
  const inForce = periods.filter((p) => p.from === null || p.from <= date);
  return inForce[inForce.length - 1] as RequestRules;
}

/** Age in whole years on `date`: one year more on each birthday (born 29/2: on 1/3 in other years). */
export function ageOn(birthDate: string, date: string): number {
  const years = Number(date.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return date.slice(5) < birthDate.slice(5) ? years - 1 : years;
}

export interface RuleProblem {
  path: (string | number)[];
  message: string;
}

const vnDate = (date: string): string => `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;

/** What a VNeID request breaks of the rules in force on its receipt date. */
export function requestRuleProblems(request: {
  receivedAt: string;
  formType: 1 | 2;
  declaration: { birthDate: string };
  requester?: { relationship: 'self' | 'authorised' } | undefined;
}): RuleProblem[] {
  const date = receiptDateOf(request.receivedAt);
  const rules = requestRulesOn(date);
  const problems: RuleProblem[] = [];
  const age = ageOn(request.declaration.birthDate, date);
  if (rules.minimumAge !== null && age < rules.minimumAge) {
    problems.push({
      path: ['declaration', 'birthDate'],
      message: `người được cấp Phiếu phải đủ ${rules.minimumAge} tuổi vào ngày tiếp nhận ${vnDate(date)} (${rules.basis}); người sinh ngày ${vnDate(request.declaration.birthDate)} mới ${age} tuổi`,
    });
  }
  if (rules.formTwoSelfOnly && request.formType === 2 && request.requester?.relationship === 'authorised') {
    problems.push({
      path: ['requester', 'relationship'],
      message: `Phiếu số 2 chỉ cấp theo yêu cầu của chính người được cấp, không qua người được ủy quyền (${rules.basis}, hồ sơ nhận ngày ${vnDate(date)})`,
    });
  }
  return problems;
}

/** What a dossier of another channel breaks of the rules in force on its receipt date. */
export function channelRuleProblems(record: { receivedAt: string; channel: string; offlineReason?: OfflineReason | undefined }): RuleProblem[] {
  if (record.channel !== 'inPerson' && record.channel !== 'post') return [];
  const date = receiptDateOf(record.receivedAt);
  const rules = requestRulesOn(date);
  if (rules.offlineOnlyFor === null) return [];
  if (record.offlineReason !== undefined && rules.offlineOnlyFor.includes(record.offlineReason)) return [];
  return [{
    path: ['offlineReason'],
    message: `hồ sơ nhận từ ${vnDate(date)} nộp trực tuyến là mặc định (${rules.basis}); nộp trực tiếp hoặc qua bưu chính chỉ dành cho ${rules.offlineOnlyFor.map((r) => OFFLINE_REASON_LABELS[r]).join(' hoặc ')}; ghi offlineReason là một trong các trường hợp đó`,
  }];
}
