/**
 * The handover of open dossiers from an agency to its successor (issue 24, item 3):
 * `handovers`, one row per dossier and receiving agency. The primary key (dossier, to) makes a
 * second run of the same handover insert nothing; the row keeps what moved (the internal
 * procedure before and after, the process instance migrated, the steps and tasks moved), so the
 * dossier view shows the change and the receipt date, deadlines and earlier steps stay as they were.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE handovers (
      dossier_code text NOT NULL REFERENCES dossiers (code),
      from_agency text NOT NULL,
      to_agency text NOT NULL CHECK (to_agency <> from_agency),
      on_date date NOT NULL,
      at timestamptz NOT NULL,
      actor text NOT NULL,
      from_internal_process_id text,
      to_internal_process_id text NOT NULL,
      migrated_instance_key text,
      moved jsonb NOT NULL CHECK (jsonb_typeof(moved) = 'object'),
      PRIMARY KEY (dossier_code, to_agency)
    )`.execute(db);
  await sql`CREATE INDEX handovers_from_to ON handovers (from_agency, to_agency)`.execute(db);
}
