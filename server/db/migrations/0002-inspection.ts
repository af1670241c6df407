/**
 * Inspection of late dossiers (issue 12):
 * - `dossiers.internal_process_id`: the agency's internal procedure version the dossier runs
 *   under (chosen at intake with the national one), for filters and the provincial due date;
 * - `steps.late_reason` / `late_reason_source`: why a step finished after its due time, given
 *   by the officer who completed it (`officer`) or recorded by the system for an automated step
 *   that waited on an outside system (`system`);
 * - partial indexes for the late steps, the timed steps by end, and open dossiers by statutory
 *   due date;
 * - `inspection_exports`: every inspection list, summary or weekly report exported, with the
 *   SHA-256 of its rows and of the file (what `lltp inspection verify` looks up);
 * - `weekly_reports`: the archive of the Friday report for the Đề án 06 working group, one row
 *   per report week and revision, with the files byte for byte.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE dossiers ADD COLUMN internal_process_id text`.execute(db);
  await sql`
    ALTER TABLE steps
      ADD COLUMN late_reason text CHECK (length(late_reason) BETWEEN 1 AND 2000),
      ADD COLUMN late_reason_source text CHECK (late_reason_source IN ('officer', 'system')),
      ADD CONSTRAINT steps_late_reason_sourced CHECK ((late_reason IS NULL) = (late_reason_source IS NULL))`.execute(db);
  await sql`CREATE INDEX steps_finished_late ON steps (dossier_code, due_at) WHERE finished_at > due_at AND allotment_minutes > 0`.execute(db);
  await sql`CREATE INDEX steps_timed_finished ON steps (finished_at) WHERE allotment_minutes > 0`.execute(db);
  await sql`CREATE INDEX dossiers_open_statutory_due ON dossiers (statutory_due_at) WHERE status = 'open'`.execute(db);

  await sql`
    CREATE TABLE inspection_exports (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      at timestamptz NOT NULL,
      actor text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('dossiers', 'summary', 'weekly')),
      format text NOT NULL CHECK (format IN ('csv', 'xlsx', 'pdf')),
      filters jsonb NOT NULL CHECK (jsonb_typeof(filters) = 'object'),
      row_count integer NOT NULL CHECK (row_count >= 0),
      rows_sha256 text NOT NULL CHECK (rows_sha256 ~ '^[0-9a-f]{64}$'),
      file_sha256 text NOT NULL CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
      file_name text NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX inspection_exports_rows ON inspection_exports (rows_sha256)`.execute(db);
  await sql`CREATE INDEX inspection_exports_file ON inspection_exports (file_sha256)`.execute(db);

  await sql`
    CREATE TABLE weekly_reports (
      week_ending date NOT NULL,
      revision integer NOT NULL CHECK (revision >= 1),
      period_from timestamptz NOT NULL,
      period_to timestamptz NOT NULL CHECK (period_to > period_from),
      generated_at timestamptz NOT NULL,
      generated_by text NOT NULL,
      summary jsonb NOT NULL CHECK (jsonb_typeof(summary) = 'object'),
      rows_sha256 text NOT NULL CHECK (rows_sha256 ~ '^[0-9a-f]{64}$'),
      xlsx bytea NOT NULL,
      xlsx_sha256 text NOT NULL CHECK (xlsx_sha256 ~ '^[0-9a-f]{64}$'),
      pdf bytea NOT NULL,
      pdf_sha256 text NOT NULL CHECK (pdf_sha256 ~ '^[0-9a-f]{64}$'),
      sent_at timestamptz,
      recipients text[] NOT NULL DEFAULT '{}',
      PRIMARY KEY (week_ending, revision)
    )`.execute(db);
}
