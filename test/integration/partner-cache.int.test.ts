/**
 * Partners' rows kept for PARTNER_CACHE_MS (server/auth/partner-cache.ts), through the real
 * middleware and database: a new secret works at once and the old one is refused; a partner
 * switched off is honoured for at most the time to live, then refused; a replay is refused
 * whatever the cache holds.
 */
import { Router } from 'express';
import { authenticate } from '../../server/auth/middleware';
import { PartnerCache } from '../../server/auth/partner-cache';
import { signedHeaders } from '../../server/auth/partner-signature';
import { requireStack } from '../../server/health';
import { PARTNER_KEY, startTestApp, type TestApp } from '../support/app';
import { testClock, testNowMs } from '../support/clock';

const TTL_MS = 5000;
let monotonic = 0;
let app: TestApp;
beforeAll(async () => {
  await requireStack();
  app = await startTestApp('partner_cache', (db) => {
    const partners = new PartnerCache(TTL_MS, () => monotonic);
    const router = Router().get('/who', authenticate({ db, now: testClock(), partners }), (req, res) => {
      res.json({ principal: req.principal });
    });
    return [{ path: '/api/partner-cache', router }];
  });
}, 30000);
afterAll(async () => app?.stop());

let stamp = 0;
const call = (secret: string, headers?: Record<string, string>): Promise<Response> =>
  fetch(`${app.url}/api/partner-cache/who`, { headers: headers ?? signedHeaders({ partnerId: 'mot-cua-tinh', secret }, 'GET', '/api/partner-cache/who', '', testNowMs() + (stamp += 1)) });
const setPartner = (set: { signingSecret?: string; active?: boolean }) => app.db.updateTable('partners').set(set).where('partnerId', '=', 'mot-cua-tinh').execute();

test('a new secret works at once and the old one is refused; a partner switched off is refused once the time to live has passed; a replay is always refused', async () => {
  expect((await call(PARTNER_KEY)).status).toBe(200);
  await setPartner({ signingSecret: 'rotated-key' });
  expect((await call('rotated-key')).status).toBe(200);
  expect((await call(PARTNER_KEY)).status).toBe(401);

  const headers = signedHeaders({ partnerId: 'mot-cua-tinh', secret: 'rotated-key' }, 'GET', '/api/partner-cache/who', '', testNowMs() + (stamp += 1));
  expect((await call('rotated-key', headers)).status).toBe(200);
  expect((await call('rotated-key', headers)).status).toBe(401);

  await setPartner({ active: false });
  monotonic += TTL_MS - 1;
  expect((await call('rotated-key')).status).toBe(200);
  monotonic += 1;
  expect((await call('rotated-key')).status).toBe(401);
  await setPartner({ active: true, signingSecret: PARTNER_KEY });
});
