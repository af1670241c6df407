/**
 * The broker's clock in the test suites: it reads the suite's instant (`LLTP_TEST_NOW`, see
 * ./clock.ts) from the first test to the last.
 *
 * Two facts of Zeebe 8.5's controlled clock shape this (both measured):
 * - Moving it forward (`POST /actuator/clock/add`) is sound: timers and job timeouts follow.
 * - Moving it back, or resetting it after a forward move (`DELETE /actuator/clock`), leaves the
 *   engine's periodic work (the job-timeout checker among others) scheduled in the moved time:
 *   it waits until real time catches up, so a job whose worker died never comes back.
 *
 * So the suite's global setup moves the broker forward to the suite's instant when it is
 * behind, and restarts it at that instant (`LLTP_ZEEBE_CLOCK_OFFSET_MS`: libfaketime shifts the
 * broker's system clock) when the instant lies in its past. A test file that moved the clock
 * restarts the broker the same way in its `afterAll`, so the files after it get a sound broker
 * at the suite's instant. The broker keeps its data; a restart takes about 10 s.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../server/config';
import { BrokerClock, brokerReady, createZeebeClient } from '../../server/zeebe';
import { monotonicMs, testClockOffsetMs, testNowMs } from './clock';
import { uniqueId } from './unique';

const STACK = path.resolve(__dirname, '../../tools/stack/stack.sh');
/** How far the broker's clock may read from the suite's before it is set again. */
const TOLERANCE_MS = 2_000;
/**
 * How far ahead of the suite's clock the broker may stay rather than be restarted: a run right
 * after another at the same instant finds the broker ahead by the time between the two. Timers
 * that the product sets for its instant T then fire at most this much earlier in real time; no
 * test depends on less (the shortest timer the tests set is two hours).
 */
const AHEAD_TOLERANCE_MS = 60_000;

function stack(env: Record<string, string>, ...args: string[]): void {
  const result = spawnSync('bash', [STACK, ...args], { encoding: 'utf8', timeout: 240_000, env: { ...process.env, ...env } });
  if (result.status !== 0) throw new Error(`stack.sh ${args.join(' ')} failed (${result.status}): ${result.stderr || result.stdout}`);
}

/** libfaketime (Debian's `faketime` package; tools/stack/stack.sh installs it). */
const FAKETIME_LIB = '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1';

/**
 * The environment that runs a child process (an app role of the product) on the suite's clock:
 * libfaketime shifts its system clock by the suite's offset, at the real pace, leaving the
 * monotonic clock alone (and its timed waits on libfaketime's fast path: tools/stack/stack.sh).
 */
export function suiteClockEnv(): Record<string, string> {
  const offsetMs = Math.round(testClockOffsetMs());
  if (offsetMs === 0) return {};
  if (!existsSync(FAKETIME_LIB)) throw new Error(`${FAKETIME_LIB} is missing: run \`bash tools/stack/stack.sh install\` (it installs Debian's faketime)`);
  return { LD_PRELOAD: FAKETIME_LIB, FAKETIME: `${offsetMs >= 0 ? '+' : '-'}${(Math.abs(offsetMs) / 1000).toFixed(3)}`, FAKETIME_DONT_FAKE_MONOTONIC: '1', FAKETIME_DONT_RESET: '1', FAKETIME_FORCE_MONOTONIC_FIX: '0' };
}

/** The environment for tools/stack/stack.sh that starts the broker `offsetMs` from the real time. */
function brokerEnv(offsetMs: number): Record<string, string> {
  return { LLTP_ZEEBE_CLOCK_OFFSET_MS: String(Math.round(offsetMs)) };
}

/** The environment for tools/stack/stack.sh that starts the broker on the suite's clock. */
export function suiteBrokerEnv(): Record<string, string> {
  return brokerEnv(testClockOffsetMs());
}

/** The local stack's broker clock. */
export function localBrokerClock(): BrokerClock {
  return new BrokerClock(loadConfig().ZEEBE_MANAGEMENT_URL);
}

/**
 * Waits until the broker is ready three times in a row (the gateway answers, the partition has
 * replayed), then until it has processed commands: a freshly started broker takes its first
 * commands slowly, and the tests' first intake would be answered 503.
 */
export async function waitForBroker(): Promise<void> {
  const config = loadConfig();
  const deadline = monotonicMs() + 120_000;
  for (let streak = 0; streak < 3; ) {
    if (monotonicMs() > deadline) throw new Error(`the broker at ${config.ZEEBE_MANAGEMENT_URL} is not ready 120 s after its restart`);
    streak = (await brokerReady(config.ZEEBE_MANAGEMENT_URL)) ? streak + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  const { camunda, zeebe } = createZeebeClient({ ...config, LOG_LEVEL: 'silent' }, { retries: 0 });
  try {
    // Five message publications in a row each within a second: the partition processes commands at speed.
    for (let streak = 0; streak < 5; ) {
      if (monotonicMs() > deadline) throw new Error(`the broker at ${config.ZEEBE_GRPC_ADDRESS} does not process commands 120 s after its restart`);
      const started = monotonicMs();
      const published = await zeebe.publishMessage({ name: 'lltp.test.broker-warm-up', correlationKey: uniqueId(), timeToLive: 0, variables: {} }).then(() => true, () => false);
      streak = published && monotonicMs() - started < 1_000 ? streak + 1 : 0;
    }
  } finally {
    await camunda.closeAllClients();
  }
}

/** Restarts the local stack's broker with its system clock `offsetMs` from the real time (close this process's clients first). */
export async function restartBroker(offsetMs: number): Promise<void> {
  stack({}, 'stop', 'zeebe');
  stack(brokerEnv(offsetMs), 'start', 'zeebe');
  await waitForBroker();
}

/** Restarts the local stack's broker with its clock at the suite's instant (close this file's clients first). */
export async function restartBrokerAtSuiteInstant(): Promise<void> {
  await restartBroker(testClockOffsetMs());
}

/**
 * Within a file that moves the broker's clock: back to the suite's instant. The broker's own
 * clock reads the suite's instant or an earlier one (alignBrokerClock), so this is a reset and,
 * when needed, a move forward. Periodic work scheduled in the moved time waits (see above) until
 * the file's `afterAll` restarts the broker.
 */
export async function backToSuiteInstant(clock: BrokerClock): Promise<void> {
  await clock.reset();
  const drift = testNowMs() - (await clock.nowMs());
  if (drift > TOLERANCE_MS) await clock.advance(drift);
}

/**
 * Puts the broker's clock at the suite's instant: forward when it is behind, by a restart at
 * that instant when it is ahead. Returns what was done, for the setup's log line.
 */
export async function alignBrokerClock(clock: BrokerClock = localBrokerClock()): Promise<'aligned' | 'moved forward' | 'restarted'> {
  const drift = testNowMs() - (await clock.nowMs());
  if (drift <= TOLERANCE_MS && drift >= -AHEAD_TOLERANCE_MS) return 'aligned';
  if (drift > 0) {
    await clock.advance(drift);
    return 'moved forward';
  }
  await restartBrokerAtSuiteInstant();
  const left = testNowMs() - (await clock.nowMs());
  if (Math.abs(left) > TOLERANCE_MS) throw new Error(`the broker's clock reads ${left} ms from the suite's instant after its restart`);
  return 'restarted';
}

/** After a test file moved the broker's clock: restart the broker at the suite's instant. */
export async function restoreBrokerAfterClockMoves(): Promise<void> {
  await restartBrokerAtSuiteInstant();
}
