/**
 * The contract between the models in processes/ and the code that serves them: every job
 * type (one worker file per type, `workers/<type>.ts`), every user-task form (served by the
 * project's inbox through job type `io.camunda.zeebe:userTask`, form chosen by the job's
 * `io.camunda.zeebe:formKey` header) and every message (published by adapters and the intake
 * API). The project lint rules check the models against this file; the path tests complete
 * jobs and forms with variables that these schemas accept.
 *
 * Conventions for variables: instants are ISO 8601 strings with an offset
 * (`2024-10-07T09:30:00+07:00`); BPMN timers read them with `timeDate = <variable>`.
 * Every task also receives `activatedAt` (local, `=now()` at activation, e.g.
 * `2024-10-07T02:30:00.123Z[Etc/UTC]`). No personal or criminal-record data ever travels in
 * process variables: workers read the declaration from the read model by `dossierCode`.
 *
 * In particular the police's verification result (record found or not) stays in PostgreSQL
 * (`police_requests` and the dossier's row, written by the callback): the message
 * `lltp.police.verification-answered` carries only `policeAnsweredAt`, the instant the product
 * received the answer (a test reads every job's variables after it). No gateway routes on the
 * result: the path was chosen at step 6 (`caseVariant`); a gateway that one day needs to know is
 * given a variable that is no record fact (e.g. `policeAnswered`), or a worker reads the result
 * from the database.
 */
import { z } from 'zod';
import { nfcText } from '../server/api/text';
import { OTHER_CHANNELS } from '../server/intake/vneid-request';

/** An instant as ISO 8601 with an offset or `Z`. */
export const instant = z.iso.datetime({ offset: true });
/** A civil date in Việt Nam, YYYY-MM-DD. */
export const localDate = z.iso.date();

/**
 * Intake channels a national process instance can be started from (`channel`): `vneid` (the
 * VNeID intake, `POST /api/intake/vneid`, the only one that starts a process today) and the
 * other channels of `POST /api/intake/other`. The police gateway after step 6 reads it: every
 * VNeID dossier goes to the provincial police (PV06). The lint (`lltp/sla-reachable`) evaluates
 * the gateway conditions for each of these values.
 */
export const PROCESS_CHANNELS = ['vneid', ...OTHER_CHANNELS] as const;
export type ProcessChannel = (typeof PROCESS_CHANNELS)[number];

/** Variables the intake API sets when it starts the national process. */
export const startVariables = z.object({
  /** Dossier code `<agency code>-YYMMDD-NNNN`: business key and correlation key of every message. */
  dossierCode: z.string().regex(/^[A-Z0-9.]{2,30}-\d{6}-\d{4}$/),
  /** Receiving agency (processes/agencies.json). */
  agencyCode: z.string().min(1),
  /** When the provincial one-stop system received the dossier from VNeID. */
  receivedAt: instant,
  /** Paper copy asked for in VNeID: none, by post, or collected at the desk. */
  paperCopy: z.enum(['none', 'post', 'desk']),
  /** Intake channel (`vneid` for VNeID): whether an ordinary dossier goes to the police (gateway `needsPolice`). */
  channel: z.enum(PROCESS_CHANNELS),
});
export type StartVariables = z.infer<typeof startVariables>;

export const NOTICES = ['accepted', 'supplement-request', 'supplement-expired', 'refusal', 'apology', 'withdrawn'] as const;
export const ESCALATION_REASONS = ['police-late', 'apology-already-issued'] as const;

export interface JobTypeContract {
  /** What the worker does (Vietnamese, shown in the designer README). */
  description: string;
  /** Variables the worker reads (besides `dossierCode`, which every job has). */
  inputs: readonly string[];
  /** Custom headers set on the task, with their allowed values. */
  headers?: Readonly<Record<string, readonly string[]>>;
  /** Variables the worker completes the job with. */
  outputs: z.ZodObject;
}

const deadlines = {
  /** Statutory due instant (10 or 15 working days from `clockStartedAt`). */
  statutoryDueAt: instant,
  /** Pilot target due instant (3 or 9 working days). */
  targetDueAt: instant,
  /** Latest instant to send the apology letter (statutory due − lltp:deadline.apologyLead). */
  apologyByAt: instant,
  /** When the leader is asked for the apology (apologyByAt − lltp:deadline.apologyPrompt): the apology timers. */
  apologyPromptAt: instant,
};

