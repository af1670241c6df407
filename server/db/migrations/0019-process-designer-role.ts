/**
 * A staff role for process designers (issue 27): `processDesigner` (thiết kế quy trình) may
 * read the model versions, compare them, run a what-if of a draft and submit a version for a
 * leader's approval. The users table's role check takes the new role.
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
}
