/**
 * The one logger: structured JSON lines (pino), level from configuration.
 *
 * No personal data: callers log dossier codes, process instance keys, job keys and task
 * types, never declarations. As a second line of defence, any field whose name denotes
 * personal data is replaced by "[redacted]" wherever it appears (up to two levels deep).
 */
import pino, { type Logger } from 'pino';

export type { Logger };

/** Field names that may carry personal or criminal-record data. */
export const PERSONAL_FIELDS = [
  'fullName', 'name', 'birthDate', 'birthPlace', 'idNumber', 'identityNumber', 'phone', 'email',
  'address', 'residences', 'father', 'mother', 'spouse', 'declaration', 'record', 'records',
  'password', 'passwordHash', 'apiKey', 'authorization', 'cookie',
] as const;

const redactPaths = PERSONAL_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]);

export interface LoggerOptions {
  level: string;
  /** Component name: api, worker, monitor, cli, ... */
  component?: string;
  /** Where lines go; stdout by default. */
  destination?: pino.DestinationStream;
}

export function createLogger({ level, component, destination }: LoggerOptions): Logger {
  return pino(
    {
      level,
      base: component ? { component } : {},
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: redactPaths, censor: '[redacted]' },
    },
    destination,
  );
}
