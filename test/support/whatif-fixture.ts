/**
 * The what-if fixture (issue 27): 20 closed VNeID dossiers under Law 107's versions
 * (quy-trinh-570-v20260701 with khanh-hoa-pv06-v20260701), one received each working day of
 * November 2026 (2–6, 9–13, 16–20, 23–27: no holiday, no weekend), at 07:45, each with three
 * recorded steps on the default office hours (07:30–11:30, 13:00–17:00; no unit of these steps
 * has its own hours in the seed):
 *
 * - checkDossier (4h, stp-mot-cua): 07:45 → due 13:15 (3h45 in the morning, 15 min after lunch);
 *   finished 08:30, except dossier 9 which finishes 14:00 (late under both);
 * - searchRecords (4h, stp-hctp): 08:30 → due 14:00 (3h in the morning, 1h after lunch); the
 *   draft halves it to 2h → due 10:30 the same morning. Finished, by group:
 *   A (dossiers 1–8) 10:00: on time under both;
 *   B (9–15, seven) 11:00: late only under the draft (10:30 < 11:00 ≤ 14:00);
 *   C (16–18, three) 15:00: late under both (15:00 > 14:00);
 *   D (19–20) 10:30 exactly: on time under both (finishing at the due instant is not late);
 * - drawUpCertificate (4h, stp-hctp): from searchRecords' finish, one hour of work → on time.
 *
 * The dossier closes (issued) at drawUpCertificate's finish: at most a day after receipt, far
 * inside the 5 working days of lltp:deadline.statutory, so no dossier is late overall under
 * either model (the draft is the internal procedure: the statutory deadline is the national
 * model's).
 *
 * By hand: searchRecords late 3 (C) → 10 (B + C), +7. Dossiers with a late step 4 (C and
 * dossier 9) → 10 (B + C: dossier 9 was late already at checkDossier), +6. Late steps overall
 * 4 → 11, +7. Dossiers late against the statutory deadline 0 → 0.
 */
import { stepDueAt } from '../../server/calendar/deadlines';
import type { WorkingCalendars } from '../../server/calendar/working-calendar';
import type { Db } from '../../server/db';
import type { WhatIfDossier, WhatIfStep } from '../../server/designer/whatif';

export const NATIONAL = 'quy-trinh-570-v20260701';
export const INTERNAL = 'khanh-hoa-pv06-v20260701';
export const PERIOD = { from: '2026-11-01', to: '2026-11-30' } as const;
export const WORKING_DAYS = [2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 16, 17, 18, 19, 20, 23, 24, 25, 26, 27];

/** The hand calculation above, as the test asserts it. */
export const EXPECTED = {
  searchRecords: { current: 3, draft: 10 },
  dossiersWithLateStep: { current: 4, draft: 10 },
  lateSteps: { current: 4, draft: 11 },
  lateDossiers: { current: 0, draft: 0 },
} as const;

const at = (day: number, time: string): Date => new Date(`2026-11-${String(day).padStart(2, '0')}T${time}:00+07:00`);

function searchFinish(n: number): string {
  if (n <= 8) return '10:00';
  if (n <= 15) return '11:00';
  if (n <= 18) return '15:00';
  return '10:30';
}

/** drawUpCertificate takes one working hour from `start` (never across lunch in this fixture but for C's 15:00). */
const plusHour = (d: Date): Date => new Date(d.getTime() + 3_600_000);

