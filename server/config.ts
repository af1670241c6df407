/**
 * Every setting of lltp-flow, declared once: type, default, description, secret or not.
 *
 * `loadConfig(env)` validates the environment at start-up and throws a `ConfigError` that
 * names each bad setting. The README's configuration table is generated from `settings`
 * (`npm run docs:config`), so this file is the single source of truth.
 */
import { isIP } from 'node:net';
import cron from 'node-cron';
import { z } from 'zod';
import { escalationSchema } from './sla/spec';

type Kind = 'string' | 'url' | 'integer' | 'boolean' | 'enum';

export interface SettingSpec<T> {
  kind: Kind;
  /** Default as it would be written in the environment; `undefined` means required. */
  default: string | undefined;
  description: string;
  secret: boolean;
  schema: z.ZodType<T>;
  /** For `enum` settings: the allowed values, shown in the table. */
  values?: readonly string[];
}

const str = (def: string | undefined, description: string, secret = false): SettingSpec<string> => ({
  kind: 'string',
  default: def,
  description,
  secret,
  schema: z.string().min(1, 'must not be empty'),
});

const optionalStr = (description: string, secret = false): SettingSpec<string> => ({
  kind: 'string',
  default: '',
  description,
  secret,
  schema: z.string(),
});

const url = (def: string, description: string, protocols: readonly string[], secret = false): SettingSpec<string> => ({
  kind: 'url',
  default: def,
  description,
  secret,
  schema: z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    },
    { message: `must be a URL with scheme ${protocols.join(' or ')}` },
  ),
});

