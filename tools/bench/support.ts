/**
 * What the benchmarks share: one JSON line per figure on stdout (`{"bench", "value", "unit"}`),
 * progress on stderr, medians, the local stack (started when it is down, stopped again), a
 * database of the benchmark's own that survives between runs (copied from the migrated
 * template, so it always has the current schema), peak memory, and the one generator of open
 * work at scale (dossiers with real deadlines on the calendar, their finished steps and one
 * open step each), shared by bench:monitor, bench:calendar and bench:db.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { sql } from 'kysely';
import { restartClock } from '../../server/calendar/clock';
import { dossierDeadlines, stepDueAt } from '../../server/calendar/deadlines';
import type { WorkingCalendars } from '../../server/calendar/working-calendar';
import { loadConfig, type Config } from '../../server/config';
import { connectDatabase, type Database, type Db } from '../../server/db';
import { checkStack } from '../../server/health';
import { CHECK_AT_NEXT_TICK } from '../../server/readmodel/dossier';
import { databaseUrl, ensureTemplate } from '../../test/support/database';

const repo = path.resolve(__dirname, '../..');

export function emit(bench: string, value: number, unit: string): void {
  process.stdout.write(`${JSON.stringify({ bench, value: Number(value.toPrecision(4)), unit })}\n`);
}

export const progressOf =
  (tag: string) =>
  (message: string): void =>
    void process.stderr.write(`[${tag}] ${message}\n`);

export const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

/** Emits the median and the noise (min, max) of a series. */
export function emitSeries(bench: string, values: readonly number[], unit: string): number {
  const m = median(values);
  emit(bench, m, unit);
  emit(`${bench}_min`, Math.min(...values), unit);
  emit(`${bench}_max`, Math.max(...values), unit);
  return m;
}

/** Runs `work` with the local stack up: started (and stopped at the end) when a component is down. */
export async function withStack<T>(tag: string, work: (config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
  let started = false;
  if ((await checkStack(config)).some((c) => !c.ok)) {
    progressOf(tag)('starting the local stack (bash tools/stack/stack.sh up)');
    if (spawnSync('bash', [path.join(repo, 'tools/stack/stack.sh'), 'up'], { stdio: ['ignore', 'inherit', 'inherit'] }).status !== 0) throw new Error('the local stack did not start');
    started = true;
  }
  try {
    return await work(config);
  } finally {
    if (started) spawnSync('bash', [path.join(repo, 'tools/stack/stack.sh'), 'down'], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
}

/**
 * The benchmark's database `lltp_bench_<name>_<schema>`: reused when it exists (its data took
 * minutes to write), else copied from the migrated template (`fresh`: to be filled).
 */
export async function benchDatabase(name: string, options: { max?: number } = {}): Promise<{ database: Database; url: string; fresh: boolean }> {
  const template = await ensureTemplate();
  const dbName = `lltp_bench_${name}_${template.slice(-12)}`;
  const admin = new pg.Client({ connectionString: databaseUrl('postgres') });
  await admin.connect();
  let fresh = false;
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName]);
    if (!exists.rowCount) {
      await admin.query(`CREATE DATABASE "${dbName}" TEMPLATE "${template}"`);
      fresh = true;
    }
  } finally {
    await admin.end();
  }
  const url = databaseUrl(dbName);
  return { database: await connectDatabase({ DATABASE_URL: url }, { max: options.max ?? 10, timeoutMs: 60_000 }), url, fresh };
}

/** Samples the process's resident memory; `stop()` returns the peak in MB. */
export function rssSampler(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss) / 1048576;
    },
  };
}

/** A small seeded generator (mulberry32), so that every run writes the same data. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface OpenWorkSpec {
  dossiers: number;
  /** Finished steps before the open one. */
  finishedStepsPerDossier: number;
  /** Each dossier is received this many working minutes before `anchor` at most (uniformly). */
  receivedWithinMinutes: number;
  anchor: Date;
  /** The open step started up to this share of its allotment before `anchor` (1.1: about 9% late). */
  openStepAge: number;
  seed: number;
}

const UNIT = 'stp-mot-cua';
const ELEMENTS = ['registerDossier', 'notifyAccepted', 'checkDossier', 'pushToLltpSoftware', 'acceptInLltpSoftware', 'searchRecords', 'draftCertificate', 'reviewDraft'];
const ALLOTMENTS = [120, 240, 480];

/**
 * Writes `spec.dossiers` open dossiers (codes `BENCH-<yymmdd>-<n>`-style, unique), each with
 * real deadlines on the calendar, `finishedStepsPerDossier` finished steps and one open step,
 * in batches of 5,000 dossiers (one `INSERT … SELECT FROM unnest(…)` per table and batch).
 * Every row is marked for the monitor's next tick, as intake and the workers leave them.
 */
