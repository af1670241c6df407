/**
 * The monthly Đề án 06 report (issue 25, item 4): `monthly_reports`, its archive, one row per
 * revision of an agency's month, shaped like `weekly_reports` (both files, the rows and content
 * digests, when and to whom it was mailed). The primary key makes the first revision of a month
 * one row whichever replica builds it; `sent_at` is claimed before the mail leaves, so one
 * replica mails it. `inspection_exports` records its files as kind `monthly`; the monitor's runs
 * and "run now" requests have a `monthly` kind (MONITOR_MONTHLY_CRON).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE monthly_reports (
      agency_code text NOT NULL,
      month text NOT NULL CHECK (month ~ '^\\d{4}-(0[1-9]|1[0-2])$'),
      revision integer NOT NULL CHECK (revision >= 1),
      period_from timestamptz NOT NULL,
      period_to timestamptz NOT NULL CHECK (period_to > period_from),
      generated_at timestamptz NOT NULL,
      generated_by text NOT NULL,
      summary jsonb NOT NULL CHECK (jsonb_typeof(summary) = 'object'),
      rows_sha256 text NOT NULL CHECK (rows_sha256 ~ '^[0-9a-f]{64}$'),
      content_sha256 text NOT NULL CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
      xlsx bytea NOT NULL,
      xlsx_sha256 text NOT NULL CHECK (xlsx_sha256 ~ '^[0-9a-f]{64}$'),
      pdf bytea NOT NULL,
      pdf_sha256 text NOT NULL CHECK (pdf_sha256 ~ '^[0-9a-f]{64}$'),
      sent_at timestamptz,
      recipients text[] NOT NULL DEFAULT '{}',
      PRIMARY KEY (agency_code, month, revision)
    )`.execute(db);
  for (const table of ['monitor_runs', 'monitor_requests']) {
    await sql`ALTER TABLE ${sql.table(table)} DROP CONSTRAINT ${sql.id(`${table}_kind_check`)}`.execute(db);
    await sql`ALTER TABLE ${sql.table(table)} ADD CONSTRAINT ${sql.id(`${table}_kind_check`)} CHECK (kind IN ('tick', 'daily', 'weekly', 'monthly'))`.execute(db);
  }
  await sql`ALTER TABLE inspection_exports DROP CONSTRAINT inspection_exports_kind_check`.execute(db);
  await sql`ALTER TABLE inspection_exports ADD CONSTRAINT inspection_exports_kind_check CHECK (kind IN ('dossiers', 'summary', 'weekly', 'scores', 'monthly'))`.execute(db);
}
