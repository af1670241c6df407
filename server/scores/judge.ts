/**
 * What one dossier feeds each indicator of a period (regimes-766.md §4.4–4.5), as of the
 * period's end. The SQL of ./queries.ts says the same for a whole population; this is the rule
 * in one readable place, and what the unit test and the explanations check it against.
 *
 * Progress (*tiến độ*): the dossiers received in the period or still open at its start. A
 * dossier's end is its finish if before the period's end, else the period's end; a pending
 * supplement request (citizen not back by that end) ends it at the request. On time: ended on or
 * before its appointment. The appointment is the one planned from the clock's last start (a
 * complete supplement restarts the clock and re-plans it: the supplement's time is subtracted),
 * never the one an apology letter moved (an apology does not make a late dossier on time). A
 * second supplement request is late.
 */
export interface DossierFacts766 {
  code: string;
  agencyCode: string;
  unitId: string;
  source: 'vneid' | 'nationalPortal' | 'provincialPortal' | 'inPerson' | 'post';
  channel: 'online' | 'paper';
  receivedAt: Date;
  status: 'open' | 'closed';
  outcome: 'issued' | 'refused' | 'withdrawn' | 'unsupplemented' | null;
  finishedAt: Date | null;
  /** Planned from the clock's last start (null while the clock is stopped). */
  statutoryDueAt: Date | null;
  /** The appointment (moved by an apology; kept while the clock is stopped). */
  appointmentAt: Date | null;
  apologyIssuedAt: Date | null;
  signedAt: Date | null;
  feeCategory: 'full' | 'reduced' | 'exempt' | null;
  feePaidOnline: boolean | null;
  citizenRating: 'satisfied' | 'neutral' | 'dissatisfied' | null;
  citizenRatedAt: Date | null;
  portalSyncDelayMinutes: number | null;
  portalSyncedAt: Date | null;
  /** The supplement requests (clock stops for a supplement), oldest first. */
  supplements: readonly { startedAt: Date; endedAt: Date | null }[];
}

/** Every dossier judged is in the progress population: received in the period, or open at its start. */
export interface Judgement766 {
  onTime: boolean;
  /** The instant judged: the finish, the period's end, or a pending supplement request. */
  endAt: Date;
  /** The appointment judged against (null: none, on time). */
  dueAt: Date | null;
  openAtEnd: boolean;
  supplementRequests: number;
  pendingSupplement: boolean;
  /** Received in the period (the denominator of the other indicators). */
  received: boolean;
  online: boolean;
  electronicResult: boolean;
  issuedByEnd: boolean;
  issuedInPeriod: boolean;
  feeOwed: boolean;
  paidOnline: boolean;
  vneid: boolean;
  rating: 'satisfied' | 'neutral' | 'dissatisfied' | null;
  syncDelayMinutes: number | null;
}

const before = (a: Date | null, b: Date): boolean => a !== null && a < b;

/** How `d` counts in the period [from, to); null when it is in no population of it. */
export function judge766(d: DossierFacts766, from: Date, to: Date): Judgement766 | null {
  const received = d.receivedAt >= from && d.receivedAt < to;
  const openAtStart = d.receivedAt < from && (d.finishedAt === null || d.finishedAt >= from);
  if (!received && !openAtStart) return null;
  const finishedInTime = before(d.finishedAt, to);
  const rawEnd = finishedInTime ? (d.finishedAt as Date) : to;
  const supplements = d.supplements.filter((s) => s.startedAt < to);
  const last = supplements[supplements.length - 1];
  const pendingSupplement = last !== undefined && (last.endedAt === null || last.endedAt >= rawEnd);
  const endAt = pendingSupplement && last ? last.startedAt : rawEnd;
  const dueAt = d.statutoryDueAt ?? d.appointmentAt;
  const issuedByEnd = d.outcome === 'issued' && finishedInTime;
  return {
    onTime: supplements.length <= 1 && (dueAt === null || endAt <= dueAt),
    endAt,
    dueAt,
    openAtEnd: !finishedInTime,
    supplementRequests: supplements.length,
    pendingSupplement,
    received,
    online: d.channel === 'online',
    electronicResult: before(d.signedAt, to),
    issuedByEnd,
    issuedInPeriod: issuedByEnd && (d.finishedAt as Date) >= from,
    feeOwed: d.feeCategory !== 'exempt',
    paidOnline: d.feeCategory !== 'exempt' && d.feePaidOnline === true,
    vneid: d.source === 'vneid',
    rating: before(d.citizenRatedAt, to) ? d.citizenRating : null,
    syncDelayMinutes: before(d.portalSyncedAt, to) ? d.portalSyncDelayMinutes : null,
  };
}
