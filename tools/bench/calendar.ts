/**
 * `npm run bench:calendar`: the calendar's figures, one JSON line each on stdout
 * (`{"bench": name, "value": number, "unit": unit}`); progress goes to stderr.
 *
 * - calendar.add_1m_s: CALLS (one million) `add(start, 10 working days)` from random starts in
 *   2024–2026 through the public API (validation, Date objects, estimated flag), on one core,
 *   after a warm-up; RUNS runs;
 * - calendar.add_reference_1m_s: the day-by-day reference engine timed the same way (the same
 *   starts, the same warm-up, RUNS runs, each run right after the engine's), and its results
 *   checked identical on the first 20,000 starts; calendar.add_speedup_vs_reference is the
 *   ratio of the two medians;
 * - calendar.replan_120k_s: an administrator's edit end to end (the audit, the new version and
 *   the re-planning with every write made) that moves the deadlines of 120,000 open dossiers:
 *   Monday 16 March 2026 becomes a day off, and every dossier (received 2–13 March) spans it;
 *   then the day is removed again (moving them all back: calendar.replan_120k_back_s), so that
 *   every run starts from the same data. REPLAN_RUNS runs; calendar.replan_120k_db_s is the
 *   database's share of the edit, calendar.replan_deadline_moves_recorded the moves recorded.
 * Every series: median, _min and _max. The dossiers are written once into
 * `lltp_benchdata_calendar_<n>_<schema>` and kept for later runs. Small mode
 * (LLTP_BENCH_SMALL=1): 50,000 calls, 300 dossiers, one run of each.
 * BENCH_CALENDAR_CALLS (1,000,000), BENCH_CALENDAR_RUNS (5), BENCH_CALENDAR_DOSSIERS (120,000),
 * BENCH_REPLAN_RUNS (3).
 */
import { sql } from 'kysely';
import { createCalendarAdmin } from '../../server/calendar/admin';
import { parseInstant } from '../../server/calendar/civil-time';
import { DEFAULT_CALENDAR_POLICY } from '../../server/calendar/policy';
import { loadSeed, seedCalendarData } from '../../server/calendar/seed';
import { loadCalendarData, seedCalendar } from '../../server/calendar/store';
import { WorkingCalendars, type WorkingCalendar } from '../../server/calendar/working-calendar';
import {
  benchDatabase,
  figureOutput,
  median,
  progressOf,
  runBench,
  secondsSince,
  seededRandom as random,
  seedOpenWork,
  series,
  setting,
  withStack,
} from './support';

export const FIGURES = [
  ...series('calendar.add_1m_s'),
  ...series('calendar.add_reference_1m_s'),
  'calendar.add_speedup_vs_reference',
  ...series('calendar.replan_120k_s'),
  'calendar.replan_120k_db_s',
  ...series('calendar.replan_120k_back_s'),
  'calendar.replan_deadline_moves_recorded',
] as const;

const CALLS = setting('BENCH_CALENDAR_CALLS', 1_000_000, 50_000);
const RUNS = setting('BENCH_CALENDAR_RUNS', 5, 1);
const WARM_UP_CALLS = Math.min(50_000, CALLS);
const CHECKED_STARTS = Math.min(20_000, CALLS);
const TEN_WORKING_DAYS = 10 * 480;
const DOSSIERS = setting('BENCH_CALENDAR_DOSSIERS', 120_000, 300);
const REPLAN_RUNS = setting('BENCH_REPLAN_RUNS', 3, 1);
const ANCHOR = new Date('2026-03-13T10:00:00Z'); // Friday 13 March 2026, 17:00 in Việt Nam
const DAY_OFF = { date: '2026-03-16', name: 'Ngày nghỉ (đo hiệu năng)', basis: 'Đo hiệu năng' };

const out = figureOutput(FIGURES);
const progress = progressOf('bench:calendar');

function timeAdds(calendar: WorkingCalendar, starts: Float64Array, count: number): { seconds: number; checksum: number } {
  let checksum = 0;
  const started = performance.now();
  for (let i = 0; i < count; i++) checksum += calendar.add(new Date(starts[i] as number), TEN_WORKING_DAYS).dueAt.getTime() % 1000;
  return { seconds: secondsSince(started), checksum };
}

