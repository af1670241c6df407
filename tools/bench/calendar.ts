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
 * - calendar.replan_120k_s: an administrator's edit end to end (the audit, the new version and
 *   the re-planning with every write made) that moves the deadlines of 120,000 open dossiers:
 *   Monday 16 March 2026 becomes a day off, and every dossier (received 2–13 March) spans it;
 *   then the day is removed again (moving them all back: calendar.replan_120k_back_s), so that
 *   every run starts from the same data. REPLAN_RUNS runs, medians (and _min, _max);
 *   calendar.replan_120k_db_s is the database's share of the edit.
 * The dossiers are written once into `lltp_bench_calendar_<n>_<schema>` and kept for later runs.
 * If the database does not answer, the local stack is started, and stopped at the end.
 */
import { sql } from 'kysely';
import { createCalendarAdmin } from '../../server/calendar/admin';
import { parseInstant } from '../../server/calendar/civil-time';
import { DEFAULT_CALENDAR_POLICY } from '../../server/calendar/policy';
import { loadSeed, seedCalendarData } from '../../server/calendar/seed';
import { loadCalendarData, seedCalendar } from '../../server/calendar/store';
import { WorkingCalendars, type WorkingCalendar } from '../../server/calendar/working-calendar';
import { benchDatabase, emit, emitSeries, median, progressOf, seededRandom as random, seedOpenWork, withStack } from './support';

const CALLS = 1_000_000;
const RUNS = 5;
const REFERENCE_SAMPLE = 20_000;
const TEN_WORKING_DAYS = 10 * 480;
const DOSSIERS = Number(process.env.BENCH_CALENDAR_DOSSIERS ?? 120_000);
const REPLAN_RUNS = Number(process.env.BENCH_REPLAN_RUNS ?? 3);
const ANCHOR = new Date('2026-03-13T10:00:00Z'); // Friday 13 March 2026, 17:00 in Việt Nam
const DAY_OFF = { date: '2026-03-16', name: 'Ngày nghỉ (đo hiệu năng)', basis: 'Đo hiệu năng' };

const progress = progressOf('bench:calendar');

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

async function benchReplan(): Promise<void> {
  await withStack('bench:calendar', async () => {
    const { database, fresh } = await benchDatabase(`calendar_${DOSSIERS}`);
    const { db } = database;
    try {
      let clock = new Date('2026-03-13T10:30:00Z');
      const now = (): Date => new Date(clock.getTime());
      await seedCalendar(db, loadSeed(), { actor: 'bench', now });
      const admin = createCalendarAdmin({ db, now, policy: DEFAULT_CALENDAR_POLICY });
      // a run that stopped half-way may have left the day off in place
      if ((await admin.listDays({ year: 2026 })).days.some((d) => d.date === DAY_OFF.date)) await admin.removeDay({ actor: 'bench', date: DAY_OFF.date });
      if (fresh) {
        progress(`writing ${DOSSIERS} open dossiers received 2–13 March 2026 (all span Monday 16 March), once; kept for later runs`);
        const started = performance.now();
        await seedOpenWork(db, new WorkingCalendars(await loadCalendarData(db)), { dossiers: DOSSIERS, finishedStepsPerDossier: 1, receivedWithinMinutes: 9 * 480, anchor: ANCHOR, openStepAge: 1.1, seed: 16032026 });
        progress(`written in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      }
      await sql`TRUNCATE deadline_moves, calendar_replans`.execute(db);
      await sql`VACUUM ANALYZE dossiers, steps`.execute(db);

      const edits: number[] = [];
      const backs: number[] = [];
      const dbShares: number[] = [];
      for (let run = 0; run < REPLAN_RUNS; run++) {
        clock = new Date(clock.getTime() + 60_000);
        let started = performance.now();
        const added = await admin.addDayOff({ actor: 'bench', ...DAY_OFF });
        edits.push((performance.now() - started) / 1000);
        dbShares.push(added.replan.databaseSeconds);
        if (added.replan.dossiersMoved !== DOSSIERS) throw new Error(`expected ${DOSSIERS} dossiers to move, ${added.replan.dossiersMoved} did`);
        progress(`run ${run + 1}: day off added in ${edits[run]!.toFixed(2)} s: ${added.replan.dossiersMoved} dossiers and ${added.replan.stepsMoved} steps moved (database ${added.replan.databaseSeconds.toFixed(2)} s)`);
        clock = new Date(clock.getTime() + 60_000);
        started = performance.now();
        const removed = await admin.removeDay({ actor: 'bench', date: DAY_OFF.date });
        backs.push((performance.now() - started) / 1000);
        if (removed.replan.dossiersMoved !== DOSSIERS) throw new Error(`expected ${DOSSIERS} dossiers to move back, ${removed.replan.dossiersMoved} did`);
        progress(`run ${run + 1}: day off removed in ${backs[run]!.toFixed(2)} s`);
      }
      const moves = await sql<{ n: number }>`SELECT count(*) AS n FROM deadline_moves`.execute(db);
      emitSeries('calendar.replan_120k_s', edits, 's');
      emit('calendar.replan_120k_db_s', median(dbShares), 's');
      emitSeries('calendar.replan_120k_back_s', backs, 's');
      emit('calendar.replan_deadline_moves_recorded', Number(moves.rows[0]?.n ?? 0), 'rows');
    } finally {
      await database.close();
    }
  });
}

async function main(): Promise<void> {
  benchAdd();
  await benchReplan();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`[bench:calendar] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