export function whatIfFixture(calendars: WorkingCalendars): WhatIfDossier[] {
  return WORKING_DAYS.map((day, i) => {
    const n = i + 1;
    const code = `STP.KHA-2611${String(day).padStart(2, '0')}-${String(n).padStart(4, '0')}`;
    const received = at(day, '07:45');
    const checkEnd = n === 9 ? at(day, '14:00') : at(day, '08:30');
    const searchStart = at(day, '08:30');
    const searchEnd = at(day, searchFinish(n));
    const drawEnd = plusHour(searchEnd);
    const step = (k: number, elementId: string, unitId: string, startedAt: Date, finishedAt: Date): WhatIfStep => ({
      id: `step:whatif:${code}:${k}`,
      elementId,
      elementName: elementId,
      processId: NATIONAL,
      unitId,
      caseVariant: 'ordinary',
      clock: 'running',
      startedAt,
      finishedAt,
      dueAt: stepDueAt(calendars.forUnit(unitId), startedAt, 240).dueAt,
    });
    return {
      code,
      agencyCode: 'CA.KHA',
      unitId: 'stp-mot-cua',
      source: 'vneid',
      channel: 'online',
      receivedAt: received,
      status: 'closed',
      outcome: 'issued',
      finishedAt: drawEnd,
      apologyIssuedAt: null,
      signedAt: drawEnd,
      feeCategory: 'full',
      feePaidOnline: true,
      citizenRating: null,
      citizenRatedAt: null,
      portalSyncDelayMinutes: null,
      portalSyncedAt: null,
      supplements: [],
      processId: NATIONAL,
      internalProcessId: INTERNAL,
      caseVariant: 'ordinary',
      clockStartAt: received,
      extendedAt: null,
      // 5 working days (lltp:deadline.statutory) from the clock start, no stop
      recordedStatutoryDueAt: calendars.forUnit('stp-mot-cua').add(received, 5 * 480).dueAt,
      stops: [],
      steps: [
        step(1, 'checkDossier', 'stp-mot-cua', received, checkEnd),
        step(2, 'searchRecords', 'stp-hctp', searchStart, searchEnd),
        step(3, 'drawUpCertificate', 'stp-hctp', searchEnd, drawEnd),
      ],
    };
  });
}

/** Writes the fixture into a test database as the workers would have left it (closed dossiers, finished steps). */
export async function insertWhatIfFixture(db: Db, dossiers: readonly WhatIfDossier[]): Promise<void> {
  for (const d of dossiers) {
    await db
      .insertInto('dossiers')
      .values({
        code: d.code,
        receiptNumber: `BN-WHATIF-${d.code}`,
        agencyCode: d.agencyCode,
        source: d.source,
        channel: d.channel,
        unitId: d.unitId,
        formType: 1,
        processId: d.processId,
        internalProcessId: d.internalProcessId,
        processInstanceKey: null,
        variant: 'ordinary',
        caseVariant: d.caseVariant,
        statutoryWorkingDays: 5,
        targetWorkingDays: 3,
        apologyLeadMinutes: 480,
        receivedAt: d.receivedAt,
        clockStartAt: d.clockStartAt,
        statutoryDueAt: d.recordedStatutoryDueAt,
        targetDueAt: null,
        apologyByAt: null,
        appointmentAt: null,
        status: 'closed',
        outcome: d.outcome,
        finishedAt: d.finishedAt,
        signedAt: d.signedAt,
        feeCategory: d.feeCategory,
        feePaidOnline: d.feePaidOnline,
        currentElementId: null,
        apologyReason: null,
        apologyNewReturnDate: null,
        apologyIssuedAt: null,
        apologyIssuedBy: null,
        policeRequestId: null,
        policeResult: null,
        policeAnsweredAt: null,
        policeReceivedAt: null,
        lltpSoftwareId: null,
        certificateNumber: null,
        signatureId: null,
        postTrackingNumber: null,
        demoScenario: null,
        nextCheckAt: null,
      })
      .execute();
    for (const s of d.steps) {
      await db
        .insertInto('steps')
        .values({
          id: s.id,
          dossierCode: d.code,
          elementId: s.elementId,
          elementName: s.elementName,
          processId: s.processId,
          processInstanceKey: null,
          elementInstanceKey: null,
          unitId: s.unitId,
          unitName: null,
          role: null,
          clock: s.clock,
          caseVariant: s.caseVariant,
          startedAt: s.startedAt,
          allotmentMinutes: 240,
          dueAt: s.dueAt,
          finishedAt: s.finishedAt,
          actor: 'whatif-fixture',
          outcome: null,
          nextCheckAt: null,
        })
        .execute();
    }
  }
}

/** The installed internal procedure with searchRecords' allotment halved (4h → 2h), as a designer would edit it. */
export function halvedSearchRecords(installedXml: string): string {
  const property = '<zeebe:property name="lltp:step.searchRecords.allotment" value="4h" />';
  if (!installedXml.includes(property)) throw new Error(`${INTERNAL} no longer sets ${property}: update the what-if fixture`);
  return installedXml.replace(property, '<zeebe:property name="lltp:step.searchRecords.allotment" value="2h" />');
}
