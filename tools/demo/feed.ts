/**
 * The demo's steady stream: every few seconds a fictitious VNeID request arrives through the
 * intake API, and scripted officers work the inbox the way a real desk would — mostly
 * accepting and finding no record, sometimes asking for supplements, refusing, needing the
 * police, sending a draft back; a few dossiers arrive already close to their deadline and a
 * few tasks are left alone, so alerts and apology tasks appear. Every call goes through the
 * public API with the demo accounts, exactly as people and partner systems would.
 *
 *   tsx tools/demo/feed.ts [--interval-ms 4000] [--count 0 (endless)] [--seed 1]
 */
import { signIfPartner } from '../../server/auth/partner-signature';
import { parseArgs } from 'node:util';
import { dayNumberOf, formatInstant, localDateOf } from '../../server/calendar/civil-time';
import { seedCalendarData } from '../../server/calendar/seed';
import { WorkingCalendars } from '../../server/calendar/working-calendar';
import { loadConfig } from '../../server/config';
import { sampleVneidRequest, seededRandom } from '../simulators/sample-requests';

const config = loadConfig();
const { values } = parseArgs({ options: { 'interval-ms': { type: 'string', default: '4000' }, count: { type: 'string', default: '0' }, seed: { type: 'string', default: String(Date.now() % 100000) } } });
const intervalMs = Number(values['interval-ms']);
const total = Number(values.count);
const random = seededRandom(Number(values.seed));
const base = config.PUBLIC_BASE_URL;
const partner = { 'x-partner-id': 'mot-cua-tinh', 'x-api-key': config.DEMO_PARTNER_KEY };
const calendar = new WorkingCalendars(seedCalendarData()).forUnit('stp-mot-cua');

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const sent = body === undefined ? undefined : JSON.stringify(body);
  const response = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json', ...signIfPartner(headers, method, path, sent, () => Date.now()) }, body: sent });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const sessions = new Map<string, Record<string, string>>();
async function as(username: string): Promise<Record<string, string>> {
  const known = sessions.get(username);
  if (known) return known;
  const login = await call('POST', '/api/auth/login', { username, password: config.DEMO_PASSWORD });
  if (login.status !== 200) throw new Error(`cannot log in as ${username}: ${JSON.stringify(login.body)}`);
  const headers = { authorization: `Bearer ${String(login.body.token)}` };
  sessions.set(username, headers);
  return headers;
}

const stats = { received: 0, supplements: 0, withdrawn: 0, completedTasks: 0, leftAlone: 0 };
const ignored = new Set<string>();
const pendingSupplements: { code: string; at: number }[] = [];

async function receiveOne(n: number): Promise<void> {
  const now = Date.now();
  const late = random() < 0.06;
  // A late sample was received 10 working days ago: its apology time has already passed.
  const receivedAt = late ? calendar.add(new Date(now), -10 * 480).dueAt : new Date(now);
  const request = sampleVneidRequest({
    receiptNumber: `DEMO-${values.seed}-${String(n).padStart(5, '0')}`,
    receivedAt: formatInstant(receivedAt.getTime()),
    random,
    extended: random() < 0.08,
    paperCopyByPost: random() < 0.15,
  });
  const answer = await call('POST', '/api/intake/vneid', request, partner);
  if (answer.status >= 300) {
    console.log(`intake ${request.receiptNumber}: ${answer.status} ${String(answer.body.error)}`);
    return;
  }
  stats.received += 1;
  const code = String(answer.body.dossierCode);
  console.log(`hồ sơ ${code}${late ? ' (nhận từ 10 ngày làm việc trước: đã quá hạn gửi văn bản xin lỗi)' : ''}, hẹn trả ${String(answer.body.appointmentDate)}`);
  if (random() < 0.02) {
    setTimeout(() => {
      void call('POST', `/api/callbacks/one-stop/${code}/withdrawn`, { at: formatInstant(Date.now()), eventId: `withdraw-${code}` }, partner).then((r) => {
        if (r.status === 202) stats.withdrawn += 1;
      });
    }, 3000);
  }
}

