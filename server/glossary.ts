/**
 * The one place where English identifiers meet their Vietnamese terms. Code uses the
 * identifiers; whatever a person reads (pages, e-mails, CLI output, reports) uses the labels.
 */

/**
 * Status of an open dossier or step against its due time. Due soon (sắp đến hạn): the working
 * time left is at most SLA_DUE_SOON_PERCENT of the allotment and at most SLA_DUE_SOON_MINUTES
 * (server/calendar/status.ts).
 */
export const OPEN_STATUSES = ['onTrack', 'dueSoon', 'overdue'] as const;
export type OpenStatus = (typeof OPEN_STATUSES)[number];

/** Status of a closed dossier or step. */
export const CLOSED_STATUSES = ['early', 'onTime', 'late'] as const;
export type ClosedStatus = (typeof CLOSED_STATUSES)[number];

export const statusLabels: Record<OpenStatus | ClosedStatus, string> = {
  onTrack: 'trong hạn',
  dueSoon: 'sắp đến hạn',
  overdue: 'quá hạn',
  early: 'trước hạn',
  onTime: 'đúng hạn',
  late: 'trễ hạn',
};

/** Kinds and states of days in the working calendar. */
export const calendarLabels = {
  dayOff: 'ngày nghỉ',
  makeUp: 'ngày làm bù',
  pending: 'ngày nghỉ chờ xác nhận',
  official: 'chính thức',
  estimated: 'ước tính',
  confirmed: 'đã xác nhận',
  workingDay: 'ngày làm việc',
  weeklyRestDay: 'ngày nghỉ hằng tuần',
  officeHours: 'giờ hành chính',
} as const;

/** How a dossier reached the one-stop desk. */
export const channelLabels = {
  online: 'trực tuyến',
  paper: 'hồ sơ giấy',
} as const;

/** Domain nouns used as identifiers in the code, with the Vietnamese term they stand for. */
export const terms = {
  dossier: 'hồ sơ',
  step: 'bước xử lý',
  unit: 'đơn vị',
  allotment: 'thời gian được giao',
  dueAt: 'hạn xử lý',
  statutoryDueAt: 'hạn giải quyết theo luật',
  targetDueAt: 'hạn theo chỉ tiêu thí điểm',
  apologyByAt: 'hạn gửi văn bản xin lỗi',
  workingMinutes: 'phút làm việc',
  workingDay: 'ngày làm việc',
  stoppedClock: 'dừng tính thời gian',
  supplement: 'bổ sung hồ sơ',
  apologyLetter: 'văn bản xin lỗi và hẹn lại ngày trả kết quả',
  replan: 'tính lại hạn xử lý',
  audit: 'nhật ký thay đổi',
} as const;

/** The cell types of an inspection export, as named in the files themselves (CSV footer, XLSX summary). */
export const cellTypeLabels = {
  text: 'văn bản',
  integer: 'số nguyên',
  instant: 'thời điểm',
  date: 'ngày',
  workingMinutes: 'thời gian làm việc',
  percent: 'tỷ lệ',
  boolean: 'có/không',
} as const;

/** Case variants of a dossier (server/sla/spec.ts CASE_VARIANTS), as the models' allotments and targets name them. */
export const caseVariantLabels = {
  ordinary: 'hồ sơ thông thường',
  verification: 'hồ sơ cần xác minh',
  statutory: 'trường hợp đặc biệt (thời hạn kéo dài)',
} as const;

/**
 * The `lltp:` properties of the models (processes/README.md), as the versions page names them
 * when it compares two versions; `lltp:sla.*` also stands for an internal procedure's
 * `lltp:step.<element id>.*` table. Variants are added from caseVariantLabels.
 */
export const modelPropertyLabels: Record<string, string> = {
  'lltp:procedure': 'Thủ tục (mã quy trình)',
  'lltp:effectiveFrom': 'Áp dụng cho hồ sơ nhận từ ngày',
  'lltp:effectiveTo': 'Không còn áp dụng từ ngày',
  'lltp:legalBasis': 'Căn cứ pháp lý',
  'lltp:target': 'Chỉ tiêu',
  'lltp:deadline.statutory': 'Thời hạn giải quyết theo luật',
  'lltp:deadline.statutoryExtended': 'Thời hạn theo luật, trường hợp đặc biệt',
  'lltp:deadline.apologyLead': 'Gửi văn bản xin lỗi trước hạn',
  'lltp:deadline.apologyPrompt': 'Nhắc lãnh đạo xin lỗi trước hạn gửi',
  'lltp:deadline.supplementRequest': 'Hạn yêu cầu bổ sung hồ sơ',
  'lltp:deadline.supplementWait': 'Thời gian chờ người dân bổ sung',
  'lltp:form.apology.title': 'Văn bản xin lỗi: tiêu đề',
  'lltp:form.apology.form': 'Văn bản xin lỗi: mẫu và căn cứ',
  'lltp:form.extension.reason': 'Lý do kéo dài thời hạn',
  'lltp:sla.allotment': 'Thời gian được giao',
  'lltp:sla.unit': 'Đơn vị chịu trách nhiệm',
  'lltp:sla.unitName': 'Tên đơn vị',
  'lltp:sla.role': 'Vai trò thực hiện',
  'lltp:sla.escalation': 'Báo cáo khi trễ hạn',
  'lltp:sla.clock': 'Tính thời gian hồ sơ',
  'lltp:sla.governedBy': 'Thời gian do quy trình nội bộ quy định',
  'lltp:fourEyes.after': 'Không cùng người thực hiện bước',
};