export const jobTypes = {
  'lltp.intake.register': {
    description: 'Bước 2: ghi nhận hồ sơ từ VNeID vào hệ thống một cửa, chọn quy trình nội bộ theo cơ quan tiếp nhận và ngày nhận, tính các hạn ban đầu.',
    inputs: ['agencyCode', 'receivedAt'],
    outputs: z.object({
      /** Process id of the internal procedure in force (ProcessCatalog.processesFor). */
      internalProcessId: z.string().min(1),
      /** When the dossier's clock starts (next opening when received outside office hours). */
      clockStartedAt: instant,
      ...deadlines,
      apologyIssued: z.literal(false),
    }),
  },
  'lltp.notify.citizen': {
    description: 'Gửi thông báo cho công dân qua VNeID (loại thông báo theo header notice).',
    inputs: [],
    headers: { notice: NOTICES },
    outputs: z.object({}),
  },
  'lltp.dossier.issue-refusal': {
    description: 'Lập Phiếu từ chối tiếp nhận, giải quyết hồ sơ (mẫu 03).',
    inputs: ['refusalReason'],
    outputs: z.object({ refusedAt: instant }),
  },
  'lltp.dossier.request-supplement': {
    description: 'Lập Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (mẫu 02); dừng tính thời gian; tính hạn chờ bổ sung.',
    inputs: ['missingItems'],
    outputs: z.object({ clockStoppedAt: instant, supplementDueAt: instant }),
  },
  'lltp.dossier.restart-clock': {
    description: 'Hồ sơ đã bổ sung đầy đủ: tính lại thời gian từ đầu và các hạn.',
    inputs: ['supplementedAt'],
    outputs: z.object({ clockStartedAt: instant, ...deadlines }),
  },
  'lltp.dossier.close-unsupplemented': {
    description: 'Quá hạn bổ sung: kết thúc hồ sơ không giải quyết.',
    inputs: ['supplementDueAt'],
    outputs: z.object({ closedAt: instant }),
  },
  'lltp.lltp-software.push': {
    description: 'Bước 4: đẩy dữ liệu hồ sơ sang Phần mềm quản lý LLTP dùng chung.',
    inputs: [],
    outputs: z.object({ lltpSoftwareId: z.string().min(1) }),
  },
  'lltp.deadline.plan': {
    description: 'Sau bước 6: xác định loại hồ sơ (thông thường / xác minh / luật định 15 ngày) và tính lại các hạn.',
    inputs: ['searchOutcome', 'verificationScope', 'clockStartedAt', 'apologyIssued', 'returnDueAt'],
    outputs: z.object({ caseVariant: z.enum(['ordinary', 'verification', 'statutory']), ...deadlines }),
  },
  'lltp.police.request-verification': {
    description: 'Gửi yêu cầu tra cứu, xác minh sang Công an tỉnh (PV06); tính hạn nhắc và hạn báo cáo lãnh đạo.',
    inputs: ['caseVariant'],
    outputs: z.object({ verificationRequestedAt: instant, policeReminderAt: instant, policeEscalationAt: instant }),
  },
  'lltp.police.remind': {
    description: 'Công an trả lời chậm: gửi văn bản/nhắc việc đôn đốc.',
    inputs: ['verificationRequestedAt'],
    outputs: z.object({}),
  },
  'lltp.sla.escalate': {
    description: 'Báo cáo theo chuỗi báo cáo của bước (header reason).',
    inputs: [],
    headers: { reason: ESCALATION_REASONS },
    outputs: z.object({}),
  },
  'lltp.apology.issue': {
    description: 'Phát hành Phiếu xin lỗi và hẹn lại ngày trả kết quả (mẫu 04); chỉ một lần.',
    inputs: ['apologyReason', 'newReturnDate'],
    outputs: z.object({
      apologyIssued: z.literal(true),
      /** The new return date's end of office hours, as an instant. */
      returnDueAt: instant,
      /** returnDueAt − 1 working day: if the dossier is still open then, it is escalated (no second apology). */
      apologyByAt: instant,
      /** apologyByAt − the prompt lead: when that escalation is made (the timers). */
      apologyPromptAt: instant,
    }),
  },
  'lltp.sign.certificate': {
    description: 'Ký số Phiếu LLTP điện tử (chữ ký số của người có thẩm quyền và của cơ quan).',
    inputs: [],
    outputs: z.object({ certificateNumber: z.string().min(1), signedAt: instant }),
  },
  'lltp.return.result': {
    description: 'Bước 10: trả Phiếu LLTP điện tử về VNeID, Cổng DVC quốc gia và hệ thống một cửa.',
    inputs: ['certificateNumber'],
    outputs: z.object({ returnedAt: instant }),
  },
  'lltp.post.send-copy': {
    description: 'Chuyển bản giấy cho bưu chính công ích để gửi công dân.',
    inputs: ['certificateNumber'],
    outputs: z.object({ postTrackingNumber: z.string().min(1) }),
  },
  'lltp.dossier.close-withdrawn': {
    description: 'Công dân rút hồ sơ: dừng xử lý, ghi nhận việc rút hồ sơ.',
    inputs: ['withdrawnAt'],
    outputs: z.object({ closedAt: instant }),
  },
} as const satisfies Record<string, JobTypeContract>;

export type JobType = keyof typeof jobTypes;

export interface FormContract {
  title: string;
  /** Role the task is offered to (its candidate group). */
  role: string;
  /** Variables shown to the user (besides dossierCode). */
  inputs: readonly string[];
  /** Variables the inbox completes the task with. */
  outputs: z.ZodType<Record<string, unknown>>;
}

