/**
 * Separation of duties on the real stack (API, workers, simulators, broker, PostgreSQL):
 * - an administrator's account never claims or completes a task that decides a dossier (403),
 *   even when it also holds the task's role in the task's unit (it may only give back a task it
 *   still holds from before);
 * - four eyes: the leader's approval (`approveCertificate`) names the head of division's review
 *   (`reviewDraft`) with `lltp:fourEyes.after`, so the person who reviewed may not claim or
 *   complete the approval even when they hold both roles; another person may.
 *
 * Khánh Hòa's internal procedure puts the review and the approval in two units, so no single
 * account reaches both there. To show the rule itself, the dossiers run under a fictional
 * agency (STP.BMT) whose internal procedure is Khánh Hòa's 2799 model renamed, with the
 * approval moved into the review's unit (test-only copy; the shipped models are unchanged).
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hashPassword } from '../../../server/auth/passwords';
import { formatInstant } from '../../../server/calendar/civil-time';
import { AGENCIES_FILE, PROCESSES_DIR } from '../../../server/sla/catalog';
import { sampleVneidRequest, seededRandom } from '../../../tools/simulators/sample-requests';
import { testNowMs } from '../../support/clock';
import { PARTNER, STAFF_PASSWORD, startSystem, type SystemUnderTest } from '../../support/system';
import { uniqueId } from '../../support/unique';
import { eventually } from '../../support/wait';

const AGENCY = { code: 'STP.BMT', name: 'Sở Tư pháp tỉnh Bốn Mắt (hư cấu)', effectiveFrom: '2024-10-29', nationalProcedure: 'quy-trinh-570', internalProcedure: 'bon-mat-thu' };
const SOURCE_MODEL = 'khanh-hoa-2799-v20241029.bpmn';

let dir: string;
let s: SystemUnderTest;
let n = 0;

/** The fictional province's internal procedure: Khánh Hòa's renamed, the approval in the review's unit (stp-hctp). */
async function writeFixtureModels(): Promise<void> {
  dir = await mkdtemp(path.join(tmpdir(), 'lltp-four-eyes-'));
  await cp(PROCESSES_DIR, dir, { recursive: true });
  const model = await readFile(path.join(PROCESSES_DIR, SOURCE_MODEL), 'utf8');
  const start = model.indexOf('<bpmn:userTask id="approveCertificate"');
  const end = model.indexOf('</bpmn:userTask>', start);
  expect(model.slice(start, end)).toContain('<zeebe:property name="lltp:fourEyes.after" value="reviewDraft" />');
  const approval = model.slice(start, end).replace('name="lltp:sla.unit" value="stp-lanh-dao"', 'name="lltp:sla.unit" value="stp-hctp"');
  // the Sở's model ends on 1/3/2025 (lltp:effectiveTo); the fictional province keeps it in force
  const renamed = (model.slice(0, start) + approval + model.slice(end)).replaceAll('khanh-hoa-2799', 'bon-mat-thu').replace(/\s*<zeebe:property name="lltp:effectiveTo" value="[^"]*" \/>/, '');
  await writeFile(path.join(dir, 'bon-mat-thu-v20241029.bpmn'), renamed);
  const agencies = JSON.parse(await readFile(path.join(dir, AGENCIES_FILE), 'utf8')) as { agencies: unknown[] };
  agencies.agencies.push(AGENCY);
  await writeFile(path.join(dir, AGENCIES_FILE), `${JSON.stringify(agencies, null, 2)}\n`);
}

