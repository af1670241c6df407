/**
 * `npm run bench:monitor`: one SLA monitor tick over 120,000 open dossiers (about a million
 * steps, the national worst case) on the local database; one JSON line per figure on stdout
 * (`{"bench": name, "value": number, "unit": unit}`); progress on stderr.
 *
 * Data: BENCH_MONITOR_DOSSIERS (120000) open dossiers, each with STEPS_PER_DOSSIER (8) steps of
 * which the last is open; due times spread so that about 85% are on track, 10% due soon and
 * 5% overdue at the bench's instant (a Tuesday 19:00 in Việt Nam: outside working time, so the
 * ticks classify, raise and store alerts but hold the e-mails; SMTP time is not measured).
 *
 * - monitor.tick_120k_s: a steady tick (the monitor has seen the alerts before), median of RUNS;
 * - monitor.tick_120k_restart_s: the first tick of a freshly started monitor (alerts stored,
 *   not in its memory: it looks them up), once;
 * - monitor.tick_120k_first_s: the very first tick, which raises every alert (once);
 * - monitor.floor_s: a plain driver read (no mongoose) of the same open documents with the same
 *   projection, median of RUNS; monitor.ratio_to_floor = tick / floor;
 * - monitor.peak_rss_mb: the largest resident memory of the process during the ticks.
 * If the database does not answer, the local stack is started, and stopped at the end.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { authModels } from '../../server/auth/models';
import { seedDemoAccounts } from '../../server/auth/seed';
import { createCalendarProvider } from '../../server/calendar/provider';
import { loadSeed } from '../../server/calendar/seed';
import { seedCalendar } from '../../server/calendar/store';
import { loadConfig } from '../../server/config';
import { connectDatabase } from '../../server/db';
import { checkStack } from '../../server/health';
import { createLogger } from '../../server/logger';
import type { Mailer } from '../../server/mail';
import { createMonitor, createMonitorDeps } from '../../server/monitor';
import { loadProcessCatalog } from '../../server/sla';
import { seededRandom } from '../simulators/sample-requests';

const DOSSIERS = Number(process.env.BENCH_MONITOR_DOSSIERS ?? 120_000);
const STEPS_PER_DOSSIER = 8;
const RUNS = Number(process.env.BENCH_MONITOR_RUNS ?? 3);
const BATCH = 10_000;
const NOW = new Date('2026-11-24T12:00:00Z'); // Tuesday 19:00 in Việt Nam
const repo = path.resolve(__dirname, '../..');
const ELEMENTS = ['registerDossier', 'notifyAccepted', 'checkDossier', 'pushToLltpSoftware', 'acceptInLltp', 'searchRecords', 'draftCertificate', 'reviewDraft'];

function emit(bench: string, value: number, unit: string): void {
  process.stdout.write(`${JSON.stringify({ bench, value: Number(value.toPrecision(4)), unit })}\n`);
}
const progress = (message: string): void => void process.stderr.write(`[bench:monitor] ${message}\n`);
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

async function main(): Promise<void> {
  const base = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
  let startedStack = false;
  if ((await checkStack(base)).some((c) => !c.ok)) {
    progress('starting the local stack (bash tools/stack/stack.sh up)');
    if (spawnSync('bash', [path.join(repo, 'tools/stack/stack.sh'), 'up'], { stdio: ['ignore', 'inherit', 'inherit'] }).status !== 0) throw new Error('the local stack did not start');
    startedStack = true;
  }
  const config = loadConfig({ ...process.env, MONGODB_URI: `mongodb://127.0.0.1:27017/lltp_bench_monitor_${DOSSIERS}`, LOG_LEVEL: 'warn' });
  const db = await connectDatabase(config, { timeoutMs: 600_000 });
  try {
    const raw = db.db!;
    const now = (): Date => NOW;
    await seedCalendar(db, loadSeed(), { actor: 'bench', now });
    await seedDemoAccounts(authModels(db), { nodeEnv: 'development', password: 'bench', partnerKey: 'bench', now });
    const existing = await raw.collection('dossiers').countDocuments({ status: 'open' });
    if (existing !== DOSSIERS) {
      progress(`writing ${DOSSIERS} open dossiers and ${DOSSIERS * STEPS_PER_DOSSIER} steps (once; kept in ${raw.databaseName} for later runs)`);
      await raw.dropDatabase();
      await seedCalendar(db, loadSeed(), { actor: 'bench', now });
      await seedDemoAccounts(authModels(db), { nodeEnv: 'development', password: 'bench', partnerKey: 'bench', now });
      const rnd = seededRandom(7);
      const started = performance.now();
      for (let from = 0; from < DOSSIERS; from += BATCH) {
        const dossiers = [];
        const steps = [];
        for (let i = from; i < Math.min(DOSSIERS, from + BATCH); i++) {
          const code = `STP.KHA-2611${String(10 + (i % 14)).padStart(2, '0')}-${String(i % 10000).padStart(4, '0')}${i >= 10000 ? `-${Math.floor(i / 10000)}` : ''}`;
          const r = rnd();
          // minutes of (roughly working) time left at NOW: 85% ≥ 1 day, 10% within the due-soon window, 5% late
          const leftMin = r < 0.05 ? -30 - Math.floor(rnd() * 3000) : r < 0.15 ? 10 + Math.floor(rnd() * 200) : 600 + Math.floor(rnd() * 6000);
          const dueAt = new Date(NOW.getTime() + leftMin * 60_000);
          const receivedAt = new Date(dueAt.getTime() - 14 * 86_400_000);
          dossiers.push({
            code,
            receivedAt,
            channel: 'online',
            unitId: 'stp-mot-cua',
            variant: 'ordinary',
            statutoryWorkingDays: 10,
            targetWorkingDays: 3,
            clockStartAt: receivedAt,
            stoppedIntervals: [],
            statutoryDueAt: new Date(dueAt.getTime() + 5 * 86_400_000),
            targetDueAt: dueAt,
            apologyByAt: new Date(dueAt.getTime() + 4 * 86_400_000),
            appointmentAt: new Date(dueAt.getTime() + 5 * 86_400_000),
            deadlinesEstimated: false,
            calendarVersion: 1,
            status: 'open',
            finishedAt: null,
            deadlineMoves: [],
            source: 'vneid',
            agencyCode: 'STP.KHA',
          });
          for (let k = 0; k < STEPS_PER_DOSSIER; k++) {
            const open = k === STEPS_PER_DOSSIER - 1;
            steps.push({
              _id: `step:${i}:${k}`,
              dossierCode: code,
              elementId: ELEMENTS[k],
              elementName: ELEMENTS[k],
              processId: k < 3 ? 'quy-trinh-570-v20241001' : 'khanh-hoa-2799-v20241029',
              unitId: k < 3 ? 'stp-mot-cua' : 'stp-hctp',
              role: k < 3 ? 'oneStopOfficer' : 'lltpOfficer',
              startedAt: new Date(receivedAt.getTime() + k * 3_600_000),
              allotmentMinutes: 480,
              dueAt: open ? dueAt : new Date(receivedAt.getTime() + (k + 1) * 3_600_000),
              dueEstimated: false,
              calendarVersion: 1,
              finishedAt: open ? null : new Date(receivedAt.getTime() + (k + 1) * 3_000_000),
              deadlineMoves: [],
              clock: 'running',
            });
          }
        }
        await raw.collection('dossiers').insertMany(dossiers, { ordered: false });
        await raw.collection('steps').insertMany(steps as unknown as Record<string, unknown>[], { ordered: false });
        progress(`  ${Math.min(DOSSIERS, from + BATCH)} dossiers (${((performance.now() - started) / 1000).toFixed(0)} s)`);
      }
    }
    // dropped, not emptied: FerretDB 1.24 deletes by a list of ids and refuses more than 32,766 at once
    for (const name of ['alerts', 'alert_sends', 'monitor_leases', 'monitor_runs']) await raw.dropCollection(name).catch(() => undefined);

    // the floor: a plain driver read of the same open documents, same projection
    const floors: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const t0 = performance.now();
      let n = 0;
      for await (const doc of raw.collection('steps').find({ finishedAt: null }, { projection: { dossierCode: 1, elementId: 1, elementName: 1, unitId: 1, unitName: 1, role: 1, dueAt: 1, allotmentMinutes: 1, clock: 1, processId: 1 }, batchSize: 5000 })) n += doc ? 1 : 0;
      for await (const doc of raw.collection('dossiers').find({ status: 'open' }, { projection: { code: 1, unitId: 1, clockStartAt: 1, statutoryDueAt: 1, appointmentAt: 1, apologyByAt: 1, apology: 1, stoppedIntervals: 1 }, batchSize: 5000 })) n += doc ? 1 : 0;
      floors.push((performance.now() - t0) / 1000);
      progress(`floor run ${run + 1}: ${n} documents in ${floors[floors.length - 1]!.toFixed(2)} s`);
    }

    const mailer: Mailer = { send: () => Promise.reject(new Error('the bench sends no mail')), verify: () => Promise.resolve(), close: () => undefined };
    const calendars = createCalendarProvider({ connection: db, now, refreshMs: 3_600_000 });
    const deps = await createMonitorDeps({ db, config, catalog: await loadProcessCatalog(), calendars, mailer, logger: createLogger({ level: 'warn' }), settings: { leaseMs: 600_000 } });
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const timeTick = async (monitor: ReturnType<typeof createMonitor>, label: string): Promise<number> => {
      const outcome = await monitor.runOnce('tick');
      if (!outcome.ran || outcome.run?.error) throw new Error(`${label}: ${outcome.skipped ?? outcome.run?.error}`);
      const seconds = (outcome.run!.durationMs ?? 0) / 1000;
      progress(`${label}: ${seconds.toFixed(2)} s, steps ${JSON.stringify(outcome.run!.counts.steps)}, dossiers ${JSON.stringify(outcome.run!.counts.dossiers)}, alerts raised ${outcome.run!.counts.alertsRaised}`);
      return seconds;
    };
    const first = await timeTick(createMonitor(deps, { holder: 'bench', now }), 'first tick');
    const restarted = createMonitor(deps, { holder: 'bench', now });
    const restarts = [await timeTick(restarted, 'restart tick')];
    const steady: number[] = [];
    for (let run = 0; run < RUNS; run++) steady.push(await timeTick(restarted, `steady tick ${run + 1}`));
    clearInterval(sampler);
    const tick = median(steady);
    const floor = median(floors);
    emit('monitor.tick_120k_s', tick, 's');
    emit('monitor.tick_120k_restart_s', restarts[0]!, 's');
    emit('monitor.tick_120k_first_s', first, 's');
    emit('monitor.floor_s', floor, 's');
    emit('monitor.ratio_to_floor', tick / floor, 'ratio');
    emit('monitor.ratio_to_floor_restart', restarts[0]! / floor, 'ratio');
    emit('monitor.peak_rss_mb', peak / 1048576, 'MB');
    emit('monitor.dossiers', DOSSIERS, 'dossiers');
    emit('monitor.steps', DOSSIERS * STEPS_PER_DOSSIER, 'steps');
  } finally {
    await db.close();
    if (startedStack) spawnSync('bash', [path.join(repo, 'tools/stack/stack.sh'), 'down'], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`[bench:monitor] failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
