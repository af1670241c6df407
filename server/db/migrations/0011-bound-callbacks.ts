/**
 * Callbacks bound to what the product asked (issue 29, items 6 and 7):
 * - `police_requests`: every verification request the police-request worker sends (request id,
 *   dossier, the partner that must answer, when it was sent), and its answer (when the product
 *   received it, the result, who sent it, when the engine was told): the police callback accepts
 *   only an answer to a request listed here and not yet answered, and the answer's content
 *   stays here, never in process variables;
 * - `partners.agency_code`: the agency a one-stop partner serves; its callbacks reach only that
 *   agency's dossiers;
 * - `partners.signing_secret`: the secret a partner signs its requests with (HMAC-SHA256). The
 *   server must hold it to check a signature, so it replaces the digest of the static API key,
 *   which no request carries any more;
 * - `partner_signatures`: the signatures seen within the time window, so a replayed request is
 *   refused.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE police_requests (
      request_id text PRIMARY KEY,
      dossier_code text NOT NULL REFERENCES dossiers (code),
      partner_id text NOT NULL,
      sent_at timestamptz NOT NULL,
      answered_at timestamptz,
      result text CHECK (result IN ('noRecord', 'recordFound')),
      answered_by text,
      published_at timestamptz,
      CONSTRAINT police_requests_answer_complete CHECK ((answered_at IS NULL) = (result IS NULL) AND (answered_at IS NULL) = (answered_by IS NULL))
    )`.execute(db);
  await sql`CREATE INDEX police_requests_dossier ON police_requests (dossier_code)`.execute(db);
  await sql`ALTER TABLE partners ADD COLUMN agency_code text`.execute(db);
  await sql`ALTER TABLE partners ADD COLUMN signing_secret text`.execute(db);
  await sql`ALTER TABLE partners DROP COLUMN key_digest`.execute(db);
  await sql`
    CREATE TABLE partner_signatures (
      partner_id text NOT NULL,
      signature text NOT NULL,
      seen_at timestamptz NOT NULL,
      PRIMARY KEY (partner_id, signature)
    )`.execute(db);
  await sql`CREATE INDEX partner_signatures_seen_at ON partner_signatures (seen_at)`.execute(db);
}
