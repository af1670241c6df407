/**
 * Regimes in reports (issue 24, item 6): a dossier's regime is the version of the national model
 * that governs it, the one in force on its receipt date (processes/*.bpmn, `lltp:effectiveFrom`):
 * its process id when a process runs it, else (a dossier recorded from another channel, with no
 * process here) the version of its agency's national procedure in force on its receipt date —
 * the version whose statutory days its due date was computed with. Lists, summaries, reports and
 * the dashboard filter by it (`regime`, 400 naming it when no national version has that id) and
 * give per-regime sub-totals side by side when a period holds more than one, each dossier
 * judged by its own due date (its own version's statutory days).
 */
import { sql, type RawBuilder } from 'kysely';
import { dayNumberOfLocalDate, dayStartMs } from '../calendar/civil-time';
import { runsHere, type ProcessCatalog } from '../sla/catalog';
import { WORKING_DAY_MINUTES } from '../sla/working-time';

export interface Regime {
  /** The national model version's process id, e.g. `quy-trinh-570-v20260701`. */
  processId: string;
  procedure: string;
  name: string;
  /** First receipt date it governs, and the first it no longer does (the next version's start, or its own end; null: still). */
  effectiveFrom: string;
  effectiveTo: string | null;
  /** Statutory working days of an ordinary dossier (`lltp:deadline.statutory`). */
  statutoryWorkingDays: number | null;
  /** The agencies running its procedure (codes). */
  agencies: string[];
}

/** Every version of every national procedure the agencies of the table run, oldest first per procedure. */
export function regimesOf(catalog: ProcessCatalog): Regime[] {
  const national = new Map<string, string[]>();
  for (const agency of catalog.agencies.filter(runsHere)) {
    national.set(agency.nationalProcedure, [...(national.get(agency.nationalProcedure) ?? []), agency.code]);
  }
  return [...national.entries()].flatMap(([procedure, agencies]) => {
    const versions = catalog.versions(procedure);
    return versions.map((v, i) => {
      const statutory = v.deadlines.statutory;
      return {
        processId: v.processId,
        procedure,
        name: v.name,
        effectiveFrom: v.effectiveFrom,
        effectiveTo: versions[i + 1]?.effectiveFrom ?? v.effectiveTo,
        statutoryWorkingDays: statutory === undefined ? null : statutory / WORKING_DAY_MINUTES,
        agencies,
      };
    });
  });
}

/** The regime of a national version's process id, if it is one. */
export const regimeOf = (catalog: ProcessCatalog, processId: string): Regime | undefined => regimesOf(catalog).find((r) => r.processId === processId);

const civilStart = (date: string): Date => new Date(dayStartMs(dayNumberOfLocalDate(date)));

/** A dossier with no process (another channel) received while the regime governed its agency's receipts. */
function receivedUnder(r: Regime): RawBuilder<boolean> {
  const from = sql`d.received_at >= ${civilStart(r.effectiveFrom)}::timestamptz`;
  const to = r.effectiveTo === null ? sql`true` : sql`d.received_at < ${civilStart(r.effectiveTo)}::timestamptz`;
  return sql<boolean>`(d.process_id IS NULL AND d.agency_code IN (${sql.join(r.agencies)}) AND ${from} AND ${to})`;
}

/** The regime of each dossier (`dossiers as d`), as SQL text: its process id, else the version in force on its receipt date. */
export function regimeSql(catalog: ProcessCatalog): RawBuilder<string | null> {
  const regimes = regimesOf(catalog);
  if (regimes.length === 0) return sql<string | null>`d.process_id`;
  const cases = regimes.map((r) => sql`WHEN ${receivedUnder(r)} THEN ${r.processId}`);
  return sql<string | null>`coalesce(d.process_id, CASE ${sql.join(cases, sql` `)} END)`;
}

/** The dossiers of one regime (`dossiers as d`). */
export function inRegimeSql(catalog: ProcessCatalog, processId: string): RawBuilder<boolean> {
  const regime = regimeOf(catalog, processId);
  if (!regime) throw new Error(`${processId} is no version of a national procedure (filters.ts checks the parameter first)`);
  return sql<boolean>`(d.process_id = ${processId} OR ${receivedUnder(regime)})`;
}
