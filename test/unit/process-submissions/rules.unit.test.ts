/**
 * The rules of deploying a version with approval (server/process-submissions/rules.ts): the
 * effective date is the model's and after today, versions of one procedure never overlap, the
 * submitter never decides on their own submission.
 */
import { effectiveDateMismatch, existingProcessId, overlappingVersion, ownSubmission, pastEffectiveDate, type VersionClaim } from '../../../server/process-submissions/rules';

const version = (processId: string, effectiveFrom: string, effectiveTo: string | null = null, procedure = 'quy-trinh-570'): VersionClaim => ({
  processId,
  procedure,
  effectiveFrom,
  effectiveTo,
  where: 'đã cài đặt',
});

describe('the effective date', () => {
  test.each([
    ['tomorrow', '2026-12-09', '2026-12-08', null],
    ['today', '2026-12-08', '2026-12-08', 'effectiveFrom'],
    ['yesterday', '2026-12-07', '2026-12-08', 'effectiveFrom'],
    ['a year ago', '2025-12-08', '2026-12-08', 'effectiveFrom'],
  ])('%s (%s, today %s) → refusal naming %s', (_name, date, today, parameter) => {
    const refusal = pastEffectiveDate(date, today);
    expect(refusal?.parameter ?? null).toBe(parameter);
    if (refusal) {
      expect(refusal.status).toBe(400);
      expect(refusal.message).toContain(`ngày hiệu lực ${date} không sau hôm nay (${today}, giờ Việt Nam)`);
    }
  });

  test('the submitted date must be the model\'s lltp:effectiveFrom: a difference names both', () => {
    expect(effectiveDateMismatch('2027-01-01', '2027-01-01')).toBeNull();
    const refusal = effectiveDateMismatch('2027-01-01', '2027-02-01');
    expect(refusal).toMatchObject({ status: 400, parameter: 'effectiveFrom' });
    expect(refusal?.message).toMatch(/2027-01-01.*lltp:effectiveFrom \(2027-02-01\)/);
    expect(effectiveDateMismatch('2027-01-01', undefined)).toMatchObject({ status: 400, parameter: 'xml' });
  });
});

describe('overlap with another version of the same procedure', () => {
  const installed = [version('quy-trinh-570-v20250701', '2025-07-01'), version('quy-trinh-570-v20260701', '2026-07-01')];
  test.each<[string, VersionClaim, readonly VersionClaim[], string | undefined]>([
    ['a later start succeeds the open version in force', version('quy-trinh-570-v20270101', '2027-01-01'), installed, undefined],
    ['the same first day as a pending version', version('quy-trinh-570-v20270101', '2027-01-01'), [...installed, { ...version('quy-trinh-570-v20270101b', '2027-01-01'), where: 'đang chờ' }], 'quy-trinh-570-v20270101b'],
    ['inside a version\'s explicit period', version('quy-trinh-570-v20270301', '2027-03-01'), [version('quy-trinh-570-v20270101', '2027-01-01', '2027-06-01')], 'quy-trinh-570-v20270101'],
    ['on the day an explicit period ends (exclusive)', version('quy-trinh-570-v20270601', '2027-06-01'), [version('quy-trinh-570-v20270101', '2027-01-01', '2027-06-01')], undefined],
    ['an explicit end past the next version\'s start', version('quy-trinh-570-v20270101', '2027-01-01', '2027-09-01'), [version('quy-trinh-570-v20270601', '2027-06-01')], 'quy-trinh-570-v20270601'],
    ['an explicit end on the next version\'s start', version('quy-trinh-570-v20270101', '2027-01-01', '2027-06-01'), [version('quy-trinh-570-v20270601', '2027-06-01')], undefined],
    ['another procedure on the same day', version('quy-trinh-570-v20270101', '2027-01-01'), [version('khanh-hoa-pv06-v20270101', '2027-01-01', null, 'khanh-hoa-pv06')], undefined],
  ])('%s', (_case, draft, others, conflict) => {
    expect(overlappingVersion(draft, others)?.processId).toBe(conflict);
  });

  test('an existing process id: the same XML is "already there", other XML is refused', () => {
    expect(existingProcessId('quy-trinh-570-v20260701', true, 'đã cài đặt').message).toContain('đã có');
    expect(existingProcessId('quy-trinh-570-v20260701', false, 'đã cài đặt')).toMatchObject({ status: 409, parameter: 'xml', extra: { conflictsWith: 'quy-trinh-570-v20260701' } });
  });
});

describe('four eyes', () => {
  test.each([
    ['thietke', 'lanhdao', 'approve', null],
    ['thietke', 'thietke', 'approve', 403],
    ['lanhdao2', 'lanhdao2', 'reject', 403],
  ] as const)('submitted by %s, decided by %s (%s) → %s', (submittedBy, decider, decision, status) => {
    const refusal = ownSubmission(submittedBy, decider, decision);
    expect(refusal?.status ?? null).toBe(status);
    if (refusal) expect(refusal.message).toMatch(/không được tự .*hai người/);
  });
});
