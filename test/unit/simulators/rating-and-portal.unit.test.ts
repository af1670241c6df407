/**
 * The citizen who rates a result through VNeID and the national portal that takes the status
 * feed (issue 25, item 1), over real loopback sockets: the rating is a function of the dossier
 * code unless a scenario sets it, it comes back signed as the VNeID partner, once per delivery
 * with one event id; the portal keeps each dossier's statuses in the order received, once each.
 */
import type { Server } from 'node:http';
import express from 'express';
import { partnerSignature } from '../../../server/auth/partner-signature';
import { createPortalSim } from '../../../tools/simulators/portal';
import type { SimServer } from '../../../tools/simulators/sim-server';
import { createVneidSim, DEFAULT_RATING_SHARES, RATINGS, ratingOf } from '../../../tools/simulators/vneid';
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

async function receiver(): Promise<{ url: string; received: { headers: Record<string, unknown>; body: unknown }[] }> {
  const app = express();
  app.use(express.json());
  const received: { headers: Record<string, unknown>; body: unknown }[] = [];
  app.post('/api/callbacks/vneid/rating', (req, res) => {
    received.push({ headers: req.headers, body: req.body as unknown });
    res.status(201).json({ accepted: true });
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  handles.push({ close: () => new Promise((r) => server.close(() => r())) });
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/api/callbacks/vneid/rating`, received };
}

const result = (dossierCode: string, ratingCallbackUrl?: string) => ({ dossierCode, certificateNumber: 'C1', outcome: 'issued', ...(ratingCallbackUrl ? { ratingCallbackUrl } : {}) });

describe('the citizen\'s rating (VNeID simulator)', () => {
  test('is a function of the dossier code alone, every rating given, near the configured shares', () => {
    const codes = Array.from({ length: 2000 }, (_, i) => `STP.KHA-261201-${String(i).padStart(4, '0')}`);
    expect(codes.map((c) => ratingOf(c))).toEqual(codes.map((c) => ratingOf(c)));
    const counts = Object.fromEntries(RATINGS.map((r) => [r, codes.filter((c) => ratingOf(c) === r).length]));
    for (const r of RATINGS) expect(Math.abs(counts[r]! / codes.length - DEFAULT_RATING_SHARES[r])).toBeLessThan(0.03);
    expect(ratingOf('X-1', { satisfied: 0, neutral: 0, dissatisfied: 1 })).toBe('dissatisfied');
  });

  test('comes back after the result, signed as the VNeID partner, the same event id at every delivery', async () => {
    const target = await receiver();
    const url = await start(createVneidSim(undefined, undefined, { partnerId: 'vneid', apiKey: 'k', afterMs: 30 }));
    expect((await post(`${url}/_sim/ratings`, { dossierCode: 'R-1', rating: 'dissatisfied', deliveries: 2 })).status).toBe(200);
    expect((await post(`${url}/api/v1/results`, result('R-1', target.url))).status).toBe(201);
    await eventually(() => Promise.resolve(target.received.length === 2 || undefined), 'two deliveries of the rating', 5000);
    for (const { headers, body } of target.received) {
      expect(body).toEqual({ eventId: 'rating:R-1', dossierCode: 'R-1', rating: 'dissatisfied' });
      const signature = partnerSignature('k', String(headers['x-lltp-timestamp']), 'POST', '/api/callbacks/vneid/rating', JSON.stringify(body));
      expect(headers).toMatchObject({ 'x-partner-id': 'vneid', 'x-lltp-signature': signature });
    }
  });

  test('the default rating is the dossier code\'s; none when the scenario says never or the result asks none', async () => {
    const target = await receiver();
    const sim = createVneidSim(undefined, undefined, { partnerId: 'vneid', apiKey: 'k', afterMs: 0 });
    const url = await start(sim);
    await post(`${url}/_sim/ratings`, { dossierCode: 'R-3', rating: null });
    await post(`${url}/api/v1/results`, result('R-2', target.url));
    await post(`${url}/api/v1/results`, result('R-3', target.url));
    await post(`${url}/api/v1/results`, result('R-4'));
    await eventually(() => Promise.resolve(target.received.length === 1 || undefined), 'the rating of R-2', 5000);
    await eventually(() => Promise.resolve(sim.pending() === 0 || undefined), 'no rating waiting', 5000);
    expect(target.received.map((r) => r.body)).toEqual([{ eventId: 'rating:R-2', dossierCode: 'R-2', rating: ratingOf('R-2') }]);
  });

  test.each([
    [{ dossierCode: 'R-5', rating: 'happy' }, 'rating'],
    [{ dossierCode: '', rating: 'neutral' }, 'dossierCode'],
    [{ dossierCode: 'R-5', rating: 'neutral', deliveries: 9 }, 'deliveries'],
  ])('a bad scenario %j is 400 naming %s', async (scenario, field) => {
    const url = await start(createVneidSim());
    const answer = await post(`${url}/_sim/ratings`, scenario);
    expect(answer.status).toBe(400);
    expect(String(answer.body.error)).toContain(field);
  });
});

describe('the national portal simulator', () => {
  test('keeps each dossier\'s statuses in the order received, a repeated event once, nothing during an outage', async () => {
    const sim = createPortalSim();
    const url = await start(sim);
    const status = (id: number, name: string) => ({ eventId: `P-1:${id}`, dossierCode: 'P-1', status: name, outcome: null, changedAt: '2026-12-01T08:00:00+07:00' });
    expect((await post(`${url}/api/v1/dossier-statuses`, status(1, 'received'))).status).toBe(201);
    expect((await post(`${url}/api/v1/dossier-statuses`, status(1, 'received'))).status).toBe(200);
    await post(`${url}/_sim/config`, { failureRate: 1 });
    expect((await post(`${url}/api/v1/dossier-statuses`, status(2, 'inProgress'))).status).toBe(503);
    await post(`${url}/_sim/config`, { failureRate: 0 });
    expect((await post(`${url}/api/v1/dossier-statuses`, status(2, 'inProgress'))).status).toBe(201);
    const listed = (await (await fetch(`${url}/_sim/dossiers/P-1/statuses`)).json()) as { statuses: { eventId: string; status: string }[] };
    expect(listed.statuses.map((s) => [s.eventId, s.status])).toEqual([['P-1:1', 'received'], ['P-1:2', 'inProgress']]);
  });
});
