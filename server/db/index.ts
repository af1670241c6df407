/**
 * The read-model database: PostgreSQL 15+ through Kysely over node-postgres. Tables and
 * columns are snake_case in the database and camelCase in TypeScript (Kysely's
 * CamelCasePlugin; nested JSON keys are left as stored). The schema comes only from the
 * forward-only migrations in `server/db/migrations`, applied by `npm run db:migrate` and by
 * every app process at start-up (see migrate.ts). Conventions: README, "Database".
 */
import { CamelCasePlugin, Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import Cursor from 'pg-cursor';
import type { Config } from '../config';
import type { Tables } from './tables';

export type { Tables } from './tables';
/** A query executor: the database or a transaction on it. */
export type Db = Kysely<Tables>;
export type Tx = Transaction<Tables>;

export interface Database {
  db: Db;
  /** The URL, password redacted (for logs and messages). */
  address: string;
  close(): Promise<void>;
}

export type DatabaseConfig = Pick<Config, 'DATABASE_URL'> & Partial<Pick<Config, 'DATABASE_POOL_MAX' | 'DATABASE_CONNECT_TIMEOUT_MS' | 'DATABASE_POOL_WAIT_MS'>>;

const INT8_OID = 20;
const DATE_OID = 1082;
const TIMESTAMPTZ_OID = 1184;

const UTC_TIMESTAMP = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?\+00$/;
const defaultTimestamptz = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (value: string) => Date;

/**
 * A `timestamptz` as the server writes it in UTC (the pool's sessions run with TimeZone=UTC),
 * read without a regular-expression date library: the monitor reads millions of them. Any
 * other form (infinity, years before 1000) goes to node-postgres's own parser.
 */
export function parseUtcTimestamp(value: string): Date {
  const m = UTC_TIMESTAMP.exec(value);
  if (!m) return defaultTimestamptz(value);
  const ms = m[7] ? Math.floor(Number(m[7].padEnd(6, '0')) / 1000) : 0;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms));
}

/** int8 (counts, identities) as numbers; `date` as its `YYYY-MM-DD` text (no time zone games); timestamps fast. */
const typeParsers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8_OID) return (value: string) => Number(value);
    if (oid === DATE_OID) return (value: string) => value;
    if (oid === TIMESTAMPTZ_OID) return parseUtcTimestamp;
    return pg.types.getTypeParser(oid, format) as unknown;
  }) as typeof pg.types.getTypeParser,
};

export function createPool(config: DatabaseConfig, options: { timeoutMs?: number; max?: number } = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: config.DATABASE_URL,
    max: options.max ?? config.DATABASE_POOL_MAX ?? 10,
    connectionTimeoutMillis: options.timeoutMs ?? config.DATABASE_CONNECT_TIMEOUT_MS ?? 5000,
    idleTimeoutMillis: 30_000,
    types: typeParsers,
    application_name: 'lltp-flow',
    options: '-c TimeZone=UTC',
  });
  // An idle connection that the server drops (restart, network) must not crash the process:
  // the next query gets a fresh connection or reports the outage.
  pool.on('error', () => undefined);
  return pool;
}

/** What Kysely needs of a pool. */
export interface ConnectionPool {
  connect(): Promise<pg.PoolClient>;
  end(): Promise<void>;
  options: object;
}

/**
 * A pool whose callers wait for a free connection at most `waitMs` (busy: the database answers,
 * every connection is in use), while opening a connection has its own, shorter deadline (the
 * pool's `connectionTimeoutMillis`: the database does not answer). After a failed connection
 * the pool is known down for a second and callers fail at once instead of queueing: an outage
 * answers in milliseconds, not after the queue.
 */
export function boundedPool(pool: pg.Pool, options: { max: number; waitMs: number; now?: () => number }): ConnectionPool {
  const now = options.now ?? Date.now;
  let inUse = 0;
  let downUntil = 0;
  const waiting: { resolve: () => void; reject: (error: Error) => void; timer: NodeJS.Timeout }[] = [];
  const handOver = (): void => {
    const next = waiting.shift();
    if (next) {
      clearTimeout(next.timer);
      next.resolve();
    } else inUse -= 1;
  };
  const failWaiters = (error: unknown): void => {
    for (const w of waiting.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new DatabaseUnavailableError('(pool)', error));
    }
  };
  const permit = (): Promise<void> => {
    if (inUse < options.max) {
      inUse += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const entry = {
        resolve,
        reject,
        timer: setTimeout(() => {
          waiting.splice(waiting.indexOf(entry), 1);
          reject(new DatabaseBusyError(options.waitMs));
        }, options.waitMs),
      };
      waiting.push(entry);
    });
  };
  return {
    async connect() {
      if (now() < downUntil) throw new DatabaseUnavailableError('(pool)', new Error('the database did not answer a moment ago'));
      await permit();
      try {
        const client = await pool.connect();
        // pg-pool listens for errors only on idle connections: a connection checked out (a
        // transaction between statements, a cursor being read) that the server drops emits
        // 'error' with no listener, and the process crashes. Held here until release: the
        // holder's next statement fails with a connection error (an outage, 503) instead.
        let lost: Error | undefined;
        const onError = (error: Error): void => {
          lost = error;
        };
        client.on('error', onError);
        const release = client.release.bind(client);
        let released = false;
        client.release = (error?: Error | boolean) => {
          if (!released) {
            released = true;
            client.removeListener('error', onError);
            handOver();
          }
          // a dropped connection never goes back to the pool
          release(error ?? lost);
        };
        return client;
      } catch (error) {
        handOver();
        if (isDatabaseUnavailable(error)) {
          downUntil = now() + 1000;
          failWaiters(error);
        }
        throw error;
      }
    },
    end: () => pool.end(),
    options: pool.options,
  };
}

