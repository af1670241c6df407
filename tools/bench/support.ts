/**
 * What the benchmarks share: one JSON line per figure on stdout (`{"bench", "value", "unit"}`),
 * each bench's declared figure names (bench:smoke checks that every one is printed), the small
 * mode (`LLTP_BENCH_SMALL=1`), progress on stderr, medians, the local stack (started when it is
 * down, stopped again), a database of the benchmark's own that survives between runs (copied
 * from the migrated template, so it always has the current schema), peak memory, and the one
 * generator of open work at scale (dossiers with real deadlines on the calendar, their finished
 * steps and one open step each), shared by bench:monitor, bench:calendar, bench:db and bench:flow.
 *
 * Benchmarks read time only as durations (`performance.now()`); the instants of their data are
 * fixed ones (OPEN_WORK_ANCHOR and the like) or the clock of the product under test.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
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
import { migrateToLatest } from '../../server/db/migrate';
import { checkStack, type ComponentCheck } from '../../server/health';
import { createLogger, type Logger } from '../../server/logger';
import { CHECK_AT_NEXT_TICK } from '../../server/readmodel/dossier';
import { dossierTermsOf, loadProcessCatalog } from '../../server/sla';
import { databaseUrl } from '../../test/support/database';
import { sampleVneidRequest, seededRandom } from '../simulators/sample-requests';

const repo = path.resolve(__dirname, '../..');

/** `LLTP_BENCH_SMALL=1`: the small mode bench:smoke runs (a few hundred dossiers, one run). */
export const SMALL = process.env.LLTP_BENCH_SMALL === '1';

/** A size or count: the environment's `name` when set, else the full or the small mode's default. */
export function setting(name: string, full: number, small: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return SMALL ? small : full;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, not "${raw}"`);
  return value;
}

/** A random suffix for the names a run creates (receipt numbers, databases, process ids). */
export const runId = (): string => randomBytes(4).toString('hex');

/** The three names a series prints: its median, its minimum and its maximum. */
export function series<N extends string>(name: N): [N, `${N}_min`, `${N}_max`] {
  return [name, `${name}_min`, `${name}_max`];
}

/** The declared names that are the median of a series (their `_min` and `_max` declared too). */
type SeriesOf<F extends string> = { [B in F]: `${B}_min` extends F ? (`${B}_max` extends F ? B : never) : never }[F];

export interface FigureOutput<F extends string> {
  /** Prints one figure: `{"bench": name, "value": value, "unit": unit}`. */
  emit(name: F, value: number, unit: string): void;
  /** Prints the median of `values` as `name`, and their minimum and maximum; returns the median. */
  series(name: SeriesOf<F>, values: readonly number[], unit: string): number;
}

/**
 * The output of a bench that declared `figures` (exported as `FIGURES` from its file, which
 * bench:smoke reads): only declared names can be printed.
 */
export function figureOutput<F extends string>(figures: readonly F[]): FigureOutput<F> {
  const declared = new Set<string>(figures);
  const emit = (name: F, value: number, unit: string): void => {
    if (!declared.has(name)) throw new Error(`${name} is not among the figures the bench declares`);
    if (!Number.isFinite(value)) throw new Error(`${name}: ${value} is not a number`);
    process.stdout.write(`${JSON.stringify({ bench: name, value: Number(value.toPrecision(4)), unit })}\n`);
  };
  return {
    emit,
    series(name, values, unit) {
      if (values.length === 0) throw new Error(`${name}: no value measured`);
      const m = median(values);
      emit(name, m, unit);
      emit(`${name}_min` as F, Math.min(...values), unit);
      emit(`${name}_max` as F, Math.max(...values), unit);
      return m;
    },
  };
}

/** The product's logger in a bench process: to stderr (stdout carries the figures). */
export const benchLogger = (level = 'warn'): Logger => createLogger({ level, destination: process.stderr });

export const progressOf =
  (tag: string) =>
  (message: string): void =>
    void process.stderr.write(`[${tag}] ${message}\n`);

/** The median (the upper one of an even count). */
export const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

/** Seconds since `startedMs` (a `performance.now()` reading). */
export const secondsSince = (startedMs: number): number => (performance.now() - startedMs) / 1000;

/**
 * Runs a bench's `main` when its file is the program (`module` is the bench file's own), not
 * when bench:smoke imports the file for its figure names; exits with the bench's exit code
 * (1 when it threw), whatever handles its clients left open.
 */
export function runBench(tag: string, module: NodeModule, main: () => Promise<void>): void {
  if (require.main !== module) return;
  const started = performance.now();
  main().then(
    () => {
      progressOf(tag)(`done in ${secondsSince(started).toFixed(1)} s${SMALL ? ' (small mode)' : ''}`);
      process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    },
    (error: unknown) => {
      process.stderr.write(`[${tag}] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}

