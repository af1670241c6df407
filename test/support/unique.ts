/** A short id no other test run repeats (receipt numbers, run ids): random, not the wall clock. */
import { randomBytes } from 'node:crypto';

export function uniqueId(): string {
  return randomBytes(6).toString('hex');
}