export async function seedOpenWork(db: Db, calendars: WorkingCalendars, spec: OpenWorkSpec, onProgress: (done: number) => void = () => undefined): Promise<void> {
  const calendar = calendars.forUnit(UNIT);
  const rnd = seededRandom(spec.seed);
  const BATCH = 5000;
  for (let from = 0; from < spec.dossiers; from += BATCH) {
    const d = { code: [] as string[], received: [] as Date[], clock: [] as Date[], statutory: [] as Date[], target: [] as Date[], apology: [] as (Date | null)[], estimated: [] as boolean[] };
    const s = { id: [] as string[], code: [] as string[], element: [] as string[], started: [] as Date[], allotment: [] as number[], due: [] as Date[], finished: [] as (Date | null)[], next: [] as (Date | null)[] };
    for (let i = from; i < Math.min(spec.dossiers, from + BATCH); i++) {
      const code = `BENCH${String(Math.floor(i / 10000)).padStart(2, '0')}-261124-${String(i % 10000).padStart(4, '0')}`;
      const receivedAt = calendar.add(spec.anchor, -Math.floor(rnd() * spec.receivedWithinMinutes)).dueAt;
      const clock = restartClock(calendar, receivedAt, 'online');
      const deadlines = dossierDeadlines(calendar, clock, { statutoryWorkingDays: 10, targetWorkingDays: 3 });
      d.code.push(code);
      d.received.push(receivedAt);
      d.clock.push(clock.clockStartAt);
      d.statutory.push(deadlines.statutoryDueAt as Date);
      d.target.push(deadlines.targetDueAt as Date);
      d.apology.push(deadlines.apologyByAt);
      d.estimated.push(deadlines.estimated);
      const allotment = ALLOTMENTS[Math.floor(rnd() * ALLOTMENTS.length)] as number;
      const openStart = calendar.add(spec.anchor, -Math.floor(rnd() * allotment * spec.openStepAge)).dueAt;
      const earliest = clock.clockStartAt.getTime();
      for (let k = 0; k <= spec.finishedStepsPerDossier; k++) {
        const open = k === spec.finishedStepsPerDossier;
        const started = open ? new Date(Math.max(openStart.getTime(), earliest)) : new Date(earliest + k * 60_000);
        s.id.push(`step:bench:${i}:${k}`);
        s.code.push(code);
        s.element.push(ELEMENTS[k % ELEMENTS.length] as string);
        s.started.push(started);
        s.allotment.push(open ? allotment : 60);
        s.due.push(open ? stepDueAt(calendar, started, allotment).dueAt : new Date(started.getTime() + 3_600_000));
        s.finished.push(open ? null : new Date(started.getTime() + 30_000));
        s.next.push(open ? CHECK_AT_NEXT_TICK : null);
      }
    }
    await db.transaction().execute(async (tx) => {
      await sql`
        INSERT INTO dossiers (code, receipt_number, agency_code, source, channel, unit_id, form_type, process_id, variant, statutory_working_days,
          target_working_days, received_at, clock_start_at, statutory_due_at, target_due_at, apology_by_at, appointment_at, deadlines_estimated,
          calendar_version, status, next_check_at)
        SELECT code, 'BN-' || code, 'STP.KHA', 'vneid', 'online', ${UNIT}, 1, 'quy-trinh-570-v20241001', 'ordinary', 10, 3, received, clock,
          statutory, target, apology, statutory, estimated, ${calendars.version}, 'open', ${CHECK_AT_NEXT_TICK}
        FROM unnest(${d.code}::text[], ${d.received}::timestamptz[], ${d.clock}::timestamptz[], ${d.statutory}::timestamptz[],
          ${d.target}::timestamptz[], ${d.apology}::timestamptz[], ${d.estimated}::boolean[])
          AS v (code, received, clock, statutory, target, apology, estimated)`.execute(tx);
      await sql`
        INSERT INTO steps (id, dossier_code, element_id, element_name, process_id, unit_id, role, clock, case_variant, started_at,
          allotment_minutes, due_at, calendar_version, finished_at, actor, next_check_at)
        SELECT id, code, element, element, 'quy-trinh-570-v20241001', ${UNIT}, 'oneStopOfficer', 'running', 'ordinary', started, allotment, due,
          ${calendars.version}, finished, CASE WHEN finished IS NULL THEN NULL ELSE 'system' END, next
        FROM unnest(${s.id}::text[], ${s.code}::text[], ${s.element}::text[], ${s.started}::timestamptz[], ${s.allotment}::integer[],
          ${s.due}::timestamptz[], ${s.finished}::timestamptz[], ${s.next}::timestamptz[])
          AS v (id, code, element, started, allotment, due, finished, next)`.execute(tx);
    });
    onProgress(Math.min(spec.dossiers, from + BATCH));
  }
  await sql`ANALYZE`.execute(db);
}