/** A component of the local stack (tools/stack/stack.sh). */
export type StackComponent = 'postgres' | 'mailpit' | 'zeebe';
const CHECKED_AS: Record<StackComponent, ComponentCheck['component']> = { postgres: 'PostgreSQL', mailpit: 'SMTP server', zeebe: 'Zeebe broker' };
const STACK = path.join(repo, 'tools/stack/stack.sh');
export const RUN_DIR = process.env.LLTP_RUN_DIR ?? path.join(repo, '.cache/run');

/** Whether the component's process (from its pid file, as stack.sh keeps them) is alive. */
function running(component: StackComponent): boolean {
  const file = component === 'postgres' ? path.join(RUN_DIR, 'postgres-data/postmaster.pid') : path.join(RUN_DIR, `${component}.pid`);
  try {
    process.kill(Number(readFileSync(file, 'utf8').split('\n')[0]?.trim()), 0);
    return true;
  } catch {
    return false;
  }
}

function stack(...args: string[]): void {
  if (spawnSync('bash', [STACK, ...args], { stdio: ['ignore', 'inherit', 'inherit'] }).status !== 0) throw new Error(`bash tools/stack/stack.sh ${args.join(' ')} failed`);
}

/**
 * Runs `work` with the components of the local stack it `needs` healthy. A component whose
 * process is alive but not yet healthy (someone is starting or restarting it) is waited for,
 * never restarted; one that is not running is started (`stack.sh start`) and stopped again at
 * the end: only those, so that a bench never stops what others use.
 */
export async function withStack<T>(tag: string, needs: readonly StackComponent[], work: (config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
  const progress = progressOf(tag);
  const down = async (): Promise<StackComponent[]> => {
    const checks = await checkStack(config);
    return needs.filter((c) => !checks.find((check) => check.component === CHECKED_AS[c])?.ok);
  };
  const waitingSince = performance.now();
  let missing = await down();
  while (missing.some(running) && secondsSince(waitingSince) < 180) {
    progress(`waiting for ${missing.filter(running).join(', ')} to become healthy (started by someone else)`);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    missing = await down();
  }
  const started: StackComponent[] = [];
  if (missing.length > 0) {
    if (missing.some(running)) throw new Error(`${missing.join(', ')} still not healthy after 3 minutes: see .cache/run/logs`);
    progress(`starting ${missing.join(', ')} (bash tools/stack/stack.sh start …; stopped again at the end)`);
    stack('install');
    for (const component of missing) {
      stack('start', component);
      started.push(component);
    }
  }
  try {
    return await work(config);
  } finally {
    for (const component of started.reverse()) stack('stop', component);
  }
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: databaseUrl('postgres') });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

