/**
 * The vertical slice that proves the pipe through real components: the Zeebe broker, a
 * TypeScript job worker, FerretDB through mongoose, the SMTP sink through nodemailer, and a
 * BPMN timer fired by moving the broker's controlled clock.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Schema, type Model } from 'mongoose';
import { loadConfig } from '../../server/config';
import { connectDatabase, type Connection } from '../../server/db';
import { createMailer, type Mailer } from '../../server/mail';
import { BrokerClock, createZeebeClient } from '../../server/zeebe';
import { MailpitClient } from '../support/mailpit';
import { requireStack } from '../../server/health';
import { eventually } from '../support/wait';

interface PipeRecord {
  runId: string;
  processInstanceKey: string;
  recordedAt: Date;
  timerFiredAt?: Date;
}

const config = loadConfig({ ...process.env, MONGODB_URI: process.env.MONGODB_URI ?? `mongodb://127.0.0.1:27017/lltp_test_pipe` });
const { camunda, zeebe } = createZeebeClient(config);
const clock = new BrokerClock(config.ZEEBE_MANAGEMENT_URL);
const mailpit = new MailpitClient();
let db: Connection;
let mailer: Mailer;
let PipeRecords: Model<PipeRecord>;

beforeAll(async () => {
  await requireStack(config);
  db = await connectDatabase(config);
  PipeRecords = db.model<PipeRecord>('PipeRecord', new Schema<PipeRecord>({
    runId: { type: String, required: true, unique: true },
    processInstanceKey: { type: String, required: true },
    recordedAt: { type: Date, required: true },
    timerFiredAt: Date,
  }));
  await PipeRecords.init();
  mailer = createMailer(config);

  // Idempotent side effects: an upsert keyed by runId, a mail with a stable Message-ID.
  zeebe.createWorker<{ runId: string }>({
    taskType: 'lltp.test.pipe-record',
    taskHandler: async (job) => {
      await PipeRecords.updateOne(
        { runId: job.variables.runId },
        { $setOnInsert: { runId: job.variables.runId, processInstanceKey: job.processInstanceKey, recordedAt: new Date() } },
        { upsert: true },
      );
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
      await PipeRecords.updateOne({ runId: job.variables.runId }, { $set: { timerFiredAt: new Date() } });
      return job.complete();
    },
  });

  await zeebe.deployResource({ processFilename: path.join(__dirname, '../fixtures/bpmn/pipe-slice.bpmn') });
}, 60000);

afterAll(async () => {
  await clock.reset().catch(() => undefined);
  await camunda.closeAllClients();
  mailer?.close();
  if (db) {
    await db.dropDatabase();
    await db.close();
  }
});

async function startSlice(): Promise<{ runId: string; processInstanceKey: string }> {
  const runId = randomUUID();
  const instance = await zeebe.createProcessInstance({ bpmnProcessId: 'lltp-pipe-slice', variables: { runId } });
  return { runId, processInstanceKey: instance.processInstanceKey };
}

test('the slice model deploys to the broker', async () => {
  const deployment = await zeebe.deployResource({ processFilename: path.join(__dirname, '../fixtures/bpmn/pipe-slice.bpmn') });
  expect(deployment.deployments[0]?.process?.bpmnProcessId).toBe('lltp-pipe-slice');
  expect(Number(deployment.key)).toBeGreaterThan(0);
});

test('a TypeScript worker completes the service task and writes a document through mongoose', async () => {
  const { runId, processInstanceKey } = await startSlice();
  const record = await eventually(() => PipeRecords.findOne({ runId }).lean().exec().then((r) => r ?? undefined), 'the worker to write its document');
  expect(record.processInstanceKey).toBe(processInstanceKey);
  expect(record.timerFiredAt).toBeUndefined();
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
  await eventually(() => PipeRecords.findOne({ runId }).lean().exec().then((r) => r ?? undefined), 'the first service task');
  // Real time alone does not fire a two-hour timer.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect((await PipeRecords.findOne({ runId }).lean())?.timerFiredAt).toBeUndefined();

  await clock.advance(2 * 60 * 60 * 1000 + 60 * 1000);
  const fired = await eventually(
    () => PipeRecords.findOne({ runId, timerFiredAt: { $exists: true } }).lean().exec().then((r) => r ?? undefined),
    'the timer to fire after moving the clock',
    30000,
  );
  expect(fired.timerFiredAt).toBeInstanceOf(Date);
}, 45000);
