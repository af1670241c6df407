/**
 * Deploying a version with a second person's approval (issue 27, item 4), on the real API,
 * database and broker: a process designer submits a new national version (a copy of the newest
 * one made as in Modeler, effective 20 days after the suite's today); the refusals name their
 * field or the version collided with; the submitter, even holding the leader role, cannot
 * approve it; a leader approves it, which deploys it once (again: the same answer), records the
 * deployment and audits every step with the file's SHA-256; then an intake received on the
 * effective date starts under the new process id in Zeebe and one received the day before under
 * the old. A worker's catalog picks the version up by its periodic check; the CLI deploy is
 * recorded too. An approval after the effective date has passed is refused and the submission
 * ends `failed` with the reason.
 *
 * @moves-clocks the product's clock moves 61 days on for the last test (an effective date passed before approval).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import path from 'node:path';
import { sampleVneidRequest, seededRandom } from '../../../tools/simulators/sample-requests';
import { findDossier } from '../../../server/readmodel/dossier';
import { createLogger } from '../../../server/logger';
import { approveVersion, loadLiveCatalog } from '../../../server/process-submissions/submissions';
import { createZeebeClient } from '../../../server/zeebe';
import { watchDeployedVersions } from '../../../server/process-submissions/refresh';
import { loadProcessCatalog, processesDirOf } from '../../../server/sla/catalog';
import { MAX_MODEL_BYTES } from '../../../server/process-submissions/routes';
import { PARTNER_HEADERS, startApiUnderTest, type ApiUnderTest } from '../../support/api';
import { uniqueId } from '../../support/unique';
import { testNow } from '../../support/clock';
import { eventually } from '../../support/wait';
import { dayBefore, daysAfterToday, NATIONAL, nationalDraft } from './support';

jest.setTimeout(180_000);

let t: ApiUnderTest;
/** How far the product's clock is moved from the suite's (the last test). */
let shiftMs = 0;
const auth: Record<string, Record<string, string>> = {};
const effectiveFrom = daysAfterToday(20);
let draft: { processId: string; xml: string };
const sha256 = (text: string) => createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex');

beforeAll(async () => {
  t = await startApiUnderTest('process_submissions', {}, { now: () => testNow(shiftMs) });
  // a designer who is also a leader: four eyes hold all the same
  const designer = await t.db.selectFrom('users').selectAll().where('username', '=', 'thietke').executeTakeFirstOrThrow();
  await t.db.insertInto('users').values({ ...designer, username: 'thietke-lanhdao', email: 'thietke-lanhdao@example.invalid', roles: ['processDesigner', 'leader'] }).execute();
  for (const user of ['thietke', 'thietke-lanhdao', 'lanhdao', 'motcua', 'quantri']) auth[user] = await t.login(user);
  draft = await nationalDraft(effectiveFrom);
}, 120_000);
afterAll(async () => t?.stop());