/** The engine and the reference engine, each warmed up, then timed in turn RUNS times on the same starts. */
function benchAdd(): void {
  const next = random(20240210);
  const from = parseInstant('2024-01-01T00:00');
  const to = parseInstant('2027-01-01T00:00');
  const starts = new Float64Array(CALLS);
  for (let i = 0; i < CALLS; i++) starts[i] = from + Math.floor(next() * (to - from));

  const engines = { engine: new WorkingCalendars(seedCalendarData()).forUnit(), reference: new WorkingCalendars(seedCalendarData(), 'reference').forUnit() };
  for (let i = 0; i < CHECKED_STARTS; i++) {
    const start = new Date(starts[i] as number);
    if (engines.engine.add(start, TEN_WORKING_DAYS).dueAt.getTime() !== engines.reference.add(start, TEN_WORKING_DAYS).dueAt.getTime()) {
      throw new Error(`the engines disagree for the start ${start.toISOString()}`);
    }
  }
  timeAdds(engines.engine, starts, WARM_UP_CALLS);
  timeAdds(engines.reference, starts, WARM_UP_CALLS);
  const times = { engine: [] as number[], reference: [] as number[] };
  for (let run = 1; run <= RUNS; run++) {
    for (const name of ['engine', 'reference'] as const) {
      const { seconds } = timeAdds(engines[name], starts, CALLS);
      times[name].push(seconds);
      progress(`add × ${CALLS}, ${name}: run ${run}/${RUNS}: ${seconds.toFixed(3)} s`);
    }
  }
  const engine = out.series('calendar.add_1m_s', times.engine, 's');
  const reference = out.series('calendar.add_reference_1m_s', times.reference, 's');
  out.emit('calendar.add_speedup_vs_reference', reference / engine, 'x');
}

async function benchReplan(): Promise<void> {
  await withStack('bench:calendar', ['postgres'], async () => {
    const calendarData = await benchDatabase(`calendar_${DOSSIERS}`, async (db) => {
      await seedCalendar(db, loadSeed(), { actor: 'bench', now: () => ANCHOR });
      progress(`writing ${DOSSIERS} open dossiers received 2–13 March 2026 (all span Monday 16 March), once; kept for later runs`);
      const started = performance.now();
      const spec = { dossiers: DOSSIERS, finishedStepsPerDossier: 1, receivedWithinMinutes: 9 * 480, anchor: ANCHOR, openStepAge: 1.1, seed: 16032026 };
      await seedOpenWork(db, new WorkingCalendars(await loadCalendarData(db)), spec);
      progress(`written in ${secondsSince(started).toFixed(1)} s`);
    });
    const database = await calendarData.connect();
    const { db } = database;
    try {
      let clock = new Date('2026-03-13T10:30:00Z');
      const now = (): Date => new Date(clock.getTime());
      const admin = createCalendarAdmin({ db, now, policy: DEFAULT_CALENDAR_POLICY });
      // a run that stopped half-way may have left the day off in place
      if ((await admin.listDays({ year: 2026 })).days.some((d) => d.date === DAY_OFF.date)) await admin.removeDay({ actor: 'bench', date: DAY_OFF.date });
      await sql`TRUNCATE deadline_moves, calendar_replans`.execute(db);
      await sql`VACUUM ANALYZE dossiers, steps`.execute(db);

      const edits: number[] = [];
      const backs: number[] = [];
      const dbShares: number[] = [];
      for (let run = 1; run <= REPLAN_RUNS; run++) {
        clock = new Date(clock.getTime() + 60_000);
        let started = performance.now();
        const added = await admin.addDayOff({ actor: 'bench', ...DAY_OFF });
        edits.push(secondsSince(started));
        dbShares.push(added.replan.databaseSeconds);
        if (added.replan.dossiersMoved !== DOSSIERS) throw new Error(`expected ${DOSSIERS} dossiers to move, ${added.replan.dossiersMoved} did`);
        progress(`run ${run}: day off added in ${edits.at(-1)!.toFixed(2)} s: ${added.replan.dossiersMoved} dossiers and ${added.replan.stepsMoved} steps moved (database ${added.replan.databaseSeconds.toFixed(2)} s)`);
        clock = new Date(clock.getTime() + 60_000);
        started = performance.now();
        const removed = await admin.removeDay({ actor: 'bench', date: DAY_OFF.date });
        backs.push(secondsSince(started));
        if (removed.replan.dossiersMoved !== DOSSIERS) throw new Error(`expected ${DOSSIERS} dossiers to move back, ${removed.replan.dossiersMoved} did`);
        progress(`run ${run}: day off removed in ${backs.at(-1)!.toFixed(2)} s`);
      }
      const moves = await sql<{ n: number }>`SELECT count(*)::int AS n FROM deadline_moves`.execute(db);
      out.series('calendar.replan_120k_s', edits, 's');
      out.emit('calendar.replan_120k_db_s', median(dbShares), 's');
      out.series('calendar.replan_120k_back_s', backs, 's');
      out.emit('calendar.replan_deadline_moves_recorded', Number(moves.rows[0]?.n ?? 0), 'rows');
    } finally {
      await database.close();
    }
  });
}

async function main(): Promise<void> {
  benchAdd();
  await benchReplan();
}

runBench('bench:calendar', module, main);
