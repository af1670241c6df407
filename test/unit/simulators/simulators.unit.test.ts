/**
 * The simulators speak HTTP like the systems they play: tested over real loopback sockets.
 */
import { partnerSignature } from '../../../server/auth/partner-signature';
import express from 'express';
import type { SimServer } from '../../../tools/simulators/sim-server';
import { createLltpSoftwareSim } from '../../../tools/simulators/lltp-software';
import { createPoliceSim } from '../../../tools/simulators/police';
import { createPortalSim } from '../../../tools/simulators/portal';
import { createNotifySim, createPostSim, createSigningSim, createVneidSim } from '../../../tools/simulators/simple-systems';
import { monotonicMs } from '../../support/clock';
import { eventually } from '../../support/wait';

const handles: { close: () => Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(handles.splice(0).map((h) => h.close()));
});

async function start(sim: SimServer): Promise<string> {
  const handle = await sim.listen(0);
  handles.push(handle);
  return handle.url;
}

const post = async (url: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
type Stats = { effects: Record<string, number>; calls: Record<string, number>; answered: Record<string, number> };
const stats = async (url: string): Promise<Stats> => (await fetch(`${url}/_sim/stats`)).json() as Promise<Stats>;

describe.each([
  ['signing', () => createSigningSim(), '/api/v1/signatures', { documentId: 'D1', digest: 'a'.repeat(64), signer: 'leader' }, 'sign'],
  ['vneid', () => createVneidSim(), '/api/v1/results', { dossierCode: 'X-1', certificateNumber: 'C1', outcome: 'issued' }, 'return'],
  ['post', () => createPostSim(), '/api/v1/shipments', { dossierCode: 'X-1', recipient: 'A', address: 'B' }, 'ship'],
  ['notify', () => createNotifySim(), '/api/v1/notifications', { notificationId: 'N1', dossierCode: 'X-1', kind: 'received' }, 'notify'],
  ['portal', () => createPortalSim(), '/api/v1/dossier-statuses', { eventId: 'X-1:1', dossierCode: 'X-1', status: 'received', outcome: null, changedAt: '2026-12-01T08:00:00+07:00' }, 'status'],
] as const)('the %s simulator', (_name, create, path, order, kind) => {
  test('answers a repeated order with the first answer and counts one effect', async () => {
    const url = await start(create());
    const first = await post(`${url}${path}`, order);
    const second = await post(`${url}${path}`, order);
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(await stats(url)).toMatchObject({ effects: { [kind]: 1 }, calls: { [kind]: 2 } });
  });

  test('refuses a malformed order with 400 naming the field, and does nothing', async () => {
    const url = await start(create());
    const answer = await post(`${url}${path}`, { ...order, [Object.keys(order)[0]!]: '' });
    expect(answer.status).toBe(400);
    expect(String(answer.body.error)).toContain(Object.keys(order)[0]);
    expect((await stats(url)).effects).toEqual({});
  });
});

test('a configured failure rate answers 503 before any effect', async () => {
  const sim = createSigningSim(() => 0.1);
  const url = await start(sim);
  expect((await post(`${url}/_sim/config`, { failureRate: 0.5 })).status).toBe(200);
  const answer = await post(`${url}/api/v1/signatures`, { documentId: 'D1', digest: 'b'.repeat(64), signer: 'x' });
  expect(answer.status).toBe(503);
  expect((await stats(url)).effects).toEqual({});
  expect((await post(`${url}/_sim/config`, { failureRate: 2 })).status).toBe(400);
});

test('a configured latency delays the answer', async () => {
  const url = await start(createNotifySim());
  await post(`${url}/_sim/config`, { latencyMs: 300 });
  const started = monotonicMs();
  await post(`${url}/api/v1/notifications`, { notificationId: 'N2', dossierCode: 'X', kind: 'k' });
  // a lower bound only (a timer never fires more than a millisecond early): no machine makes it fail
  expect(monotonicMs() - started).toBeGreaterThanOrEqual(290);
});

test('a call held by the latency counts as answered once the simulator is done with it, even after its caller has gone', async () => {
  const sim = createNotifySim();
  const url = await start(sim);
  await post(`${url}/_sim/config`, { latencyMs: 200 });
  const caller = new AbortController();
  const call = fetch(`${url}/api/v1/notifications`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ notificationId: 'N3', dossierCode: 'X', kind: 'k' }), signal: caller.signal }).catch(
    (error: Error) => error.name,
  );
  await eventually(() => Promise.resolve(sim.context.calls.get('notify') === 1 ? true : undefined), 'the call to arrive', 5000, 5);
  expect(await stats(url)).toMatchObject({ calls: { notify: 1 }, answered: {}, effects: {} });
  caller.abort();
  expect(await call).toBe('AbortError');
  await eventually(() => Promise.resolve(sim.context.answered.get('notify') === 1 ? true : undefined), 'the held call to be answered', 5000, 5);
  expect(await stats(url)).toMatchObject({ calls: { notify: 1 }, answered: { notify: 1 }, effects: { notify: 1 } });
});

