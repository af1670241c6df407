/**
 * Jest global setup of the integration project: anchors the suite's clock at `LLTP_TEST_NOW`
 * (./clock.ts) and puts the broker's clock there (./broker-clock.ts), drops the test databases
 * an earlier run left behind (a crashed run cannot drop its own) and migrates the template the
 * test databases are copied from. When a component is down it only says so: each test file
 * then fails naming it.
 */
import { alignBrokerClock, waitForBroker } from './broker-clock';
import { anchorTestClock, testNow } from './clock';
import { dropLeftovers, ensureTemplate } from './database';

/** `alignBroker: false` for a suite that starts a broker of its own at the suite's instant (the fault suite). */
export async function setUpSuite(options: { alignBroker: boolean }): Promise<void> {
  anchorTestClock();
  if (options.alignBroker) {
    try {
      const done = await alignBrokerClock();
      await waitForBroker(); // a broker just reset by tools/test.sh takes its first commands slowly
      console.log(`integration setup: the suite runs at ${testNow().toISOString()} (LLTP_TEST_NOW); broker clock ${done}`);
    } catch (error) {
      console.log(`integration setup: the broker's clock could not be set (${(error as Error).message}); the tests will say which component is down`);
    }
  }
  try {
    const dropped = await dropLeftovers();
    if (dropped > 0) console.log(`integration setup: dropped ${dropped} database(s) left by an earlier run`);
    await ensureTemplate();
  } catch (error) {
    console.log(`integration setup: PostgreSQL not ready (${(error as Error).message}); the tests will say which component is down`);
  }
}

export default async function setup(): Promise<void> {
  await setUpSuite({ alignBroker: true });
}