async function submit(xml: string | Buffer, date: string | null, headers: Record<string, string>, type = 'application/xml') {
  const query = date === null ? '' : `?effectiveFrom=${date}`;
  const response = await fetch(`${t.api.url}/api/process-submissions${query}`, { method: 'POST', headers: { ...headers, 'content-type': type }, body: xml });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

test('who may call: 401 without a session, 403 for other roles and for a designer approving', async () => {
  expect((await submit(draft.xml, effectiveFrom, {})).status).toBe(401);
  expect((await submit(draft.xml, effectiveFrom, auth.motcua!)).status).toBe(403);
  expect((await submit(draft.xml, effectiveFrom, auth.lanhdao!)).status).toBe(403);
  expect((await t.get('/api/process-submissions', auth.motcua)).status).toBe(403);
  for (const user of ['thietke', 'lanhdao', 'quantri']) expect([user, (await t.get('/api/process-submissions', auth[user])).status]).toEqual([user, 200]);
  expect((await t.post('/api/process-submissions/1/approve', {}, auth.thietke)).status).toBe(403);
  expect((await t.post('/api/process-submissions/1/reject', { reason: 'không đạt' }, auth.quantri)).status).toBe(403);
  const badId = await t.post('/api/process-submissions/abc/approve', {}, auth.lanhdao);
  expect([badId.status, String(badId.body.error).slice(0, 4)]).toEqual([400, 'id: ']);
});

test('a bad submission is refused naming its field, nothing recorded', async () => {
  const past = await nationalDraft(daysAfterToday(0));
  const cases: [string, Promise<{ status: number; body: Record<string, unknown> }>, number, string, RegExp][] = [
    ['no effective date', submit(draft.xml, null, auth.thietke!), 400, 'effectiveFrom', /^effectiveFrom: /],
    ['not a date', submit(draft.xml, '2027-02-30', auth.thietke!), 400, 'effectiveFrom', /không phải ngày có thật/],
    ['no body', submit('', effectiveFrom, auth.thietke!), 400, 'xml', /^xml: /],
    ['JSON instead of the file', submit(JSON.stringify({ xml: draft.xml }), effectiveFrom, auth.thietke!, 'application/json'), 400, 'xml', /^xml: /],
    ['not BPMN', submit('<html><body>không phải BPMN</body></html>', effectiveFrom, auth.thietke!), 400, 'xml', /^xml: /],
    ['too large', submit(Buffer.alloc(MAX_MODEL_BYTES + 1, 0x20), effectiveFrom, auth.thietke!), 413, 'xml', /quá lớn/],
    ['a date other than the model\'s', submit(draft.xml, daysAfterToday(21), auth.thietke!), 400, 'effectiveFrom', new RegExp(`\\(${daysAfterToday(21)}\\).*lltp:effectiveFrom \\(${effectiveFrom}\\)`)],
    ['effective today', submit(past.xml, daysAfterToday(0), auth.thietke!), 400, 'effectiveFrom', /không sau hôm nay/],
    ['an installed version (its date is past)', submit((await nationalDraft('2026-07-01')).xml, '2026-07-01', auth.thietke!), 400, 'effectiveFrom', /không sau hôm nay/],
  ];
  for (const [name, answer, status, parameter, message] of cases) {
    const { status: got, body } = await answer;
    expect([name, got, body.parameter]).toEqual([name, status, parameter]);
    expect({ name, matches: message.test(String(body.error)) }).toEqual({ name, matches: true });
  }
  expect(await t.db.selectFrom('processSubmissions').select('id').execute()).toEqual([]);
});

test('a draft that does not lint is refused 422 with every problem, in Vietnamese, naming the element and the property', async () => {
  const broken = draft.xml.replace(/(<zeebe:property name="lltp:sla\.allotment(?:\.ordinary)?" value=")[^"]+(")/, '$1bốn giờ$2');
  expect(broken).not.toBe(draft.xml);
  const { status, body } = await submit(broken, effectiveFrom, auth.thietke!);
  expect([status, body.parameter]).toEqual([422, 'xml']);
  const problems = body.problems as { elementId: string; message: string }[];
  expect(problems.length).toBeGreaterThan(0);
  expect(problems.some((p) => /lltp:sla\.allotment/.test(p.message) && /không phải thời lượng làm việc/.test(p.message) && p.elementId.includes(': '))).toBe(true);
  expect(await t.db.selectFrom('processSubmissions').select('id').execute()).toEqual([]);
});

test('submit, refusals of overlap and self-approval, approval that deploys once, the intake under the new version', async () => {
  const submitted = await submit(draft.xml, effectiveFrom, auth['thietke-lanhdao']!);
  expect(submitted.status).toBe(201);
  const submission = submitted.body.submission as { id: number; sha256: string; status: string; bpmnProcessId: string; lint: { rule: string }[] };
  expect(submission).toMatchObject({ status: 'submitted', bpmnProcessId: draft.processId, sha256: sha256(draft.xml) });
  expect(submission.lint.map((p) => p.rule)).toContain('lltp/budget');

  // the same file again, and a version whose explicit period takes the pending one's first day
  const again = await submit(draft.xml, effectiveFrom, auth.thietke!);
  expect(again).toMatchObject({ status: 409, body: { parameter: 'xml', conflictsWith: draft.processId } });
  const earlier = daysAfterToday(10);
  const overlapping = await nationalDraft(earlier, daysAfterToday(30));
  const refused = await submit(overlapping.xml, earlier, auth.thietke!);
  expect(refused).toMatchObject({ status: 409, body: { parameter: 'effectiveFrom', conflictsWith: draft.processId } });
  expect(String(refused.body.error)).toContain(`trùng thời gian hiệu lực với phiên bản ${draft.processId}`);

  // four eyes: the submitter holds the leader role, and is refused all the same
  const own = await t.post(`/api/process-submissions/${submission.id}/approve`, {}, auth['thietke-lanhdao']);
  expect(own.status).toBe(403);
  expect(String(own.body.error)).toMatch(/không được tự phê duyệt/);

  const approved = await t.post(`/api/process-submissions/${submission.id}/approve`, {}, auth.lanhdao);
  expect(approved).toMatchObject({ status: 200, body: { deployedNow: true, submission: { status: 'deployed', decidedBy: 'lanhdao' } } });
  // the deployed id with other XML: a deployed version is never edited
  const edited = await submit(draft.xml.replace('</bpmn:definitions>', '<!-- sửa -->\n</bpmn:definitions>'), effectiveFrom, auth.thietke!);
  expect(edited).toMatchObject({ status: 409, body: { parameter: 'xml', conflictsWith: draft.processId } });
  expect(String(edited.body.error)).toContain('với nội dung khác');
  const twice = await t.post(`/api/process-submissions/${submission.id}/approve`, {}, auth.lanhdao);
  expect(twice).toMatchObject({ status: 200, body: { deployedNow: false, submission: { status: 'deployed' } } });

  const deployments = await t.db.selectFrom('processDeployments').selectAll().execute();
  expect(deployments).toEqual([expect.objectContaining({ bpmnProcessId: draft.processId, via: 'approval', actor: 'lanhdao', sha256: submission.sha256, submissionId: submission.id, resourceName: `${draft.processId}.bpmn` })]);
  const audit = await t.db.selectFrom('audit').select(['actor', 'action', 'detail']).where('action', 'like', 'process.%').orderBy('id').execute();
  expect(audit.map((a) => [a.actor, a.action])).toEqual([
    ['thietke-lanhdao', 'process.submit'],
    ['lanhdao', 'process.approve'],
    ['lanhdao', 'process.deploy'],
  ]);
  for (const entry of audit) expect(entry.detail).toContain(`SHA-256 ${submission.sha256}`);

  // a dossier received on the effective date runs under the new version in Zeebe; the day before, under the old
  const old = (await loadProcessCatalog()).versionInForce(NATIONAL, new Date(`${dayBefore(effectiveFrom)}T09:00:00+07:00`)).processId;
  for (const [date, processId] of [[effectiveFrom, draft.processId], [dayBefore(effectiveFrom), old]] as const) {
    const body = sampleVneidRequest({ receiptNumber: `BN-APPROVED-${uniqueId()}`, receivedAt: `${date}T09:00:00+07:00`, random: seededRandom(11) });
    const answer = await t.post('/api/intake/vneid', body, PARTNER_HEADERS);
    expect([date, answer.status, answer.body.procedure]).toEqual([date, 201, processId]);
    const dossier = await findDossier(t.db, String(answer.body.dossierCode));
    expect(dossier).toMatchObject({ processId });
    expect(typeof dossier?.processInstanceKey).toBe('string');
  }
});

test('a worker\'s catalog takes a deployed version at its next check; a rejection needs its reason', async () => {
  const logger = createLogger({ level: 'silent' });
  const dir = processesDirOf(t.config);
  const catalog = await loadLiveCatalog(t.db, dir);
  const stop = watchDeployedVersions({ db: t.db, catalog, dir, logger }, 1000, 1);
  try {
    const next = await nationalDraft(daysAfterToday(40));
    const { body } = await submit(next.xml, daysAfterToday(40), auth.thietke!);
    const id = (body.submission as { id: number }).id;
    expect(await t.post(`/api/process-submissions/${id}/reject`, {}, auth.lanhdao)).toMatchObject({ status: 400, body: { parameter: 'reason' } });
    expect(await t.post(`/api/process-submissions/${id}/approve`, {}, auth.lanhdao)).toMatchObject({ status: 200, body: { deployedNow: true } });
    await eventually(() => Promise.resolve(catalog.plan(next.processId)), 'the worker catalog to take the version', 10_000);

    const third = await nationalDraft(daysAfterToday(50));
    const third1 = await submit(third.xml, daysAfterToday(50), auth.thietke!);
    const thirdId = (third1.body.submission as { id: number }).id;
    const rejected = await t.post(`/api/process-submissions/${thirdId}/reject`, { reason: 'Chưa có văn bản pháp lý làm căn cứ' }, auth.lanhdao);
    expect(rejected).toMatchObject({ status: 200, body: { submission: { status: 'rejected', reason: 'Chưa có văn bản pháp lý làm căn cứ', decidedBy: 'lanhdao' } } });
    expect(await t.post(`/api/process-submissions/${thirdId}/approve`, {}, auth.lanhdao)).toMatchObject({ status: 409 });
    const list = await t.get('/api/process-submissions', auth.thietke);
    expect((list.body.submissions as { id: number; status: string }[]).map((s) => s.status)).toEqual(['rejected', 'deployed', 'deployed']);
  } finally {
    await stop();
  }
});

test('the operators\' CLI deploy is recorded: one row per model via cli with its SHA-256, and the audit', async () => {
  const root = path.resolve(__dirname, '../../..');
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'tools/deploy-processes.ts', '--actor', 'vanhanh'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: t.config.DATABASE_URL, LOG_LEVEL: 'silent' },
  });
  expect(stdout).toContain('recorded');
  const rows = await t.db.selectFrom('processDeployments').selectAll().where('via', '=', 'cli').execute();
  const files = (await loadProcessCatalog()).plans.map((p) => path.basename(p.source)).sort();
  expect(rows.map((r) => r.resourceName).sort()).toEqual(files);
  for (const row of rows) {
    expect(row.actor).toBe('vanhanh');
    expect(row.sha256).toBe(createHash('sha256').update(await readFile(path.join(root, 'processes', row.resourceName))).digest('hex'));
  }
  const audited = await t.db.selectFrom('audit').select('detail').where('action', '=', 'process.deploy').where('actor', '=', 'vanhanh').execute();
  expect(audited).toHaveLength(files.length);
});

