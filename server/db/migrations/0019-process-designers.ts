/**
 * A staff role for process designers (issue 27): `processDesigner` (thiết kế quy trình) may
 * read the model versions, compare them, run a what-if of a draft and submit a version for a
 * leader's approval. The users table's role check takes the new role.
 *
 * `process_deployments`: one row per process model deployed to Zeebe and per deployment (the
 * operators' CLI, the app's start-up, or a leader's approval), with the file's SHA-256 and who
 * deployed it, so the versions page shows each version's deployed key and every deploy is on record.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const constraint = await sql<{ conname: string }>`
    SELECT conname FROM pg_constraint
    WHERE conrelid = 'users'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%supervisor%'`.execute(db);
  for (const row of constraint.rows) await sql`ALTER TABLE users DROP CONSTRAINT ${sql.id(row.conname)}`.execute(db);
  await sql`
    ALTER TABLE users ADD CONSTRAINT users_roles_check CHECK (cardinality(roles) > 0 AND roles <@ ARRAY['administrator', 'oneStopOfficer',
      'lltpOfficer', 'headOfDivision', 'leader', 'inspector', 'supervisor', 'processDesigner'])`.execute(db);

  await sql`
    CREATE TABLE process_deployments (
      id bigserial PRIMARY KEY,
      bpmn_process_id text NOT NULL,
      zeebe_version integer NOT NULL CHECK (zeebe_version > 0),
      process_definition_key text NOT NULL,
      resource_name text NOT NULL,
      sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
      deployed_at timestamptz NOT NULL,
      actor text NOT NULL,
      via text NOT NULL CHECK (via IN ('cli', 'startup', 'approval')),
      submission_id bigint,
      UNIQUE (process_definition_key, via, deployed_at)
    )`.execute(db);
  await sql`CREATE INDEX process_deployments_process ON process_deployments (bpmn_process_id, deployed_at DESC)`.execute(db);
}
