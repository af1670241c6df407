/**
 * `npm run bench:scores`: the 766 index (server/scores) on a generated province-year; one JSON
 * line per figure on stdout, progress and query plans on stderr.
 *
 * Data (written once in SQL, kept as `lltp_benchdata_scores_year_<n>_<schema>`): `BENCH_SCORES_DOSSIERS`
 * (200,000) dossiers received evenly over 2026 by 12 receiving units, 85% through VNeID (fee
 * paid online), the rest through the portals, in person and by post; each takes 2–16 days, so
 * that about 6% end after their appointment (14 days after receipt), and those still running on
 * 4/1/2027 are open; 3% refused, 1% withdrawn; 97% of the certificates carry their e-result;
 * 4% wait once for a supplement, 0.5% twice; 30% rated (5% "không hài lòng"); three timed steps
 * per dossier (600,000 steps). Assumed shares: no province publishes them.
 *
 * Figures (median of `BENCH_SCORES_RUNS` (5) runs, with min and max):
 * - scores.year_all_units_s: every indicator of 2026 for the agency and each unit (≤ 1 s);
 * - scores.explain_unit_month_s: one unit's November explained, dossier by dossier (≤ 0.5 s);
 * - scores.daily_snapshot_s: the monitor's daily job (server/scores/snapshots.ts) run on
 *   16/12/2026 00:30 for the day before: the day, week, month, quarter and year holding 15/12,
 *   every unit, computed and stored (each run first deletes that day's snapshot, untimed) (≤ 5 s);
 *   scores.daily_snapshot_rows: the indicator rows it stores;
 * - scores.seq_scans: sequential scans of a large table (over 10,000 rows) in the plans of those
 *   statements that the planner expects to return less than half of it (0: reached by index);
 *   scores.wide_scans: those that read at least half of it (a year of a year's data).
 * Small mode (LLTP_BENCH_SMALL=1): 2,000 dossiers, 1 run.
 */
import { sql } from 'kysely';
import { createCalendarProvider } from '../../server/calendar/provider';
import { loadSeed } from '../../server/calendar/seed';
import { seedCalendar } from '../../server/calendar/store';
import { kyselyOver, createPool, type Db } from '../../server/db';
import { explainScores } from '../../server/scores/explain';
import { loadRegimes } from '../../server/scores/regime';
import { computeScores, type ScoreDeps } from '../../server/scores/service';
import { takeDailySnapshots } from '../../server/scores/snapshots';
import { explainAll, Recorder } from './plans';
import { benchDatabase, figureOutput, progressOf, runBench, series, setting, withStack } from './support';

export const FIGURES = [
  ...series('scores.year_all_units_s'),
  ...series('scores.explain_unit_month_s'),
  ...series('scores.daily_snapshot_s'),
  'scores.explain_unit_month_rows',
  'scores.daily_snapshot_rows',
  'scores.seq_scans',
  'scores.wide_scans',
] as const;

const DOSSIERS = setting('BENCH_SCORES_DOSSIERS', 200_000, 2_000);
const RUNS = setting('BENCH_SCORES_RUNS', 5, 1);
const NOW = new Date('2027-01-04T09:00:00+07:00');
const SNAPSHOT_DAY = '2026-12-15';
const SNAPSHOT_RUN_AT = new Date('2026-12-16T00:30:00+07:00');
const out = figureOutput(FIGURES);
const progress = progressOf('bench:scores');