test('the LLTP software answers the search with the scenario set for the dossier, else by shares', async () => {
  const url = await start(createLltpSoftwareSim({ random: () => 0.99, shares: { noRecord: 1, recordFound: 0, needsVerification: 1 } }));
  const pushed = await post(`${url}/api/v1/dossiers`, { dossierCode: 'A-1', receiptNumber: 'R1', formType: 1 });
  expect(pushed.body).toMatchObject({ status: 3 });
  await post(`${url}/_sim/scenarios`, { dossierCode: 'A-1', searchOutcome: 'recordFound' });
  expect((await post(`${url}/api/v1/dossiers/${String(pushed.body.lltpId)}/search`, { dossierCode: 'A-1' })).body).toEqual({ outcome: 'recordFound' });
  expect((await post(`${url}/api/v1/dossiers/x/search`, { dossierCode: 'B-2' })).body).toEqual({ outcome: 'needsVerification' });
  expect((await post(`${url}/_sim/scenarios`, { dossierCode: 'A-1', searchOutcome: 'maybe' })).status).toBe(400);
});

describe('the police simulator', () => {
  async function receiver(): Promise<{ url: string; received: { headers: Record<string, unknown>; body: unknown }[] }> {
    const app = express();
    app.use(express.json());
    const received: { headers: Record<string, unknown>; body: unknown }[] = [];
    app.post('/callback', (req, res) => {
      received.push({ headers: req.headers, body: req.body as unknown });
      res.json({ ok: true });
    });
    const server = await new Promise<import('node:http').Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    handles.push({ close: () => new Promise((r) => server.close(() => r())) });
    const address = server.address() as { port: number };
    return { url: `http://127.0.0.1:${address.port}/callback`, received };
  }

  test('answers through the callback after the scenario\'s working hours, each delivery signed as the partner', async () => {
    const target = await receiver();
    const url = await start(createPoliceSim({ partnerId: 'police', apiKey: 'k', msPerWorkingHour: 20, defaultAnswerAfterWorkingHours: 1 }));
    await post(`${url}/_sim/scenarios`, { dossierCode: 'P-1', answerAfterWorkingHours: 3, result: 'recordFound', deliveries: 2 });
    const accepted = await post(`${url}/api/v1/verification-requests`, { requestId: 'Q1', dossierCode: 'P-1', callbackUrl: target.url });
    expect(accepted.status).toBe(201);
    await new Promise((r) => setTimeout(r, 20));
    expect(target.received).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(target.received).toHaveLength(2);
    expect(target.received[0]?.body).toMatchObject({ requestId: 'Q1', dossierCode: 'P-1', result: 'recordFound' });
    for (const { headers, body } of target.received) {
      const signature = partnerSignature('k', String(headers['x-lltp-timestamp']), 'POST', '/callback', JSON.stringify(body));
      expect(headers).toMatchObject({ 'x-partner-id': 'police', 'x-lltp-signature': signature });
      expect(headers['x-api-key']).toBeUndefined();
    }
    // two deliveries of one answer: two timestamps, two signatures (neither a replay of the other)
    expect(target.received[0]?.headers['x-lltp-signature']).not.toBe(target.received[1]?.headers['x-lltp-signature']);
  });

  test('never answers when the scenario says so', async () => {
    const target = await receiver();
    const sim = createPoliceSim({ partnerId: 'police', apiKey: 'k', msPerWorkingHour: 1, defaultAnswerAfterWorkingHours: 1 });
    const url = await start(sim);
    await post(`${url}/_sim/scenarios`, { dossierCode: 'P-2', answerAfterWorkingHours: null });
    await post(`${url}/api/v1/verification-requests`, { requestId: 'Q2', dossierCode: 'P-2', callbackUrl: target.url });
    await new Promise((r) => setTimeout(r, 100));
    expect(target.received).toHaveLength(0);
    expect(sim.pending()).toBe(0);
  });
});
