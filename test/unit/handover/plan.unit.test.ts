/**
 * The handover's plan (server/handover/plan.ts) on the shipped models and agencies table: which
 * requests are refused and naming which flag, where each open step of a Sở Tư pháp dossier goes
 * under the police's internal procedure, when the internal process instance is migrated, and the
 * dossiers refused, unchanged, because an active element has no counterpart.
 */
import { checkRequest, HandoverInputError, planDossier, type DossierRow, type HandoverRequest } from '../../../server/handover/plan';
import { loadProcessCatalog, type ProcessCatalog } from '../../../server/sla';

let catalog: ProcessCatalog;
beforeAll(async () => {
  catalog = await loadProcessCatalog();
});

const REQUEST: HandoverRequest = { from: 'STP.KHA', to: 'CA.KHA', on: '2025-03-01', actor: 'quantri', dryRun: false };

test.each([
  ['an unknown source', 'from', { from: 'STP.XYZ' }, /STP\.XYZ/],
  ['a source this installation does not run', 'from', { from: 'STP.NTH' }, /không do hệ thống này vận hành/],
  ['a receiver that does not succeed the source', 'to', { from: 'CA.KHA', to: 'CA.KHA' }, /không kế thừa/],
  ['a receiver not in force on the date', 'on', { on: '2025-02-28' }, /không nhận hồ sơ ngày 2025-02-28/],
  ['a date that is no date', 'on', { on: '2025-02-30' }, /YYYY-MM-DD/],
  ['no actor', 'actor', { actor: ' ' }, /người thực hiện/],
])('%s is refused naming --%s', (_case, parameter, change, message) => {
  let thrown: unknown;
  try {
    checkRequest(catalog, { ...REQUEST, ...change });
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(HandoverInputError);
  expect((thrown as HandoverInputError).parameter).toBe(parameter);
  expect((thrown as Error).message).toMatch(message);
});

test('the successor takes its internal procedure version in force on the date', () => {
  expect(checkRequest(catalog, REQUEST).targetInternalProcessId).toBe('khanh-hoa-pv06-v20250301');
});

const DOSSIER: DossierRow = {
  code: 'STP.KHA-250228-0001',
  agencyCode: 'STP.KHA',
  processId: 'quy-trinh-570-v20241001',
  internalProcessId: 'khanh-hoa-2799-v20241029',
  processInstanceKey: '100',
  unitId: 'stp-mot-cua',
};
const step = (elementId: string, processId: string, processInstanceKey: string) => ({ id: `step:${elementId}`, elementId, elementName: null, processId, processInstanceKey, unitId: 'stp-hctp' });
const task = (elementId: string, processId: string, processInstanceKey: string, claimedBy: string | null = null) => ({ id: `task:${elementId}`, elementId, processId, processInstanceKey, unitId: 'stp-hctp', claimedBy });

test('a step of the national procedure keeps its version and takes the police unit; no instance is migrated', () => {
  const result = planDossier(catalog, checkRequest(catalog, REQUEST), DOSSIER, [step('searchRecords', DOSSIER.processId!, '100')], [task('searchRecords', DOSSIER.processId!, '100', 'chuyenvien')]);
  expect(result).toMatchObject({
    ok: true,
    plan: {
      toInternalProcessId: 'khanh-hoa-pv06-v20250301',
      migration: null,
      steps: [{ elementId: 'searchRecords', toProcessId: 'quy-trinh-570-v20241001', toUnit: 'stp-hctp', toUnitName: 'Phòng Hồ sơ nghiệp vụ (PV06) — Công an tỉnh Khánh Hòa', toRole: 'lltpOfficer' }],
      tasks: [{ elementId: 'searchRecords', releasedFrom: 'chuyenvien' }],
    },
  });
});

test('a step of the internal procedure moves to the same element of the police model, whose instance is migrated', () => {
  const internal = DOSSIER.internalProcessId!;
  const result = planDossier(catalog, checkRequest(catalog, REQUEST), DOSSIER, [step('reviewDraft', internal, '200')], [task('reviewDraft', internal, '200')]);
  if (!result.ok) throw new Error(result.reason);
  expect(result.plan.steps[0]).toMatchObject({ toProcessId: 'khanh-hoa-pv06-v20250301', toRole: 'headOfDivision' });
  expect(result.plan.migration?.processInstanceKey).toBe('200');
  expect(result.plan.migration?.targetProcessId).toBe('khanh-hoa-pv06-v20250301');
  expect(result.plan.migration?.mappings).toEqual(expect.arrayContaining([{ sourceElementId: 'reviewDraft', targetElementId: 'reviewDraft' }, { sourceElementId: 'draftCertificate', targetElementId: 'draftCertificate' }]));
});

test.each([
  ['an element the police model lacks', [step('legacyStep', 'khanh-hoa-2799-v20241029', '200')], /legacyStep không có trong quy trình khanh-hoa-pv06-v20250301/],
  ['two internal instances at once', [step('draftCertificate', 'khanh-hoa-2799-v20241029', '200'), step('reviewDraft', 'khanh-hoa-2799-v20241029', '201')], /2 phiên quy trình nội bộ/],
])('a dossier with %s is refused with a Vietnamese reason', (_case, steps, reason) => {
  const result = planDossier(catalog, checkRequest(catalog, REQUEST), DOSSIER, steps, []);
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.reason).toMatch(reason);
});

test('a dossier without an internal procedure is refused', () => {
  const result = planDossier(catalog, checkRequest(catalog, REQUEST), { ...DOSSIER, internalProcessId: null }, [], []);
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.reason).toMatch(/không có quy trình nội bộ/);
});
