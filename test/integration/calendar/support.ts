/** A database of its own for each calendar integration test file, dropped afterwards. */
import { randomBytes } from 'node:crypto';
import { connectDatabase, type Connection } from '../../../server/db';

const BASE_URI = process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/lltp';

export function testDatabaseUri(prefix: string): string {
  const url = new URL(BASE_URI);
  url.pathname = `/lltp_test_calendar_${prefix}_${randomBytes(4).toString('hex')}`;
  return url.toString();
}

export async function openTestDatabase(prefix: string): Promise<{ connection: Connection; uri: string; drop: () => Promise<void> }> {
  const uri = testDatabaseUri(prefix);
  const connection = await connectDatabase({ MONGODB_URI: uri });
  return {
    connection,
    uri,
    drop: async () => {
      await connection.dropDatabase();
      await connection.close();
    },
  };
}

/** A controllable clock for the admin service. */
export function fixedClock(iso: string): { now: () => Date; set: (iso: string) => void } {
  let current = new Date(iso);
  return { now: () => new Date(current.getTime()), set: (next) => (current = new Date(next)) };
}
