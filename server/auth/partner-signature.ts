/**
 * How integration partners sign their calls (README, "Partner calls"): every request carries
 *
 *   X-Partner-Id:      the partner's id
 *   X-LLTP-Timestamp:  when it was sent, milliseconds since 1970-01-01T00:00:00Z
 *   X-LLTP-Signature:  hex HMAC-SHA256, keyed with the partner's secret, of
 *                      `<timestamp>\n<METHOD>\n<path with query>\n<body bytes as sent>`
 *
 * The API refuses (401) a timestamp more than `SIGNATURE_WINDOW_MS` from its own clock either
 * way, a signature that does not match, and a signature it has already seen (a replay; each
 * request needs its own timestamp). The same functions sign the simulators' and tests' calls.
 */
import { createHmac } from 'node:crypto';

export const SIGNATURE_WINDOW_MS = 5 * 60 * 1000;

export const SIGNATURE_HEADERS = { partnerId: 'x-partner-id', timestamp: 'x-lltp-timestamp', signature: 'x-lltp-signature' } as const;

/** The string a partner signs (the body as the exact bytes sent; empty when there is none). */
export function stringToSign(timestamp: string, method: string, path: string, body: string | Buffer = ''): Buffer {
  return Buffer.concat([Buffer.from(`${timestamp}\n${method.toUpperCase()}\n${path}\n`, 'utf8'), typeof body === 'string' ? Buffer.from(body, 'utf8') : body]);
}

/** Hex HMAC-SHA256 of the string to sign. */
export function partnerSignature(secret: string, timestamp: string, method: string, path: string, body: string | Buffer = ''): string {
  return createHmac('sha256', secret).update(stringToSign(timestamp, method, path, body)).digest('hex');
}

export interface PartnerCredentials {
  partnerId: string;
  secret: string;
}

/**
 * The headers of one signed call. `path` is the URL's path and query as sent (`/api/callbacks/police`);
 * `nowMs` the caller's clock. A caller that may send twice in one millisecond uses `timestamps()`.
 */
export function signedHeaders(credentials: PartnerCredentials, method: string, path: string, body: string | Buffer | undefined, nowMs: number): Record<string, string> {
  const timestamp = String(Math.trunc(nowMs));
  return {
    [SIGNATURE_HEADERS.partnerId]: credentials.partnerId,
    [SIGNATURE_HEADERS.timestamp]: timestamp,
    [SIGNATURE_HEADERS.signature]: partnerSignature(credentials.secret, timestamp, method, path, body ?? ''),
  };
}

/** A clock for signing that never gives the same millisecond twice (two identical calls in one millisecond would otherwise be one replay). */
export function timestamps(now: () => number): () => number {
  let last = 0;
  return () => {
    last = Math.max(Math.trunc(now()), last + 1);
    return last;
  };
}

/**
 * Helpers' credentials as headers (`{ 'x-partner-id', 'x-api-key' }`, the key being the secret):
 * replaced by the signed headers of this call. Headers without `x-api-key` pass unchanged.
 */
export function signIfPartner(headers: Record<string, string>, method: string, url: string, body: string | Buffer | undefined, now: () => number): Record<string, string> {
  const { 'x-api-key': secret, ...rest } = headers;
  const partnerId = headers['x-partner-id'];
  if (secret === undefined || partnerId === undefined) return headers;
  const target = new URL(url, 'http://x');
  return { ...rest, ...signedHeaders({ partnerId, secret }, method, `${target.pathname}${target.search}`, body, helperStamps(now)) };
}

let lastHelperStamp = 0;
function helperStamps(now: () => number): number {
  lastHelperStamp = Math.max(Math.trunc(now()), lastHelperStamp + 1);
  return lastHelperStamp;
}
