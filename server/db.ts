/**
 * The read-model database (MongoDB 7 in production, FerretDB 1.24 locally) through mongoose.
 * Stay inside the MongoDB subset in docs/architecture: single/compound/unique indexes,
 * simple aggregation stages, no transactions, atomic single-document updates.
 */
import mongoose, { type Connection } from 'mongoose';
import type { Config } from './config';

export type { Connection };

/** Opens a dedicated connection (not mongoose's global one), failing fast when the database is down. */
export async function connectDatabase(config: Pick<Config, 'MONGODB_URI'>, options: { timeoutMs?: number } = {}): Promise<Connection> {
  const connection = mongoose.createConnection(config.MONGODB_URI, {
    serverSelectionTimeoutMS: options.timeoutMs ?? 5000,
    autoIndex: true,
  });
  try {
    await connection.asPromise();
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw new Error(`Cannot reach the database at ${redactUri(config.MONGODB_URI)}: ${(error as Error).message}`);
  }
  return connection;
}

/** A MongoDB URI with any password replaced, safe for logs and error messages. */
export function redactUri(uri: string): string {
  return uri.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@');
}

/** A database error worth trying again: the server was busy or the connection dropped. */
export function isTransientDbError(error: unknown): boolean {
  const e = error as { name?: string; message?: string; errorLabelSet?: Set<string> } | null;
  if (!e) return false;
  if (e.errorLabelSet instanceof Set && (e.errorLabelSet.has('RetryableWriteError') || e.errorLabelSet.has('TransientTransactionError'))) return true;
  return /database is locked|SQLITE_BUSY|MongoNetworkError|MongoServerSelectionError/.test(`${e.name ?? ''} ${e.message ?? ''}`);
}

/**
 * Runs an idempotent database write again on transient errors (up to `attempts` times, with
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

/** The insert (or upsert) met an existing unique key: someone else has it already. */
export function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: number } | null)?.code === 11000;
}
