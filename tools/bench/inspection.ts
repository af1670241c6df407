/**
 * `npm run bench:inspection`: the inspection lists, exports and the weekly report on a generated
 * province-year; one JSON line per figure on stdout, progress and query plans on stderr.
 *
 * Data (written once, kept as `lltp_benchdata_inspection_year_<n>_<schema>`): `BENCH_INSPECTION_DOSSIERS`
 * (20,000) dossiers received over the working days of 2026 through VNeID (85%) and the other
 * channels, each with the 10 steps of Quy trình 570's fast path run one after the other (6 timed
 * officers' steps with their tasks, 4 untimed automated ones: 200,000 steps, 120,000 tasks);
 * about 5% overrun one officer's step by 8–12 working days (reason given) and finish after their
 * statutory due date, a third of those with an apology letter; 4% wait for a
 * supplement (a clock stop); 3% are refused (form 03) at the one-stop check and 1% withdrawn by
 * the citizen after it (assumed shares: no province publishes them); the dossiers received in the
 * last 8 working days are still open.
 *
 * Figures (median of `BENCH_INSPECTION_RUNS` (5) runs, with min and max; target in the name's issue):
 * - inspection.list_year_s: `lltp inspection list --from 2026-01-01 --to 2026-12-31 --status late
 *   --json` run through the CLI's own code (server/cli, in process: the command's connection,
 *   models and calendar, the summary, every late dossier with its late steps, the audit entry),
 *   its JSON document kept in memory (≤ 1 s); inspection.list_year_rows: the dossiers it listed;
 * - inspection.xlsx_10k_s: 10,000 dossier rows (and their late steps) as XLSX (≤ 3 s);
 * - inspection.pdf_1k_s: 1,000 dossier rows as PDF (≤ 5 s);
 * - inspection.xlsx_year_s: the year's list (every dossier received in 2026, with the late steps
 *   and the summary) as XLSX through the real API (HTTP, the inspection routes, the slots); a
 *   year as PDF is refused (413) by EXPORT_MAX_ROWS_PDF, so the year is measured as XLSX and
 *   inspection.pdf_cap_s: the PDF of the longest period from 1 January the PDF cap allows, through
 *   the API (inspection.pdf_cap_rows: its dossiers);
 * - inspection.healthz_during_export_ms: the slowest answer to `GET /healthz`, polled every 50 ms
 *   from another process while those two exports ran in the API (≤ 100 ms: the export must not
 *   block the event loop);
 * - inspection.weekly_report_s: a week's report built (summary, late list, XLSX and PDF) and
 *   archived (≤ 2 s);
 * - inspection.summary_year_s: the year's summary alone (it reads every timed step finished in
 *   the year for the average and 90th percentile per step; not a target);
 * - inspection.seq_scans_per_dossier_tables: sequential scans of steps, tasks, clock_stops or audit
 *   in the plans of the statements above, but the summary's step durations (0: the details of
 *   dossiers are reached by index; the dossiers table itself is read whole for a year-long period).
 *   The CLI runs on a connection of its own, so the list's statements are recorded by running
 *   the same service calls once more on the recording connection (not timed).
 * - inspection.on_time_rate_year_before / _after: the year's on-time rate (received in 2026) as
 *   counted before issue 23 (issued or refused by the statutory date ÷ issued or refused) and as
 *   the province counts it (server/inspection/counting.ts: issued on time ÷ issued);
 * - inspection.newly_late_target_or_step_year: the year's dossiers that `status=lateTargetOrStep`
 *   lists (late against the 570 target or an internal step) and that neither the statutory late
 *   list nor the overdue list held: what the review of QĐ 2799 / Quy trình 570 lateness adds.
 * Small mode (LLTP_BENCH_SMALL=1): 300 dossiers, 1 run.
 */