type Decide = (task: { formKey: string; dossierCode: string; shown: Record<string, string> }) => Record<string, unknown>;
const decisions: Record<string, Decide> = {
  'lltp.form.check-dossier': ({ dossierCode }) => {
    const r = random();
    if (r < 0.08) {
      pendingSupplements.push({ code: dossierCode, at: Date.now() + 8000 });
      return { intakeDecision: 'supplement', missingItems: ['Bản chụp giấy tờ tùy thân rõ nét'] };
    }
    if (r < 0.14) return { intakeDecision: 'refuse', refusalReason: 'Người yêu cầu không thuộc trường hợp được cấp Phiếu số 2 theo ủy quyền' };
    return { intakeDecision: 'accept' };
  },
  'lltp.form.search-records': () => {
    const r = random();
    if (r < 0.05) return { searchOutcome: 'needsVerification', verificationScope: 'extended' };
    if (r < 0.25) return { searchOutcome: 'needsVerification', verificationScope: 'province' };
    return { searchOutcome: 'noRecord' };
  },
  'lltp.form.review-draft': () => (random() < 0.1 ? { reviewDecision: 'revise', reviewComment: 'Sửa lại mục nơi cư trú' } : { reviewDecision: 'approve' }),
  'lltp.form.apology': ({ shown }) => {
    const from = shown.statutoryDueAt ? new Date(shown.statutoryDueAt) : new Date();
    const later = calendar.add(from, 3 * 480).dueAt;
    return { apologyReason: 'Chờ kết quả xác minh của cơ quan Công an', newReturnDate: localDateOf(dayNumberOf(later.getTime())) };
  },
  'lltp.form.hand-over-copy': () => ({ handedOverAt: formatInstant(Date.now()) }),
};

const OFFICERS = ['motcua', 'chuyenvien', 'truongphong', 'lanhdao'];

async function workInbox(): Promise<void> {
  for (const username of OFFICERS) {
    const headers = await as(username);
    const list = await call('GET', '/api/tasks', undefined, headers);
    const tasks = (list.body.tasks ?? []) as { id: string; formKey: string; dossierCode: string; status: string; startedAt: string; shown: Record<string, string> }[];
    for (const task of tasks.slice(0, 10)) {
      if (ignored.has(task.id)) continue;
      // apology tasks stay in the leader's inbox for two minutes, so that they can be seen
      if (task.formKey === 'lltp.form.apology' && Date.now() - Date.parse(task.startedAt) < 120_000) continue;
      if (task.status === 'open' && random() < 0.03) {
        ignored.add(task.id); // left alone: this step will run late
        stats.leftAlone += 1;
        continue;
      }
      if (task.status === 'open') await call('POST', `/api/tasks/${task.id}/claim`, {}, headers);
      const data = (decisions[task.formKey] ?? (() => ({})))(task);
      const done = await call('POST', `/api/tasks/${task.id}/complete`, { data }, headers);
      if (done.status === 200) stats.completedTasks += 1;
      else if (done.status === 409) ignored.add(task.id); // e.g. an apology already issued with another date: left for a person
      if (done.status !== 200) console.log(`${username} ${task.formKey} ${task.dossierCode}: ${done.status} ${String(done.body.error)}`);
    }
  }
  for (const s of pendingSupplements.filter((p) => p.at <= Date.now())) {
    pendingSupplements.splice(pendingSupplements.indexOf(s), 1);
    const r = await call('POST', `/api/callbacks/one-stop/${s.code}/supplemented`, { at: formatInstant(Date.now()), eventId: `supplement-${s.code}` }, partner);
    if (r.status === 202) stats.supplements += 1;
  }
}

async function main(): Promise<void> {
  let n = 0;
  let lastReport = Date.now();
  console.log(`Luồng hồ sơ mẫu: một hồ sơ mỗi ${intervalMs / 1000} giây${total ? `, ${total} hồ sơ` : ''}. Ctrl-C để dừng.`);
  for (;;) {
    if (!total || n < total) await receiveOne((n += 1));
    await workInbox().catch((error: unknown) => console.log(`inbox: ${(error as Error).message}`));
    if (Date.now() - lastReport > 30000) {
      lastReport = Date.now();
      console.log(`— đã nhận ${stats.received}, việc đã làm ${stats.completedTasks}, bổ sung ${stats.supplements}, rút ${stats.withdrawn}, để trễ ${stats.leftAlone}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
