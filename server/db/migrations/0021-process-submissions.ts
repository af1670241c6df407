/**
 * Deploying a model version with a second person's approval (issue 27, item 4): a process
 * designer submits a linted `.bpmn` with its effective date; a leader other than the submitter
 * approves it (then it is deployed to Zeebe) or rejects it with a reason. The XML is kept here:
 * once deployed it governs dossiers from its effective date (the catalog reads it with the files
 * of PROCESSES_DIR), so it survives restarts and works in the container image.
 *
 * status: submitted → approved → deployed, or submitted → rejected, or submitted → failed (the
 * checks no longer pass when a leader approves: the date passed, another version took the
 * date). An approved submission whose deployment Zeebe refused stays approved with the error
 * (`deploy_error`) and is deployed by the next approval call.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE process_submissions (
      id bigserial PRIMARY KEY,
      bpmn_process_id text NOT NULL,
      procedure text NOT NULL,
      effective_from date NOT NULL,
      effective_to date,
      resource_name text NOT NULL,
      xml text NOT NULL,
      sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
      lint jsonb NOT NULL DEFAULT '[]',
      submitted_by text NOT NULL,
      submitted_at timestamptz NOT NULL,
      status text NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'approved', 'rejected', 'deployed', 'failed')),
      decided_by text,
      decided_at timestamptz,
      reason text,
      deploy_error text,
      deployed_at timestamptz,
      process_definition_key text,
      zeebe_version integer,
      CONSTRAINT process_submissions_four_eyes CHECK (decided_by IS NULL OR decided_by <> submitted_by),
      CONSTRAINT process_submissions_decided CHECK ((status = 'submitted') = (decided_by IS NULL)),
      CONSTRAINT process_submissions_reason CHECK (status NOT IN ('rejected', 'failed') OR reason IS NOT NULL),
      CONSTRAINT process_submissions_deployed CHECK ((status = 'deployed') = (process_definition_key IS NOT NULL))
    )`.execute(db);
  // the same file is not waiting twice; a process id is pending, approved or deployed once
  await sql`CREATE UNIQUE INDEX process_submissions_pending_sha256 ON process_submissions (sha256) WHERE status IN ('submitted', 'approved')`.execute(db);
  await sql`CREATE UNIQUE INDEX process_submissions_live_process ON process_submissions (bpmn_process_id) WHERE status IN ('submitted', 'approved', 'deployed')`.execute(db);
  // what the catalog loads, and the cheap check of the other processes (count of deployed)
  await sql`CREATE INDEX process_submissions_deployed ON process_submissions (id) WHERE status = 'deployed'`.execute(db);
  await sql`CREATE INDEX process_submissions_recent ON process_submissions (submitted_at DESC)`.execute(db);
  await sql`ALTER TABLE process_deployments ADD CONSTRAINT process_deployments_submission FOREIGN KEY (submission_id) REFERENCES process_submissions (id)`.execute(db);
}
