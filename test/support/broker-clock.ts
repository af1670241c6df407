/**
 * Putting the broker back after a test moved its controlled clock.
 *
 * Moving the clock forward and then back (`DELETE /actuator/clock`) leaves the engine's
 * periodic work (the job timeout checker among others) scheduled in the moved time: after the
 * reset it waits until real time catches up, so a job whose worker died never comes back
 * (measured: the crash test's job was not redelivered within 60 s after the timer tests ran).
 * A test file that moved the clock therefore resets it and restarts the local stack's broker
 * in its `afterAll`, so that the tests after it get a sound broker. The broker keeps its data;
 * a restart takes about 10 s.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { loadConfig } from '../../server/config';
import { brokerReady, type BrokerClock } from '../../server/zeebe';

const STACK = path.resolve(__dirname, '../../tools/stack/stack.sh');

function stack(...args: string[]): void {
  const result = spawnSync('bash', [STACK, ...args], { encoding: 'utf8', timeout: 240_000 });
  if (result.status !== 0) throw new Error(`stack.sh ${args.join(' ')} failed (${result.status}): ${result.stderr || result.stdout}`);
}

/** Resets the broker clock and restarts the local stack's broker (close this file's clients first). */
export async function restoreBrokerAfterClockMoves(clock: BrokerClock): Promise<void> {
  await clock.reset().catch(() => undefined);
  stack('stop', 'zeebe');
  stack('start', 'zeebe');
  // Ready three times in a row: the gateway answers and the partition has finished its replay.
  const managementUrl = loadConfig().ZEEBE_MANAGEMENT_URL;
  const deadline = Date.now() + 120_000;
  for (let streak = 0; streak < 3; ) {
    if (Date.now() > deadline) throw new Error(`the broker at ${managementUrl} is not ready 120 s after its restart`);
    streak = (await brokerReady(managementUrl)) ? streak + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}
