/**
 * Versions cover every receipt date a dossier can carry (through the real API, database and
 * broker): a Khánh Hòa dossier received in the pilot before QĐ 2799 runs under the default
 * internal version. A folder where the national version covers a day the internal one does not
 * is refused when loaded (lltp/catalog), so the gap never reaches intake; a date before the
 * agency receives gets 422 naming receivedAt and reserves nothing.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadProcessCatalog, PROCESSES_DIR } from '../../../server/sla/catalog';
import { findDossier } from '../../../server/readmodel/dossier';
import { sampleVneidRequest, seededRandom } from '../../../tools/simulators/sample-requests';
import { PARTNER_HEADERS, startApiUnderTest, type ApiUnderTest } from '../../support/api';
import { countRows } from '../../support/database';
import { uniqueId } from '../../support/unique';

const DEFAULT_VERSION = 'khanh-hoa-2799-v20241001.bpmn';
const TABLES = ['dossiers', 'declarations', 'intakeReceipts', 'dossierCounters', 'audit'] as const;

let t: ApiUnderTest;
let dir: string;
let counter = 0;

beforeAll(async () => {
  // The models as they were before the default version was added: QĐ 2799 from 29/10/2024 only.
  dir = await mkdtemp(path.join(tmpdir(), 'lltp-versions-'));
  await cp(PROCESSES_DIR, dir, { recursive: true, filter: (source) => path.basename(source) !== DEFAULT_VERSION });
  // Such a folder no longer loads: the Sở receives from 1/10/2024 and the national version covers that day, the internal one not
  await expect(loadProcessCatalog(dir)).rejects.toThrow(/STP\.KHA: receives dossiers on 2024-10-01 .*no version of khanh-hoa-2799 is in force then/);
  await cp(path.join(PROCESSES_DIR, DEFAULT_VERSION), path.join(dir, DEFAULT_VERSION));
  t = await startApiUnderTest('intake_versions', { PROCESSES_DIR: dir });
}, 60_000);
afterAll(async () => {
  await t?.stop();
  await rm(dir, { recursive: true, force: true });
});

const request = (receivedAt: string): Record<string, unknown> =>
  sampleVneidRequest({ receiptNumber: `BN-VERSIONS-${uniqueId()}-${(counter += 1)}`, receivedAt, random: seededRandom(counter + 500) });
const counts = async (): Promise<number[]> => Promise.all(TABLES.map((table) => countRows(t.db, table)));

test('with the default version back, a request of 15/10/2024 is received under it', async () => {
  const body = request('2024-10-15T09:00:00+07:00');
  const received = await t.post('/api/intake/vneid', body, PARTNER_HEADERS);
  expect(received.status).toBe(201);
  expect(received.body).toMatchObject({ receivedAt: '2024-10-15T09:00:00+07:00', procedure: 'quy-trinh-570-v20241001', created: true });
  const dossier = await findDossier(t.db, String(received.body.dossierCode));
  expect(dossier).toMatchObject({ processId: 'quy-trinh-570-v20241001', receiptNumber: body.receiptNumber });
  expect(typeof dossier?.processInstanceKey).toBe('string');
});

test('a dossier received before the national pilot (1/10/2024) is refused with 422 naming receivedAt', async () => {
  const before = await counts();
  const refused = await t.post('/api/intake/vneid', request('2024-09-01T09:00:00+07:00'), PARTNER_HEADERS);
  expect(refused.status).toBe(422);
  expect(refused.body).toMatchObject({ field: 'receivedAt' });
  expect(refused.body.error).toMatch(/STP\.KHA.*2024-09-01/);
  expect(await counts()).toEqual(before);
});