/** Every connection is in use and none came free within the wait: the database is busy, not down. */
export class DatabaseBusyError extends Error {
  constructor(readonly waitMs: number) {
    super(`no free database connection within ${waitMs} ms`);
    this.name = 'DatabaseBusyError';
  }
}

/** A Kysely instance over a pool (camelCase in TypeScript, snake_case in SQL); `log` sees every statement (bench:db). */
export function kyselyOver(pool: ConnectionPool, options: { log?: (statement: { sql: string; parameters: readonly unknown[] }) => void } = {}): Db {
  const { log } = options;
  return new Kysely<Tables>({
    dialect: new PostgresDialect({ pool, cursor: Cursor }),
    plugins: [new CamelCasePlugin({ maintainNestedObjectKeys: true })],
    ...(log ? { log: (event: { level: string; query: { sql: string; parameters: readonly unknown[] } }) => void (event.level === 'query' && log(event.query)) } : {}),
  });
}

/** Opens a pool and checks the database answers, failing fast with a message that names it. */
export async function connectDatabase(config: DatabaseConfig, options: { timeoutMs?: number; max?: number } = {}): Promise<Database> {
  const pool = createPool(config, options);
  const address = redactUrl(config.DATABASE_URL);
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new DatabaseUnavailableError(address, error);
  }
  const db = kyselyOver(boundedPool(pool, { max: options.max ?? config.DATABASE_POOL_MAX ?? 10, waitMs: config.DATABASE_POOL_WAIT_MS ?? 10_000 }));
  return { db, address, close: () => db.destroy() };
}

/** A database URL with any password replaced, safe for logs and error messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@');
}

export class DatabaseUnavailableError extends Error {
  constructor(readonly address: string, cause: unknown) {
    super(`Cannot reach the database at ${address}: ${(cause as Error | undefined)?.message ?? String(cause)}`);
    this.name = 'DatabaseUnavailableError';
  }
}

const codeOf = (error: unknown): string => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
};

/** The database cannot be reached or dropped the connection (not a fault of the statement). */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  const code = codeOf(error);
  if (code.startsWith('08') || ['57P01', '57P02', '57P03', '53300', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test((error as Error | null)?.message ?? '');
}

/** Worth trying again: a serialization failure, a deadlock, or a dropped connection. */
export function isTransientDbError(error: unknown): boolean {
  return ['40001', '40P01'].includes(codeOf(error)) || isDatabaseUnavailable(error);
}

/**
 * Runs an idempotent database operation again on transient errors (up to `attempts` times, with
 * doubling pauses from `firstPauseMs`): for writes that must land once an outside effect has
 * happened (a Zeebe job completed), where failing would leave the read model behind.
 */
export async function retryTransient<T>(operation: () => Promise<T>, options: { attempts?: number; firstPauseMs?: number } = {}): Promise<T> {
  const attempts = options.attempts ?? 6;
  let pause = options.firstPauseMs ?? 200;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= attempts || !isTransientDbError(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause *= 2;
    }
  }
}

/** A statement refused by a constraint or a type: what to answer the caller (never a 500). */
export interface ConstraintAnswer {
  status: 409 | 422;
  field: string | null;
  message: string;
}

/** snake_case column name → the API's camelCase field name. */
const fieldName = (column: string): string => column.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/**
 * Maps PostgreSQL's integrity and data errors to an answer naming the field: a unique key
 * already taken is a conflict (409); a check, a missing value, an unknown reference or a value
 * of the wrong shape is unprocessable (422). Other errors: `null`.
 */
export function constraintAnswer(error: unknown): ConstraintAnswer | null {
  const e = error as { code?: string; column?: string; constraint?: string; detail?: string; table?: string } | null;
  const code = e?.code ?? '';
  const keyColumn = /^Key \(([^)]+)\)/.exec(e?.detail ?? '')?.[1];
  const field = e?.column ? fieldName(e.column) : keyColumn ? keyColumn.split(', ').map(fieldName).join(', ') : null;
  const named = field ? ` (${field})` : e?.constraint ? ` (${e.constraint})` : '';
  switch (code) {
    case '23505':
      return { status: 409, field, message: `Dữ liệu đã tồn tại${named}.` };
    case '23502':
      return { status: 422, field, message: `Thiếu giá trị bắt buộc${named}.` };
    case '23503':
      return { status: 422, field, message: `Giá trị tham chiếu không tồn tại${named}.` };
    case '23514':
      return { status: 422, field, message: `Giá trị không hợp lệ${named}.` };
    default:
      if (code.startsWith('22')) return { status: 422, field, message: `Giá trị không đúng định dạng${named}.` };
      return null;
  }
}
