/**
 * Reports as of their cut-off (issue 23, item 6): the deadlines a dossier had at any past
 * instant. `deadline_moves` recorded only the calendar's re-plans; the workers' changes are
 * recorded too, each with the dossier's deadline facts before it (`before`, JSON: statutoryDueAt,
 * targetDueAt, apologyByAt, appointmentAt, clockStartAt, caseVariant, variant,
 * statutoryWorkingDays, targetWorkingDays):
 * - `plan`: step 6's plan by case variant (10 → 15 working days, the 570 target 3 → 9 days);
 * - `supplement`: the clock stopped for a supplement (the due dates become unknown);
 * - `restart`: the complete supplement restarts the clock from zero.
 * One row per change (its job's element instance: `change_id`), written in the same transaction
 * as the dossier's update. The deadlines at an instant are the `before` of the first change after
 * it, or the dossier's own when none came after.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE deadline_moves ADD COLUMN cause text NOT NULL DEFAULT 'calendar' CHECK (cause IN ('calendar', 'plan', 'supplement', 'restart'))`.execute(db);
  await sql`ALTER TABLE deadline_moves ADD COLUMN before jsonb`.execute(db);
  await sql`ALTER TABLE deadline_moves ADD CONSTRAINT deadline_moves_before_of_workers CHECK ((cause = 'calendar') = (before IS NULL))`.execute(db);
  await sql`CREATE UNIQUE INDEX deadline_moves_once ON deadline_moves (change_id, dossier_code) WHERE cause <> 'calendar'`.execute(db);
  await sql`CREATE INDEX deadline_moves_dossier_at ON deadline_moves (dossier_code, at) WHERE step_id IS NULL`.execute(db);
}
