/**
 * `npm run bench:calendar`: the calendar's figures, one JSON line each on stdout
 * (`{"bench": name, "value": number, "unit": unit}`); progress goes to stderr.
 *
 * - calendar.add_1m_s: one million `add(start, 10 working days)` from random starts in
 *   2024–2026 through the public API (validation, Date objects, estimated flag), on one core;
 *   median of RUNS runs (also _min and _max);
 * - calendar.add_speedup_vs_reference: the day-by-day reference engine timed in the same run on
 *   a sample of REFERENCE_SAMPLE of the same starts and scaled to one million (the scaled time
 *   is printed as calendar.add_reference_1m_s_scaled); the sample's results must be identical;
 * - calendar.replan_120k_s: re-planning 120,000 open dossiers that all span a newly added day
 *   off, on the local database: the real re-planning code (query with projection, recompute,
 *   diff) run without writing, median of REPLAN_RUNS runs, plus the bulk updates it would send,
 *   timed on a sample (up to WRITE_SAMPLE dossiers or WRITE_BUDGET_S seconds) of the
 *   120,000-document collection and scaled
 *   (said so in the figure names _read_compute_s and _write_ms_per_dossier);
 *   calendar.replan_120k_db_s is the database's share. With BENCH_REPLAN_FULL=1 the whole
 *   administrator's edit also runs end to end (calendar.replan_120k_full_s); on FerretDB 1.24 with
 *   SQLite, whose updates scan the whole collection each, it would take about a day, and with a
 *   FerretDB patched to use its _id index it stalled in our runs (client and server idle).
 * If the database does not answer, the local stack is started (`bash tools/stack/stack.sh up`).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { AnyBulkWriteOperation, Connection } from 'mongoose';
import { createCalendarAdmin } from '../../server/calendar/admin';
import type { YearSchedule } from '../../server/calendar/model';
import { isFerretDb, replanOpenWork } from '../../server/calendar/replan';
import { restartClock } from '../../server/calendar/clock';
import { parseInstant } from '../../server/calendar/civil-time';
import { dossierDeadlines } from '../../server/calendar/deadlines';
import { DEFAULT_CALENDAR_POLICY } from '../../server/calendar/policy';
import { loadSeed, seedCalendarData } from '../../server/calendar/seed';
import { loadCalendarData, seedCalendar } from '../../server/calendar/store';
import { WorkingCalendars, type WorkingCalendar } from '../../server/calendar/working-calendar';
import { loadConfig } from '../../server/config';
import { connectDatabase } from '../../server/db';
import { dossierModel, type DossierDoc } from '../../server/readmodel/dossier';

const CALLS = 1_000_000;
const RUNS = 5;
const REFERENCE_SAMPLE = 20_000;
const TEN_WORKING_DAYS = 10 * 480;
const DOSSIERS = 120_000;
const REPLAN_RUNS = 3;
const WRITE_SAMPLE = 500;
const WRITE_BUDGET_S = 30;
const repo = path.resolve(__dirname, '../..');

function emit(bench: string, value: number, unit: string): void {
  process.stdout.write(`${JSON.stringify({ bench, value: Number(value.toPrecision(4)), unit })}\n`);
}

function progress(message: string): void {
  process.stderr.write(`[bench:calendar] ${message}\n`);
}

/** A small seeded generator (mulberry32), so that every run uses the same starts. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

function timeAdds(calendar: WorkingCalendar, starts: Float64Array, count: number): { seconds: number; checksum: number } {
  let checksum = 0;
  const started = performance.now();
  for (let i = 0; i < count; i++) checksum += calendar.add(new Date(starts[i] as number), TEN_WORKING_DAYS).dueAt.getTime() % 1000;
  return { seconds: (performance.now() - started) / 1000, checksum };
}

function benchAdd(): void {
  const next = random(20240210);
  const from = parseInstant('2024-01-01T00:00');
  const to = parseInstant('2027-01-01T00:00');
  const starts = new Float64Array(CALLS);
  for (let i = 0; i < CALLS; i++) starts[i] = from + Math.floor(next() * (to - from));

  const fast = new WorkingCalendars(seedCalendarData()).forUnit();
  const reference = new WorkingCalendars(seedCalendarData(), 'reference').forUnit();
  timeAdds(fast, starts, 50_000); // warm-up
  const runs: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const { seconds } = timeAdds(fast, starts, CALLS);
    runs.push(seconds);
    progress(`add × ${CALLS}: run ${run + 1}/${RUNS}: ${seconds.toFixed(3)} s`);
  }
  for (let i = 0; i < REFERENCE_SAMPLE; i++) {
    const start = new Date(starts[i] as number);
    if (fast.add(start, TEN_WORKING_DAYS).dueAt.getTime() !== reference.add(start, TEN_WORKING_DAYS).dueAt.getTime()) {
      throw new Error(`the engines disagree for the start ${start.toISOString()}`);
    }
  }
  timeAdds(reference, starts, 2_000); // warm-up
  const referenceSample = timeAdds(reference, starts, REFERENCE_SAMPLE).seconds;
  const referenceScaled = (referenceSample * CALLS) / REFERENCE_SAMPLE;
  const fastMedian = median(runs);
  emit('calendar.add_1m_s', fastMedian, 's');
  emit('calendar.add_1m_s_min', Math.min(...runs), 's');
  emit('calendar.add_1m_s_max', Math.max(...runs), 's');
  emit('calendar.add_reference_1m_s_scaled', referenceScaled, 's');
  emit('calendar.add_speedup_vs_reference', referenceScaled / fastMedian, 'x');
}

async function openDatabase(): Promise<{ connection: Connection; uri: string }> {
  const base = new URL(loadConfig(process.env).MONGODB_URI);
  base.pathname = `/lltp_bench_calendar_${randomBytes(4).toString('hex')}`;
  const uri = base.toString();
  try {
    return { connection: await connectDatabase({ MONGODB_URI: uri }, { timeoutMs: 2000 }), uri };
  } catch {
    progress('the database does not answer: starting the local stack (tools/stack/stack.sh up)');
    const result = spawnSync('bash', [path.join(repo, 'tools/stack/stack.sh'), 'up'], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 600_000 });
    if (result.status !== 0) throw new Error(`tools/stack/stack.sh up failed (exit ${String(result.status)})`);
    return { connection: await connectDatabase({ MONGODB_URI: uri }, { timeoutMs: 10_000 }), uri };
  }
}

async function benchReplan(): Promise<void> {
  const { connection } = await openDatabase();
  try {
    let clock = new Date('2026-03-13T03:00:00Z');
    const now = (): Date => new Date(clock.getTime());
    await seedCalendar(connection, loadSeed(), { actor: 'bench', now });
    const dossiers = dossierModel(connection);
    await dossiers.init();

    progress(`inserting ${DOSSIERS} open dossiers received 2–13 March 2026 (all span Monday 16 March)`);
    const calendar = new WorkingCalendars(await loadCalendarData(connection)).forUnit();
    const next = random(16032026);
    const from = parseInstant('2026-03-02T07:30');
    const to = parseInstant('2026-03-13T17:00');
    const insertStarted = performance.now();
    let batch: DossierDoc[] = [];
    for (let i = 0; i < DOSSIERS; i++) {
      const receivedAt = new Date(from + Math.floor(next() * (to - from)));
      const channel = i % 3 === 0 ? 'paper' : 'online';
      const dossierClock = restartClock(calendar, receivedAt, channel);
      const terms = { statutoryWorkingDays: i % 10 === 0 ? 15 : 10, targetWorkingDays: i % 4 === 0 ? 9 : 3 };
      const deadlines = dossierDeadlines(calendar, dossierClock, terms);
      batch.push({
        code: `STP-2603-${String(i).padStart(6, '0')}`,
        receivedAt,
        channel,
        unitId: 'default',
        variant: terms.targetWorkingDays === 9 ? 'verification' : 'ordinary',
        ...terms,
        clockStartAt: dossierClock.clockStartAt,
        stoppedIntervals: [],
        statutoryDueAt: deadlines.statutoryDueAt,
        targetDueAt: deadlines.targetDueAt,
        apologyByAt: deadlines.apologyByAt,
        deadlinesEstimated: deadlines.estimated,
        calendarVersion: 1,
        status: 'open',
        finishedAt: null,
        deadlineMoves: [],
      });
      if (batch.length === 5000) {
        await dossiers.collection.insertMany(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await dossiers.collection.insertMany(batch);
    progress(`inserted in ${((performance.now() - insertStarted) / 1000).toFixed(1)} s`);

    // The edit: Monday 16 March 2026 becomes a day off; every dossier spans it.
    const data = await loadCalendarData(connection);
    const year = structuredClone(data.years.get(2026) as YearSchedule);
    year.daysOff.push({ date: '2026-03-16', name: 'Ngày nghỉ (đo hiệu năng)', basis: 'Đo hiệu năng' });
    const edited = new WorkingCalendars({ ...data, years: new Map([...data.years, [2026, year]]), version: data.version + 1 });
    const change = { changeId: 'bench', reason: 'bench', fromDate: '2026-03-02', toDate: '2026-03-30' };
    const ferret = await isFerretDb(connection);

    // 1. find the touched dossiers and recompute them: the real re-planning code, writing nothing
    const reads: { seconds: number; db: number; moved: number }[] = [];
    for (let run = 0; run < REPLAN_RUNS; run++) {
      const report = await replanOpenWork({ connection, calendars: edited, policy: DEFAULT_CALENDAR_POLICY, now }, change, { dryRun: true });
      reads.push({ seconds: report.seconds, db: report.databaseSeconds, moved: report.dossiersMoved });
      progress(`re-plan without writing: ${report.seconds.toFixed(2)} s (database ${report.databaseSeconds.toFixed(2)} s), ${report.dossiersMoved} dossiers to move`);
    }
    const moved = reads[0]?.moved ?? 0;
    if (moved !== DOSSIERS) throw new Error(`expected ${DOSSIERS} dossiers to move, got ${moved}`);
    const read = reads.sort((a, b) => a.seconds - b.seconds)[Math.floor(reads.length / 2)] as { seconds: number; db: number };

    // 2. the writes: the same bulk updates as re-planning, timed on a sample and scaled
    const sample = await dossiers.find({ status: 'open' }).select({ _id: 1, clockStartAt: 1, statutoryDueAt: 1 }).limit(WRITE_SAMPLE).lean();
    const at = now();
    const ops: AnyBulkWriteOperation[] = sample.map((d) => ({
      updateOne: {
        filter: ferret ? { _id: d._id } : { _id: d._id, clockStartAt: d.clockStartAt, statutoryDueAt: d.statutoryDueAt },
        update: {
          $set: { statutoryDueAt: at, targetDueAt: at, apologyByAt: at, deadlinesEstimated: false, calendarVersion: 2 },
          $push: { deadlineMoves: { $each: [{ changeId: 'bench', at, field: 'statutoryDueAt', from: d.statutoryDueAt, to: at }] } },
        },
      },
    }));
    // batches of 10 until the sample is written or WRITE_BUDGET_S has passed, so that a slow database cannot stall the run
    const writeStarted = performance.now();
    let written = 0;
    while (written < ops.length && performance.now() - writeStarted < WRITE_BUDGET_S * 1000) {
      const slice = ops.slice(written, written + 10);
      await dossiers.collection.bulkWrite(slice as Parameters<typeof dossiers.collection.bulkWrite>[0], { ordered: false });
      written += slice.length;
    }
    const perDossier = (performance.now() - writeStarted) / 1000 / written;
    progress(`bulk updates on a ${DOSSIERS}-document collection: ${(perDossier * 1000).toFixed(2)} ms per dossier (${written} sampled${ferret ? '; FerretDB: filter on _id only' : ''})`);

    emit('calendar.replan_120k_s', read.seconds + perDossier * moved, 's');
    emit('calendar.replan_120k_db_s', read.db + perDossier * moved, 's');
    emit('calendar.replan_120k_read_compute_s', read.seconds, 's');
    emit('calendar.replan_120k_compute_s', read.seconds - read.db, 's');
    emit('calendar.replan_120k_write_ms_per_dossier', perDossier * 1000, 'ms');

    // 3. optionally, the whole administrator's edit end to end (hours on FerretDB 1.24 with SQLite)
    if (process.env.BENCH_REPLAN_FULL === '1') {
      const admin = createCalendarAdmin({ connection, now, policy: DEFAULT_CALENDAR_POLICY });
      clock = new Date(clock.getTime() + 60_000);
      const started = performance.now();
      const outcome = await admin.addDayOff({ actor: 'bench', date: '2026-03-16', name: 'Ngày nghỉ (đo hiệu năng)', basis: 'Đo hiệu năng' });
      const seconds = (performance.now() - started) / 1000;
      if (outcome.replan.dossiersMoved !== DOSSIERS) throw new Error(`expected ${DOSSIERS} moved dossiers, got ${outcome.replan.dossiersMoved}`);
      progress(`full edit: ${seconds.toFixed(2)} s (database ${outcome.replan.databaseSeconds.toFixed(2)} s)`);
      emit('calendar.replan_120k_full_s', seconds, 's');
      emit('calendar.replan_120k_full_db_s', outcome.replan.databaseSeconds, 's');
    }
  } finally {
    await connection.dropDatabase();
    await connection.close();
  }
}

async function main(): Promise<void> {
  benchAdd();
  await benchReplan();
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench:calendar] failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
