/**
 * The read model on PostgreSQL: dossiers and their clock stops, steps (the timeline), inbox
 * tasks, declarations (personal data, apart), intake receipts and the daily code counters,
 * letters, escalations, the audit trail, accounts and sessions, the SLA monitor's alerts
 * (the outbox of alert e-mails), runs, leases and requests, and the working calendar.
 *
 * Every table a request or a monitor tick reads has the index that query needs; the
 * monitor's `next_check_at` columns say when an open step or dossier next changes its status
 * (partial indexes: only rows waiting for a check are in them).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE dossiers (
      code text PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9.]{2,30}-[0-9]{6}-[0-9]{4}$'),
      receipt_number text NOT NULL UNIQUE CHECK (length(receipt_number) BETWEEN 1 AND 100),
      agency_code text NOT NULL,
      source text NOT NULL CHECK (source IN ('vneid', 'nationalPortal', 'provincialPortal', 'inPerson', 'post')),
      channel text NOT NULL CHECK (channel IN ('online', 'paper')),
      unit_id text NOT NULL,
      form_type smallint CHECK (form_type IN (1, 2)),
      paper_copy text NOT NULL DEFAULT 'none' CHECK (paper_copy IN ('none', 'post', 'desk')),
      process_id text,
      process_instance_key text,
      variant text NOT NULL CHECK (variant IN ('ordinary', 'verification')),
      case_variant text NOT NULL DEFAULT 'ordinary' CHECK (case_variant IN ('ordinary', 'verification', 'statutory')),
      statutory_working_days integer NOT NULL CHECK (statutory_working_days > 0),
      target_working_days integer NOT NULL CHECK (target_working_days > 0),
      apology_lead_minutes integer NOT NULL CHECK (apology_lead_minutes >= 0),
      received_at timestamptz NOT NULL,
      clock_start_at timestamptz NOT NULL,
      statutory_due_at timestamptz,
      target_due_at timestamptz,
      apology_by_at timestamptz,
      appointment_at timestamptz,
      deadlines_estimated boolean NOT NULL DEFAULT false,
      calendar_version integer NOT NULL DEFAULT 0,
      status text NOT NULL CHECK (status IN ('open', 'closed')),
      outcome text CHECK (outcome IN ('issued', 'refused', 'withdrawn', 'unsupplemented')),
      finished_at timestamptz,
      current_element_id text,
      apology_reason text,
      apology_new_return_date date,
      apology_issued_at timestamptz,
      apology_issued_by text,
      police_request_id text,
      police_result text CHECK (police_result IN ('noRecord', 'recordFound')),
      police_answered_at timestamptz,
      police_received_at timestamptz,
      lltp_software_id text,
      certificate_number text,
      signature_id text,
      signed_at timestamptz,
      post_tracking_number text,
      demo_scenario text,
      next_check_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT dossiers_closed_when_finished CHECK ((status = 'closed') = (finished_at IS NOT NULL)),
      CONSTRAINT dossiers_apology_complete CHECK ((apology_issued_at IS NULL) = (apology_new_return_date IS NULL)),
      CONSTRAINT dossiers_police_answer_complete CHECK ((police_result IS NULL) = (police_answered_at IS NULL))
    )`.execute(db);
  await sql`CREATE INDEX dossiers_next_check ON dossiers (next_check_at) WHERE next_check_at IS NOT NULL`.execute(db);
  // re-planning after a calendar edit: open dossiers whose latest deadline is after the change
  await sql`CREATE INDEX dossiers_open_latest_due ON dossiers ((greatest(statutory_due_at, target_due_at))) WHERE status = 'open'`.execute(db);
  // the monitor's daily reconciliation walks the open dossiers in code order, a page at a time
  await sql`CREATE INDEX dossiers_open ON dossiers (code) WHERE status = 'open'`.execute(db);
  // reports: received per period and channel, finished per period, open and late
  await sql`CREATE INDEX dossiers_received ON dossiers (received_at)`.execute(db);
  await sql`CREATE INDEX dossiers_finished ON dossiers (finished_at) WHERE status = 'closed'`.execute(db);
  await sql`CREATE INDEX dossiers_open_appointment ON dossiers ((coalesce(appointment_at, statutory_due_at))) WHERE status = 'open'`.execute(db);

  await sql`
    CREATE TABLE clock_stops (
      dossier_code text NOT NULL REFERENCES dossiers (code),
      started_at timestamptz NOT NULL,
      ended_at timestamptz,
      reason text NOT NULL,
      PRIMARY KEY (dossier_code, started_at),
      CHECK (ended_at IS NULL OR ended_at >= started_at)
    )`.execute(db);
  // a dossier's clock stops once at a time: the second stop of a running stop is refused
  await sql`CREATE UNIQUE INDEX clock_stops_one_open ON clock_stops (dossier_code) WHERE ended_at IS NULL`.execute(db);

  await sql`
    CREATE TABLE steps (
      id text PRIMARY KEY,
      dossier_code text NOT NULL REFERENCES dossiers (code),
      element_id text NOT NULL,
      element_name text,
      process_id text,
      process_instance_key text,
      element_instance_key text,
      unit_id text NOT NULL,
      unit_name text,
      role text,
      clock text NOT NULL DEFAULT 'running' CHECK (clock IN ('running', 'stopped', 'restart')),
      case_variant text,
      started_at timestamptz NOT NULL,
      allotment_minutes integer NOT NULL CHECK (allotment_minutes >= 0),
      due_at timestamptz NOT NULL,
      due_estimated boolean NOT NULL DEFAULT false,
      calendar_version integer NOT NULL DEFAULT 0,
      escalation jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(escalation) = 'array'),
      finished_at timestamptz,
      actor text,
      outcome text,
      next_check_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX steps_dossier ON steps (dossier_code, started_at)`.execute(db);
  await sql`CREATE INDEX steps_next_check ON steps (next_check_at) WHERE next_check_at IS NOT NULL`.execute(db);
  await sql`CREATE INDEX steps_open_due ON steps (due_at) WHERE finished_at IS NULL`.execute(db);
  await sql`CREATE INDEX steps_open ON steps (id) WHERE finished_at IS NULL`.execute(db);

  // one row per dossier or step a calendar change moved: the deadlines before and after
  await sql`
    CREATE TABLE deadline_moves (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      change_id text NOT NULL,
      at timestamptz NOT NULL,
      dossier_code text NOT NULL REFERENCES dossiers (code),
      step_id text REFERENCES steps (id),
      statutory_due_from timestamptz,
      statutory_due_to timestamptz,
      target_due_from timestamptz,
      target_due_to timestamptz,
      apology_by_from timestamptz,
      apology_by_to timestamptz,
      due_from timestamptz,
      due_to timestamptz,
      CONSTRAINT deadline_moves_of_step_or_dossier CHECK ((step_id IS NULL) = (due_from IS NULL AND due_to IS NULL))
    )`.execute(db);
  await sql`CREATE INDEX deadline_moves_dossier ON deadline_moves (dossier_code, id)`.execute(db);

  await sql`
    CREATE TABLE tasks (
      id text PRIMARY KEY,
      job_key text NOT NULL,
      dossier_code text NOT NULL REFERENCES dossiers (code),
      process_instance_key text NOT NULL,
      process_id text NOT NULL,
      element_id text NOT NULL,
      element_name text NOT NULL,
      form_key text NOT NULL,
      title text NOT NULL,
      role text NOT NULL,
      unit_id text NOT NULL,
      started_at timestamptz NOT NULL,
      due_at timestamptz NOT NULL,
      status text NOT NULL CHECK (status IN ('open', 'claimed', 'completed', 'cancelled')),
      claimed_by text,
      completed_at timestamptz,
      completed_by text,
      decision text,
      shown jsonb NOT NULL DEFAULT '{}',
      CONSTRAINT tasks_claimed_has_holder CHECK (status <> 'claimed' OR claimed_by IS NOT NULL),
      CONSTRAINT tasks_completed_has_time CHECK ((status = 'completed') = (completed_at IS NOT NULL))
    )`.execute(db);
  await sql`CREATE INDEX tasks_active_inbox ON tasks (unit_id, role, due_at) WHERE status IN ('open', 'claimed')`.execute(db);
  await sql`CREATE INDEX tasks_active_due ON tasks (due_at) WHERE status IN ('open', 'claimed')`.execute(db);
  await sql`CREATE INDEX tasks_dossier ON tasks (dossier_code)`.execute(db);

  await sql`
    CREATE TABLE declarations (
      dossier_code text PRIMARY KEY REFERENCES dossiers (code),
      request jsonb NOT NULL CHECK (jsonb_typeof(request) = 'object'),
      created_at timestamptz NOT NULL
    )`.execute(db);

  await sql`
    CREATE TABLE intake_receipts (
      receipt_number text PRIMARY KEY,
      dossier_code text NOT NULL UNIQUE REFERENCES dossiers (code) DEFERRABLE INITIALLY DEFERRED,
      source text NOT NULL,
      request_digest text NOT NULL,
      process_instance_key text,
      start_lease_until timestamptz,
      created_at timestamptz NOT NULL
    )`.execute(db);

  await sql`
    CREATE TABLE dossier_counters (
      agency_code text NOT NULL,
      day date NOT NULL,
      seq integer NOT NULL CHECK (seq BETWEEN 0 AND 9999),
      PRIMARY KEY (agency_code, day)
    )`.execute(db);

  await sql`
    CREATE TABLE letters (
      id text PRIMARY KEY,
      dossier_code text NOT NULL REFERENCES dossiers (code),
      kind text NOT NULL CHECK (kind IN ('apology')),
      fields jsonb NOT NULL,
      html text NOT NULL,
      pdf bytea NOT NULL,
      created_at timestamptz NOT NULL,
      UNIQUE (dossier_code, kind)
    )`.execute(db);

  await sql`
    CREATE TABLE escalations (
      id text PRIMARY KEY,
      dossier_code text NOT NULL REFERENCES dossiers (code),
      element_id text NOT NULL,
      element_instance_key text NOT NULL,
      process_instance_key text NOT NULL,
      reason text NOT NULL,
      step_element_id text NOT NULL,
      unit_id text NOT NULL,
      roles text[] NOT NULL DEFAULT '{}',
      due_at timestamptz,
      late_working_minutes integer NOT NULL DEFAULT 0,
      at timestamptz NOT NULL,
      recipients integer NOT NULL DEFAULT 0,
      message_id text NOT NULL,
      mailed_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX escalations_dossier ON escalations (dossier_code, at)`.execute(db);

  await sql`
    CREATE TABLE audit (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      at timestamptz NOT NULL,
      actor text NOT NULL,
      action text NOT NULL,
      dossier_code text,
      detail text
    )`.execute(db);
  await sql`CREATE INDEX audit_dossier ON audit (dossier_code, at) WHERE dossier_code IS NOT NULL`.execute(db);
  await sql`CREATE INDEX audit_actor ON audit (actor, at)`.execute(db);

  await sql`
    CREATE TABLE users (
      username text PRIMARY KEY CHECK (username ~ '^[a-z0-9._-]{3,40}$'),
      display_name text NOT NULL,
      email text NOT NULL CHECK (email LIKE '%_@_%'),
      roles text[] NOT NULL CHECK (cardinality(roles) > 0 AND roles <@ ARRAY['administrator', 'oneStopOfficer', 'lltpOfficer',
        'headOfDivision', 'leader', 'inspector', 'supervisor']),
      unit_id text NOT NULL,
      password_hash text NOT NULL,
      active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX users_unit ON users (unit_id)`.execute(db);

  await sql`
    CREATE TABLE partners (
      partner_id text PRIMARY KEY,
      name text NOT NULL,
      key_digest text NOT NULL,
      scopes text[] NOT NULL,
      active boolean NOT NULL DEFAULT true
    )`.execute(db);

  await sql`
    CREATE TABLE sessions (
      token_digest text PRIMARY KEY,
      username text NOT NULL REFERENCES users (username),
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX sessions_user ON sessions (username)`.execute(db);
  await sql`CREATE INDEX sessions_expiry ON sessions (expires_at)`.execute(db);

  await sql`
    CREATE TABLE alerts (
      id text PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('dueSoon', 'overdue', 'escalation', 'apologyDue', 'doneLate', 'digest', 'weekly')),
      subject text NOT NULL CHECK (subject IN ('step', 'dossier', 'person')),
      level integer NOT NULL DEFAULT 0,
      dossier_code text,
      step_id text,
      element_id text,
      step_name text,
      unit_id text,
      unit_name text,
      role text,
      due_at timestamptz,
      remaining_minutes integer NOT NULL DEFAULT 0,
      detected_at timestamptz NOT NULL,
      run_id text NOT NULL,
      recipients jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(recipients) = 'array'),
      mail_subject text,
      mail_text text,
      mail_html text,
      delivery_status text NOT NULL CHECK (delivery_status IN ('pending', 'sent', 'failed', 'noRecipient')),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz,
      last_error text,
      sent_at timestamptz,
      message_id text NOT NULL,
      claimed_by text,
      claimed_until timestamptz
    )`.execute(db);
  await sql`CREATE INDEX alerts_pending ON alerts (next_attempt_at, detected_at) WHERE delivery_status = 'pending'`.execute(db);
  await sql`CREATE INDEX alerts_delivery_status ON alerts (delivery_status)`.execute(db);
  await sql`CREATE INDEX alerts_dossier ON alerts (dossier_code) WHERE dossier_code IS NOT NULL`.execute(db);

  await sql`
    CREATE TABLE alert_sends (
      alert_id text NOT NULL REFERENCES alerts (id),
      attempt integer NOT NULL CHECK (attempt > 0),
      holder text NOT NULL,
      at timestamptz NOT NULL,
      outcome text CHECK (outcome IN ('sent', 'failed')),
      error text,
      PRIMARY KEY (alert_id, attempt)
    )`.execute(db);
  await sql`CREATE INDEX alert_sends_failed ON alert_sends (alert_id) WHERE outcome = 'failed'`.execute(db);

  await sql`
    CREATE TABLE monitor_runs (
      id text PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('tick', 'daily', 'weekly')),
      holder text NOT NULL,
      at timestamptz NOT NULL,
      started_at timestamptz NOT NULL,
      finished_at timestamptz,
      duration_ms integer,
      counts jsonb NOT NULL DEFAULT '{}',
      outside_working_time boolean NOT NULL DEFAULT false,
      error text
    )`.execute(db);
  await sql`CREATE INDEX monitor_runs_last ON monitor_runs (kind, started_at DESC) WHERE finished_at IS NOT NULL`.execute(db);

  await sql`
    CREATE TABLE leases (
      name text PRIMARY KEY,
      holder text NOT NULL,
      term integer NOT NULL CHECK (term > 0),
      until timestamptz NOT NULL,
      acquired_at timestamptz NOT NULL
    )`.execute(db);

  await sql`
    CREATE TABLE monitor_requests (
      id uuid PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('tick', 'daily', 'weekly')),
      requested_by text NOT NULL,
      requested_at timestamptz NOT NULL,
      taken_by text,
      run_id text
    )`.execute(db);
  await sql`CREATE INDEX monitor_requests_open ON monitor_requests (requested_at) WHERE taken_by IS NULL`.execute(db);

  await sql`
    CREATE TABLE calendar_meta (
      id text PRIMARY KEY CHECK (id = 'calendar'),
      timezone text NOT NULL,
      weekly_rest_days text[] NOT NULL,
      version integer NOT NULL CHECK (version > 0),
      seeded_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`.execute(db);
  await sql`
    CREATE TABLE calendar_years (
      year integer PRIMARY KEY CHECK (year BETWEEN 2000 AND 2100),
      status text NOT NULL CHECK (status IN ('official', 'estimated')),
      basis text[] NOT NULL DEFAULT '{}',
      days_off jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(days_off) = 'array'),
      make_up_working_days jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(make_up_working_days) = 'array'),
      pending jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(pending) = 'array'),
      revision integer NOT NULL,
      updated_at timestamptz NOT NULL,
      updated_by text NOT NULL
    )`.execute(db);
  await sql`
    CREATE TABLE calendar_units (
      unit_id text PRIMARY KEY,
      name text NOT NULL,
      working_day jsonb NOT NULL DEFAULT '[]',
      rest_day_hours jsonb NOT NULL DEFAULT '{}',
      updated_at timestamptz NOT NULL,
      updated_by text NOT NULL
    )`.execute(db);
  await sql`
    CREATE TABLE calendar_audit (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      at timestamptz NOT NULL,
      actor text NOT NULL,
      action text NOT NULL,
      year integer,
      date date,
      unit_id text,
      reason text,
      before jsonb,
      after jsonb,
      calendar_version integer NOT NULL,
      replan jsonb
    )`.execute(db);
  await sql`CREATE INDEX calendar_audit_at ON calendar_audit (at DESC, id DESC)`.execute(db);
  await sql`
    CREATE TABLE calendar_replans (
      change_id text PRIMARY KEY,
      at timestamptz NOT NULL,
      reason text NOT NULL,
      dossiers_examined integer NOT NULL,
      dossiers_moved integer NOT NULL,
      steps_examined integer NOT NULL,
      steps_moved integer NOT NULL,
      failed integer NOT NULL,
      failures jsonb NOT NULL DEFAULT '[]',
      seconds double precision NOT NULL,
      database_seconds double precision NOT NULL
    )`.execute(db);
}