const quoted = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * The schema's hash: the names and text of the migration files, read from disk, so that every
 * bench agrees on it whatever compiles the code. (The test run names its template after the
 * compiled migrations, which jest's compiler and tsx print differently: benchmark databases have
 * names of their own, out of the test run's clean-up.)
 */
function schemaHash(): string {
  const dir = path.join(repo, 'server/db/migrations');
  const hash = createHash('sha256');
  for (const file of readdirSync(dir).sort()) hash.update(`${file}\n${readFileSync(path.join(dir, file), 'utf8')}\n`);
  return hash.digest('hex').slice(0, 12);
}

const SCHEMA = schemaHash();

/**
 * `lltp_benchschema_<schema>`: the migrated database every benchmark database is copied from,
 * made once per schema; making it drops the benchmark databases of other schemas.
 */
async function benchTemplate(): Promise<string> {
  const template = `lltp_benchschema_${SCHEMA}`;
  await withAdmin(async (admin) => {
    await admin.query('SELECT pg_advisory_lock(hashtext($1))', ['lltp-bench-template']);
    try {
      if ((await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template])).rowCount) return;
      const stale = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'lltp\\_bench%' AND right(datname, 12) <> $1`, [SCHEMA]);
      for (const { datname } of stale.rows) await admin.query(`DROP DATABASE IF EXISTS ${quoted(datname)} WITH (FORCE)`);
      const building = `lltp_benchbuild_schema_${SCHEMA}`;
      await admin.query(`DROP DATABASE IF EXISTS ${quoted(building)} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${quoted(building)}`);
      const database = await connectDatabase({ DATABASE_URL: databaseUrl(building) }, { max: 2 });
      try {
        await migrateToLatest(database.db);
      } finally {
        await database.close();
      }
      await admin.query(`ALTER DATABASE ${quoted(building)} RENAME TO ${quoted(template)}`);
    } finally {
      await admin.query('SELECT pg_advisory_unlock(hashtext($1))', ['lltp-bench-template']);
    }
  });
  return template;
}

/** `CREATE DATABASE … TEMPLATE …`, again while the backends of connections just closed end (the server waits 5 s each time). */
async function copyDatabase(admin: pg.Client, name: string, template: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.query(`CREATE DATABASE ${quoted(name)} TEMPLATE ${quoted(template)}`);
      return;
    } catch (error) {
      if (attempt >= 6 || !/is being accessed by other users/.test((error as Error).message)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export interface BenchDatabase {
  url: string;
  name: string;
  /** A connection pool to it (close it after use). */
  connect(options?: { max?: number }): Promise<Database>;
}

/**
 * The benchmark's database `lltp_benchdata_<name>_<schema>`, reused when it exists (its data
 * took minutes to write). Otherwise it is copied from the migrated template under a building
 * name, `fill`ed, and renamed: a database under its final name is always complete, and a run
 * stopped while writing leaves only a building copy that the next run drops.
 */
export async function benchDatabase(name: string, fill: (db: Db) => Promise<void>): Promise<BenchDatabase> {
  const template = await benchTemplate();
  const dbName = `lltp_benchdata_${name}_${SCHEMA}`;
  const building = `lltp_benchbuild_${name}_${SCHEMA}`;
  await withAdmin(async (admin) => {
    await admin.query('SELECT pg_advisory_lock(hashtext($1))', [dbName]);
    try {
      if ((await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName])).rowCount) return;
      await admin.query(`DROP DATABASE IF EXISTS ${quoted(building)} WITH (FORCE)`);
      await copyDatabase(admin, building, template);
      const database = await connectDatabase({ DATABASE_URL: databaseUrl(building) }, { max: 4, timeoutMs: 60_000 });
      try {
        await fill(database.db);
      } finally {
        await database.close();
      }
      await admin.query(`ALTER DATABASE ${quoted(building)} RENAME TO ${quoted(dbName)}`);
    } finally {
      await admin.query('SELECT pg_advisory_unlock(hashtext($1))', [dbName]);
    }
  });
  const url = databaseUrl(dbName);
  return { url, name: dbName, connect: (options = {}) => connectDatabase({ DATABASE_URL: url }, { max: options.max ?? 10, timeoutMs: 60_000 }) };
}

/**
 * A database of one run, `lltp_benchrun_<label>_<random>_<schema>`: a copy of `source` (a
 * benchmark database, its connections closed) or of the migrated template; `drop()` removes it.
 */
export async function runDatabase(label: string, source?: string): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const template = source ?? (await benchTemplate());
  const name = `lltp_benchrun_${label}_${runId()}_${SCHEMA}`;
  await withAdmin((admin) => copyDatabase(admin, name, template));
  return { url: databaseUrl(name), name, drop: () => withAdmin(async (admin) => void (await admin.query(`DROP DATABASE IF EXISTS ${quoted(name)} WITH (FORCE)`))) };
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

/** The lineage the bench receives for (AGENCY_CODE's default); the agency in force at the anchor records the dossiers. */
const LINEAGE = 'STP.KHA';
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
  // the versions in force at the anchor (dossiers run under them, as intake records them)
  const catalog = await loadProcessCatalog();
  const agency = catalog.agencyInForce(LINEAGE, spec.anchor).code;
  const { nationalProcessId, internalProcessId } = catalog.processesFor(agency, spec.anchor);
  // the law of the anchor: its statutory and target days (Law 107: 5 working days)
  const terms = dossierTermsOf(catalog.plan(nationalProcessId)!, 'ordinary', false);
  const rnd = seededRandom(spec.seed);
  const BATCH = 5000;
  for (let from = 0; from < spec.dossiers; from += BATCH) {
    const d = { code: [] as string[], received: [] as Date[], clock: [] as Date[], statutory: [] as Date[], target: [] as Date[], apology: [] as (Date | null)[], estimated: [] as boolean[] };
    const s = { id: [] as string[], code: [] as string[], element: [] as string[], started: [] as Date[], allotment: [] as number[], due: [] as Date[], finished: [] as (Date | null)[], next: [] as (Date | null)[] };
    for (let i = from; i < Math.min(spec.dossiers, from + BATCH); i++) {
      const code = `BENCH${String(Math.floor(i / 10000)).padStart(2, '0')}-261124-${String(i % 10000).padStart(4, '0')}`;
      const receivedAt = calendar.add(spec.anchor, -Math.floor(rnd() * spec.receivedWithinMinutes)).dueAt;
      const clock = restartClock(calendar, receivedAt, 'online');
      const deadlines = dossierDeadlines(calendar, clock, terms);
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
        INSERT INTO dossiers (code, receipt_number, agency_code, source, channel, unit_id, form_type, process_id, internal_process_id, variant,
          statutory_working_days, target_working_days, apology_lead_minutes, received_at, clock_start_at, statutory_due_at, target_due_at, apology_by_at,
          appointment_at, deadlines_estimated, calendar_version, status, next_check_at)
        SELECT code, 'BN-' || code, ${agency}, 'vneid', 'online', ${UNIT}, 1, ${nationalProcessId}, ${internalProcessId}, 'ordinary',
          ${terms.statutoryWorkingDays}, ${terms.targetWorkingDays}, ${terms.apologyLeadMinutes}, received, clock,
          statutory, target, apology, statutory, estimated, ${calendars.version}, 'open', ${CHECK_AT_NEXT_TICK}
        FROM unnest(${d.code}::text[], ${d.received}::timestamptz[], ${d.clock}::timestamptz[], ${d.statutory}::timestamptz[],
          ${d.target}::timestamptz[], ${d.apology}::timestamptz[], ${d.estimated}::boolean[])
          AS v (code, received, clock, statutory, target, apology, estimated)`.execute(tx);
      await sql`
        INSERT INTO steps (id, dossier_code, element_id, element_name, process_id, unit_id, role, clock, case_variant, started_at,
          allotment_minutes, due_at, calendar_version, finished_at, actor, next_check_at)
        SELECT id, code, element, element, ${nationalProcessId}, ${UNIT}, 'oneStopOfficer', 'running', 'ordinary', started, allotment, due,
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
 * 20,000 log-in sessions expired before `anchor`: so that every table a request reads is as large as the data.
 */
export async function writeIntakeRecords(db: Db, anchor: Date = OPEN_WORK_ANCHOR): Promise<void> {
  const declaration = JSON.stringify(sampleVneidRequest({ receiptNumber: 'BENCH-HISTORY', receivedAt: anchor.toISOString(), random: seededRandom(3) }));
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
            SELECT md5(g::text), 'motcua', ${anchor}::timestamptz - interval '30 days', ${anchor}::timestamptz - interval '29 days'
            FROM generate_series(1, 20000) g`.execute(db);
  await sql`ANALYZE`.execute(db);
}

/** The instant the open-work data is built around: a Tuesday, 10:00 in Việt Nam. */
export const OPEN_WORK_ANCHOR = new Date('2026-11-24T03:00:00Z');

/**
 * The database of `dossiers` open dossiers at OPEN_WORK_ANCHOR that bench:monitor, bench:db and
 * bench:dashboard share: received over the 11 working days before (about 5% late, 20% due
 * soon), 7 finished steps and one open step of 2, 4 or 8 working hours each (about 9% late),
 * with their receipts, declarations, audit entries and inbox tasks; the calendar and the demo
 * accounts (password `bench`) seeded. Written once, kept (`lltp_bench_open_work_<n>_<schema>`).
 */
export async function openWorkDatabase(dossiers: number, tag: string): Promise<BenchDatabase> {
  const progress = progressOf(tag);
  return benchDatabase(`open_work_${dossiers}`, async (db) => {
    const now = (): Date => OPEN_WORK_ANCHOR;
    await seedCalendar(db, loadSeed(), { actor: 'bench', now });
    await seedDemoAccounts(db, { nodeEnv: 'development', password: 'bench', partnerKey: 'bench', now });
    progress(`writing ${dossiers} open dossiers and ${dossiers * 8} steps (once; kept for later runs)`);
    const started = performance.now();
    const calendars = await createCalendarProvider({ db, now, refreshMs: 3_600_000 }).current();
    const spec = { dossiers, finishedStepsPerDossier: 7, receivedWithinMinutes: 11 * 480, anchor: OPEN_WORK_ANCHOR, openStepAge: 1.1, seed: 7 };
    await seedOpenWork(db, calendars, spec, (done) => {
      if (done % 20_000 === 0) progress(`  ${done} dossiers (${secondsSince(started).toFixed(0)} s)`);
    });
    await writeIntakeRecords(db);
    progress(`  receipts, declarations, audit, tasks and sessions written (${secondsSince(started).toFixed(0)} s)`);
  });
}
