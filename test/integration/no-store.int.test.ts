/**
 * Answers that carry personal data or data about dossiers are never kept in a browser's cache
 * (`Cache-Control: no-store`): a staff desk PC is shared. Checked on the real API process
 * (startApi, its database, the broker): declarations, dossier details and search, the apology
 * letter route, the inbox, inspection lists and exports, the weekly report archive, the
 * dashboard, log-in; and not on what is public (health, static assets).
 */
import { formatInstant } from '../../server/calendar/civil-time';
import { sampleVneidRequest, seededRandom } from '../../tools/simulators/sample-requests';
import { PARTNER_HEADERS, startApiUnderTest, type ApiUnderTest } from '../support/api';
import { testNowMs } from '../support/clock';
import { uniqueId } from '../support/unique';

let t: ApiUnderTest;
let code: string;

beforeAll(async () => {
  t = await startApiUnderTest('no_store');
  const request = sampleVneidRequest({ receiptNumber: `NOSTORE-${uniqueId()}`, receivedAt: formatInstant(testNowMs()), random: seededRandom(29) });
  const received = await t.post('/api/intake/vneid', request, PARTNER_HEADERS);
  expect(received.status).toBe(201);
  code = String(received.body.dossierCode);
}, 60_000);
afterAll(async () => t?.stop());

/** The civil date (Việt Nam) of the suite's instant. */
const today = (): string => new Date(testNowMs() + 7 * 3_600_000).toISOString().slice(0, 10);

async function headersOf(path: string, username: string | null, init: RequestInit = {}): Promise<{ status: number; cacheControl: string | null }> {
  const auth = username ? await t.login(username) : {};
  const response = await fetch(`${t.api.url}${path}`, { ...init, headers: { ...auth, ...(init.headers as Record<string, string> | undefined) } });
  await response.arrayBuffer();
  return { status: response.status, cacheControl: response.headers.get('cache-control') };
}

const cases: [what: string, path: () => string, username: string | null, status: number][] = [
  ['the declaration (dossier details)', () => `/api/dossiers/${code}?details=1`, 'motcua', 200],
  ['the dossier view', () => `/api/dossiers/${code}`, 'giamsat', 200],
  ['the dossier search', () => `/api/dossiers?q=${code}`, 'giamsat', 200],
  ['the apology letter route (no letter yet)', () => `/api/dossiers/${code}/letters/apology?format=pdf`, 'motcua', 404],
  ['the inbox', () => '/api/tasks', 'motcua', 200],
  ['the inspection list', () => `/api/inspection/dossiers?from=${today()}&to=${today()}`, 'thanhtra', 200],
  ['the inspection export (CSV)', () => `/api/inspection/dossiers?from=${today()}&to=${today()}&format=csv`, 'thanhtra', 200],
  ['the inspection summary', () => `/api/inspection/summary?from=${today()}&to=${today()}`, 'thanhtra', 200],
  ['the weekly report archive', () => '/api/reports/weekly', 'thanhtra', 200],
  ['the monthly report archive', () => '/api/reports/monthly', 'thanhtra', 200],
  ['the dashboard', () => '/api/dashboard/kpis', 'giamsat', 200],
  ['the session owner', () => '/api/auth/me', 'motcua', 200],
  ['a refusal (no session)', () => `/api/dossiers/${code}?details=1`, null, 401],
];

test.each(cases)('%s is answered with Cache-Control: no-store', async (_what, path, username, status) => {
  const answer = await headersOf(path(), username);
  expect(answer.status).toBe(status);
  expect(answer.cacheControl).toBe('no-store');
});

test('log-in answers (the session token) are not stored either', async () => {
  const answer = await headersOf('/api/auth/login', null, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'motcua', password: 'wrong' }) });
  expect(answer.status).toBe(401);
  expect(answer.cacheControl).toBe('no-store');
});

test('what holds no personal data keeps its caching: health, static assets', async () => {
  expect((await headersOf('/healthz', null)).cacheControl).not.toBe('no-store');
  const asset = await fetch(`${t.api.url}/assets/chart.js`);
  await asset.arrayBuffer();
  expect(asset.status).toBe(200);
  expect(asset.headers.get('cache-control')).toMatch(/max-age/);
});