test('Zeebe unreachable at approval: 503, the submission stays approved with the error and nothing is recorded; approving again deploys it once', async () => {
  const next = await nationalDraft(daysAfterToday(30));
  const { body } = await submit(next.xml, daysAfterToday(30), auth.thietke!);
  const id = (body.submission as { id: number }).id;
  // a real gRPC client to a port where no gateway listens (no retries: refused at once)
  const unreachable = createZeebeClient({ ...t.config, ZEEBE_GRPC_ADDRESS: 'grpc://127.0.0.1:9' }, { retries: 0 });
  const dir = processesDirOf(t.config);
  try {
    const deps = { db: t.db, catalog: await loadLiveCatalog(t.db, dir), dir, zeebe: unreachable.zeebe, now: () => testNow(shiftMs), logger: createLogger({ level: 'silent' }) };
    await expect(approveVersion(deps, { id, actor: 'lanhdao' })).rejects.toMatchObject({ status: 503 });
  } finally {
    await unreachable.camunda.closeAllClients();
  }
  const row = await t.db.selectFrom('processSubmissions').select(['status', 'decidedBy', 'deployError', 'processDefinitionKey']).where('id', '=', id).executeTakeFirstOrThrow();
  expect(row).toMatchObject({ status: 'approved', decidedBy: 'lanhdao', processDefinitionKey: null });
  expect(row.deployError).toBeTruthy();
  expect(await t.db.selectFrom('processDeployments').select('id').where('bpmnProcessId', '=', next.processId).execute()).toEqual([]);
  // the leader approves again through the API, whose Zeebe answers
  expect(await t.post(`/api/process-submissions/${id}/approve`, {}, auth.lanhdao)).toMatchObject({ status: 200, body: { deployedNow: true, submission: { status: 'deployed' } } });
  expect(await t.post(`/api/process-submissions/${id}/approve`, {}, auth.lanhdao)).toMatchObject({ status: 200, body: { deployedNow: false } });
  expect(await t.db.selectFrom('processDeployments').select('via').where('bpmnProcessId', '=', next.processId).execute()).toEqual([{ via: 'approval' }]);
  expect(await t.db.selectFrom('processSubmissions').select('deployError').where('id', '=', id).executeTakeFirstOrThrow()).toEqual({ deployError: null });
});

