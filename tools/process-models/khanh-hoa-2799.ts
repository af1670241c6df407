/**
 * Khánh Hòa's internal procedure (Quyết định số 2799/QĐ-UBND, 29/10/2024) for step 9 of
 * Quy trình 570: draft the certificate, the head of division reviews it, the STP leader
 * approves and signs digitally. Called from the national model through
 * `processId = internalProcessId`; the decree's own step table is not public, so the
 * allotments are the domain brief's default table until the province enters the real one.
 */
import type { ModelSpec } from './dsl';
import { headOfDivision, lltpOfficer, stpLeader, system } from './sla-presets';

const ID = 'khanh-hoa-2799-v20241029';

const byVariant = (ordinary: string, verification: string, statutory: string) => ({ ordinary, verification, statutory });

export const khanhHoa2799: ModelSpec = {
  fileName: `${ID}.bpmn`,
  definitionsId: 'definitions-khanh-hoa-2799-v20241029',
  collaborationId: 'collaboration-khanh-hoa-2799',
  participant: { id: 'participant-khanh-hoa-2799', name: 'Sở Tư pháp tỉnh Khánh Hòa — quy trình nội bộ lập, ký Phiếu LLTP (QĐ 2799)' },
  process: {
    id: ID,
    name: 'Khánh Hòa: lập, trình ký Phiếu LLTP (QĐ 2799)',
    documentation: [
      'Quy trình nội bộ của Sở Tư pháp tỉnh Khánh Hòa theo Quyết định số 2799/QĐ-UBND ngày 29/10/2024 của Chủ tịch UBND tỉnh, cho bước 9 của Quy trình 570 (lập, trình ký Phiếu LLTP điện tử). Được gọi từ quy trình quốc gia qua hoạt động gọi (call activity) với processId = internalProcessId.',
      'MẶC ĐỊNH: bảng phân bổ thời gian (lltp:sla.allotment.*) là bảng mặc định trong tài liệu nghiệp vụ, mục 3 (dòng "Lập dự thảo; trưởng phòng kiểm tra; lãnh đạo ký số": 4 giờ không có án tích / 8 giờ có xác minh), chia cho từng bước: dự thảo 2h/4h, kiểm tra 1h/2h, duyệt ký 1h/2h, ký số tự động 0h. Bảng của QĐ 2799 chưa công bố; đây là giá trị mặc định cho đến khi tỉnh nhập bảng chính thức (tạo phiên bản mới).',
      'Các dòng khác của bảng mặc định (tiếp nhận 4h; tiếp nhận trên phần mềm 2h; tra cứu 4h; Công an 6h/46h; cập nhật kết quả 2h/4h; trả kết quả 2h/4h) nằm trên các bước tương ứng của quy trình quốc gia quy-trinh-570.',
      'Hiệu lực: áp dụng cho hồ sơ nhận từ ngày 29/10/2024 (ngày ký quyết định; giả định có hiệu lực từ ngày ký).',
    ].join('\n'),
    properties: [
      ['lltp:procedure', 'khanh-hoa-2799'],
      ['lltp:effectiveFrom', '2024-10-29'],
      ['lltp:legalBasis', 'Quyết định số 2799/QĐ-UBND ngày 29/10/2024 của Chủ tịch UBND tỉnh Khánh Hòa (bảng thời gian: mặc định theo tài liệu nghiệp vụ mục 3)'],
      ['lltp:target.ordinary', '4h'],
      ['lltp:target.verification', '8h'],
      ['lltp:target.statutory', '8h'],
    ],
  },
  lanes: [
    { id: 'lane-chuyen-vien', name: 'Chuyên viên Phòng HCTP', rows: 1 },
    { id: 'lane-truong-phong', name: 'Trưởng phòng HCTP', rows: 1 },
    { id: 'lane-lanh-dao-so', name: 'Lãnh đạo Sở Tư pháp', rows: 1 },
  ],
  nodes: [
    { kind: 'startEvent', id: 'certificateRequested', name: 'Cần lập Phiếu LLTP', lane: 'lane-chuyen-vien', row: 0, col: 0 },
    { kind: 'exclusiveGateway', id: 'joinDraft', lane: 'lane-chuyen-vien', row: 0, col: 1 },
    { kind: 'userTask', id: 'draftCertificate', name: 'Lập dự thảo Phiếu LLTP', lane: 'lane-chuyen-vien', row: 0, col: 2,
      formKey: 'lltp.form.draft-certificate', candidateGroups: 'lltpOfficer', sla: lltpOfficer(byVariant('2h', '4h', '4h')),
      documentation: 'Thời gian là tổng cho mọi lần lập (kể cả lần sửa sau khi trưởng phòng trả lại).' },
    { kind: 'userTask', id: 'reviewDraft', name: 'Kiểm tra dự thảo', lane: 'lane-truong-phong', row: 0, col: 3,
      formKey: 'lltp.form.review-draft', candidateGroups: 'headOfDivision', sla: headOfDivision(byVariant('1h', '2h', '2h')),
      documentation: 'Kết quả: reviewDecision = approve | revise (kèm reviewComment).' },
    { kind: 'exclusiveGateway', id: 'reviewOutcome', name: 'Đạt?', lane: 'lane-truong-phong', row: 0, col: 4 },
    { kind: 'userTask', id: 'approveCertificate', name: 'Duyệt ký Phiếu', lane: 'lane-lanh-dao-so', row: 0, col: 5,
      formKey: 'lltp.form.approve-certificate', candidateGroups: 'leader', sla: stpLeader(byVariant('1h', '2h', '2h')) },
    { kind: 'serviceTask', id: 'signCertificate', name: 'Ký số Phiếu LLTP điện tử', lane: 'lane-lanh-dao-so', row: 0, col: 6,
      jobType: 'lltp.sign.certificate', sla: system() },
    { kind: 'endEvent', id: 'certificateSigned', name: 'Đã ký Phiếu', lane: 'lane-lanh-dao-so', row: 0, col: 7 },
  ],
  boundaries: [],
  flows: [
    { id: 'flow-requested-join', from: 'certificateRequested', to: 'joinDraft' },
    { id: 'flow-join-draft', from: 'joinDraft', to: 'draftCertificate' },
    { id: 'flow-draft-review', from: 'draftCertificate', to: 'reviewDraft' },
    { id: 'flow-review-outcome', from: 'reviewDraft', to: 'reviewOutcome' },
    { id: 'flow-outcome-approve', from: 'reviewOutcome', to: 'approveCertificate', name: 'Đạt', condition: '=reviewDecision = "approve"' },
    { id: 'flow-outcome-revise', from: 'reviewOutcome', to: 'joinDraft', name: 'Trả lại sửa', condition: '=reviewDecision = "revise"', loop: { side: 'above', lane: 'lane-chuyen-vien' } },
    { id: 'flow-approve-sign', from: 'approveCertificate', to: 'signCertificate' },
    { id: 'flow-sign-end', from: 'signCertificate', to: 'certificateSigned' },
  ],
  messages: [],
};
