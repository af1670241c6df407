/**
 * `npm run bench:whatif`: the what-if of a draft model (server/designer, issue 27 item 5) on a
 * generated province; one JSON line per figure on stdout, progress and query plans on stderr.
 *
 * Data (written once in SQL, kept as `lltp_benchdata_whatif_<n>_<schema>`): `BENCH_WHATIF_DOSSIERS`
 * (30,000) closed VNeID dossiers received in the third quarter of 2026 under Law 107's versions
 * (quy-trinh-570-v20260701 with khanh-hoa-pv06-v20260701), and as many again in each of the two
 * quarters around it (the second and the fourth) so that the quarter judged is a third of the
 * table; five timed steps each (checkDossier, acceptInLltpSoftware, searchRecords,
 * drawUpCertificate, returnResult; 450,000 steps, in month partitions as in production), each taking 0–6 hours, so that some are late
 * under either model; 3% wait once for a supplement (a clock stop).
 *
 * Figures:
 * - whatif.quarter_s: the whole what-if of the third quarter against a draft of the internal
 *   procedure that halves searchRecords' allotment (lint of the draft, plans, the three reads,
 *   both judgements of every step and dossier), median of `BENCH_WHATIF_RUNS` (3) warm runs with
 *   min and max; target ≤ 5 s, whatif.quarter_target_ratio = median ÷ 5 s; whatif.quarter_cold_s:
 *   the first run of the process, before them (the lint rules and the calendar loaded, code compiled);
 * - whatif.quarter_dossiers, whatif.quarter_steps: what it re-judged; whatif.extra_late_steps:
 *   the late steps the draft adds;
 * - whatif.seq_scans: sequential scans of a table over 10,000 rows in the plans (EXPLAIN (FORMAT
 *   JSON)) of the statements it ran; the bench fails unless it is 0.
 * Small mode (LLTP_BENCH_SMALL=1): 1,000 dossiers a quarter, 1 run.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../../server/config';
import { createCalendarProvider } from '../../server/calendar/provider';
import { loadSeed } from '../../server/calendar/seed';
import { seedCalendar } from '../../server/calendar/store';
import { kyselyOver, createPool, type Db } from '../../server/db';
import { runWhatIf, whatIfDepsFromConfig, whatIfPeriod, type WhatIfReport } from '../../server/designer/whatif-service';
import { loadRegimes } from '../../server/scores/regime';
import { addMonths, createPartition, HISTORY_TABLES } from '../../server/retention/partitions';
import { PROCESSES_DIR } from '../../server/sla/catalog';
import { explainAll, Recorder } from './plans';
import { benchDatabase, figureOutput, progressOf, runBench, series, setting, withStack } from './support';

export const FIGURES = [
  'whatif.quarter_cold_s',
  ...series('whatif.quarter_s'),
  'whatif.quarter_target_ratio',
  'whatif.quarter_dossiers',
  'whatif.quarter_steps',
  'whatif.extra_late_steps',
  'whatif.seq_scans',
] as const;

const PER_QUARTER = setting('BENCH_WHATIF_DOSSIERS', 30_000, 1_000);
const RUNS = setting('BENCH_WHATIF_RUNS', 3, 1);
const TARGET_S = 5;
const NOW = new Date('2027-01-04T09:00:00+07:00');
const QUARTER = { from: '2026-07-01', to: '2026-09-30' };
const out = figureOutput(FIGURES);
const progress = progressOf('bench:whatif');

/** The installed internal procedure with searchRecords' allotment halved (4h → 2h). */
function draftXml(): string {
  const installed = readFileSync(path.join(PROCESSES_DIR, 'khanh-hoa-pv06-v20260701.bpmn'), 'utf8');
  const property = '<zeebe:property name="lltp:step.searchRecords.allotment" value="4h" />';
  if (!installed.includes(property)) throw new Error(`khanh-hoa-pv06-v20260701 no longer sets ${property}: update the bench`);
  return installed.replace(property, property.replace('4h', '2h'));
}

