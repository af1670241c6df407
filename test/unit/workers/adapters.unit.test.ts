/**
 * The HTTP adapters against the simulators over real loopback sockets: the orders the
 * simulators accept, the idempotency key honoured, and every failure classified — 5xx,
 * timeouts, unreachable and unexpected bodies are technical faults (retry), 4xx permanent.
 */
import express from 'express';
import { createLltpSoftwareSim } from '../../../tools/simulators/lltp-software';
import { createPoliceSim } from '../../../tools/simulators/police';
import { createPortalSim } from '../../../tools/simulators/portal';
import type { SimServer } from '../../../tools/simulators/sim-server';
import { createNotifySim, createPostSim, createSigningSim, createVneidSim } from '../../../tools/simulators/simple-systems';
import { createHttpAdapters, type Adapters } from '../../../workers/adapters';
import { postJson } from '../../../workers/adapters/http';
import { PermanentFault, TechnicalFault } from '../../../workers/faults';
import { z } from 'zod';

const handles: { close: () => Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(handles.splice(0).map((h) => h.close()));
});

async function start(sim: SimServer): Promise<string> {
  const handle = await sim.listen(0);
  handles.push(handle);
  return handle.url;
}

const sims = {
  lltpSoftware: createLltpSoftwareSim(),
  police: createPoliceSim({ partnerId: 'ca-pv06', apiKey: 'k', msPerWorkingHour: 1000, defaultAnswerAfterWorkingHours: 100000 }),
  signing: createSigningSim(),
  vneid: createVneidSim(),
  post: createPostSim(),
  notify: createNotifySim(),
  portal: createPortalSim(),
};
let adapters: Adapters;

beforeAll(async () => {
  const urls = Object.fromEntries(await Promise.all(Object.entries(sims).map(async ([name, sim]) => [name, await start(sim)] as const))) as Record<keyof typeof sims, string>;
  adapters = createHttpAdapters({
    ADAPTER_TIMEOUT_MS: 500,
    LLTP_SOFTWARE_URL: urls.lltpSoftware,
    LLTP_SOFTWARE_API_KEY: 'secret',
    POLICE_URL: urls.police,
    POLICE_API_KEY: '',
    SIGNING_URL: urls.signing,
    SIGNING_API_KEY: '',
    VNEID_URL: urls.vneid,
    VNEID_API_KEY: '',
    POST_URL: urls.post,
    POST_API_KEY: '',
    NOTIFY_URL: urls.notify,
    NOTIFY_API_KEY: '',
    PORTAL_URL: urls.portal,
    PORTAL_API_KEY: '',
  });
});

beforeEach(() => {
  for (const sim of Object.values(sims)) sim.context.config = { latencyMs: 0, failureRate: 0 };
});

type Call = [keyof typeof sims, string, () => Promise<Record<string, unknown>>];
const calls: Call[] = [
  ['lltpSoftware', 'push', () => adapters.lltpSoftware.pushDossier({ dossierCode: 'STP.KHA-241104-0001', receiptNumber: 'BN-1', formType: 1 }, 'STP.KHA-241104-0001:pushToLltpSoftware')],
  ['police', 'request', () => adapters.police.requestVerification({ requestId: 'STP.KHA-241104-0001:police', dossierCode: 'STP.KHA-241104-0001', callbackUrl: 'http://127.0.0.1:9/api/callbacks/police' })],
  ['signing', 'sign', () => adapters.signing.sign({ documentId: 'STP.KHA-241104-0001', digest: 'a'.repeat(64), signer: 'stp-lanh-dao' }, 'k')],
  ['vneid', 'return', () => adapters.vneid.returnResult({ dossierCode: 'STP.KHA-241104-0001', certificateNumber: 'LLTP-1', outcome: 'issued' }, 'k')],
  ['post', 'ship', () => adapters.post.ship({ dossierCode: 'STP.KHA-241104-0001', recipient: 'Người nhận', address: 'Địa chỉ' }, 'k')],
  ['notify', 'notify', () => adapters.notify.notify({ notificationId: 'STP.KHA-241104-0001:1', dossierCode: 'STP.KHA-241104-0001', kind: 'accepted' })],
  ['portal', 'status', () => adapters.portal.sendStatus({ eventId: 'STP.KHA-241104-0001:1', dossierCode: 'STP.KHA-241104-0001', status: 'received', outcome: null, changedAt: '2024-11-04T08:00:00+07:00' })],
];

describe.each(calls)('the %s adapter', (name, effect, call) => {
  test('an order and its repeat: the same answer, one effect', async () => {
    const first = await call();
    const second = await call();
    expect(second).toEqual(first);
    expect(sims[name].context.effects.get(effect)).toBe(1);
  });

  test('a 503 is a technical fault naming the system', async () => {
    sims[name].context.config.failureRate = 1;
    await expect(call()).rejects.toBeInstanceOf(TechnicalFault);
    await expect(call()).rejects.toThrow(/answered 503 simulated outage/);
  });

  test('no answer within the timeout is a technical fault', async () => {
    sims[name].context.config.latencyMs = 1500;
    await expect(call()).rejects.toThrow(/no answer within 500 ms/);
  });
});

describe('postJson', () => {
  let url: string;
  const seen: Record<string, string | undefined>[] = [];
  beforeAll(async () => {
    const app = express();
    app.use(express.json());
    app.post('/bad', (_req, res) => void res.status(422).json({ error: 'receiptNumber: must be 4–40 letters' }));
    app.post('/odd', (_req, res) => void res.status(201).json({ unexpected: true }));
    app.post('/text', (_req, res) => void res.status(200).send('<html>'));
    app.post('/echo', (req, res) => {
      seen.push({ key: req.header('idempotency-key'), apiKey: req.header('x-api-key') });
      res.json({ ok: true });
    });
    const server = await new Promise<import('node:http').Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    handles.push({ close: () => new Promise((r) => server.close(() => r())) });
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  const target = () => ({ system: 'Hệ thống thử', baseUrl: url, apiKey: 'secret', timeoutMs: 500 });
  const answer = z.object({ ok: z.literal(true) });

  test.each([
    ['/bad', PermanentFault, /Hệ thống thử: POST \/bad refused the request: 422 receiptNumber: must be 4–40 letters/],
    ['/odd', TechnicalFault, /unexpected body: ok/],
    ['/text', TechnicalFault, /not JSON/],
  ])('%s', async (path, kind, message) => {
    const promise = postJson(target(), path, {}, 'k', answer);
    await expect(promise).rejects.toBeInstanceOf(kind);
    await expect(postJson(target(), path, {}, 'k', answer)).rejects.toThrow(message);
  });

  test('an unreachable system is a technical fault', async () => {
    await expect(postJson({ ...target(), baseUrl: 'http://127.0.0.1:9' }, '/x', {}, 'k', answer)).rejects.toThrow(/cannot be reached/);
  });

  test('sends the idempotency key and the API key', async () => {
    await postJson(target(), '/echo', {}, 'STP.KHA-241104-0001:signCertificate', answer);
    expect(seen).toEqual([{ key: 'STP.KHA-241104-0001:signCertificate', apiKey: 'secret' }]);
  });
});
