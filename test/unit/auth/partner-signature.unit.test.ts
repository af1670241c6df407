/** The partners' signature scheme (server/auth/partner-signature.ts) and its example in the README. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { partnerSignature, signIfPartner, signedHeaders, stringToSign } from '../../../server/auth/partner-signature';

const readme = readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');
const BODY = '{"requestId":"STP.KHA-261208-0001:police","dossierCode":"STP.KHA-261208-0001","result":"noRecord"}';

test('the string to sign: timestamp, method in capitals, path with query, body bytes, joined by newlines', () => {
  expect(stringToSign('1796698800000', 'post', '/api/x?a=1', 'Hồ sơ').toString('utf8')).toBe('1796698800000\nPOST\n/api/x?a=1\nHồ sơ');
  expect(stringToSign('1', 'GET', '/api/x').toString('utf8')).toBe('1\nGET\n/api/x\n');
});

test('the README\'s example string and signature are what the code signs', () => {
  const example = /```text\n(\d+)\n(\w+)\n(\S+)\n(.*)\n```\n\nWith the secret `([^`]+)` its signature is\n`([0-9a-f]{64})`/.exec(readme);
  expect(example).not.toBeNull();
  const [, timestamp, method, target, body, secret, signature] = example!;
  expect(body).toBe(BODY);
  expect(partnerSignature(secret ?? '', timestamp ?? '', method ?? '', target ?? '', body ?? '')).toBe(signature);
});

test('helpers sign in place of the key, never send it, and never give two calls the same timestamp', () => {
  const credentials = { 'x-partner-id': 'ca-pv06', 'x-api-key': 's' };
  const first = signIfPartner(credentials, 'POST', '/api/callbacks/police', BODY, () => 1000);
  const second = signIfPartner(credentials, 'POST', 'http://127.0.0.1:1/api/callbacks/police', BODY, () => 1000);
  expect(first['x-api-key']).toBeUndefined();
  expect(first).toEqual(signedHeaders({ partnerId: 'ca-pv06', secret: 's' }, 'POST', '/api/callbacks/police', BODY, Number(first['x-lltp-timestamp'])));
  expect(Number(second['x-lltp-timestamp'])).toBeGreaterThan(Number(first['x-lltp-timestamp']));
  expect(signIfPartner({ authorization: 'Bearer t' }, 'GET', '/api/x', undefined, () => 1)).toEqual({ authorization: 'Bearer t' });
});
