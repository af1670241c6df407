/**
 * The facts a what-if re-judges, read only: the dossiers received in the period whose governing
 * version (`process_id`, `internal_process_id`) is one of the given process ids, with their
 * recorded steps and clock stops. Three statements, each driven by the dossiers' receipt index
 * (dossiers_received): the steps of each dossier through steps_dossier, only in the month
 * partitions between its receipt and its end (a step starts after the receipt and, for a closed
 * dossier, before its end), and its clock stops through their primary key. Instants come as
 * epoch milliseconds (a quarter is 150,000 steps: parsing timestamps was a third of the read).
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db';
import type { CaseVariant } from '../sla/spec';
import type { WhatIfDossier, WhatIfStep } from './whatif';

const ms = (column: string): RawBuilder<number | null> => sql`(extract(epoch FROM ${sql.ref(column)}) * 1000)::float8`;
const date = (value: number | null): Date | null => (value === null ? null : new Date(value));

interface DossierRow {
  code: string;
  agency_code: string;
  unit_id: string;
  source: WhatIfDossier['source'];
  channel: WhatIfDossier['channel'];
  status: WhatIfDossier['status'];
  outcome: WhatIfDossier['outcome'];
  process_id: string | null;
  internal_process_id: string | null;
  case_variant: CaseVariant;
  fee_category: WhatIfDossier['feeCategory'];
  fee_paid_online: boolean | null;
  citizen_rating: WhatIfDossier['citizenRating'];
  portal_sync_delay_minutes: number | null;
  received_ms: number;
  clock_start_ms: number;
  finished_ms: number | null;
  extended_ms: number | null;
  apology_issued_ms: number | null;
  signed_ms: number | null;
  citizen_rated_ms: number | null;
  portal_synced_ms: number | null;
  statutory_due_ms: number | null;
}

interface StepRow {
  dossier_code: string;
  id: string;
  element_id: string;
  element_name: string | null;
  process_id: string | null;
  unit_id: string;
  case_variant: string | null;
  clock: WhatIfStep['clock'];
  started_ms: number;
  finished_ms: number | null;
  due_ms: number;
}

interface StopRow {
  dossier_code: string;
  reason: string;
  started_ms: number;
  ended_ms: number | null;
}

export async function loadWhatIfDossiers(db: Db, period: { from: Date; to: Date }, processIds: readonly string[]): Promise<WhatIfDossier[]> {
  if (processIds.length === 0) return [];
  const plain = db.withoutPlugins();
  const ids = sql`ARRAY[${sql.join([...processIds])}]::text[]`;
  const governed = sql`d.received_at >= ${period.from} AND d.received_at < ${period.to} AND (d.process_id = ANY(${ids}) OR d.internal_process_id = ANY(${ids}))`;
  // three statements at once, each driven by the same receipt index (not one snapshot: a what-if
  // reads the past, and a dossier received meanwhile would only lack its steps)
  const [dossiers, steps, stops] = await Promise.all([
    sql<DossierRow>`
    SELECT d.code, d.agency_code, d.unit_id, d.source, d.channel, d.status, d.outcome, d.process_id, d.internal_process_id, d.case_variant,
           d.fee_category, d.fee_paid_online, d.citizen_rating, d.portal_sync_delay_minutes,
           ${ms('d.received_at')} AS received_ms, ${ms('d.clock_start_at')} AS clock_start_ms, ${ms('d.finished_at')} AS finished_ms,
           ${ms('d.extended_at')} AS extended_ms, ${ms('d.apology_issued_at')} AS apology_issued_ms, ${ms('d.signed_at')} AS signed_ms,
           ${ms('d.citizen_rated_at')} AS citizen_rated_ms, ${ms('d.portal_synced_at')} AS portal_synced_ms,
           ${ms('d.statutory_due_at')} AS statutory_due_ms
      FROM dossiers d WHERE ${governed} ORDER BY d.received_at`.execute(plain),
    // OFFSET 0 keeps each lateral subquery a per-dossier lookup (index, partitions pruned at run
    // time by the dossier's own dates) instead of a join the planner may turn into whole-table scans
    sql<StepRow>`
    SELECT s.* FROM dossiers d CROSS JOIN LATERAL (
      SELECT s.dossier_code, s.id, s.element_id, s.element_name, s.process_id, s.unit_id, s.case_variant, s.clock,
             ${ms('s.started_at')} AS started_ms, ${ms('s.finished_at')} AS finished_ms, ${ms('s.due_at')} AS due_ms
        FROM steps s
       WHERE s.dossier_code = d.code AND s.started_at >= d.received_at - interval '1 day'
         AND s.started_at <= coalesce(d.finished_at, 'infinity'::timestamptz)
       ORDER BY s.started_at OFFSET 0) s
     WHERE ${governed}`.execute(plain),
    sql<StopRow>`
    SELECT c.* FROM dossiers d CROSS JOIN LATERAL (
      SELECT c.dossier_code, c.reason, ${ms('c.started_at')} AS started_ms, ${ms('c.ended_at')} AS ended_ms
        FROM clock_stops c WHERE c.dossier_code = d.code ORDER BY c.started_at OFFSET 0) c
     WHERE ${governed}`.execute(plain),
  ]);
  const stepsOf = group(steps.rows, (s): WhatIfStep => ({
    id: s.id,
    elementId: s.element_id,
    elementName: s.element_name,
    processId: s.process_id,
    unitId: s.unit_id,
    caseVariant: s.case_variant,
    clock: s.clock,
    startedAt: new Date(s.started_ms),
    finishedAt: date(s.finished_ms),
    dueAt: new Date(s.due_ms),
  }));
  const stopsOf = group(stops.rows, (c) => ({ reason: c.reason, startedAt: new Date(c.started_ms), endedAt: date(c.ended_ms) }));
  return dossiers.rows.map((d) => {
    const stopped = stopsOf.get(d.code) ?? [];
    return {
      code: d.code,
      agencyCode: d.agency_code,
      unitId: d.unit_id,
      source: d.source,
      channel: d.channel,
      status: d.status,
      outcome: d.outcome,
      processId: d.process_id ?? '',
      internalProcessId: d.internal_process_id,
      caseVariant: d.case_variant,
      feeCategory: d.fee_category,
      feePaidOnline: d.fee_paid_online,
      citizenRating: d.citizen_rating,
      portalSyncDelayMinutes: d.portal_sync_delay_minutes,
      receivedAt: new Date(d.received_ms),
      clockStartAt: new Date(d.clock_start_ms),
      finishedAt: date(d.finished_ms),
      extendedAt: date(d.extended_ms),
      apologyIssuedAt: date(d.apology_issued_ms),
      signedAt: date(d.signed_ms),
      citizenRatedAt: date(d.citizen_rated_ms),
      portalSyncedAt: date(d.portal_synced_ms),
      recordedStatutoryDueAt: date(d.statutory_due_ms),
      steps: stepsOf.get(d.code) ?? [],
      stops: stopped,
      supplements: stopped.filter((s) => s.reason === 'supplement'),
    };
  });
}

function group<R extends { dossier_code: string }, T>(rows: readonly R[], map: (row: R) => T): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const list = groups.get(row.dossier_code);
    if (list) list.push(map(row));
    else groups.set(row.dossier_code, [map(row)]);
  }
  return groups;
}
