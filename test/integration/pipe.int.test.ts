/**
 * The vertical slice that proves the pipe through real components: the Zeebe broker, a
 * TypeScript job worker, PostgreSQL through Kysely, the SMTP sink through nodemailer, and a
 * BPMN timer fired by moving the broker's controlled clock.
 *
 * @moves-clocks the broker's clock moves to fire a timer: run again at three instants by .ci/run (LLTP_TEST_INSTANTS).
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../../server/config';
import type { Db } from '../../server/db';
import { createMailer, type Mailer } from '../../server/mail';
import { BrokerClock, createZeebeClient } from '../../server/zeebe';
import { MailpitClient } from '../support/mailpit';
import { requireStack } from '../../server/health';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { eventually } from '../support/wait';
import { restoreBrokerAfterClockMoves } from '../support/broker-clock';
import { testNow } from '../support/clock';

interface PipeRecord {
  runId: string;
  processInstanceKey: string;
  recordedAt: Date;
  timerFiredAt: Date | null;
}

const config = loadConfig(process.env);
const { camunda, zeebe } = createZeebeClient(config);
const clock = new BrokerClock(config.ZEEBE_MANAGEMENT_URL);
const mailpit = new MailpitClient();
let testDb: TestDatabase;
let db: Db;
let mailer: Mailer;

const findRecord = async (runId: string): Promise<PipeRecord | undefined> =>
  (await sql<PipeRecord>`SELECT run_id, process_instance_key, recorded_at, timer_fired_at FROM pipe_records WHERE run_id = ${runId}`.execute(db)).rows[0];

beforeAll(async () => {
  await requireStack(config);
  testDb = await createTestDatabase('pipe');
  db = testDb.database.db;
  await sql`CREATE TABLE pipe_records (run_id text PRIMARY KEY, process_instance_key text NOT NULL, recorded_at timestamptz NOT NULL, timer_fired_at timestamptz)`.execute(db);
  mailer = createMailer(config);

  // Idempotent side effects: an insert keyed by runId, a mail with a stable Message-ID.
  zeebe.createWorker<{ runId: string }>({
    taskType: 'lltp.test.pipe-record',
    taskHandler: async (job) => {
      await sql`INSERT INTO pipe_records (run_id, process_instance_key, recorded_at) VALUES (${job.variables.runId}, ${job.processInstanceKey}, ${testNow()})
                ON CONFLICT (run_id) DO NOTHING`.execute(db);
      await mailer.send({
        to: 'giamsat@stp.example.vn',
        subject: `Kiểm tra đường ống ${job.variables.runId}`,
        text: `Hồ sơ thử nghiệm ${job.variables.runId} đã được ghi nhận.`,
        messageId: `<pipe-${job.variables.runId}@lltp-flow.local>`,
      });
      return job.complete({ recorded: true });
    },
  });
  zeebe.createWorker<{ runId: string }>({
    taskType: 'lltp.test.pipe-after-timer',
    taskHandler: async (job) => {
      await sql`UPDATE pipe_records SET timer_fired_at = ${testNow()} WHERE run_id = ${job.variables.runId}`.execute(db);
      return job.complete();
    },
  });

  await zeebe.deployResource({ processFilename: path.join(__dirname, '../fixtures/bpmn/pipe-slice.bpmn') });
}, 60000);

afterAll(async () => {
  await camunda.closeAllClients();
  mailer?.close();
  await testDb?.drop();
  await restoreBrokerAfterClockMoves();
}, 240_000); // a broker restart and its warm-up

/** A slice instance; its timer waits `timerWait` (ISO 8601 duration) after the record. */
async function startSlice(timerWait = 'PT2H'): Promise<{ runId: string; processInstanceKey: string }> {
  const runId = randomUUID();
  const instance = await zeebe.createProcessInstance({ bpmnProcessId: 'lltp-pipe-slice', variables: { runId, timerWait } });
  return { runId, processInstanceKey: instance.processInstanceKey };
}

test('the slice model deploys to the broker', async () => {
  const deployment = await zeebe.deployResource({ processFilename: path.join(__dirname, '../fixtures/bpmn/pipe-slice.bpmn') });
  expect(deployment.deployments[0]?.process?.bpmnProcessId).toBe('lltp-pipe-slice');
  expect(Number(deployment.key)).toBeGreaterThan(0);
});

test('a TypeScript worker completes the service task and writes a row through Kysely', async () => {
  const { runId, processInstanceKey } = await startSlice();
  const record = await eventually(() => findRecord(runId), 'the worker to write its row');
  expect(record.processInstanceKey).toBe(processInstanceKey);
  expect(record.timerFiredAt).toBeNull();
});

test('the e-mail sent through nodemailer arrives in the SMTP sink', async () => {
  const { runId } = await startSlice();
  const [summary] = await eventually(
    () => mailpit.search(`subject:"${runId}"`).then((found) => (found.length > 0 ? found : undefined)),
    'the SMTP sink to receive the mail',
  );
  const message = await mailpit.message(summary!.ID);
  expect(message.Subject).toBe(`Kiểm tra đường ống ${runId}`);
  expect(message.To.map((t) => t.Address)).toEqual(['giamsat@stp.example.vn']);
  expect(message.Text).toContain(`Hồ sơ thử nghiệm ${runId} đã được ghi nhận.`);
});

test('the BPMN timer fires only after the test moves the broker clock', async () => {
  const { runId } = await startSlice();
  await eventually(() => findRecord(runId), 'the first service task');
  // Real time alone does not fire a two-hour timer: a sentinel slice started after it waits one
  // second; once the broker has fired that timer, it has checked its timers at a time past both
  // starts, and the two-hour one is still waiting.
  const sentinel = await startSlice('PT1S');
  await eventually(async () => ((await findRecord(sentinel.runId))?.timerFiredAt ? true : undefined), 'the one-second timer of the sentinel slice', 30000);
  expect((await findRecord(runId))?.timerFiredAt).toBeNull();

  await clock.advance(2 * 60 * 60 * 1000 + 60 * 1000);
  const fired = await eventually(
    async () => ((await findRecord(runId))?.timerFiredAt ? findRecord(runId) : undefined),
    'the timer to fire after moving the clock',
    30000,
  );
  expect(fired?.timerFiredAt).toBeInstanceOf(Date);
}, 45000);
