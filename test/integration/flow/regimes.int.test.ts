/**
 * Today's law as model versions (issue 24): a dossier received on a date of each regime gets, on
 * the real API, database and broker, the version, the issuing body and the statutory working days
 * the law of its receipt date gives it; the dossier view names its agency and version. The
 * receipt instant is the request's `receivedAt` (as the one-stop system sends it for a request
 * made on VNeID earlier), so no clock is moved.
 */
import { sampleVneidRequest, seededRandom } from '../../../tools/simulators/sample-requests';
import { findDossier } from '../../../server/readmodel/dossier';
import { PARTNER_HEADERS, startApiUnderTest, type ApiUnderTest } from '../../support/api';
import { uniqueId } from '../../support/unique';

let t: ApiUnderTest;
beforeAll(async () => {
  t = await startApiUnderTest('regimes');
}, 60000);
afterAll(async () => t?.stop());

const SO = { code: 'STP.KHA', name: 'Sở Tư pháp tỉnh Khánh Hòa' };
const POLICE = { code: 'CA.KHA', name: 'Công an tỉnh Khánh Hòa — Phòng Hồ sơ nghiệp vụ (PV06)' };

test.each([
  ['R1, Sở Tư pháp, 10 days', '2024-11-05T09:00:00+07:00', SO, 'quy-trinh-570-v20241001', 'khanh-hoa-2799-v20241029', 10],
  ['R2, the police under the 2009 law, 10 days', '2025-03-10T09:00:00+07:00', POLICE, 'quy-trinh-570-v20250301', 'khanh-hoa-pv06-v20250301', 10],
  ['R2b, the merged province, 10 days', '2025-08-15T09:00:00+07:00', POLICE, 'quy-trinh-570-v20250701', 'khanh-hoa-pv06-v20250301', 10],
  ['R3, Law 107/2025, 5 working days', '2026-12-07T09:00:00+07:00', POLICE, 'quy-trinh-570-v20260701', 'khanh-hoa-pv06-v20260701', 5],
])('%s: a dossier received %s', async (_regime, receivedAt, agency, processId, internalProcessId, days) => {
  const yymmdd = receivedAt.slice(2, 10).replaceAll('-', '');
  const body = sampleVneidRequest({ receiptNumber: `BN-REGIME-${uniqueId()}`, receivedAt, random: seededRandom(7) });
  const answer = await t.post('/api/intake/vneid', body, PARTNER_HEADERS);
  expect(answer.status).toBe(201);
  expect(answer.body).toMatchObject({ agencyName: agency.name, procedure: processId, statutoryWorkingDays: days });
  const code = String(answer.body.dossierCode);
  expect(code).toMatch(new RegExp(`^${agency.code.replace('.', '\\.')}-${yymmdd}-\\d{4}$`));

  const dossier = await findDossier(t.db, code);
  expect(dossier).toMatchObject({ agencyCode: agency.code, processId, internalProcessId, statutoryWorkingDays: days });
  expect(typeof dossier?.processInstanceKey).toBe('string');

  const view = await t.get(`/api/dossiers/${code}`, await t.login('thanhtra'));
  expect(view.status).toBe(200);
  expect(view.body).toMatchObject({ agency, process: { processId, internalProcessId }, deadlines: { statutoryWorkingDays: days } });
});
