/**
 * The rules a version must meet to be submitted and approved, as pure functions (the service
 * reads the facts, these judge them; test/unit/process-submissions/rules.unit.test.ts):
 *
 * - its effective date is the model's own `lltp:effectiveFrom`, and it is after today (the
 *   Việt Nam civil date by the product's clock): a version never governs a day already begun;
 * - it does not overlap another version of the same procedure (same `lltp:procedure`, i.e. the
 *   same province and process): installed, deployed, pending or approved. A version without
 *   `lltp:effectiveTo` claims its first day (the next version ends it); with one, every day up
 *   to it. Two versions overlap when one claims the other's first day;
 * - a process id exists once: the same id with other XML is refused;
 * - the submitter never approves (nor rejects) their own submission (four eyes).
 */

/** A version as the overlap rule sees it. */
export interface VersionClaim {
  processId: string;
  procedure: string;
  effectiveFrom: string;
  effectiveTo: string | null;
  /** Where it is, in Vietnamese, for the refusal: "đã cài đặt", "đang chờ phê duyệt (đề nghị số 12)". */
  where: string;
}

/** A refusal: the HTTP status, the field or subject it names, the reason in Vietnamese. */
export class SubmissionRefusal extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 413 | 422 | 503,
    readonly parameter: string | null,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'SubmissionRefusal';
  }
}

/** The submitted date must be the model's own `lltp:effectiveFrom`. */
export function effectiveDateMismatch(submitted: string, model: string | undefined): SubmissionRefusal | null {
  if (model === undefined) return new SubmissionRefusal(400, 'xml', 'xml: mô hình không có thuộc tính lltp:effectiveFrom của quy trình (ngày hiệu lực).');
  if (model === submitted) return null;
  return new SubmissionRefusal(
    400,
    'effectiveFrom',
    `effectiveFrom: ngày hiệu lực gửi kèm (${submitted}) khác ngày hiệu lực ghi trong mô hình lltp:effectiveFrom (${model}); sửa một trong hai cho trùng nhau.`,
  );
}

/** A version takes effect after today: a date today or earlier is refused with the reason. */
export function pastEffectiveDate(effectiveFrom: string, today: string): SubmissionRefusal | null {
  if (effectiveFrom > today) return null;
  return new SubmissionRefusal(
    400,
    'effectiveFrom',
    `effectiveFrom: ngày hiệu lực ${effectiveFrom} không sau hôm nay (${today}, giờ Việt Nam): phiên bản có hiệu lực trong quá khứ hoặc từ hôm nay sẽ áp dụng cho hồ sơ đã tiếp nhận, nên không được triển khai. Chọn một ngày từ ngày mai.`,
  );
}

/** Whether a version claims a receipt date: its first day, or every day up to its explicit end. */
function claims(version: VersionClaim, date: string): boolean {
  if (date < version.effectiveFrom) return false;
  return version.effectiveTo === null ? date === version.effectiveFrom : date < version.effectiveTo;
}

/** The first other version of the same procedure that overlaps the draft, if any. */
export function overlappingVersion(draft: VersionClaim, others: readonly VersionClaim[]): VersionClaim | undefined {
  return others.find(
    (other) =>
      other.procedure === draft.procedure &&
      other.processId !== draft.processId &&
      (claims(other, draft.effectiveFrom) || claims(draft, other.effectiveFrom)),
  );
}

const period = (v: VersionClaim): string => (v.effectiveTo ? `từ ${v.effectiveFrom} đến trước ${v.effectiveTo}` : `từ ${v.effectiveFrom}`);

export function overlapRefusal(draft: VersionClaim, other: VersionClaim): SubmissionRefusal {
  return new SubmissionRefusal(
    409,
    'effectiveFrom',
    `effectiveFrom: phiên bản ${draft.processId} (${period(draft)}) trùng thời gian hiệu lực với phiên bản ${other.processId} (${period(other)}, ${other.where}) của cùng quy trình ${draft.procedure}.`,
    { conflictsWith: other.processId },
  );
}

/** A process id already known: the same XML is the same version (nothing to do), other XML is refused. */
export function existingProcessId(processId: string, sameXml: boolean, where: string): SubmissionRefusal {
  return new SubmissionRefusal(
    409,
    'xml',
    sameXml
      ? `xml: phiên bản ${processId} (cùng nội dung, cùng SHA-256) đã có: ${where}; không cần gửi lại.`
      : `xml: mã quy trình ${processId} đã có (${where}) với nội dung khác; một phiên bản đã triển khai không được sửa: tạo phiên bản mới với ngày hiệu lực mới.`,
    { conflictsWith: processId },
  );
}

/** Four eyes: the person who submitted a version may not decide on it, whatever roles they hold. */
export function ownSubmission(submittedBy: string, decider: string, decision: 'approve' | 'reject'): SubmissionRefusal | null {
  if (submittedBy !== decider) return null;
  return new SubmissionRefusal(
    403,
    null,
    decision === 'approve'
      ? 'Bạn là người gửi phiên bản này nên không được tự phê duyệt: một lãnh đạo khác phải phê duyệt (nguyên tắc hai người).'
      : 'Bạn là người gửi phiên bản này nên không được tự quyết định từ chối: một lãnh đạo khác phải xem xét (nguyên tắc hai người).',
  );
}
