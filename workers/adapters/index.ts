/** Every external system the workers call, built from the configuration. */
import type { Config } from '../../server/config';
import { httpLltpSoftware, type LltpSoftwareAdapter } from './lltp-software';
import { httpNotify, type NotifyAdapter } from './notify';
import { httpPolice, type PoliceAdapter } from './police';
import { httpPortal, type PortalAdapter } from './portal';
import { httpPost, type PostAdapter } from './post';
import { httpSigning, type SigningAdapter } from './signing';
import { httpVneid, type VneidAdapter } from './vneid';

export interface Adapters {
  lltpSoftware: LltpSoftwareAdapter;
  police: PoliceAdapter;
  signing: SigningAdapter;
  vneid: VneidAdapter;
  post: PostAdapter;
  notify: NotifyAdapter;
  portal: PortalAdapter;
}

export type AdapterConfig = Pick<
  Config,
  | 'ADAPTER_TIMEOUT_MS'
  | 'LLTP_SOFTWARE_URL'
  | 'LLTP_SOFTWARE_API_KEY'
  | 'POLICE_URL'
  | 'POLICE_API_KEY'
  | 'SIGNING_URL'
  | 'SIGNING_API_KEY'
  | 'VNEID_URL'
  | 'VNEID_API_KEY'
  | 'POST_URL'
  | 'POST_API_KEY'
  | 'NOTIFY_URL'
  | 'NOTIFY_API_KEY'
  | 'PORTAL_URL'
  | 'PORTAL_API_KEY'
>;

export function createHttpAdapters(config: AdapterConfig, fetchImpl?: typeof fetch): Adapters {
  const target = (baseUrl: string, apiKey: string) => ({ baseUrl, apiKey, timeoutMs: config.ADAPTER_TIMEOUT_MS, ...(fetchImpl ? { fetchImpl } : {}) });
  return {
    lltpSoftware: httpLltpSoftware(target(config.LLTP_SOFTWARE_URL, config.LLTP_SOFTWARE_API_KEY)),
    police: httpPolice(target(config.POLICE_URL, config.POLICE_API_KEY)),
    signing: httpSigning(target(config.SIGNING_URL, config.SIGNING_API_KEY)),
    vneid: httpVneid(target(config.VNEID_URL, config.VNEID_API_KEY)),
    post: httpPost(target(config.POST_URL, config.POST_API_KEY)),
    notify: httpNotify(target(config.NOTIFY_URL, config.NOTIFY_API_KEY)),
    portal: httpPortal(target(config.PORTAL_URL, config.PORTAL_API_KEY)),
  };
}
