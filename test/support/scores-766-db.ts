/**
 * The 32 dossiers of ./scores-766-fixture.ts written into a read model (dossiers, supplement
 * stops, the late dossier's steps), as intake and the workers leave them: shared by the 766
 * index's integration tests (scores, snapshots, the /chi-so page and its exports).
 */
import { sql } from 'kysely';
import type { Db } from '../../server/db';
import { at, factsOf, FIXTURE } from './scores-766-fixture';

/** Writes every fixture dossier as intake and the workers leave it. */
export async function writeScoresFixture(db: Db): Promise<void> {
  for (const f of FIXTURE) {
    const d = factsOf(f);
    await sql`INSERT INTO dossiers (code, receipt_number, agency_code, source, channel, unit_id, form_type, variant, statutory_working_days,
                target_working_days, apology_lead_minutes, received_at, clock_start_at, statutory_due_at, target_due_at, apology_by_at, appointment_at,
                status, outcome, finished_at, apology_issued_at, apology_reason, apology_new_return_date, apology_issued_by, signed_at, signature_id,
                certificate_number, fee_category, fee_paid_online, citizen_rating, citizen_rated_at)
              VALUES (${d.code}, ${`BN-766-${f.n}`}, ${d.agencyCode}, ${d.source}, ${d.channel}, ${d.unitId}, 1, 'ordinary', 10, 3, 480,
                ${d.receivedAt}, ${d.receivedAt}, ${d.statutoryDueAt}, ${d.statutoryDueAt}, ${d.statutoryDueAt}, ${d.appointmentAt},
                ${d.status}, ${d.outcome}, ${d.finishedAt}, ${d.apologyIssuedAt}, ${d.apologyIssuedAt ? 'Chờ xác minh' : null},
                ${d.apologyIssuedAt ? d.appointmentAt?.toISOString().slice(0, 10) : null}, ${d.apologyIssuedAt ? 'lanhdao' : null},
                ${d.signedAt}, ${d.signedAt ? `SIG-${f.n}` : null}, ${d.signedAt ? `LLTP-${d.code}` : null},
                ${d.feeCategory}, ${d.feePaidOnline}, ${d.citizenRating}, ${d.citizenRatedAt})`.execute(db);
    for (const s of d.supplements) {
      await db.insertInto('clockStops').values({ dossierCode: d.code, startedAt: s.startedAt, endedAt: s.endedAt, reason: 'supplement' }).execute();
    }
    for (const [k, [element, name, unit, started, due, finished]] of (f.steps ?? []).entries()) {
      await db
        .insertInto('steps')
        .values({ id: `step:766-${f.n}-${k}`, dossierCode: d.code, elementId: element, elementName: name, unitId: unit, startedAt: at(started), allotmentMinutes: 240, dueAt: at(due), finishedAt: finished ? at(finished) : null })
        .execute();
    }
  }
}