test('an approval after the effective date has passed is refused: the submission fails with the reason, audited', async () => {
  const late = await nationalDraft(daysAfterToday(60));
  const { body } = await submit(late.xml, daysAfterToday(60), auth.thietke!);
  const id = (body.submission as { id: number }).id;
  shiftMs = 61 * 24 * 3_600_000;
  try {
    const leader = await t.login('lanhdao'); // a session of the moved clock
    const refused = await t.post(`/api/process-submissions/${id}/approve`, {}, leader);
    expect(refused).toMatchObject({ status: 409, body: { parameter: 'effectiveFrom' } });
    expect(String(refused.body.error)).toContain('không sau hôm nay');
    const row = await t.db.selectFrom('processSubmissions').select(['status', 'decidedBy', 'reason']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'failed', decidedBy: 'lanhdao' });
    expect(row.reason).toContain('không sau hôm nay');
    expect((await t.post(`/api/process-submissions/${id}/approve`, {}, leader)).status).toBe(409);
    const audited = await t.db.selectFrom('audit').select('detail').where('action', '=', 'process.approve.refused').execute();
    expect(audited).toHaveLength(1);
    expect(audited[0]!.detail).toContain(`SHA-256 ${sha256(late.xml)}`);
    expect(await t.db.selectFrom('processDeployments').select('id').where('bpmnProcessId', '=', late.processId).execute()).toEqual([]);
  } finally {
    shiftMs = 0;
  }
});