beforeAll(async () => {
  await writeFixtureModels();
  s = await startSystem('separation_of_duties', 5600, { PROCESSES_DIR: dir, AGENCY_CODE: AGENCY.code });
  const passwordHash = await hashPassword(STAFF_PASSWORD);
  const user = (username: string, roles: string[], unitId: string) => ({ username, displayName: username, email: `${username}@stp.example.vn`, roles, unitId, passwordHash, active: true, createdAt: new Date(testNowMs()) });
  await s.db
    .insertInto('users')
    .values([
      // two heads of division who are also leaders, in the unit of both steps
      user('kiemduyet1', ['headOfDivision', 'leader'], 'stp-hctp'),
      user('kiemduyet2', ['headOfDivision', 'leader'], 'stp-hctp'),
      // an administrator's account that also holds the one-stop officer's role at the desk
      user('quantrimotcua', ['administrator', 'oneStopOfficer'], 'stp-mot-cua'),
    ])
    .execute();
}, 120_000);
afterAll(async () => {
  await s?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function intake(): Promise<string> {
  n += 1;
  const request = sampleVneidRequest({ receiptNumber: `BMT-${uniqueId()}-${n}`, receivedAt: formatInstant(testNowMs()), random: seededRandom(700 + n), paperCopyByPost: false });
  const received = await s.call('POST', '/api/intake/vneid', request, PARTNER);
  expect(received.status).toBe(201);
  return String(received.body.dossierCode);
}

const claim = async (taskId: string, username: string) => s.call('POST', `/api/tasks/${taskId}/claim`, {}, await s.as(username));
const complete = async (taskId: string, username: string, data: Record<string, unknown> = {}) => s.call('POST', `/api/tasks/${taskId}/complete`, { data }, await s.as(username));
const taskRow = (id: string) => s.db.selectFrom('tasks').select(['status', 'claimedBy', 'completedBy']).where('id', '=', id).executeTakeFirstOrThrow();

test('an administrator cannot claim or complete a task that decides a dossier, even holding the task role in its unit', async () => {
  const code = await intake();
  const { task } = await s.task(code, 'motcua', 'lltp.form.check-dossier');
  for (const admin of ['quantri', 'quantrimotcua']) {
    const claimed = await claim(task.id, admin);
    expect(claimed.status).toBe(403);
    expect(String(claimed.body.error)).toMatch(/quản trị hệ thống không được nhận hay hoàn thành/i);
    const completed = await complete(task.id, admin, { intakeDecision: 'refuse', refusalReason: 'thử' });
    expect(completed.status).toBe(403);
    expect(String(completed.body.error)).toMatch(/quản trị hệ thống/i);
  }
  // an administrator's inbox is empty: nothing in it is theirs to work
  const listed = await s.call('GET', '/api/tasks', undefined, await s.as('quantri'));
  expect(listed.status).toBe(200);
  expect(listed.body.tasks).toEqual([]);
  expect(await taskRow(task.id)).toMatchObject({ status: 'open', claimedBy: null });
  // a task an administrator still holds (claimed before this rule) can be given back, by them only
  expect((await s.call('POST', `/api/tasks/${task.id}/release`, {}, await s.as('quantri'))).status).toBe(403);
  await s.db.updateTable('tasks').set({ status: 'claimed', claimedBy: 'quantri' }).where('id', '=', task.id).execute();
  expect((await complete(task.id, 'quantri', { intakeDecision: 'accept' })).status).toBe(403);
  expect((await s.call('POST', `/api/tasks/${task.id}/release`, {}, await s.as('quantri'))).status).toBe(200);
  expect(await taskRow(task.id)).toMatchObject({ status: 'open', claimedBy: null });
  // the one-stop officer still works it
  await s.work(code, 'motcua', 'lltp.form.check-dossier', { intakeDecision: 'accept' });
}, 120_000);

test('four eyes: whoever reviewed the draft cannot claim or complete its approval, even holding both roles; another person can', async () => {
  const code = await intake();
  await s.work(code, 'motcua', 'lltp.form.check-dossier', { intakeDecision: 'accept' });
  await s.work(code, 'chuyenvien', 'lltp.form.accept-in-lltp');
  await s.work(code, 'chuyenvien', 'lltp.form.search-records', { searchOutcome: 'noRecord' });
  // a VNeID dossier goes to the police (step 7) even with no record; the simulator answers, step 8 follows
  await s.work(code, 'chuyenvien', 'lltp.form.record-verification');
  await s.work(code, 'chuyenvien', 'lltp.form.draft-certificate');
  await s.work(code, 'kiemduyet1', 'lltp.form.review-draft', { reviewDecision: 'approve' });

  // the approval is in kiemduyet1's unit and role: listed, but refused to the reviewer
  const { task } = await s.task(code, 'kiemduyet1', 'lltp.form.approve-certificate');
  const refused = await claim(task.id, 'kiemduyet1');
  expect(refused.status).toBe(403);
  expect(String(refused.body.error)).toMatch(/bốn mắt.*Kiểm tra dự thảo/i);
  expect(await taskRow(task.id)).toMatchObject({ status: 'open', claimedBy: null });

  // completion is checked too (a claim made before the rule was in the model)
  await s.db.updateTable('tasks').set({ status: 'claimed', claimedBy: 'kiemduyet1' }).where('id', '=', task.id).execute();
  const notCompleted = await complete(task.id, 'kiemduyet1');
  expect(notCompleted.status).toBe(403);
  expect(String(notCompleted.body.error)).toMatch(/bốn mắt/i);
  expect(await taskRow(task.id)).toMatchObject({ status: 'claimed', completedBy: null });
  await s.db.updateTable('tasks').set({ status: 'open', claimedBy: null }).where('id', '=', task.id).execute();

  // another person with the same roles approves
  expect((await claim(task.id, 'kiemduyet2')).status).toBe(200);
  expect((await complete(task.id, 'kiemduyet2')).status).toBe(200);
  const done = await eventually(async () => {
    const d = await s.dossier(code);
    return d.status === 'closed' && d.outcome === 'issued' ? d : undefined;
  }, `dossier ${code} to be issued`, 45_000);
  const timeline = done.timeline as { elementId: string; actor: string | null }[];
  expect(timeline.find((t) => t.elementId === 'reviewDraft')?.actor).toBe('kiemduyet1');
  expect(timeline.find((t) => t.elementId === 'approveCertificate')?.actor).toBe('kiemduyet2');
}, 150_000);