/** Three quarters of dossiers, their steps and supplement stops, in SQL. */
async function seedQuarters(db: Db): Promise<void> {
  const started = performance.now();
  await seedCalendar(db, loadSeed(), { actor: 'bench', now: () => NOW });
  await sql`SELECT setseed(0.27)`.execute(db);
  const total = PER_QUARTER * 3;
  // three quarters from 1 April 2026, 08:00–16:00 on each day, evenly (integer division: whole days, whole minutes)
  const perDay = Math.ceil(PER_QUARTER / 91);
  await sql`
    CREATE TEMP TABLE gen AS
    SELECT g, timestamptz '2026-04-01 08:00+07' + (g / ${perDay}::int) * interval '1 day' + ((g % ${perDay}::int) * 480 / ${perDay}::int) * interval '1 minute' AS received_at,
           random() AS r_sup
      FROM generate_series(0, ${total - 1}) g`.execute(db);
  await sql`
    INSERT INTO dossiers (code, receipt_number, agency_code, source, channel, unit_id, variant, case_variant, statutory_working_days, target_working_days,
                          apology_lead_minutes, received_at, clock_start_at, process_id, internal_process_id, status, outcome, finished_at, signed_at, fee_category, fee_paid_online)
    SELECT 'CA.KHA-' || to_char(received_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYMMDD') || '-'
             || lpad((row_number() OVER (PARTITION BY to_char(received_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYMMDD') ORDER BY g))::text, 4, '0'),
           'BN-WHATIF-' || g, 'CA.KHA', 'vneid', 'online', 'stp-mot-cua', 'ordinary', 'ordinary', 5, 3, 480, received_at, received_at,
           'quy-trinh-570-v20260701', 'khanh-hoa-pv06-v20260701', 'closed', 'issued', received_at + interval '2 days', received_at + interval '2 days', 'full', true
      FROM gen`.execute(db);
  await sql`
    INSERT INTO clock_stops (dossier_code, started_at, ended_at, reason)
    SELECT d.code, d.received_at + interval '1 hour', d.received_at + interval '1 day', 'supplement'
      FROM dossiers d JOIN gen ON 'BN-WHATIF-' || gen.g = d.receipt_number WHERE gen.r_sup < 0.03`.execute(db);
  // the month partitions the monitor creates ahead in production (server/retention/partitions.ts)
  const steps = HISTORY_TABLES.find((t) => t.table === 'steps')!;
  for (let month = { year: 2026, month: 4 }; month.year * 12 + month.month <= 2027 * 12 + 1; month = addMonths(month, 1)) await createPartition(db, steps, month);
  await sql`
    INSERT INTO steps (id, dossier_code, element_id, element_name, process_id, unit_id, case_variant, started_at, allotment_minutes, due_at, finished_at)
    SELECT 'step:whatif:' || d.code || ':' || k, d.code,
           (ARRAY['checkDossier', 'acceptInLltpSoftware', 'searchRecords', 'drawUpCertificate', 'returnResult'])[k], NULL, 'quy-trinh-570-v20260701',
           (ARRAY['stp-mot-cua', 'stp-hctp', 'stp-hctp', 'stp-hctp', 'stp-mot-cua'])[k], 'ordinary',
           d.received_at + (k - 1) * interval '7 hours', (ARRAY[240, 120, 240, 240, 120])[k],
           d.received_at + (k - 1) * interval '7 hours' + (ARRAY[240, 120, 240, 240, 120])[k] * interval '1 minute',
           d.received_at + (k - 1) * interval '7 hours' + random() * interval '6 hours'
      FROM dossiers d CROSS JOIN generate_series(1, 5) k`.execute(db);
  await sql`ANALYZE`.execute(db);
  progress(`seeded ${total} dossiers (${PER_QUARTER} a quarter), ${total * 5} steps in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

async function main(): Promise<void> {
  await withStack('bench:whatif', ['postgres'], async () => {
    const data = await benchDatabase(`whatif_${PER_QUARTER}`, seedQuarters);
    const recorder = new Recorder();
    const db = kyselyOver(createPool({ DATABASE_URL: data.url }, { max: 4, timeoutMs: 60_000 }), { log: recorder.record });
    try {
      const provider = createCalendarProvider({ db, now: () => NOW, refreshMs: 3_600_000 });
      const deps = whatIfDepsFromConfig(loadConfig({ ...process.env, DATABASE_URL: data.url }), db, () => provider.current(), PROCESSES_DIR, loadRegimes());
      const xml = draftXml();
      const period = whatIfPeriod(QUARTER.from, QUARTER.to);
      const seconds: number[] = [];
      const cold = performance.now();
      let report: WhatIfReport | null = await recorder.during('whatif', () => runWhatIf(deps, xml, period));
      out.emit('whatif.quarter_cold_s', (performance.now() - cold) / 1000, 's');
      for (let run = 0; run < RUNS; run++) {
        const started = performance.now();
        report = await recorder.during('whatif', () => runWhatIf(deps, xml, period));
        seconds.push((performance.now() - started) / 1000);
        progress(`run ${run + 1}: ${seconds.at(-1)?.toFixed(2)} s, ${report.dossiers} dossiers`);
      }
      const medianS = out.series('whatif.quarter_s', seconds, 's');
      out.emit('whatif.quarter_target_ratio', medianS / TARGET_S, 'ratio');
      out.emit('whatif.quarter_dossiers', report.dossiers, 'dossiers');
      out.emit('whatif.quarter_steps', report.steps, 'steps');
      out.emit('whatif.extra_late_steps', report.difference.lateSteps, 'steps');
      const plans = await explainAll(db, recorder, progress, 10_000);
      out.emit('whatif.seq_scans', plans.offenders, 'scans');
      if (plans.offenders > 0) throw new Error(`${plans.offenders} sequential scan(s) of a large table in the what-if's plans (see above)`);
    } finally {
      await db.destroy();
    }
  });
}

runBench('bench:whatif', module, main);
