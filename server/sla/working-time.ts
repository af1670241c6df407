/**
 * Working time as designers write it in the models: `4h`, `30m`, `3wd`, `1wd 4h`.
 * One working day (`wd`) is 8 working hours, as in the calendar engine's
 * `DEFAULT_DEADLINE_POLICY`; every value is a whole number of working minutes.
 */
export const WORKING_DAY_MINUTES = 480;

const UNIT_MINUTES = { wd: WORKING_DAY_MINUTES, h: 60, m: 1 } as const;
const TERM = /(\d+(?:\.\d+)?)\s*(wd|h|m)(?![a-z])/gy;

export class WorkingTimeSyntaxError extends Error {
  constructor(readonly input: string, reason: string) {
    super(`"${input}" is not a working time (${reason}); write e.g. 4h, 30m, 3wd or 1wd 4h`);
    this.name = 'WorkingTimeSyntaxError';
  }
}

/** Parses a working time into working minutes; throws `WorkingTimeSyntaxError`. */
export function parseWorkingTime(input: string): number {
  const trimmed = input.trim();
  if (trimmed === '') throw new WorkingTimeSyntaxError(input, 'empty');
  let minutes = 0;
  let position = 0;
  TERM.lastIndex = 0;
  while (position < trimmed.length) {
    TERM.lastIndex = position;
    const match = TERM.exec(trimmed);
    if (!match) throw new WorkingTimeSyntaxError(input, `unexpected "${trimmed.slice(position)}"`);
    minutes += Number(match[1]) * UNIT_MINUTES[match[2] as keyof typeof UNIT_MINUTES];
    position = TERM.lastIndex;
    while (trimmed[position] === ' ') position += 1;
  }
  if (!Number.isInteger(Math.round(minutes * 1e6) / 1e6)) {
    throw new WorkingTimeSyntaxError(input, 'not a whole number of minutes');
  }
  return Math.round(minutes);
}

/** Working minutes as the shortest text `parseWorkingTime` reads back: 600 → `1wd 2h`. */
export function formatWorkingTime(minutes: number): string {
  if (minutes === 0) return '0h';
  const parts: string[] = [];
  let rest = minutes;
  for (const [unit, size] of Object.entries(UNIT_MINUTES)) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * size;
  }
  return parts.join(' ');
}