/** The longest text an officer may write in a form field (docs/http-api.md, "Giới hạn độ dài"). */
export const FORM_TEXT_LIMITS = { item: 300, items: 50, reason: 2000 } as const;
const reason = nfcText(FORM_TEXT_LIMITS.reason);

export const forms = {
  'lltp.form.check-dossier': {
    title: 'Kiểm tra, tiếp nhận hồ sơ',
    role: 'oneStopOfficer',
    inputs: ['receivedAt', 'clockStartedAt', 'statutoryDueAt'],
    outputs: z.discriminatedUnion('intakeDecision', [
      z.object({ intakeDecision: z.literal('accept') }),
      z.object({
        intakeDecision: z.literal('supplement'),
        missingItems: z.array(nfcText(FORM_TEXT_LIMITS.item)).min(1).max(FORM_TEXT_LIMITS.items, `tối đa ${FORM_TEXT_LIMITS.items} mục`),
      }),
      z.object({ intakeDecision: z.literal('refuse'), refusalReason: reason }),
    ]),
  },
  'lltp.form.accept-in-lltp': {
    title: 'Tiếp nhận hồ sơ trên Phần mềm LLTP',
    role: 'lltpOfficer',
    inputs: ['lltpSoftwareId'],
    outputs: z.object({}),
  },
  'lltp.form.search-records': {
    title: 'Tra cứu, xác minh trong CSDL LLTP',
    role: 'lltpOfficer',
    inputs: ['lltpSoftwareId'],
    outputs: z.discriminatedUnion('searchOutcome', [
      z.object({ searchOutcome: z.literal('noRecord') }),
      z.object({
        searchOutcome: z.literal('needsVerification'),
        /** `extended`: several provinces, abroad, a foreigner or expungement to verify (15 working days). */
        verificationScope: z.enum(['province', 'extended']),
      }),
    ]),
  },
  'lltp.form.record-verification': {
    title: 'Tiếp nhận, cập nhật kết quả xác minh của Công an',
    role: 'lltpOfficer',
    inputs: ['policeAnsweredAt'],
    outputs: z.object({}),
  },
  'lltp.form.apology': {
    title: 'Lập Phiếu xin lỗi và hẹn lại ngày trả kết quả (mẫu 04)',
    role: 'leader',
    inputs: ['statutoryDueAt', 'apologyByAt'],
    outputs: z.object({ apologyReason: reason, newReturnDate: localDate }),
  },
  'lltp.form.hand-over-copy': {
    title: 'Trả bản giấy tại Bộ phận Một cửa',
    role: 'oneStopOfficer',
    inputs: ['certificateNumber'],
    outputs: z.object({ handedOverAt: instant }),
  },
  'lltp.form.draft-certificate': {
    title: 'Lập dự thảo Phiếu LLTP',
    role: 'lltpOfficer',
    inputs: ['caseVariant', 'reviewComment'],
    outputs: z.object({}),
  },
  'lltp.form.review-draft': {
    title: 'Kiểm tra dự thảo Phiếu LLTP',
    role: 'headOfDivision',
    inputs: ['caseVariant'],
    outputs: z.discriminatedUnion('reviewDecision', [
      z.object({ reviewDecision: z.literal('approve') }),
      z.object({ reviewDecision: z.literal('revise'), reviewComment: reason }),
    ]),
  },
  'lltp.form.approve-certificate': {
    title: 'Duyệt ký Phiếu LLTP',
    role: 'leader',
    inputs: ['caseVariant'],
    outputs: z.object({}),
  },
} as const satisfies Record<string, FormContract>;

export type FormKey = keyof typeof forms;

export interface MessageContract {
  description: string;
  /** The correlation key expression every subscription to this message uses. */
  correlationKey: string;
  /** Variables the publisher sends with the message. */
  variables: z.ZodObject;
}

export const messages = {
  'lltp.dossier.supplemented': {
    description: 'Công dân đã nộp bổ sung hồ sơ đầy đủ (từ VNeID / hệ thống một cửa).',
    correlationKey: '=dossierCode',
    variables: z.object({ supplementedAt: instant }),
  },
  'lltp.police.verification-answered': {
    description: 'Công an tỉnh (PV06) đã trả kết quả tra cứu, xác minh (qua Phần mềm LLTP); kết quả chỉ lưu trong cơ sở dữ liệu, không gửi vào quy trình.',
    correlationKey: '=dossierCode',
    /** Only when the product received the answer: never the result (a criminal-record fact). */
    variables: z.object({ policeAnsweredAt: instant }),
  },
  'lltp.dossier.withdrawn': {
    description: 'Công dân rút hồ sơ trên VNeID.',
    correlationKey: '=dossierCode',
    variables: z.object({ withdrawnAt: instant }),
  },
} as const satisfies Record<string, MessageContract>;

export type MessageName = keyof typeof messages;
