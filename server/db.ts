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
