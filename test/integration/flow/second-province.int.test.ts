/**
 * A second, clearly fictional province ("Tỉnh Thử Nghiệm", agency STP.TTN) runs Quy trình 570
 * end to end on the real stack, added through model files and agencies.json only: a copy of
 * processes/ plus its internal procedure (test/integration/processes/fixtures/
 * tinh-thu-nghiem-v20250301.bpmn: another table of units, roles and hours, another effective
 * date, another step 9 with no review by the head of division) and one line in agencies.json.
 * No code and no national model changes: the product reads PROCESSES_DIR and AGENCY_CODE.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatInstant } from '../../../server/calendar/civil-time';
import { AGENCIES_FILE, loadProcessCatalog, PROCESSES_DIR } from '../../../server/sla/catalog';
import { sampleVneidRequest, seededRandom } from '../../../tools/simulators/sample-requests';
import { PARTNER, startSystem, type SystemUnderTest } from '../../support/system';
import { eventually } from '../../support/wait';
import { testNowMs } from '../../support/clock';
import { uniqueId } from '../../support/unique';

const FIXTURE = path.join(__dirname, '../processes/fixtures/tinh-thu-nghiem-v20250301.bpmn');
const AGENCY = { code: 'STP.TTN', name: 'Sở Tư pháp tỉnh Thử Nghiệm (hư cấu)', effectiveFrom: '2025-03-01', nationalProcedure: 'quy-trinh-570', internalProcedure: 'tinh-thu-nghiem' };

let dir: string;
let s: SystemUnderTest;
let n = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lltp-second-province-'));
  await cp(PROCESSES_DIR, dir, { recursive: true });
  await cp(FIXTURE, path.join(dir, path.basename(FIXTURE)));
  const agencies = JSON.parse(await readFile(path.join(dir, AGENCIES_FILE), 'utf8')) as { agencies: unknown[] };
  agencies.agencies.push(AGENCY);
  await writeFile(path.join(dir, AGENCIES_FILE), `${JSON.stringify(agencies, null, 2)}\n`);
  s = await startSystem('second_province', 4800, { PROCESSES_DIR: dir, AGENCY_CODE: AGENCY.code });
}, 120_000);
afterAll(async () => {
  await s?.stop();
  await rm(dir, { recursive: true, force: true });
});

interface TimelineStep {
  elementId: string;
  unitId: string;
  role: string | null;
  actor: string | null;
  allotmentWorkingMinutes: number;
  finishedAt: string | null;
}

const work = (code: string, username: string, formKey: string, data: Record<string, unknown> = {}): Promise<void> => s.work(code, username, formKey, data);

test('a dossier of the fictional province runs end to end under its own table and its own step 9', async () => {
  const request = sampleVneidRequest({ receiptNumber: `TTN-${uniqueId()}-${(n += 1)}`, receivedAt: formatInstant(testNowMs()), random: seededRandom(900 + n) });
  const received = await s.call('POST', '/api/intake/vneid', request, PARTNER);
  expect(received.status).toBe(201);
  // the national version of the suite's day (Law 107 from 1/7/2026) with the province's own table
  expect(received.body).toMatchObject({ agencyName: AGENCY.name, procedure: 'quy-trinh-570-v20260701' });
  const code = String(received.body.dossierCode);
  expect(code).toMatch(/^STP\.TTN-\d{6}-\d{4}$/);

  await work(code, 'motcua', 'lltp.form.check-dossier', { intakeDecision: 'accept' });
  await work(code, 'chuyenvien', 'lltp.form.accept-in-lltp');
  await work(code, 'chuyenvien', 'lltp.form.search-records', { searchOutcome: 'noRecord' });
  // a VNeID dossier goes to the police (step 7) even with no record; step 8 under the province's table
  await work(code, 'chuyenvien', 'lltp.form.record-verification');
  await work(code, 'chuyenvien', 'lltp.form.draft-certificate');
  // no review by the head of division in this province: the leader approves the draft directly
  await work(code, 'lanhdao', 'lltp.form.approve-certificate');
  const done = await eventually(async () => {
    const d = await s.dossier(code);
    return d.status === 'closed' && d.outcome === 'issued' ? d : undefined;
  }, `dossier ${code} to be issued`, 45_000);

  const timeline = done.timeline as TimelineStep[];
  const step = (elementId: string) => timeline.find((t) => t.elementId === elementId);
  // The province's table (lltp:step.* of tinh-thu-nghiem-v20250301), not Khánh Hòa's.
  expect(step('checkDossier')).toMatchObject({ unitId: 'stp-mot-cua', role: 'oneStopOfficer', actor: 'motcua', allotmentWorkingMinutes: 180 });
  expect(step('acceptInLltpSoftware')).toMatchObject({ unitId: 'stp-hctp', role: 'lltpOfficer', allotmentWorkingMinutes: 60 });
  expect(step('searchRecords')).toMatchObject({ unitId: 'stp-hctp', role: 'lltpOfficer', allotmentWorkingMinutes: 180 });
  expect(step('returnResult')).toMatchObject({ unitId: 'stp-mot-cua', allotmentWorkingMinutes: 60 });
  // Step 7 is the national model's (ordinary 6h), step 8 the province's row (ordinary 1h).
  expect(step('awaitPoliceAnswer')).toMatchObject({ unitId: 'ca-pv06', role: 'police', allotmentWorkingMinutes: 360 });
  expect(step('recordVerification')).toMatchObject({ unitId: 'stp-hctp', actor: 'chuyenvien', allotmentWorkingMinutes: 60 });
  // Its own step 9.
  expect(step('ttnDraft')).toMatchObject({ role: 'lltpOfficer', actor: 'chuyenvien', allotmentWorkingMinutes: 60 });
  expect(step('ttnApprove')).toMatchObject({ unitId: 'stp-lanh-dao', role: 'leader', actor: 'lanhdao', allotmentWorkingMinutes: 120 });
  expect(step('reviewDraft')).toBeUndefined();
  expect(timeline.every((t) => t.finishedAt !== null)).toBe(true);

  // The shipped province keeps its own table: the same national step, another allotment.
  const shipped = await loadProcessCatalog();
  expect(shipped.stepSla('quy-trinh-570-v20241001', 'checkDossier', 'khanh-hoa-2799-v20241029')?.allotments.ordinary).toBe(240);
}, 180_000);

test('a receipt date before the province\'s agency and internal procedure took effect gets 422 naming receivedAt', async () => {
  const request = sampleVneidRequest({ receiptNumber: `TTN-${uniqueId()}-${(n += 1)}`, receivedAt: '2025-02-28T10:00:00+07:00', random: seededRandom(900 + n) });
  const refused = await s.call('POST', '/api/intake/vneid', request, PARTNER);
  expect(refused.status).toBe(422);
  expect(refused.body).toMatchObject({ field: 'receivedAt' });
  expect(String(refused.body.error)).toContain('STP.TTN');
});
