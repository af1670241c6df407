/**
 * Starts every external-system simulator on the ports of the configured URLs
 * (LLTP_SOFTWARE_URL, POLICE_URL, SIGNING_URL, VNEID_URL, POST_URL, NOTIFY_URL, PORTAL_URL):
 *
 *   npm run simulators
 *
 * The police simulator answers by calling `${PUBLIC_BASE_URL}/api/callbacks/police` as the
 * partner POLICE_PARTNER_ID (`ca-pv06`), signing with DEMO_PARTNER_KEY, after SIM_POLICE_ANSWER_AFTER_WORKING_HOURS working
 * hours of SIM_POLICE_MS_PER_WORKING_HOUR real milliseconds each. The VNeID simulator plays the
 * citizen who rates a result: `${PUBLIC_BASE_URL}/api/callbacks/vneid/rating` as the partner
 * VNEID_PARTNER_ID, SIM_VNEID_RATING_AFTER_MS after the result. Stops on SIGTERM/SIGINT.
 */
import { loadConfigOrExit, type Config } from '../../server/config';
import { createLogger } from '../../server/logger';
import { createLltpSoftwareSim } from './lltp-software';
import { createPoliceSim } from './police';
import { createPortalSim } from './portal';
import type { SimServer } from './sim-server';
import { createNotifySim, createPostSim, createSigningSim, createVneidSim } from './simple-systems';

/** The adapters' URL settings for simulators on consecutive ports after `basePort` (1: LLTP software … 6: notifications, 7: national portal). */
export function simulatorUrls(basePort: number, host = '127.0.0.1'): Record<'LLTP_SOFTWARE_URL' | 'POLICE_URL' | 'SIGNING_URL' | 'VNEID_URL' | 'POST_URL' | 'NOTIFY_URL' | 'PORTAL_URL', string> {
  const at = (n: number): string => `http://${host}:${basePort + n}`;
  return { LLTP_SOFTWARE_URL: at(1), POLICE_URL: at(2), SIGNING_URL: at(3), VNEID_URL: at(4), POST_URL: at(5), NOTIFY_URL: at(6), PORTAL_URL: at(7) };
}

export interface RunningSimulators {
  urls: Record<string, string>;
  close(): Promise<void>;
}

function portOf(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80)) };
}

/** `now`: the simulated systems' clock (the test suite's in tests; the real one otherwise). */
export async function startSimulators(config: Config, options: { now?: () => Date } = {}): Promise<RunningSimulators> {
  const { now } = options;
  const sims: [string, SimServer, string][] = [
    ['lltp-software', createLltpSoftwareSim({ now }), config.LLTP_SOFTWARE_URL],
    [
      'police',
      createPoliceSim({
        partnerId: config.POLICE_PARTNER_ID,
        apiKey: config.DEMO_PARTNER_KEY,
        msPerWorkingHour: config.SIM_POLICE_MS_PER_WORKING_HOUR,
        defaultAnswerAfterWorkingHours: config.SIM_POLICE_ANSWER_AFTER_WORKING_HOURS,
        now,
      }),
      config.POLICE_URL,
    ],
    ['signing', createSigningSim(undefined, now), config.SIGNING_URL],
    ['vneid', createVneidSim(undefined, now, { partnerId: config.VNEID_PARTNER_ID, apiKey: config.DEMO_PARTNER_KEY, afterMs: config.SIM_VNEID_RATING_AFTER_MS }), config.VNEID_URL],
    ['post', createPostSim(undefined, now), config.POST_URL],
    ['notify', createNotifySim(undefined, now), config.NOTIFY_URL],
    ['portal', createPortalSim(undefined, now), config.PORTAL_URL],
  ];
  const handles: { close: () => Promise<void> }[] = [];
  const urls: Record<string, string> = {};
  try {
    for (const [name, sim, url] of sims) {
      const { host, port } = portOf(url);
      const handle = await sim.listen(port, host);
      handles.push(handle);
      urls[name] = handle.url;
    }
  } catch (error) {
    await Promise.all(handles.map((h) => h.close()));
    throw error;
  }
  return { urls, close: async () => void (await Promise.all(handles.map((h) => h.close()))) };
}

if (require.main === module) {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.LOG_LEVEL, component: 'simulators' });
  startSimulators(config).then(
    (running) => {
      for (const [name, url] of Object.entries(running.urls)) logger.info({ simulator: name, url }, 'simulator listening');
      logger.info({ callback: new URL('/api/callbacks/police', config.PUBLIC_BASE_URL).toString() }, 'police simulator answers here');
      logger.info({ callback: new URL('/api/callbacks/vneid/rating', config.PUBLIC_BASE_URL).toString() }, 'VNeID simulator rates results here');
      const stop = (signal: string): void => {
        logger.info({ signal }, 'stopping simulators');
        running.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    },
    (error: unknown) => {
      logger.fatal({ err: error }, 'cannot start the simulators');
      process.exit(1);
    },
  );
}