const int = (def: number, description: string, min: number, max: number): SettingSpec<number> => ({
  kind: 'integer',
  default: String(def),
  description,
  secret: false,
  schema: z
    .string()
    .regex(/^-?\d+$/, 'must be an integer')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`)),
});

const bool = (def: boolean, description: string): SettingSpec<boolean> => ({
  kind: 'boolean',
  default: String(def),
  description,
  secret: false,
  schema: z.enum(['true', 'false'], { message: 'must be true or false' }).transform((v) => v === 'true'),
});

/** A time of day `HH:MM` (Việt Nam civil time) as minutes after midnight; empty means none (`null`). */
const clockTime = (def: string, description: string): SettingSpec<number | null> => ({
  kind: 'string',
  default: def,
  description,
  secret: false,
  schema: z
    .string()
    .regex(/^(?:|(?:[01]\d|2[0-3]):[0-5]\d)$/, 'must be a time HH:MM or empty')
    .transform((v) => (v === '' ? null : Number(v.slice(0, 2)) * 60 + Number(v.slice(3, 5)))),
});

/** A cron expression (node-cron: minute hour day month weekday, optional seconds first). */
const cronExpr = (def: string, description: string): SettingSpec<string> => ({
  kind: 'string',
  default: def,
  description,
  secret: false,
  schema: z.string().refine((v) => cron.validate(v), 'must be a cron expression (minute hour day-of-month month day-of-week), e.g. */5 * * * *'),
});

/** The weekly cut-off, `Fri 16:00` (weekday and Việt Nam time). */
const weeklyCutoff = (def: string, description: string): SettingSpec<{ weekday: string; minutes: number }> => ({
  kind: 'string',
  default: def,
  description,
  secret: false,
  schema: z
    .string()
    .regex(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:[01]\d|2[0-3]):[0-5]\d$/, 'must be a weekday and a time, e.g. Fri 16:00')
    .transform((v) => ({ weekday: v.slice(0, 3), minutes: Number(v.slice(4, 6)) * 60 + Number(v.slice(7, 9)) })),
});

/** The monthly cut-off, `1 00:00` (day of the month 1..28 and Việt Nam time). */
const monthlyCutoff = (def: string, description: string): SettingSpec<{ day: number; minutes: number }> => ({
  kind: 'string',
  default: def,
  description,
  secret: false,
  schema: z
    .string()
    .regex(/^(?:[1-9]|1\d|2[0-8]) (?:[01]\d|2[0-3]):[0-5]\d$/, 'must be a day of the month (1 to 28) and a time, e.g. 1 00:00')
    .transform((v) => {
      const [day, time] = v.split(' ') as [string, string];
      return { day: Number(day), minutes: Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5)) };
    }),
});

/** A comma-separated list of e-mail addresses (empty: none). */
const emailList = (description: string): SettingSpec<string[]> => ({
  kind: 'string',
  default: '',
  description,
  secret: false,
  schema: z
    .string()
    .transform((v) => v.split(',').map((a) => a.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/, 'must be e-mail addresses separated by commas'))),
});

/**
 * Which reverse proxies to believe about the client's address (Express's `trust proxy`): none
 * (`false`, empty), a hop count (`1`: one proxy in front, the client is the right-most
 * X-Forwarded-For entry), or the proxies' addresses and CIDRs, comma-separated (also Express's
 * names `loopback`, `linklocal`, `uniquelocal`). Never `true`: that takes the left-most entry,
 * which the client writes itself.
 */
export type TrustProxy = false | number | string[];

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

const isProxyAddress = (entry: string): boolean => {
  if (PROXY_NAMES.has(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
};

const trustProxy = (description: string): SettingSpec<TrustProxy> => ({
  kind: 'string',
  default: 'false',
  description,
  secret: false,
  schema: z.string().transform((raw, ctx): TrustProxy => {
    const value = raw.trim();
    if (value === '' || value === 'false') return false;
    if (value === 'true') {
      ctx.addIssue({ code: 'custom', message: 'true is refused: it would trust the X-Forwarded-For the client writes itself (any address could be forged); give the number of proxies in front of the API (e.g. 1) or their addresses or CIDRs (e.g. 10.0.0.5 or 10.0.0.0/24)' });
      return z.NEVER;
    }
    if (/^\d+$/.test(value)) {
      const hops = Number(value);
      if (hops < 1 || hops > 10) {
        ctx.addIssue({ code: 'custom', message: 'a hop count must be between 1 and 10 (false: no proxy)' });
        return z.NEVER;
      }
      return hops;
    }
    const entries = value.split(',').map((e) => e.trim());
    const bad = entries.filter((e) => !isProxyAddress(e));
    if (bad.length > 0) {
      ctx.addIssue({ code: 'custom', message: `not an IP address, a CIDR or loopback/linklocal/uniquelocal: ${bad.map((b) => JSON.stringify(b.slice(0, 50))).join(', ')}` });
      return z.NEVER;
    }
    return entries;
  }),
});

/** An escalation chain in the models' syntax (`headOfDivision > leader@4h`). */
const escalationChain = (def: string, description: string): SettingSpec<string> => ({
  kind: 'string',
  default: def,
  description,
  secret: false,
  schema: z.string().superRefine((v, ctx) => {
    const parsed = escalationSchema.safeParse(v);
    if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
  }),
});

const oneOf = <const V extends readonly [string, ...string[]]>(
  values: V,
  def: V[number],
  description: string,
): SettingSpec<V[number]> => ({
  kind: 'enum',
  default: def,
  description,
  secret: false,
  values,
  schema: z.enum(values, { message: `must be one of ${values.join(', ')}` }),
});

export const settings = {
  NODE_ENV: oneOf(['development', 'test', 'production'], 'production', 'Run mode. In production the API refuses to start while a demo account still has the demo password, a partner has the demo key, or METRICS_TOKEN is shorter than 24 characters; `npm run demo` runs in development.'),
  LOG_LEVEL: oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], 'info', 'Minimum level of the JSON log lines.'),

  ZEEBE_GRPC_ADDRESS: url('grpc://127.0.0.1:26500', 'Zeebe gateway gRPC address; `grpcs://` for TLS.', ['grpc', 'grpcs']),
  ZEEBE_MANAGEMENT_URL: url('http://127.0.0.1:9600', 'Zeebe management (actuator) endpoint: readiness, and the controlled clock in tests.', ['http', 'https']),
  ZEEBE_AUTH_STRATEGY: oneOf(['NONE', 'OAUTH'], 'NONE', 'How the app authenticates to the Zeebe gateway.'),
  ZEEBE_OAUTH_URL: optionalStr('OAuth token endpoint when ZEEBE_AUTH_STRATEGY=OAUTH.'),
  ZEEBE_CLIENT_ID: optionalStr('OAuth client id when ZEEBE_AUTH_STRATEGY=OAUTH.'),
  ZEEBE_CLIENT_SECRET: optionalStr('OAuth client secret when ZEEBE_AUTH_STRATEGY=OAUTH.', true),
  ZEEBE_REQUEST_TIMEOUT_MS: int(1000, 'Deadline of each call the API makes to Zeebe (start a dossier\'s process, complete a task, publish a message): past it the API answers 503 with Retry-After, and the same request sent again completes the work without doing it twice.', 200, 60000),

  DATABASE_URL: url('postgresql://lltp@127.0.0.1:5432/lltp', 'Read-model database (PostgreSQL 15 or later). May hold credentials.', ['postgres', 'postgresql'], true),
  DATABASE_POOL_MAX: int(10, 'Connections each process may open to the database at once.', 1, 500),
  DATABASE_POOL_WAIT_MS: int(10000, 'How long a call may wait for a free connection when all DATABASE_POOL_MAX are busy (the database answers, slowly); past it: 503. Opening a connection has its own deadline, DATABASE_CONNECT_TIMEOUT_MS.', 100, 120000),
  DATABASE_CONNECT_TIMEOUT_MS: int(1500, 'How long to wait for a database connection (or a free one in the pool) before the call fails: 503 on the API, a back-off for the workers.', 100, 120000),

  SMTP_URL: url('smtp://127.0.0.1:1025', 'SMTP server for alert e-mails; `smtps://user:pass@host:465` for TLS. May hold credentials.', ['smtp', 'smtps'], true),
  MAIL_FROM: str('"Hệ thống cấp Phiếu lý lịch tư pháp" <lltp-flow@localhost>', 'Sender of every e-mail.'),

  HTTP_HOST: str('127.0.0.1', 'Interface the API listens on.'),
  HTTP_PORT: int(3000, 'Port the API listens on (0: any free port, for tests).', 0, 65535),
  PUBLIC_BASE_URL: url('http://127.0.0.1:3000', 'Base URL used in links inside e-mails and pages.', ['http', 'https']),
  TRUST_PROXY: trustProxy('The reverse proxies in front of the API whose X-Forwarded-For and X-Forwarded-Proto are believed: `false` (none), a hop count (`1`: one proxy; the client address is the right-most X-Forwarded-For entry) or the proxies\' addresses/CIDRs, comma-separated (`10.0.0.5`, `10.0.0.0/24`, `loopback`). `true` is refused: it would believe the address the client writes itself.'),
  PROCESSES_DIR: optionalStr('Directory of the process models (`*.bpmn`) and `agencies.json` that the API, the workers, the monitor and `npm run deploy:processes` use (empty: `processes/` of the installation).'),
  PROCESS_CATALOG_REFRESH_MS: int(60000, 'The workers, the monitor and the API replicas: how often they look whether a model version was deployed with a leader\'s approval since they read the catalog (one count on an index; the API replica that approves reads it at once), and then read the catalog again.', 1000, 3600000),
  AGENCY_CODE: str('STP.KHA', 'Any code of the receiving agency\'s lineage in processes/agencies.json (the default is the root: Khánh Hòa\'s Sở Tư pháp, succeeded by the provincial police CA.KHA on 1/3/2025). Each dossier goes to the agency of that lineage in force on its receipt date, whose code prefixes the dossier code `<agency>-YYMMDD-NNNN`; partners of any agency of the lineage are accepted.'),
  SESSION_HOURS: int(10, 'How long a staff log-in session lasts, in hours.', 1, 720),
  SESSION_CACHE_MS: int(2000, 'How long an API process trusts a session it has just read (an officer\'s burst of inbox calls reads it once). A logout answered by this process ends the session at once; one answered by another replica, or an account deactivated outside the API, is still honoured here for at most this long. 0: read the session on every call.', 0, 10000),
  PARTNER_CACHE_MS: int(5000, 'How long an API process trusts an active partner\'s row (secret, scopes, agency) it has just read, so that a partner\'s stream of signed calls reads it once. A signature that does not match the remembered secret is checked again against the row read anew (a new secret works at once); a partner deactivated, or an old secret replaced, is still honoured here for at most this long. Replays are checked in the database on every call. 0: read the partner on every call.', 0, 60000),
  LOGIN_MAX_FAILURES: int(5, 'Failed log-ins to one account from one client address, within LOGIN_LOCKOUT_MINUTES, after which that address may not try that account until they leave the window (an administrator can unlock the account earlier); the account itself is never locked, from another address the right password gets in.', 1, 1000),
  LOGIN_MAX_FAILURES_PER_ADDRESS: int(30, 'Failed log-ins from one client address (any accounts), within LOGIN_LOCKOUT_MINUTES, after which that address may not log in until they leave the window.', 1, 100000),
  LOGIN_LOCKOUT_MINUTES: int(15, 'The window over which failed log-ins are counted, and how long a refusal lasts at most.', 1, 1440),
  LOGIN_MAX_DELAY_MS: int(4000, 'Each attempt at an account within LOGIN_LOCKOUT_MINUTES (from any address) delays the answer to the next one: 250 ms doubling, at most this.', 0, 60000),
  DEMO_PASSWORD: str('lltp-demo', 'Password of the demo staff accounts, which only `npm run demo` seeds (never in production; a production API refuses to start while a demo account has it).', true),
  DEMO_PARTNER_KEY: str('demo-partner-key', 'API key of the demo integration partners and simulators, which only `npm run demo` seeds (never in production; a production API refuses to start while a partner has it).', true),

  WORKING_DAY_MINUTES: int(480, 'Working minutes in one working day (ngày làm việc): the unit of statutory and pilot deadlines.', 60, 1440),
  INTAKE_PAPER_CUTOFF: clockTime('15:00', 'A paper dossier received after this time (Việt Nam time) counts from the next working day\'s opening; empty: no cut-off.'),
  INTAKE_ONLINE_CUTOFF: clockTime('', 'The same for online dossiers; empty (default): an online dossier received outside office hours counts from the next opening.'),
  SLA_DUE_SOON_PERCENT: int(20, 'An open step or dossier is due soon (sắp đến hạn) when the working time left is at most this share of its allotment, in percent, …', 0, 100),
  SLA_DUE_SOON_MINUTES: int(240, '… and at most this many working minutes (the smaller threshold: a 2-hour step is due soon in its last 24 minutes, a 10-day dossier in its last 4 hours).', 0, 100000),
  CALENDAR_REPLAN_BATCH_SIZE: int(1000, 'After a calendar edit, open dossiers and steps are re-planned and written in batches of this size.', 1, 100000),
  CALENDAR_REFRESH_MS: int(30000, 'How often a running process checks whether an administrator changed the calendar.', 1000, 3600000),

  WORKER_MAX_JOBS: int(32, 'Jobs each worker may hold at once.', 1, 1000),
  WORKER_DRAIN_TIMEOUT_MS: int(10000, 'On shutdown, how long workers may finish in-flight jobs.', 0, 600000),
  WORKER_JOB_TIMEOUT_MS: int(60000, 'How long a worker holds an activated job; a worker that dies mid-job has its job delivered again after this.', 1000, 3600000),
  USER_TASK_ACTIVATION_TIMEOUT_MS: int(60000, "How long the inbox holds a user task's job until its task is stored (then seven days): a job whose activation was lost on the way comes back after this.", 10000, 3600000),
  WORKER_LONG_POLL_MS: int(10000, 'How long one job activation request waits for jobs; a job given back by the broker after a timeout is seen within this.', 1000, 60000),
  WORKER_RETRY_BACKOFF_MS: int(2000, 'Back-off before the first retry of a failed job; doubled at each further failure (exponential back-off).', 0, 3600000),
  WORKER_RETRY_BACKOFF_MAX_MS: int(300000, 'Upper bound of the retry back-off.', 0, 86400000),

  MONITOR_CRON: cronExpr('*/5 * * * *', 'SLA monitor: when it classifies every open step and dossier and sends alerts (cron, Việt Nam time).'),
  MONITOR_DAILY_CRON: cronExpr('30 7 * * 1-6', 'SLA monitor: when the daily digest of due-soon and late items goes to each recipient, the retention job deletes or anonymises what has expired (RETENTION_*) and the 766 index\'s snapshot of the day before is stored (cron, Việt Nam time).'),
  MONITOR_WEEKLY_CRON: cronExpr('5 16 * * 5', 'SLA monitor: when the weekly report for the week that ended at REPORT_WEEK_CUTOFF is archived and sent, and the weekly summary goes to supervisors (cron, Việt Nam time; Friday after the cut-off by default).'),
  MONITOR_MONTHLY_CRON: cronExpr('15 0 1 * *', 'SLA monitor: when the monthly Đề án 06 report for the month that ended at REPORT_MONTH_CUTOFF is archived and mailed (cron, Việt Nam time; just after the default cut-off, 00:15 on the 1st). Move it with REPORT_MONTH_CUTOFF.'),
  REPORT_WEEK_CUTOFF: weeklyCutoff('Fri 16:00', 'Cut-off of the weekly report for the Đề án 06 working group (weekday and Việt Nam time): a report week runs from the previous cut-off to this one, so weeks follow each other with no gap and no overlap.'),
  REPORT_WEEKLY_RECIPIENTS: emailList('Who receives the weekly report with its XLSX and PDF files (comma-separated e-mail addresses, outside addresses allowed); empty: the report is archived only.'),
  REPORT_MONTH_CUTOFF: monthlyCutoff('1 00:00', 'Cut-off of the monthly Đề án 06 report (day of the month and Việt Nam time): the report of month M runs from the cut-off in M to the one in M + 1. The default makes it the calendar month, the month the 766 index is ranked on.'),
  REPORT_MONTHLY_RECIPIENTS: emailList('Who receives the monthly Đề án 06 report with its XLSX and PDF files besides the active leaders (users with the leader role), comma-separated e-mail addresses, outside addresses allowed.'),
  EXPORT_MAX_ROWS_PDF: int(2000, 'Most dossiers a list exported as PDF may hold (the PDF is laid out whole, in a worker thread: about 2.5 s and 150 MB per 1,000 rows); above it the API answers 413 naming the cap and the count, and asks for a narrower filter or XLSX/CSV.', 1, 100000),
  EXPORT_MAX_ROWS_XLSX: int(100000, 'Most dossiers a list exported as XLSX may hold (streamed row by row; the compressed file is kept until it is sent with its SHA-256: about 1 MB per 10,000 rows); above it: 413.', 1, 10000000),
  EXPORT_MAX_ROWS_CSV: int(200000, 'Most dossiers a list exported as CSV may hold (streamed row by row; the file is kept until it is sent with its SHA-256: about 4 MB per 10,000 rows); above it: 413.', 1, 10000000),
  EXPORT_MAX_CONCURRENT: int(4, 'Exports (list and summary files) and weekly-report builds the API runs at once, all users together; one more gets 429 with Retry-After.', 1, 1000),
  EXPORT_MAX_CONCURRENT_PER_USER: int(1, 'Exports and weekly-report builds one user may run at once; one more gets 429 with Retry-After.', 1, 1000),
  EXPORT_RETRY_AFTER_SECONDS: int(10, 'Retry-After (seconds) of the 429 answered when EXPORT_MAX_CONCURRENT or EXPORT_MAX_CONCURRENT_PER_USER exports already run.', 1, 3600),
  RETENTION_DECLARATION_DAYS: int(1825, 'Retention: days the citizen\'s declaration (tờ khai: name, birth, residence, ID document, relatives, contacts) of a closed dossier is kept after the dossier closed; then the daily run empties it (anonymised: the dossier\'s codes, steps, times, units, outcome and reasons stay for inspection and reports). Basis: Decree 13/2023/NĐ-CP on personal data protection (data kept only as long as their purpose needs, deleted when it ends). The 5 years are assumed (giả định) for the archive period of criminal-record certificate dossiers under the archive rules for administrative-procedure records: no exact figure is sourced here; set the one the Department adopts.', 1, 36500),
  RETENTION_LETTER_DAYS: int(1825, 'Retention: days the generated documents of a closed dossier (the apology letter, mẫu 04, HTML and PDF: they name the citizen) are kept after the dossier closed; then the daily run deletes them (the apology\'s reason, dates and author stay on the dossier). Basis: Decree 13/2023/NĐ-CP; period assumed (giả định) equal to the declaration\'s, like the dossier file they belong to.', 1, 36500),
  RETENTION_MAIL_DAYS: int(90, 'Retention: days the stored body of an alert e-mail (its render data, or the HTML and text of alerts raised before migration 0012) is kept after the alert was raised; then the daily run clears it (the alert row stays: key, kind, dossier code, step, unit, due time, recipients, when sent). A pending mail is never cleared. No legal basis requires keeping them: an operational choice (giả định), long enough to answer "which mail did I get".', 1, 36500),
  RETENTION_SESSION_DAYS: int(0, 'Retention: days an expired staff log-in session (a token digest, the username, its times) is kept after it expired; 0: the next daily run deletes it. Basis: Decree 13/2023/NĐ-CP (staff accounts are personal data too); an expired session serves no purpose.', 0, 3650),
  RETENTION_AUDIT_DAYS: int(3650, 'Retention: days an audit row (who read or changed which dossier, when) is kept; then the daily run deletes it, never a row of an open dossier. Basis: the audit proves each read of personal data was lawful (Decree 13/2023/NĐ-CP) and must outlive the declarations it is about; 10 years assumed (giả định), no exact figure sourced.', 1, 36500),
  RETENTION_BATCH_SIZE: int(1000, 'Retention: rows the daily retention job deletes or anonymises per statement (each statement its own short transaction).', 1, 100000),
  PARTITION_MONTHS_AHEAD: int(3, 'History partitions (audit, steps, alerts: one per month, Việt Nam time): months after the current one whose partitions the daily run creates ahead, so that new rows never land in the default partition.', 1, 24),
  SCORE_SNAPSHOT_CATCH_UP_DAYS: int(31, 'The 766 index\'s daily snapshots (server/scores/snapshots.ts): the daily run stores yesterday\'s and, when the monitor missed days, those before it that have none, at most this many days back.', 1, 366),
  ARCHIVE_DIR: str('./archive', 'Directory where `npm run archive:month -- YYYY-MM` writes the pg_dump files (custom format) of the month it detaches from audit, steps and alerts before dropping it. Keep it on backed-up storage.'),
  ARCHIVE_MIN_AGE_DAYS: int(3650, 'Archiving: a month may be detached and archived only once it ended this many days ago (the history that inspection and the reports read stays in the database until then); by default the audit retention (RETENTION_AUDIT_DAYS). A month holding rows of an open dossier is refused anyway.', 1, 36500),
  MONITOR_LEASE_MS: int(120000, 'SLA monitor: how long one replica holds the monitor lease; renewed while it works, taken over by another replica once expired.', 5000, 3600000),
  MONITOR_REQUEST_POLL_MS: int(2000, 'SLA monitor: how often it looks for an administrator\'s "run now" request.', 200, 600000),
  MONITOR_SEND_OUTSIDE_HOURS: bool(false, 'SLA monitor: send alert e-mails outside working time too; by default they wait for the next opening.'),
  MONITOR_MAIL_RETRY_MS: int(60000, 'SLA monitor: pause before retrying an e-mail the SMTP server did not take; doubled at each failure.', 100, 86400000),
  MONITOR_MAIL_RETRY_MAX_MS: int(3600000, 'SLA monitor: upper bound of that pause.', 100, 86400000),
  MONITOR_MAIL_MAX_ATTEMPTS: int(30, 'SLA monitor: after this many failed attempts an e-mail is marked failed (shown in the status and metrics).', 1, 1000),
  MONITOR_NOTIFY_DONE_LATE: bool(false, 'SLA monitor: also tell the recipients of an overdue alert when the late step is finally done.'),
  MONITOR_DOSSIER_ESCALATION: escalationChain('headOfDivision > leader@4h > supervisor@1wd', 'SLA monitor: who is alerted when a dossier (not a single step) is due soon or late, and after how much working time past its due time (BPMN escalation syntax).'),
  PUBLIC_APP_URL: optionalStr('Base URL of the staff web pages in e-mail links (e.g. https://lltp.sotuphap.khanhhoa.gov.vn); empty: PUBLIC_BASE_URL.'),
  METRICS_TOKEN: optionalStr('Bearer token a Prometheus scraper sends to GET /metrics; empty: only administrators (session) may read the metrics.', true),
  VNEID_SHARE_TARGET_PERCENT: int(80, 'Share of requests that should come through VNeID, in percent (weekly summary).', 0, 100),

  ADAPTER_TIMEOUT_MS: int(10000, 'Timeout of every call to an external system; a timeout is a technical fault (the job is retried).', 100, 600000),
  LLTP_SOFTWARE_URL: url('http://127.0.0.1:4101', 'Shared LLTP software of the Ministry of Justice (Phần mềm quản lý LLTP dùng chung); the simulator locally.', ['http', 'https']),
  LLTP_SOFTWARE_API_KEY: optionalStr('API key sent to the LLTP software (header x-api-key); empty: none.', true),
  POLICE_URL: url('http://127.0.0.1:4102', 'Provincial police records office (Công an tỉnh, PV06) verification service; the simulator locally.', ['http', 'https']),
  POLICE_API_KEY: optionalStr('API key sent to the police service; empty: none.', true),
  POLICE_PARTNER_ID: str('ca-pv06', 'Partner (scope `callback:police`) that answers the verification requests: an answer from another partner is refused (403).'),
  SIGNING_URL: url('http://127.0.0.1:4103', 'Digital signing service for the e-certificate; the simulator locally.', ['http', 'https']),
  SIGNING_API_KEY: optionalStr('API key sent to the signing service; empty: none.', true),
  SIGNING_SIGNER: str('stp-lanh-dao', 'Signer (certificate holder) named in signing requests.'),
  VNEID_URL: url('http://127.0.0.1:4104', 'VNeID / national public-service portal result return; the simulator locally.', ['http', 'https']),
  VNEID_API_KEY: optionalStr('API key sent to VNeID; empty: none.', true),
  POST_URL: url('http://127.0.0.1:4105', 'Public postal service (bưu chính công ích) shipment orders; the simulator locally.', ['http', 'https']),
  POST_API_KEY: optionalStr('API key sent to the postal service; empty: none.', true),
  NOTIFY_URL: url('http://127.0.0.1:4106', 'Citizen notifications through VNeID; the simulator locally.', ['http', 'https']),
  NOTIFY_API_KEY: optionalStr('API key sent to the notification service; empty: none.', true),
  VNEID_PARTNER_ID: str('vneid', 'Partner (scope `callback:vneid`) that relays the citizens\' ratings from VNeID: a rating from another partner is refused (403).'),
  PORTAL_URL: url('http://127.0.0.1:4107', 'National public-service portal (Cổng DVC quốc gia): the dossiers\' status feed; the simulator locally.', ['http', 'https']),
  PORTAL_API_KEY: optionalStr('API key sent to the national portal; empty: none.', true),
  PORTAL_FEED_INTERVAL_MS: int(2000, 'Workers: pause between two passes of the status feed to the national portal (the outbox `portal_feed`).', 100, 3600000),
  PORTAL_FEED_RETRY_MS: int(5000, 'Workers: pause before sending again a status the portal did not acknowledge; doubled at each failure. A status is never dropped.', 100, 86400000),
  PORTAL_FEED_RETRY_MAX_MS: int(600000, 'Workers: upper bound of that pause.', 100, 86400000),
  SIM_POLICE_MS_PER_WORKING_HOUR: int(1000, 'Simulators only: real milliseconds per simulated working hour before the police simulator answers.', 0, 3600000),
  SIM_POLICE_ANSWER_AFTER_WORKING_HOURS: int(8, 'Simulators only: working hours after which the police simulator answers by default.', 0, 1000),
  SIM_VNEID_RATING_AFTER_MS: int(500, 'Simulators only: real milliseconds after a result reaches the VNeID simulator before the citizen rates it.', 0, 3600000),
} satisfies Record<string, SettingSpec<unknown>>;

export type SettingName = keyof typeof settings;
export type Config = { [K in SettingName]: (typeof settings)[K] extends SettingSpec<infer T> ? T : never };

export class ConfigError extends Error {
  constructor(readonly problems: readonly { setting: string; message: string }[]) {
    super(`Invalid configuration: ${problems.map((p) => `${p.setting} ${p.message}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates every setting; throws one `ConfigError` naming every bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: { setting: string; message: string }[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(settings) as [SettingName, SettingSpec<unknown>][]) {
    const raw = env[name] ?? spec.default;
    if (raw === undefined) {
      problems.push({ setting: name, message: 'is required' });
      continue;
    }
    const parsed = spec.schema.safeParse(raw);
    if (parsed.success) out[name] = parsed.data;
    else problems.push({ setting: name, message: parsed.error.issues.map((i) => i.message).join(', ') });
  }
  if (out.ZEEBE_AUTH_STRATEGY === 'OAUTH') {
    for (const name of ['ZEEBE_OAUTH_URL', 'ZEEBE_CLIENT_ID', 'ZEEBE_CLIENT_SECRET'] as const) {
      if (!out[name]) problems.push({ setting: name, message: 'is required when ZEEBE_AUTH_STRATEGY=OAUTH' });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out as Config;
}

/** The configuration table for the README, one row per setting; secrets never show a value. */
export function configTableMarkdown(): string {
  const rows = Object.entries(settings).map(([name, spec]: [string, SettingSpec<unknown>]) => {
    const type = spec.kind === 'enum' && spec.values ? spec.values.join(' \\| ') : spec.kind;
    const def = spec.default === undefined ? '*(required)*' : spec.default === '' ? '*(empty)*' : `\`${spec.default}\``;
    return `| \`${name}\` | ${type} | ${def} | ${spec.secret ? 'yes' : 'no'} | ${spec.description} |`;
  });
  return ['| setting | type | default | secret | description |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}

/** For process entry points: the configuration, or one Vietnamese line per bad setting and exit code 2. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const p of error.problems) console.error(`Cấu hình sai: ${p.setting} ${p.message}`);
    process.exit(2);
  }
}
