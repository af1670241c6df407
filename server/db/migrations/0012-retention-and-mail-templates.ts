/**
 * Retention (issue 28, items 1 and 3):
 * - `mail_templates`: each version of a mail template (its layout, HTML and text sources, and the
 *   values many mails share), stored once; an alert keeps the version and the small data of its
 *   own that its mail is rendered from
 *   (`alerts.mail_template`, `alerts.mail_data`) instead of its rendered HTML and text, and the
 *   outbox renders the mail when it sends it: the same bytes at every attempt. Alerts raised
 *   before keep their `mail_text`/`mail_html` until the retention job clears them;
 * - `declarations.anonymised_at`: when the retention job replaced the citizen's declaration of a
 *   closed dossier by an empty object (the dossier, its steps and audit rows stay);
 * - the partial indexes the daily retention job pages through.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE mail_templates (
      version text PRIMARY KEY,
      name text NOT NULL,
      layout text NOT NULL,
      html text NOT NULL,
      text text NOT NULL,
      shared jsonb NOT NULL CHECK (jsonb_typeof(shared) = 'object'),
      created_at timestamptz NOT NULL
    )`.execute(db);
  await sql`ALTER TABLE alerts ADD COLUMN mail_template text REFERENCES mail_templates (version)`.execute(db);
  await sql`ALTER TABLE alerts ADD COLUMN mail_data jsonb CHECK (mail_data IS NULL OR jsonb_typeof(mail_data) = 'object')`.execute(db);
  await sql`ALTER TABLE alerts ADD CONSTRAINT alerts_mail_template_with_data CHECK ((mail_template IS NULL) = (mail_data IS NULL))`.execute(db);
  await sql`CREATE INDEX alerts_mail_kept ON alerts (detected_at) WHERE mail_html IS NOT NULL OR mail_text IS NOT NULL OR mail_data IS NOT NULL`.execute(db);
  await sql`ALTER TABLE declarations ADD COLUMN anonymised_at timestamptz`.execute(db);
  await sql`CREATE INDEX declarations_kept ON declarations (dossier_code) WHERE anonymised_at IS NULL`.execute(db);
  await sql`CREATE INDEX audit_at ON audit (at)`.execute(db);
}