/** The province-year, in SQL: the calendar (the repository's seed), dossiers, supplement stops, steps. */
async function seedYear(db: Db): Promise<void> {
  const started = performance.now();
  await seedCalendar(db, loadSeed(), { actor: 'bench', now: () => NOW });
  await sql`SELECT setseed(0.25)`.execute(db);
  await sql`
    CREATE TEMP TABLE gen AS
    SELECT g, timestamptz '2026-01-01 08:00+07' + (g * (365.0 * 86400 / ${DOSSIERS})) * interval '1 second' AS received_at,
           random() AS r_source, random() AS r_days, random() AS r_end, random() AS r_sign, random() AS r_rate, random() AS r_sup,
           1 + (g % 12) AS unit_no
      FROM generate_series(0, ${DOSSIERS - 1}) g`.execute(db);
  await sql`
    CREATE TEMP TABLE shaped AS
    SELECT g.*,
           CASE WHEN r_source < 0.85 THEN 'vneid' WHEN r_source < 0.90 THEN 'nationalPortal' WHEN r_source < 0.94 THEN 'provincialPortal'
                WHEN r_source < 0.99 THEN 'inPerson' ELSE 'post' END AS source,
           received_at + (CASE WHEN r_days < 0.06 THEN 15 + r_days * 30 ELSE 2 + r_days * 12 END) * interval '1 day' AS done_at,
           received_at + interval '14 days' AS due_at
      FROM gen g`.execute(db);
  await sql`
    INSERT INTO dossiers (code, receipt_number, agency_code, source, channel, unit_id, variant, statutory_working_days, target_working_days,
                          apology_lead_minutes, received_at, clock_start_at, statutory_due_at, target_due_at, appointment_at, status, outcome,
                          finished_at, signed_at, signature_id, fee_category, fee_paid_online, citizen_rating, citizen_rated_at)
    SELECT 'STP.KHA-' || to_char(received_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYMMDD') || '-'
             || lpad((row_number() OVER (PARTITION BY to_char(received_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYMMDD') ORDER BY g))::text, 4, '0'),
           'BN-SCORES-' || g, 'STP.KHA', source, CASE WHEN source IN ('inPerson', 'post') THEN 'paper' ELSE 'online' END,
           'xa-' || lpad(unit_no::text, 2, '0'), 'ordinary', 10, 3, 480, received_at, received_at, due_at, received_at + interval '4 days', due_at,
           CASE WHEN done_at <= ${NOW} THEN 'closed' ELSE 'open' END,
           CASE WHEN done_at > ${NOW} THEN NULL WHEN r_end < 0.03 THEN 'refused' WHEN r_end < 0.04 THEN 'withdrawn' ELSE 'issued' END,
           CASE WHEN done_at <= ${NOW} THEN done_at END,
           CASE WHEN done_at <= ${NOW} AND r_end >= 0.04 AND r_sign < 0.97 THEN done_at END,
           CASE WHEN done_at <= ${NOW} AND r_end >= 0.04 AND r_sign < 0.97 THEN 'SIG-' || g END,
           CASE WHEN source = 'vneid' THEN 'full' END, source = 'vneid',
           CASE WHEN done_at <= ${NOW} AND r_rate < 0.30 THEN CASE WHEN r_rate < 0.05 THEN 'dissatisfied' ELSE 'satisfied' END END,
           CASE WHEN done_at <= ${NOW} AND r_rate < 0.30 THEN done_at END
      FROM shaped`.execute(db);
  await sql`
    INSERT INTO clock_stops (dossier_code, started_at, ended_at, reason)
    SELECT d.code, d.received_at + interval '1 hour', d.received_at + interval '1 day', 'supplement' FROM dossiers d JOIN shaped s ON s.received_at = d.received_at
     WHERE s.r_sup < 0.045
    UNION ALL
    SELECT d.code, d.received_at + interval '2 days', d.received_at + interval '3 days', 'supplement' FROM dossiers d JOIN shaped s ON s.received_at = d.received_at
     WHERE s.r_sup < 0.005`.execute(db);
  await sql`
    INSERT INTO steps (id, dossier_code, element_id, element_name, unit_id, started_at, allotment_minutes, due_at, finished_at)
    SELECT 'step:scores:' || d.code || ':' || k, d.code, (ARRAY['checkDossier', 'searchRecords', 'approveCertificate'])[k],
           (ARRAY['Kiểm tra hồ sơ', 'Tra cứu lý lịch', 'Phê duyệt cấp Phiếu'])[k], d.unit_id,
           d.received_at + (k - 1) * interval '3 days', 480, d.received_at + k * interval '3 days',
           CASE WHEN d.finished_at IS NOT NULL THEN least(d.finished_at, d.received_at + k * interval '3 days' + interval '1 hour') END
      FROM dossiers d CROSS JOIN generate_series(1, 3) k`.execute(db);
  await sql`ANALYZE`.execute(db);
  progress(`seeded ${DOSSIERS} dossiers in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

async function measure(deps: ScoreDeps, recorder: Recorder): Promise<void> {
  const year: number[] = [];
  const explain: number[] = [];
  const daily: number[] = [];
  let rows = 0;
  let snapshotRows = 0;
  for (let run = 0; run < RUNS; run++) {
    year.push(await recorder.during('year', () => timed(() => computeScores(deps, { period: 'year', date: '2026-06-15' }))));
    explain.push(
      await recorder.during('explain', () =>
        timed(async () => {
          const explained = await explainScores(deps, { period: 'month', date: '2026-11-15', unit: 'xa-01' });
          rows = explained.costing.length + explained.atRisk.length;
        }),
      ),
    );
    await deps.db.deleteFrom('scoreSnapshots').where('day', '=', SNAPSHOT_DAY).execute();
    await deps.db.deleteFrom('scoreSnapshotDays').where('day', '=', SNAPSHOT_DAY).execute();
    daily.push(await recorder.during('daily', () => timed(async () => {
      const stored = await takeDailySnapshots({ db: deps.db, regimes: deps.regimes }, SNAPSHOT_RUN_AT, { catchUpDays: 1 });
      if (stored.days.join() !== SNAPSHOT_DAY) throw new Error(`the daily job stored ${stored.days.join() || 'no day'}, not ${SNAPSHOT_DAY}`);
      snapshotRows = stored.rows;
    })));
  }
  out.series('scores.year_all_units_s', year, 's');
  out.series('scores.explain_unit_month_s', explain, 's');
  out.series('scores.daily_snapshot_s', daily, 's');
  out.emit('scores.explain_unit_month_rows', rows, 'rows');
  out.emit('scores.daily_snapshot_rows', snapshotRows, 'rows');
}

async function main(): Promise<void> {
  await withStack('bench:scores', ['postgres'], async () => {
    const data = await benchDatabase(`scores_year_${DOSSIERS}`, seedYear);
    const recorder = new Recorder();
    const db = kyselyOver(createPool({ DATABASE_URL: data.url }, { max: 10, timeoutMs: 60_000 }), { log: recorder.record });
    try {
      const provider = createCalendarProvider({ db, now: () => NOW, refreshMs: 3_600_000 });
      await measure({ db, regimes: loadRegimes(), calendars: () => provider.current(), now: () => NOW }, recorder);
      const plans = await explainAll(db, recorder, progress, 10_000, 0.5);
      out.emit('scores.seq_scans', plans.offenders, 'scans');
      out.emit('scores.wide_scans', plans.wide, 'scans');
    } finally {
      await db.destroy();
    }
  });
}

runBench('bench:scores', module, main);
