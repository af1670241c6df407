/**
 * The one HTTP client of the adapters: JSON in and out, a timeout on every call, an
 * idempotency key on every order, and the answer validated with zod. A 5xx, a timeout or a
 * connection error is a `TechnicalFault` (the job is retried); a 4xx is a `PermanentFault`
 * naming the system, the status and its message (retrying the same request cannot help).
 */
import type { z } from 'zod';
import { PermanentFault, TechnicalFault } from '../faults';

export interface HttpSystem {
  /** Name of the external system, for messages (e.g. "Phần mềm LLTP"). */
  system: string;
  baseUrl: string;
  /** Sent as `x-api-key` when not empty. */
  apiKey: string;
  timeoutMs: number;
  fetchImpl?: typeof fetch;
}

export async function postJson<S extends z.ZodType>(
  target: HttpSystem,
  path: string,
  body: unknown,
  idempotencyKey: string,
  answer: S,
): Promise<z.infer<S>> {
  const url = new URL(path, target.baseUrl);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': idempotencyKey };
  if (target.apiKey) headers['x-api-key'] = target.apiKey;
  let response: Response;
  try {
    response = await (target.fetchImpl ?? fetch)(url, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(target.timeoutMs) });
  } catch (error) {
    // DOMException (timeouts) is not always an `Error` of this realm: look at the name only.
    const name = (error as { name?: unknown } | null)?.name;
    const timedOut = name === 'TimeoutError' || name === 'AbortError';
    const reason = timedOut ? `no answer within ${target.timeoutMs} ms` : `cannot be reached (${messageOf(error)})`;
    throw new TechnicalFault(`${target.system}: POST ${url.pathname} ${reason}`, { cause: error });
  }
  const text = await response.text().catch(() => '');
  if (response.status >= 500) throw new TechnicalFault(`${target.system}: POST ${url.pathname} answered ${response.status} ${errorText(text)}`.trim());
  if (response.status >= 400) throw new PermanentFault(`${target.system}: POST ${url.pathname} refused the request: ${response.status} ${errorText(text)}`.trim());
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new TechnicalFault(`${target.system}: POST ${url.pathname} answered ${response.status} with a body that is not JSON`);
  }
  const parsed = answer.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'} ${i.message}`).join('; ');
    throw new TechnicalFault(`${target.system}: POST ${url.pathname} answered an unexpected body: ${issues}`);
  }
  return parsed.data;
}

function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

/** The `error` field of a JSON error body, else the start of the text. */
function errorText(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (typeof body.error === 'string') return body.error;
  } catch {
    // not JSON
  }
  return text.slice(0, 200);
}
