/**
 * The two 766 indicators that had no data (issue 25, item 1):
 *
 * - `portal_feed`: the outbox of the dossiers' status feed to the national portal (Cổng DVC quốc
 *   gia). Triggers on `dossiers` and `clock_stops` write a status in the same transaction as the
 *   change that makes it, whichever code path makes it: `received` (a dossier inserted, at its
 *   `received_at`), `inProgress` (pushed to the LLTP software, at the dossier's last finished
 *   step; or back from a supplement request, at the stop's end; never twice in a row),
 *   `supplement` (a supplement request, at the stop's start), `result` (issued or refused) and
 *   `closed` (every end, at `finished_at`). The status feed (server/portal/feed.ts) sends each
 *   dossier's statuses in order, event id `<dossier>:<id>`, until the portal acknowledges them,
 *   and records `delay_minutes` (acknowledgement − change, on the product's clock) here and on
 *   the dossier (`portal_synced_at`: the last acknowledgement, `portal_sync_delay_minutes`: the
 *   worst delay so far, as 0013 defined them for the index);
 * - `dossiers.citizen_rating_event_id`: VNeID's id of the rating recorded
 *   (server/callbacks/vneid.ts): the same rating again is a no-op, another one is refused.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE dossiers ADD COLUMN citizen_rating_event_id text`.execute(db);
  await sql`
    CREATE TABLE portal_feed (
      id bigserial PRIMARY KEY,
      dossier_code text NOT NULL,
      status text NOT NULL CHECK (status IN ('received', 'inProgress', 'supplement', 'result', 'closed')),
      outcome text,
      changed_at timestamptz NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz,
      claimed_until timestamptz,
      last_error text,
      acknowledged_at timestamptz,
      delay_minutes integer CHECK (delay_minutes >= 0)
    )`.execute(db);
  // the feed's queue, oldest first (a status waits when `next_attempt_at` is later; null: due at once),
  // and each dossier's first unacknowledged status
  await sql`CREATE INDEX portal_feed_queue ON portal_feed (id) WHERE acknowledged_at IS NULL`.execute(db);
  await sql`CREATE INDEX portal_feed_pending ON portal_feed (dossier_code, id) WHERE acknowledged_at IS NULL`.execute(db);
  await sql`CREATE INDEX portal_feed_dossier ON portal_feed (dossier_code, id)`.execute(db);

  await sql`
    CREATE FUNCTION portal_feed_add(code text, status text, outcome text, changed timestamptz) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
      IF status = 'inProgress' AND (SELECT f.status FROM portal_feed f WHERE f.dossier_code = code ORDER BY f.id DESC LIMIT 1) = 'inProgress' THEN
        RETURN;
      END IF;
      INSERT INTO portal_feed (dossier_code, status, outcome, changed_at) VALUES (code, status, outcome, changed);
    END $$`.execute(db);
  await sql`
    CREATE FUNCTION portal_feed_of_dossier() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        PERFORM portal_feed_add(NEW.code, 'received', NULL, NEW.received_at);
        RETURN NULL;
      END IF;
      IF OLD.lltp_software_id IS NULL AND NEW.lltp_software_id IS NOT NULL AND NEW.status = 'open' THEN
        PERFORM portal_feed_add(NEW.code, 'inProgress', NULL,
          coalesce((SELECT max(s.finished_at) FROM steps s WHERE s.dossier_code = NEW.code), NEW.received_at));
      END IF;
      IF OLD.status = 'open' AND NEW.status = 'closed' THEN
        IF NEW.outcome IN ('issued', 'refused') THEN
          PERFORM portal_feed_add(NEW.code, 'result', NEW.outcome, NEW.finished_at);
        END IF;
        PERFORM portal_feed_add(NEW.code, 'closed', NEW.outcome, NEW.finished_at);
      END IF;
      RETURN NULL;
    END $$`.execute(db);
  await sql`CREATE TRIGGER portal_feed_of_dossier AFTER INSERT OR UPDATE OF status, lltp_software_id ON dossiers FOR EACH ROW EXECUTE FUNCTION portal_feed_of_dossier()`.execute(db);
  await sql`
    CREATE FUNCTION portal_feed_of_supplement() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.reason <> 'supplement' THEN RETURN NULL; END IF;
      IF TG_OP = 'INSERT' THEN
        PERFORM portal_feed_add(NEW.dossier_code, 'supplement', NULL, NEW.started_at);
      ELSIF OLD.ended_at IS NULL AND NEW.ended_at IS NOT NULL
            AND EXISTS (SELECT 1 FROM dossiers d WHERE d.code = NEW.dossier_code AND d.status = 'open') THEN
        PERFORM portal_feed_add(NEW.dossier_code, 'inProgress', NULL, NEW.ended_at);
      END IF;
      RETURN NULL;
    END $$`.execute(db);
  await sql`CREATE TRIGGER portal_feed_of_supplement AFTER INSERT OR UPDATE OF ended_at ON clock_stops FOR EACH ROW EXECUTE FUNCTION portal_feed_of_supplement()`.execute(db);
}
