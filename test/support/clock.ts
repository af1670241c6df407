/**
 * The one clock of the test suites. Tests never read the wall clock to make data or decide an
 * outcome: they run at the instant the suite chooses, `LLTP_TEST_NOW` (an ISO instant with its
 * offset; default {@link DEFAULT_TEST_NOW}, a working Tuesday morning that the seed model
 * versions cover), and time moves on from there at the real pace.
 *
 * The integration suite's global setup anchors this clock once (`LLTP_TEST_CLOCK_ANCHOR`, the
 * real epoch milliseconds at which the suite's instant was `LLTP_TEST_NOW`) and moves the
 * broker's controlled clock to the same instant, so the product (given `testNow` as its clock),
 * the broker's timers and the tests agree for the whole run, across test files.
 *
 * Durations and deadlines of waits are measured with {@link monotonicMs}. ESLint refuses
 * `Date.now()` and `new Date()` without arguments anywhere else in `test/` (eslint.config.mjs);
 * a line that must read the real time says why in its `eslint-disable-next-line` comment.
 */
import { performance } from 'node:perf_hooks';

/** Tuesday 8 December 2026, 09:00 in Vietnam: a working day, under Law 107's model versions (5 working days, the police issue). */
export const DEFAULT_TEST_NOW = '2026-12-08T09:00:00+07:00';

function parseInstant(text: string): number {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) {
    throw new Error(`LLTP_TEST_NOW must be an ISO instant with its offset (e.g. ${DEFAULT_TEST_NOW}), not "${text}"`);
  }
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`LLTP_TEST_NOW is not a valid instant: "${text}"`);
  return ms;
}

/** The suite's chosen instant (`LLTP_TEST_NOW`), as epoch milliseconds. */
export const TEST_NOW_MS = parseInstant(process.env.LLTP_TEST_NOW?.trim() || DEFAULT_TEST_NOW);

/** The real epoch milliseconds at which the suite's clock read `LLTP_TEST_NOW`. */
export function anchorTestClock(): number {
  const existing = process.env.LLTP_TEST_CLOCK_ANCHOR;
  if (existing && /^\d+$/.test(existing)) return Number(existing);
  // eslint-disable-next-line no-restricted-syntax -- the one reading of the real time: where the suite's clock starts
  const anchor = Date.now();
  process.env.LLTP_TEST_CLOCK_ANCHOR = String(anchor);
  return anchor;
}

const ANCHOR = anchorTestClock();

/** Milliseconds from `LLTP_TEST_NOW` to the real time (what the broker's clock is moved by). */
export function testClockOffsetMs(): number {
  return TEST_NOW_MS - ANCHOR;
}

/** The suite's current instant in epoch milliseconds, plus `shiftMs`. */
export function testNowMs(shiftMs = 0): number {
  // eslint-disable-next-line no-restricted-syntax -- the real time elapsed since the anchor moves the suite's clock
  return Date.now() + testClockOffsetMs() + shiftMs;
}

/** The suite's current instant, plus `shiftMs`: the clock to give the product under test. */
export function testNow(shiftMs = 0): Date {
  return new Date(testNowMs(shiftMs));
}

/** A clock function for the product, `shiftMs` ahead of the suite's clock. */
export function testClock(shiftMs = 0): () => Date {
  return () => testNow(shiftMs);
}

/** A monotonic millisecond counter, for durations and the deadlines of waits only. */
export function monotonicMs(): number {
  return performance.now();
}
