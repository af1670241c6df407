/**
 * The facts a what-if re-judges, read only: the dossiers received in the period whose governing
 * version (`process_id`, `internal_process_id`) is one of the given process ids, with their
 * clock stops and recorded steps. Three index-backed reads: dossiers by `received_at`
 * (dossiers_received), then steps (steps_dossier, partitions pruned by `started_at`) and clock
 * stops (their primary key) for the dossiers found, in batches of codes.
 */
import type { Db } from '../db';
import type { WhatIfDossier, WhatIfStep } from './whatif';

/** Codes per steps/clock-stops query: a bound array the planner still reaches by index. */
const BATCH = 2_000;

export async function loadWhatIfDossiers(db: Db, period: { from: Date; to: Date }, processIds: readonly string[]): Promise<WhatIfDossier[]> {
  if (processIds.length === 0) return [];
  const ids = [...processIds];
  const rows = await db
    .selectFrom('dossiers')
    .select([
      'code', 'agencyCode', 'unitId', 'source', 'channel', 'receivedAt', 'status', 'outcome', 'finishedAt', 'apologyIssuedAt', 'signedAt',
      'feeCategory', 'feePaidOnline', 'citizenRating', 'citizenRatedAt', 'portalSyncDelayMinutes', 'portalSyncedAt',
      'processId', 'internalProcessId', 'caseVariant', 'clockStartAt', 'extendedAt',
    ])
    .where('receivedAt', '>=', period.from)
    .where('receivedAt', '<', period.to)
    .where((eb) => eb.or([eb('processId', 'in', ids), eb('internalProcessId', 'in', ids)]))
    .orderBy('receivedAt')
    .execute();
  const steps = new Map<string, WhatIfStep[]>();
  const stops = new Map<string, WhatIfDossier['stops'][number][]>();
  for (let i = 0; i < rows.length; i += BATCH) {
    const codes = rows.slice(i, i + BATCH).map((r) => r.code);
    const [stepRows, stopRows] = await Promise.all([
      db
        .selectFrom('steps')
        .select(['id', 'dossierCode', 'elementId', 'elementName', 'processId', 'unitId', 'caseVariant', 'clock', 'startedAt', 'finishedAt', 'dueAt'])
        .where('dossierCode', 'in', codes)
        .where('startedAt', '>=', period.from)
        .orderBy('dossierCode')
        .orderBy('startedAt')
        .execute(),
      db.selectFrom('clockStops').select(['dossierCode', 'startedAt', 'endedAt', 'reason']).where('dossierCode', 'in', codes).orderBy('dossierCode').orderBy('startedAt').execute(),
    ]);
    for (const { dossierCode, ...step } of stepRows) push(steps, dossierCode, step);
    for (const { dossierCode, ...stop } of stopRows) push(stops, dossierCode, stop);
  }
  return rows.map((r) => ({
    ...r,
    processId: r.processId ?? '',
    caseVariant: r.caseVariant,
    steps: steps.get(r.code) ?? [],
    stops: stops.get(r.code) ?? [],
    supplements: (stops.get(r.code) ?? []).filter((s) => s.reason === 'supplement'),
  }));
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