import { sql } from 'kysely';
import { formatInstant } from '../../server/calendar/civil-time';
import { restartClock } from '../../server/calendar/clock';
import { dossierDeadlines, stepDueAt } from '../../server/calendar/deadlines';
import { createCalendarProvider } from '../../server/calendar/provider';
import { loadSeed } from '../../server/calendar/seed';
import { seedCalendar } from '../../server/calendar/store';
import type { WorkingCalendar, WorkingCalendars } from '../../server/calendar/working-calendar';
import { kyselyOver, createPool, type Db } from '../../server/db';
import { filterVocabulary, inspectionService } from '../../server/inspection';
import { lateTargetOrStepSql } from '../../server/inspection/counting';
import { streamDossiers } from '../../server/inspection/engine';
import { parseFilters } from '../../server/inspection/filters';
import { dossierJson, exportList, summaryOf, weeklyReport, type Actor, type InspectionServiceDeps } from '../../server/inspection/service';
import { reportWeek } from '../../server/inspection/week';
import { loadProcessCatalog } from '../../server/sla';
import { runCli } from '../../server/cli/lltp';
import type { CliIo } from '../../server/cli/io';
import type { Config } from '../../server/config';
import { periodWithin, startBenchApi, type BenchApi } from './inspection-api';
import { explainAll, Recorder } from './plans';
import { benchDatabase, figureOutput, progressOf, runBench, seededRandom, series, setting, withStack, type BenchDatabase } from './support';

export const FIGURES = [
  ...series('inspection.list_year_s'),
  'inspection.list_year_rows',
  ...series('inspection.summary_year_s'),
  ...series('inspection.xlsx_10k_s'),
  'inspection.xlsx_rows',
  ...series('inspection.pdf_1k_s'),
  'inspection.pdf_rows',
  ...series('inspection.xlsx_year_s'),
  'inspection.xlsx_year_rows',
  ...series('inspection.pdf_cap_s'),
  'inspection.pdf_cap_rows',
  ...series('inspection.healthz_during_export_ms'),
  ...series('inspection.weekly_report_s'),
  'inspection.seq_scans_per_dossier_tables',
  'inspection.statements',
  'inspection.on_time_rate_year_before',
  'inspection.on_time_rate_year_after',
  'inspection.newly_late_target_or_step_year',
] as const;

const DOSSIERS = setting('BENCH_INSPECTION_DOSSIERS', 20_000, 300);
const RUNS = setting('BENCH_INSPECTION_RUNS', 5, 1);
const NOW = new Date('2027-01-04T09:00:00+07:00');
const YEAR_START = new Date('2026-01-02T07:30:00+07:00');
const WORKING_DAYS_2026 = 245;
const PROCESS = 'quy-trinh-570-v20241001';
const INTERNAL = 'khanh-hoa-2799-v20241029';
const ACTOR: Actor = { username: 'bench', displayName: 'Benchmark' };
const progress = progressOf('bench:inspection');

/** The steps of a dossier, in order: element, unit, role, officer, allotment in working minutes. */
const STEPS: [string, string, string, string, number][] = [
  ['checkDossier', 'stp-mot-cua', 'oneStopOfficer', 'motcua', 240],
  ['pushToLltpSoftware', 'he-thong-mot-cua', 'administrator', 'system', 0],
  ['acceptInLltpSoftware', 'stp-hctp', 'lltpOfficer', 'chuyenvien', 120],
  ['searchRecords', 'stp-hctp', 'lltpOfficer', 'chuyenvien', 480],
  ['planDeadlines', 'he-thong-mot-cua', 'administrator', 'system', 0],
  ['draftCertificate', 'stp-hctp', 'lltpOfficer', 'chuyenvien', 240],
  ['reviewDraft', 'stp-hctp', 'headOfDivision', 'truongphong', 240],
  ['approveCertificate', 'stp-lanh-dao', 'leader', 'lanhdao', 240],
  ['signCertificate', 'he-thong-mot-cua', 'administrator', 'system', 0],
  ['returnResult', 'he-thong-mot-cua', 'administrator', 'system', 0],
];
const CHANNELS: [string, string, number][] = [
  ['vneid', 'online', 0.85],
  ['nationalPortal', 'online', 0.05],
  ['provincialPortal', 'online', 0.04],
  ['inPerson', 'paper', 0.05],
  ['post', 'paper', 0.01],
];

function channelOf(r: number): [string, string] {
  let sum = 0;
  for (const [source, channel, share] of CHANNELS) {
    sum += share;
    if (r < sum) return [source, channel];
  }
  return ['vneid', 'online'];
}

interface Columns {
  [column: string]: unknown[];
}

