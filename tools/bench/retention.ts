/**
 * `npm run bench:retention`: the daily retention run and a month's archive on a year of history;
 * one JSON line per figure on stdout, progress and query plans on stderr.
 *
 * Data (written once, kept as `lltp_benchdata_retention_year_<n>_<schema>`, then copied for each
 * run since the run changes it): `BENCH_RETENTION_DOSSIERS` (200,000) dossiers received evenly
 * from 1 December 2025 to 30 November 2026, each with its declaration, 10 steps 12 hours apart
 * (the month partitions of steps, audit and alerts made by the product's own createPartition),
 * 3 audit rows, an alert mail for one dossier in five (its stored text: 600 bytes) and an apology
 * letter for one in thirty; closed 7 days after receipt, but the last 10 days' dossiers, still
 * open; 1,000 expired log-in sessions. Written in SQL (INSERT … SELECT FROM generate_series):
 * the deadlines do not matter to retention, only the instants.
 *
 * Policy: declarations and letters kept 180 days after closing, mails 90 days, audit 365 days,
 * batches of 1,000 (RETENTION_BATCH_SIZE's default). A first run at 1 December 2026 catches up
 * the backlog (retention.catch_up_s, not a target); then `BENCH_RETENTION_RUNS` (5) daily runs on
 * the following days each handle one day's expiries, as in production.
 *
 * Figures:
 * - retention.daily_run_s: one daily retention run (server/retention runRetention: declarations,
 *   letters, mails, sessions, audit) and the partitions created ahead (≤ 10 s; median, min, max);
 * - retention.detach_month_s: detaching December 2025 from audit, steps and alerts, the three
 *   `ALTER TABLE … DETACH PARTITION` (≤ 10 s; re-attached between runs, not timed);
 * - retention.archive_month_s: `archive:month 2025-12` once (server/retention/archive.ts: checks,
 *   detach, pg_dump of the three partitions, drop, audit row), with retention.archive_month_rows;
 * - retention.seq_scans: sequential scans of a table or partition of more than 10,000 rows in the
 *   plans of the hot statements (the retention run's, a step finished, a dossier's timeline and
 *   audit, the monitor's steps to check and open steps, an alert by key, the outbox's pending alerts and claim) (0);
 *   each plan is printed on stderr, the partitions it reads listed (pruning shows as the months
 *   it leaves out); retention.seq_scans_wide: those that read at least half of their partition (a
 *   month's audit counted reads its one month whole: the right plan).
 * Small mode (LLTP_BENCH_SMALL=1): 2,000 dossiers, 1 run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { kyselyOver, createPool, type Db } from '../../server/db';
import { finishSteps } from '../../server/readmodel/timeline';
import { runRetention, type RetentionPolicy } from '../../server/retention';
import { archiveMonth } from '../../server/retention/archive';
import { addMonths, createPartition, createPartitionsAhead, HISTORY_TABLES, partitionName, monthBounds, type Month } from '../../server/retention/partitions';
import { explainAll, Recorder } from './plans';
import { benchDatabase, figureOutput, progressOf, runBench, runDatabase, series, setting, withStack } from './support';

export const FIGURES = [
  ...series('retention.daily_run_s'),
  ...series('retention.detach_month_s'),
  'retention.catch_up_s',
  'retention.archive_month_s',
  'retention.archive_month_rows',
  'retention.seq_scans',
  'retention.seq_scans_wide',
  'retention.dossiers',
  'retention.steps',
] as const;

const DOSSIERS = setting('BENCH_RETENTION_DOSSIERS', 200_000, 2_000);
const RUNS = setting('BENCH_RETENTION_RUNS', 5, 1);
const FIRST_MONTH: Month = { year: 2025, month: 12 };
const YEAR_START = monthBounds(FIRST_MONTH).from;
const YEAR_MS = 365 * 86400_000;
const NOW = new Date('2026-12-01T19:00:00+07:00');
const DAY_MS = 86400_000;
const POLICY: RetentionPolicy = { declarationDays: 180, letterDays: 180, mailDays: 90, sessionDays: 0, auditDays: 365, batchSize: 1000 };
const progress = progressOf('bench:retention');

/** Dossiers `from` to `to` - 1 with their history, in one transaction. */
async function seedSlice(db: Db, from: number, to: number): Promise<void> {
  await db.transaction().execute(async (tx) => {
    // a day's codes are numbered by i (consecutive within a day, under 10,000 a day)
    await sql`
      CREATE TEMP TABLE slice ON COMMIT DROP AS
      SELECT i, received, 'STP.KHA-' || to_char(received AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYMMDD') || '-' || lpad((i % 10000)::text, 4, '0') AS code,
             received > ${new Date(NOW.getTime() - 10 * DAY_MS)}::timestamptz AS open
      FROM (SELECT i, ${YEAR_START}::timestamptz + (i::double precision / ${DOSSIERS} * ${YEAR_MS / 1000}) * interval '1 second' AS received
            FROM generate_series(${from}::int, ${to - 1}::int) i) g`.execute(tx);
    await sql`
      INSERT INTO dossiers (code, receipt_number, agency_code, source, channel, unit_id, process_id, variant, statutory_working_days,
        target_working_days, apology_lead_minutes, received_at, clock_start_at, statutory_due_at, target_due_at, status, outcome, finished_at)
      SELECT code, 'BR-' || code, 'STP.KHA', 'vneid', 'online', 'stp-mot-cua', 'quy-trinh-570-v20241001', 'ordinary', 10, 3, 480,
        received, received, received + interval '14 days', received + interval '3 days',
        CASE WHEN open THEN 'open' ELSE 'closed' END, CASE WHEN open THEN NULL ELSE 'issued' END,
        CASE WHEN open THEN NULL ELSE received + interval '7 days' END
      FROM slice`.execute(tx);
    await sql`
      INSERT INTO declarations (dossier_code, request, created_at)
      SELECT code, jsonb_build_object('fullName', 'Nguyễn Văn ' || i, 'birthDate', '1990-01-01', 'residence', 'Nha Trang, Khánh Hòa'), received FROM slice`.execute(tx);
    await sql`
      INSERT INTO steps (id, dossier_code, element_id, unit_id, started_at, allotment_minutes, due_at, finished_at, actor, next_check_at)
      SELECT 'step:bench:' || i || ':' || k, code, 'buoc-' || k, 'stp-hctp', received + k * interval '12 hours', 240,
        received + k * interval '12 hours' + interval '8 hours',
        CASE WHEN open AND k >= 3 THEN NULL ELSE received + k * interval '12 hours' + interval '2 hours' END,
        CASE WHEN open AND k >= 3 THEN NULL ELSE 'chuyenvien' END,
        CASE WHEN open AND k = 3 THEN received + k * interval '12 hours' + interval '6 hours' END
      FROM slice, generate_series(0, 9) k
      WHERE NOT (open AND k > 3)`.execute(tx);
    await sql`
      INSERT INTO audit (at, actor, action, dossier_code, detail)
      SELECT received + k * interval '1 day', 'chuyenvien', (ARRAY['dossier.intake', 'dossier.read-details', 'task.complete'])[k + 1], code, 'bench'
      FROM slice, generate_series(0, 2) k`.execute(tx);
    await sql`
      INSERT INTO alerts (id, kind, subject, dossier_code, step_id, detected_at, run_id, delivery_status, message_id, mail_subject, mail_text, sent_at)
      SELECT 'step:step:bench:' || i || ':3:dueSoon', 'dueSoon', 'step', code, 'step:bench:' || i || ':3', received + interval '40 hours', 'bench', 'sent',
        '<' || i || '@bench>', 'Sắp đến hạn', repeat('Hồ sơ sắp đến hạn xử lý. ', 24), received + interval '40 hours'
      FROM slice WHERE i % 5 = 0`.execute(tx);
    await sql`
      INSERT INTO letters (id, dossier_code, kind, fields, html, pdf, created_at)
      SELECT 'apology:' || code, code, 'apology', '{}'::jsonb, '<html>thư xin lỗi</html>', '\\x255044462d'::bytea, received + interval '6 days'
      FROM slice WHERE i % 30 = 0 AND NOT open`.execute(tx);
  });
}

