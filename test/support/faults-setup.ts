/**
 * Jest global setup of the fault suite: as the integration project's, but the broker's clock is
 * left alone: the suite resets the broker first and starts it at the suite's instant itself.
 */
import { setUpSuite } from './integration-setup';

export default async function setup(): Promise<void> {
  await setUpSuite({ alignBroker: false });
}