/** Writes the province-year in batches (one INSERT … SELECT FROM unnest per table and batch). */
async function seedYear(db: Db, calendars: WorkingCalendars): Promise<void> {
  const calendar: WorkingCalendar = calendars.forUnit('stp-mot-cua');
  const rnd = seededRandom(12);
  const BATCH = 2000;
  const started = performance.now();
  const perDay = new Map<string, number>();
  for (let from = 0; from < DOSSIERS; from += BATCH) {
    const d: Columns = { code: [], source: [], channel: [], received: [], clock: [], statutory: [], target: [], apology: [], status: [], outcome: [], finished: [], apologyAt: [], apologyDate: [] };
    const s: Columns = { id: [], code: [], element: [], unit: [], role: [], started: [], allotment: [], due: [], finished: [], actor: [], reason: [], source: [] };
    const stops: Columns = { code: [], started: [], ended: [] };
    for (let i = from; i < Math.min(DOSSIERS, from + BATCH); i++) {
      const receivedAt = calendar.add(YEAR_START, Math.floor((i / DOSSIERS) * WORKING_DAYS_2026 * 480 + rnd() * 400)).dueAt;
      const [source, channel] = channelOf(rnd());
      const day = formatInstant(receivedAt.getTime()).slice(2, 10).replace(/-/g, '');
      const seq = (perDay.get(day) ?? 0) + 1;
      perDay.set(day, seq);
      const code = `STP.KHA-${day}-${String(seq).padStart(4, '0')}`;
      const clock = restartClock(calendar, receivedAt, channel === 'online' ? 'online' : 'paper');
      let deadlines = dossierDeadlines(calendar, clock, { statutoryWorkingDays: 10, targetWorkingDays: 3, apologyLeadMinutes: 480 });
      const late = rnd() < 0.05;
      const supplement = !late && rnd() < 0.04;
      const endingDraw = rnd();
      const ending = late || supplement ? null : endingDraw < 0.03 ? 'refused' : endingDraw < 0.04 ? 'withdrawn' : null;
      const stepsTaken = ending === 'refused' ? 1 : ending === 'withdrawn' ? 2 : STEPS.length;
      const origin = late ? [0, 2, 3, 5, 6, 7][Math.floor(rnd() * 6)]! : -1;
      let at = clock.clockStartAt;
      if (supplement) {
        const stopEnd = calendar.add(at, 480 + Math.floor(rnd() * 1440)).dueAt;
        (stops.code as string[]).push(code);
        (stops.started as Date[]).push(at);
        (stops.ended as Date[]).push(stopEnd);
        at = stopEnd;
        deadlines = dossierDeadlines(calendar, restartClock(calendar, stopEnd, 'online'), { statutoryWorkingDays: 10, targetWorkingDays: 3, apologyLeadMinutes: 480 });
      }
      let open = false;
      STEPS.forEach(([element, unit, role, officer, allotment], k) => {
        if (k >= stepsTaken) return;
        if (open || at > NOW) {
          open = true;
          return;
        }
        const due = stepDueAt(calendar, at, allotment).dueAt;
        // automated steps are untimed in the models (allotment 0): they take a few minutes
        const took = allotment === 0 ? 5 : k === origin ? allotment + (8 + Math.floor(rnd() * 5)) * 480 : Math.floor(allotment * (0.1 + rnd() * 0.8));
        const finished = calendar.add(at, took).dueAt;
        (s.id as string[]).push(`step:year:${i}:${k}`);
        (s.code as string[]).push(code);
        (s.element as string[]).push(element);
        (s.unit as string[]).push(unit);
        (s.role as string[]).push(role);
        (s.started as Date[]).push(at);
        (s.allotment as number[]).push(allotment);
        (s.due as Date[]).push(due);
        const done = finished <= NOW;
        (s.finished as (Date | null)[]).push(done ? finished : null);
        (s.actor as (string | null)[]).push(done ? officer : null);
        (s.reason as (string | null)[]).push(done && k === origin ? 'Chờ hồ sơ giấy từ Bộ phận Một cửa' : null);
        (s.source as (string | null)[]).push(done && k === origin ? 'officer' : null);
        if (!done) open = true;
        at = finished;
      });
      const closed = !open && at <= NOW;
      const withApology = late && closed && rnd() < 0.33;
      (d.code as string[]).push(code);
      (d.source as string[]).push(source);
      (d.channel as string[]).push(channel);
      (d.received as Date[]).push(receivedAt);
      (d.clock as Date[]).push(clock.clockStartAt);
      (d.statutory as Date[]).push(deadlines.statutoryDueAt as Date);
      (d.target as Date[]).push(deadlines.targetDueAt as Date);
      (d.apology as (Date | null)[]).push(deadlines.apologyByAt);
      (d.status as string[]).push(closed ? 'closed' : 'open');
      (d.outcome as (string | null)[]).push(closed ? (ending ?? 'issued') : null);
      (d.finished as (Date | null)[]).push(closed ? at : null);
      (d.apologyAt as (Date | null)[]).push(withApology ? deadlines.apologyByAt : null);
      (d.apologyDate as (string | null)[]).push(withApology ? calendar.add(deadlines.statutoryDueAt as Date, 3 * 480).dueAt.toISOString().slice(0, 10) : null);
    }
    await db.transaction().execute(async (tx) => {
      await sql`
        INSERT INTO dossiers (code, receipt_number, agency_code, source, channel, unit_id, form_type, process_id, internal_process_id, variant, statutory_working_days,
          target_working_days, apology_lead_minutes, received_at, clock_start_at, statutory_due_at, target_due_at, apology_by_at, appointment_at,
          calendar_version, status, outcome, finished_at, apology_reason, apology_issued_at, apology_new_return_date, apology_issued_by)
        SELECT code, 'BN-' || code, 'STP.KHA', source, channel, 'stp-mot-cua', 1, ${PROCESS}, ${INTERNAL}, 'ordinary', 10, 3, 480, received, clock,
          statutory, target, apology, coalesce(apology_date::timestamptz + interval '10 hours', statutory), ${calendars.version}, status,
          outcome, finished, CASE WHEN apology_at IS NOT NULL THEN 'Chờ xác minh' END, apology_at, apology_date,
          CASE WHEN apology_at IS NOT NULL THEN 'lanhdao' END
        FROM unnest(${d.code}::text[], ${d.source}::text[], ${d.channel}::text[], ${d.received}::timestamptz[], ${d.clock}::timestamptz[],
          ${d.statutory}::timestamptz[], ${d.target}::timestamptz[], ${d.apology}::timestamptz[], ${d.status}::text[], ${d.outcome}::text[],
          ${d.finished}::timestamptz[], ${d.apologyAt}::timestamptz[], ${d.apologyDate}::date[])
          AS v (code, source, channel, received, clock, statutory, target, apology, status, outcome, finished, apology_at, apology_date)`.execute(tx);
      await sql`
        INSERT INTO steps (id, dossier_code, element_id, element_name, process_id, unit_id, role, case_variant, started_at, allotment_minutes, due_at,
          calendar_version, finished_at, actor, late_reason, late_reason_source)
        SELECT id, code, element, element, ${PROCESS}, unit, role, 'ordinary', started, allotment, due, ${calendars.version}, finished, actor, reason, source
        FROM unnest(${s.id}::text[], ${s.code}::text[], ${s.element}::text[], ${s.unit}::text[], ${s.role}::text[], ${s.started}::timestamptz[],
          ${s.allotment}::integer[], ${s.due}::timestamptz[], ${s.finished}::timestamptz[], ${s.actor}::text[], ${s.reason}::text[], ${s.source}::text[])
          AS v (id, code, element, unit, role, started, allotment, due, finished, actor, reason, source)`.execute(tx);
      await sql`
        INSERT INTO clock_stops (dossier_code, started_at, ended_at, reason)
        SELECT code, started, ended, 'supplement' FROM unnest(${stops.code}::text[], ${stops.started}::timestamptz[], ${stops.ended}::timestamptz[]) AS v (code, started, ended)`.execute(tx);
    });
    if ((from + BATCH) % 10_000 === 0) progress(`  ${from + BATCH} dossiers (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
  // the officers' tasks (who held each human step)
  await sql`INSERT INTO tasks (id, job_key, dossier_code, process_instance_key, process_id, element_id, element_name, form_key, title, role, unit_id,
              started_at, due_at, status, claimed_by, completed_at, completed_by)
            SELECT 'task:' || substr(id, 6), '0', dossier_code, '0', process_id, element_id, element_name, 'lltp.form.bench', element_id, role, unit_id, started_at, due_at,
              CASE WHEN finished_at IS NULL THEN 'open' ELSE 'completed' END, actor, finished_at, actor
            FROM steps WHERE allotment_minutes > 0`.execute(db);
  await sql`ANALYZE`.execute(db);
}

async function timed<T>(work: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { seconds: (performance.now() - started) / 1000, value };
}

/** `lltp inspection list … --status late` through the CLI's code, in process: seconds and the dossiers listed. */
async function cliList(url: string): Promise<{ seconds: number; rows: number; bytes: number }> {
  const lines: string[] = [];
  const errors: string[] = [];
  const io: CliIo = { out: (line) => lines.push(line), err: (line) => errors.push(line), env: { ...process.env, DATABASE_URL: url }, now: () => NOW };
  const argv = ['inspection', 'list', '--from', '2026-01-01', '--to', '2026-12-31', '--status', 'late', '--json', '--actor', ACTOR.username];
  const { seconds, value: exitCode } = await timed(() => runCli(argv, io));
  if (exitCode !== 0) throw new Error(`lltp ${argv.join(' ')}: exit code ${exitCode}: ${errors.join(' ')}`);
  const document = lines.join('\n');
  const parsed = JSON.parse(document) as { dossiers: unknown[] };
  return { seconds, rows: parsed.dossiers.length, bytes: document.length };
}

/** The province-year: written once (./support.ts benchDatabase), with the calendar. */
async function yearDatabase(): Promise<BenchDatabase> {
  return benchDatabase(`inspection_year_v2_${DOSSIERS}`, async (db) => {
    await seedCalendar(db, loadSeed(), { actor: 'bench', now: () => NOW });
    progress(`writing a province-year: ${DOSSIERS} dossiers, ${DOSSIERS * STEPS.length} steps and their tasks (once; kept for later runs)`);
    await seedYear(db, await createCalendarProvider({ db, now: () => NOW, refreshMs: 3_600_000 }).current());
  });
}

interface Timings {
  list: number[];
  summary: number[];
  xlsx: number[];
  pdf: number[];
  weekly: number[];
  listRows: number;
  xlsxYear: number[];
  pdfCap: number[];
  healthzMs: number[];
  pdfCapRows: number;
}

/** RUNS runs of the list (through the CLI), the summary, the two exports and the weekly report. */
/** The year as XLSX and the PDF at its cap through the API, with /healthz polled meanwhile. */
async function throughApi(api: BenchApi, pdfTo: string): Promise<{ xlsxYear: number; pdfCap: number; healthzMs: number; line: string }> {
  const year = await api.timedExport('/api/inspection/dossiers?from=2026-01-01&to=2026-12-31&format=xlsx');
  const pdf = await api.timedExport(`/api/inspection/dossiers?from=2026-01-01&to=${pdfTo}&format=pdf`);
  const healthzMs = Math.max(year.healthzMaxMs, pdf.healthzMaxMs);
  const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);
  const line = `API: xlsx year ${year.seconds.toFixed(2)} s (${mb(year.bytes)} MB; /healthz max ${year.healthzMaxMs.toFixed(0)} ms, p95 ${year.healthzP95Ms.toFixed(0)} ms, ${year.polls} polls), pdf at cap ${pdf.seconds.toFixed(2)} s (${mb(pdf.bytes)} MB; /healthz max ${pdf.healthzMaxMs.toFixed(0)} ms, p95 ${pdf.healthzP95Ms.toFixed(0)} ms, ${pdf.polls} polls)`;
  return { xlsxYear: year.seconds, pdfCap: pdf.seconds, healthzMs, line };
}

async function measure(service: InspectionServiceDeps, recorder: Recorder, url: string, config: Config): Promise<Timings> {
  const vocabulary = filterVocabulary(service.catalog);
  const yearLate = parseFilters({ from: '2026-01-01', to: '2026-12-31', status: 'late' }, vocabulary);
  // just over 10,000 dossiers: received 1/1–3/7; just over 1,000: 1–18 March
  const half = parseFilters({ from: '2026-01-01', to: '2026-07-03' }, vocabulary);
  const march = parseFilters({ from: '2026-03-01', to: '2026-03-18' }, vocabulary);
  const week = reportWeek('2026-11-27', config.REPORT_WEEK_CUTOFF);
  const sort = { sort: 'receivedAt' as const, descending: false };
  const pdfPeriod = await periodWithin(service.db, config.EXPORT_MAX_ROWS_PDF);
  const t: Timings = { list: [], summary: [], xlsx: [], pdf: [], weekly: [], listRows: 0, xlsxYear: [], pdfCap: [], healthzMs: [], pdfCapRows: pdfPeriod.dossiers };
  recorder.operation = 'setup';
  const api = await startBenchApi(service.db, config, service);
  try {
    for (let run = 1; run <= RUNS; run++) {
      const a = await throughApi(api, pdfPeriod.to);
      t.xlsxYear.push(a.xlsxYear);
      t.pdfCap.push(a.pdfCap);
      t.healthzMs.push(a.healthzMs);
      progress(`run ${run}/${RUNS}: ${a.line}`);
    }
  } finally {
    await api.stop();
  }
  for (let run = 1; run <= RUNS; run++) {
    const list = await cliList(url);
    t.list.push(list.seconds);
    t.listRows = list.rows;
    recorder.operation = 'summary_year';
    t.summary.push((await timed(() => summaryOf(service, ACTOR, yearLate))).seconds);
    recorder.operation = 'xlsx_10k';
    const x = await timed(() => exportList(service, ACTOR, half, 'xlsx', sort));
    t.xlsx.push(x.seconds);
    recorder.operation = 'pdf_1k';
    const p = await timed(() => exportList(service, ACTOR, march, 'pdf', sort));
    t.pdf.push(p.seconds);
    recorder.operation = 'weekly_report';
    const w = await timed(() => weeklyReport(service, ACTOR, week, { regenerate: true }));
    t.weekly.push(w.seconds);
    recorder.operation = 'setup';
    const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);
    progress(`run ${run}/${RUNS}: list ${list.seconds.toFixed(2)} s (${list.rows} late dossiers, ${mb(list.bytes)} MB), xlsx ${x.seconds.toFixed(2)} s (${mb(x.value.bytes.length)} MB), pdf ${p.seconds.toFixed(2)} s (${mb(p.value.bytes.length)} MB), weekly ${w.seconds.toFixed(2)} s`);
  }
  // the list's statements, on the recording connection: what the CLI ran, once more
  recorder.operation = 'list_year';
  await summaryOf(service, ACTOR, yearLate);
  for await (const d of streamDossiers(service, yearLate, sort)) dossierJson(d);
  recorder.operation = 'setup';
  return t;
}

/** Every statement above EXPLAINed (but the summary's step durations, which read every step of the period by design). */
async function perDossierScans(db: Db, recorder: Recorder): Promise<{ scans: number; statements: number }> {
  const statements = new Recorder();
  for (const statement of recorder.statements.values()) {
    if (statement.operation === 'setup' || /"s"\."finished_at" >= \$\d+ and "s"\."finished_at" < \$\d+ and "s"\."allotment_minutes" > \$\d+/.test(statement.sql)) continue;
    statements.statements.set(statement.sql, statement);
  }
  const lines: string[] = [];
  await explainAll(db.withoutPlugins(), statements, (line) => lines.push(line), 10_000);
  for (const line of lines) progress(line);
  // a year's list reads the year's dossiers (the whole table here: a sequential scan is the right
  // plan); the tables of every dossier's details must be reached by index
  const scans = lines.flatMap((line) => [...line.matchAll(/Seq Scan on (steps|tasks|clock_stops|audit) \((\d+) rows/g)]).filter((m) => Number(m[2]) > 10_000).length;
  return { scans, statements: statements.statements.size };
}

/** The year's on-time rate before and after the refusal fix, and the dossiers the 570 / QĐ 2799 filter adds (not timed). */
async function countingFigures(service: InspectionServiceDeps, db: Db): Promise<{ before: number | null; after: number | null; newlyLate: number }> {
  const year = parseFilters({ from: '2026-01-01', to: '2026-12-31' }, filterVocabulary(service.catalog));
  const summary = await summaryOf(service, ACTOR, year);
  const old = (await sql<{ resolved: number; onTime: number }>`
    SELECT count(*)::int AS resolved, (count(*) FILTER (WHERE statutory_due_at IS NULL OR finished_at <= statutory_due_at))::int AS "onTime"
    FROM dossiers WHERE status = 'closed' AND outcome IN ('issued', 'refused') AND finished_at >= ${year.from} AND finished_at < ${year.to}`.execute(db)).rows[0]!;
  const newly = (await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM dossiers d
    WHERE d.received_at >= ${year.from} AND d.received_at < ${year.to} AND ${lateTargetOrStepSql(NOW)}
      AND NOT (d.status = 'closed' AND d.outcome IN ('issued', 'refused') AND d.finished_at > d.statutory_due_at)
      AND NOT (d.status = 'open' AND d.statutory_due_at < ${NOW}::timestamptz)`.execute(db)).rows[0]!;
  return { before: old.resolved ? old.onTime / old.resolved : null, after: summary.onTimeRate as number | null, newlyLate: newly.n };
}

async function main(): Promise<void> {
  const out = figureOutput(FIGURES);
  await withStack('bench:inspection', ['postgres'], async (config) => {
    const { url } = await yearDatabase();
    const recorder = new Recorder();
    const db = kyselyOver(createPool({ DATABASE_URL: url }, { max: 10 }), { log: recorder.record });
    try {
      const counts = (await sql<{ dossiers: number; steps: number; late: number }>`
        SELECT (SELECT count(*) FROM dossiers)::int AS dossiers, (SELECT count(*) FROM steps)::int AS steps,
               (SELECT count(*) FROM dossiers WHERE status = 'closed' AND finished_at > statutory_due_at)::int AS late`.execute(db)).rows[0]!;
      progress(`data: ${counts.dossiers} dossiers, ${counts.steps} steps, ${counts.late} finished after their statutory due date`);
      const catalog = await loadProcessCatalog();
      const calendars = await createCalendarProvider({ db, now: () => NOW, refreshMs: 3_600_000 }).current();
      const service = inspectionService({ db, config, catalog, calendars: () => Promise.resolve(calendars), now: () => NOW });
      const received = async (from: string, to: string): Promise<number> => {
        const f = parseFilters({ from, to }, filterVocabulary(catalog));
        return Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM dossiers WHERE received_at >= ${f.from} AND received_at < ${f.to}`.execute(db)).rows[0]?.n);
      };
      const t = await measure(service, recorder, url, config);
      out.series('inspection.list_year_s', t.list, 's');
      out.emit('inspection.list_year_rows', t.listRows, 'dossiers');
      out.series('inspection.summary_year_s', t.summary, 's');
      out.series('inspection.xlsx_10k_s', t.xlsx, 's');
      out.emit('inspection.xlsx_rows', await received('2026-01-01', '2026-07-03'), 'dossiers');
      out.series('inspection.pdf_1k_s', t.pdf, 's');
      out.emit('inspection.pdf_rows', await received('2026-03-01', '2026-03-18'), 'dossiers');
      out.series('inspection.xlsx_year_s', t.xlsxYear, 's');
      out.emit('inspection.xlsx_year_rows', await received('2026-01-01', '2026-12-31'), 'dossiers');
      out.series('inspection.pdf_cap_s', t.pdfCap, 's');
      out.emit('inspection.pdf_cap_rows', t.pdfCapRows, 'dossiers');
      out.series('inspection.healthz_during_export_ms', t.healthzMs, 'ms');
      out.series('inspection.weekly_report_s', t.weekly, 's');
      const plans = await perDossierScans(db, recorder);
      out.emit('inspection.seq_scans_per_dossier_tables', plans.scans, 'scans');
      out.emit('inspection.statements', plans.statements, 'statements');
      const counting = await countingFigures(service, db);
      out.emit('inspection.on_time_rate_year_before', counting.before ?? 0, 'ratio');
      out.emit('inspection.on_time_rate_year_after', counting.after ?? 0, 'ratio');
      out.emit('inspection.newly_late_target_or_step_year', counting.newlyLate, 'dossiers');
      if (plans.scans > 0) process.exitCode = 1;
    } finally {
      await db.destroy();
    }
  });
}

runBench('bench:inspection', module, main);