async function seedYear(db: Db): Promise<void> {
  for (let m = 0; m < 12; m++) for (const history of HISTORY_TABLES) await createPartition(db, history, addMonths(FIRST_MONTH, m));
  await sql`INSERT INTO users (username, display_name, email, roles, unit_id, password_hash, created_at)
            VALUES ('bench', 'Bench', 'bench@example.invalid', ARRAY['administrator'], 'stp-hctp', 'x', ${YEAR_START})`.execute(db);
  await sql`INSERT INTO sessions (token_digest, username, created_at, expires_at)
            SELECT 'expired-' || n, 'bench', ${YEAR_START}::timestamptz + n * interval '1 hour', ${YEAR_START}::timestamptz + n * interval '1 hour' + interval '8 hours'
            FROM generate_series(1, 1000) n`.execute(db);
  const started = performance.now();
  const SLICE = 10_000;
  for (let from = 0; from < DOSSIERS; from += SLICE) {
    await seedSlice(db, from, Math.min(DOSSIERS, from + SLICE));
    progress(`  ${Math.min(DOSSIERS, from + SLICE)} dossiers (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
  await sql`ANALYZE`.execute(db);
}

let lastOutcome = '';
const timed = async (work: () => Promise<unknown>): Promise<number> => {
  const started = performance.now();
  const outcome = await work();
  const seconds = (performance.now() - started) / 1000;
  lastOutcome = typeof outcome === 'string' ? outcome : '';
  return seconds;
};

/** The daily run's part that this issue adds up: the retention job and the partitions ahead. */
const dailyRun = async (db: Db, at: Date): Promise<string> => {
  const counts = await runRetention(db, POLICY, at);
  const created = await createPartitionsAhead(db, at, 3);
  return `${JSON.stringify(counts)}, ${created} partitions created`;
};

/** DETACH of the month's three partitions, timed; then ATTACH again (not timed). */
async function detachOnce(db: Db, month: Month): Promise<number> {
  const seconds = await timed(async () => {
    for (const { table } of HISTORY_TABLES) await sql`ALTER TABLE ${sql.id(table)} DETACH PARTITION ${sql.id(partitionName(table, month))}`.execute(db);
  });
  const { from, to } = monthBounds(month);
  for (const { table } of HISTORY_TABLES) {
    await sql`ALTER TABLE ${sql.id(table)} ATTACH PARTITION ${sql.id(partitionName(table, month))} FOR VALUES FROM (${sql.lit(from.toISOString())}) TO (${sql.lit(to.toISOString())})`.execute(db);
  }
  return seconds;
}

/** The hot statements, recorded once on `recorded` (the product's own code where it is exported). */
async function hotStatements(recorded: Db, recorder: Recorder, at: Date): Promise<void> {
  const open = await sql<{ id: string; dossierCode: string }>`SELECT id, dossier_code AS "dossierCode" FROM steps WHERE finished_at IS NULL ORDER BY id LIMIT 1`.execute(recorded);
  const step = open.rows[0];
  if (!step) throw new Error('no open step in the data');
  await recorder.during('retention', () => runRetention(recorded, POLICY, at));
  await recorder.during('step finished', () => finishSteps(recorded, { id: step.id }, { finishedAt: at, actor: 'chuyenvien' }));
  await recorder.during('dossier timeline', () => recorded.selectFrom('steps').selectAll().where('dossierCode', '=', step.dossierCode).orderBy('startedAt').orderBy('id').execute());
  await recorder.during('dossier audit', () => recorded.selectFrom('audit').selectAll().where('dossierCode', '=', step.dossierCode).orderBy('at').execute());
  await recorder.during('monitor: steps to check', () => recorded.selectFrom('steps').select('id').where('nextCheckAt', '<=', at).orderBy('nextCheckAt').limit(500).execute());
  await recorder.during('monitor: open steps', () => recorded.selectFrom('steps').select('id').where('finishedAt', 'is', null).where('id', '>', '').orderBy('id').limit(500).execute());
  await recorder.during('monitor: alert by key', () => recorded.selectFrom('alertIds').select('id').where('id', '=', sql<string>`ANY(${[`step:${step.id}:overdue`]}::text[])`).execute());
  await recorder.during('outbox: pending alerts', () => recorded.selectFrom('alerts').select('id').where('deliveryStatus', '=', 'pending').orderBy('nextAttemptAt').limit(100).execute());
  await recorder.during('outbox: claim (as server/monitor/deliver.ts)', () =>
    recorded
      .updateTable('alerts')
      .set({ claimedBy: 'bench', claimedUntil: at })
      .where('id', 'in', (eb) =>
        eb.selectFrom('alerts').select('id').where('deliveryStatus', '=', 'pending').where('nextAttemptAt', '<=', at)
          .where((w) => w.or([w('claimedUntil', 'is', null), w('claimedUntil', '<', at)]))
          .orderBy('nextAttemptAt').orderBy('detectedAt').limit(50).forUpdate().skipLocked(),
      )
      .returningAll()
      .execute(),
  );
  await recorder.during('audit of a month', () => recorded.selectFrom('audit').select((eb) => eb.fn.countAll<number>().as('n')).where('at', '>=', monthBounds({ year: 2026, month: 3 }).from).where('at', '<', monthBounds({ year: 2026, month: 3 }).to).execute());
}

async function main(): Promise<void> {
  const out = figureOutput(FIGURES);
  await withStack('bench:retention', ['postgres'], async (config) => {
    const data = await benchDatabase(`retention_year_${DOSSIERS}`, async (db) => {
      progress(`writing a year of history: ${DOSSIERS} dossiers, ${DOSSIERS * 10} steps (once; kept for later runs)`);
      await seedYear(db);
    });
    const copy = await runDatabase('retention', data.name);
    const recorder = new Recorder();
    // only the hot statements are recorded (the timed runs' statements would be recorded as setup, and not explained)
    const db = kyselyOver(createPool({ DATABASE_URL: copy.url }, { max: 4 }), { log: (s) => recorder.operation !== 'setup' && recorder.record(s) });
    const archiveDir = mkdtempSync(path.join(tmpdir(), 'lltp-bench-archive-'));
    try {
      const counts = (await sql<{ dossiers: number; steps: number }>`SELECT (SELECT count(*) FROM dossiers)::int AS dossiers, (SELECT count(*) FROM steps)::int AS steps`.execute(db)).rows[0]!;
      progress(`data: ${counts.dossiers} dossiers, ${counts.steps} steps`);
      out.emit('retention.dossiers', counts.dossiers, 'dossiers');
      out.emit('retention.steps', counts.steps, 'steps');
      const catchUp = await timed(() => dailyRun(db, NOW));
      progress(`catch-up run at ${NOW.toISOString()}: ${catchUp.toFixed(2)} s: ${lastOutcome}`);
      const daily: number[] = [];
      for (let run = 1; run <= RUNS; run++) {
        const seconds = await timed(() => dailyRun(db, new Date(NOW.getTime() + run * DAY_MS)));
        daily.push(seconds);
        progress(`daily run ${run}/${RUNS}: ${seconds.toFixed(3)} s: ${lastOutcome}`);
      }
      const detaches: number[] = [];
      for (let run = 1; run <= RUNS; run++) {
        detaches.push(await detachOnce(db, FIRST_MONTH));
        progress(`detach ${run}/${RUNS}: ${detaches.at(-1)?.toFixed(3)} s`);
      }
      await hotStatements(db, recorder, new Date(NOW.getTime() + (RUNS + 1) * DAY_MS));
      // a statement that reads most of a partition (a month's audit counted) reads the one month it needs: counted apart
      const plans = await explainAll(db.withoutPlugins(), recorder, progress, 10_000, 0.5);
      progress(`${recorder.statements.size} hot statements explained`);
      let archived = 0;
      const archive = await timed(async () => {
        const outcome = await archiveMonth(db, { databaseUrl: copy.url, archiveDir, minAgeDays: 300 }, '2025-12', NOW);
        archived = outcome.tables.reduce((sum, t) => sum + t.rows, 0);
      });
      progress(`archive:month 2025-12: ${archive.toFixed(2)} s, ${archived} rows (config ${config.ARCHIVE_DIR} not used: a temporary directory)`);
      out.emit('retention.catch_up_s', catchUp, 's');
      out.series('retention.daily_run_s', daily, 's');
      out.series('retention.detach_month_s', detaches, 's');
      out.emit('retention.archive_month_s', archive, 's');
      out.emit('retention.archive_month_rows', archived, 'rows');
      out.emit('retention.seq_scans', plans.offenders, 'scans');
      out.emit('retention.seq_scans_wide', plans.wide, 'scans');
      if (plans.offenders > 0) process.exitCode = 1;
    } finally {
      await db.destroy();
      await copy.drop();
      rmSync(archiveDir, { recursive: true, force: true });
    }
  });
}

runBench('bench:retention', module, main);
