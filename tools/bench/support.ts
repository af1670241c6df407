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
import { seedDemoAccounts } from '../../server/auth/seed';
import { restartClock } from '../../server/calendar/clock';
import { createCalendarProvider } from '../../server/calendar/provider';
import { loadSeed } from '../../server/calendar/seed';
import { seedCalendar } from '../../server/calendar/store';
import { dossierDeadlines, stepDueAt } from '../../server/calendar/deadlines';
import type { WorkingCalendars } from '../../server/calendar/working-calendar';
import { loadConfig, type Config } from '../../server/config';
import { connectDatabase, type Database, type Db } from '../../server/db';
import { checkStack } from '../../server/health';
import { CHECK_AT_NEXT_TICK } from '../../server/readmodel/dossier';
import { databaseUrl, ensureTemplate } from '../../test/support/database';
import { sampleVneidRequest, seededRandom } from '../simulators/sample-requests';

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

/** The seeded generator of the simulators, so that every run writes the same data. */
export { seededRandom };

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
      const deadlines = dossierDeadlines(calendar, clock, { statutoryWorkingDays: 10, targetWorkingDays: 3, apologyLeadMinutes: 480 });
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
          target_working_days, apology_lead_minutes, received_at, clock_start_at, statutory_due_at, target_due_at, apology_by_at, appointment_at, deadlines_estimated,
          calendar_version, status, next_check_at)
        SELECT code, 'BN-' || code, 'STP.KHA', 'vneid', 'online', ${UNIT}, 1, 'quy-trinh-570-v20241001', 'ordinary', 10, 3, 480, received, clock,
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

/**
 * What intake and the inbox write besides the dossiers and steps, for every dossier stored:
 * the receipt, the declaration (one sample form), the intake's audit entry, an inbox task per
 * step (open for the open step, completed for the others) and one read of the details, and
 * 20,000 expired log-in sessions: so that every table a request reads is as large as the data.
 */
export async function writeIntakeRecords(db: Db): Promise<void> {
  const declaration = JSON.stringify(sampleVneidRequest({ receiptNumber: 'BENCH-HISTORY', receivedAt: new Date().toISOString(), random: seededRandom(3) }));
  await sql`INSERT INTO intake_receipts (receipt_number, dossier_code, source, request_digest, process_instance_key, created_at)
            SELECT receipt_number, code, 'vneid', md5(code), '0', received_at FROM dossiers`.execute(db);
  await sql`INSERT INTO declarations (dossier_code, request, created_at) SELECT code, ${declaration}::jsonb, received_at FROM dossiers`.execute(db);
  await sql`INSERT INTO audit (at, actor, action, dossier_code, detail)
            SELECT received_at, 'partner:mot-cua-tinh', 'dossier.intake', code, 'VNeID' FROM dossiers
            UNION ALL SELECT received_at, 'motcua', 'dossier.read-details', code, 'xem chi tiết hồ sơ' FROM dossiers`.execute(db);
  await sql`INSERT INTO tasks (id, job_key, dossier_code, process_instance_key, process_id, element_id, element_name, form_key, title, role, unit_id,
              started_at, due_at, status, claimed_by, completed_at, completed_by, decision)
            SELECT 'task:' || id, '0', dossier_code, '0', coalesce(process_id, 'p'), element_id, coalesce(element_name, element_id), 'lltp.form.check-dossier',
              'Kiểm tra hồ sơ', coalesce(role, 'oneStopOfficer'), unit_id, started_at, due_at,
              CASE WHEN finished_at IS NULL THEN 'open' ELSE 'completed' END, CASE WHEN finished_at IS NULL THEN NULL ELSE 'motcua' END,
              finished_at, CASE WHEN finished_at IS NULL THEN NULL ELSE 'motcua' END, CASE WHEN finished_at IS NULL THEN NULL ELSE 'accept' END
            FROM steps`.execute(db);
  await sql`INSERT INTO sessions (token_digest, username, created_at, expires_at)
            SELECT md5(g::text), 'motcua', now() - interval '30 days', now() - interval '29 days' FROM generate_series(1, 20000) g`.execute(db);
  await sql`ANALYZE`.execute(db);
}

/** The instant the open-work data is built around: a Tuesday, 10:00 in Việt Nam. */
export const OPEN_WORK_ANCHOR = new Date('2026-11-24T03:00:00Z');

/**
 * The database of `dossiers` open dossiers at OPEN_WORK_ANCHOR that bench:monitor and bench:db
 * share: received over the 11 working days before (about 5% late, 20% due soon), 7 finished
 * steps and one open step of 2, 4 or 8 working hours each (about 9% late), with their receipts,
 * declarations, audit entries and inbox tasks; the calendar and the demo accounts seeded.
 * Written once, kept (`lltp_bench_open_work_<n>_<schema>`).
 */
export async function openWorkDatabase(dossiers: number, tag: string): Promise<{ database: Database; url: string; name: string }> {
  const progress = progressOf(tag);
  const { database, url, fresh } = await benchDatabase(`open_work_${dossiers}`);
  const { db } = database;
  if (fresh) {
    const now = (): Date => OPEN_WORK_ANCHOR;
    await seedCalendar(db, loadSeed(), { actor: 'bench', now });
    await seedDemoAccounts(db, { nodeEnv: 'development', password: 'bench', partnerKey: 'bench', now });
    progress(`writing ${dossiers} open dossiers and ${dossiers * 8} steps (once; kept for later runs)`);
    const started = performance.now();
    const calendars = await createCalendarProvider({ db, now, refreshMs: 3_600_000 }).current();
    await seedOpenWork(db, calendars, { dossiers, finishedStepsPerDossier: 7, receivedWithinMinutes: 11 * 480, anchor: OPEN_WORK_ANCHOR, openStepAge: 1.1, seed: 7 }, (done) => {
      if (done % 20_000 === 0) progress(`  ${done} dossiers (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    });
    await writeIntakeRecords(db);
    progress(`  receipts, declarations, audit, tasks and sessions written (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
  const open = Number((await sql<{ n: number }>`SELECT count(*) AS n FROM dossiers WHERE status = 'open'`.execute(db)).rows[0]?.n ?? 0);
  if (open !== dossiers) throw new Error(`${url} holds ${open} open dossiers, not ${dossiers}: drop it (DROP DATABASE) and run again`);
  return { database, url, name: new URL(url).pathname.slice(1) };
}
