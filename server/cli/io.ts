/**
 * What a CLI command may touch: its output streams, the environment and the clock, so that
 * commands are testable in-process. Errors a person made (bad flags) are `UsageError`s: one
 * line, exit code 2; anything else that fails is exit code 1.
 */
import { ZodError } from 'zod';
import { CalendarConflictError } from '../calendar/admin';
import { CalendarInputError, CalendarRangeError } from '../calendar/errors';
import { CalendarNotSeededError } from '../calendar/store';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
  now(): Date;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A one-line message for an error, and the exit code it deserves. */
export function describeError(error: unknown): { message: string; exitCode: number } {
  if (error instanceof ZodError) {
    const detail = error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
    return { message: detail, exitCode: EXIT_USAGE };
  }
  // the calendar is not in the database yet, or someone else edited it meanwhile: not a bad flag
  if (error instanceof CalendarNotSeededError || error instanceof CalendarConflictError) return { message: error.message, exitCode: EXIT_FAILURE };
  if (error instanceof UsageError || error instanceof CalendarInputError || error instanceof CalendarRangeError) return { message: error.message, exitCode: EXIT_USAGE };
  const message = error instanceof Error ? error.message : String(error);
  return { message: message.split('\n')[0] ?? message, exitCode: EXIT_FAILURE };
}
