#!/usr/bin/env node
/**
 * The management (actuator) address of a local Zeebe cluster (`LLTP_ZEEBE_BROKERS=3`,
 * tools/stack/stack.sh): one address for the app and the tests, as with one broker.
 *
 *   node tools/stack/zeebe-mgmt.cjs <listen port> <gateway's management port> <broker 0's> <broker 1's> …
 *
 * Zeebe 8.5's controlled clock (`/actuator/clock`) is each broker's own actor clock, and a
 * partition runs on its leader's clock: a change of the clock (POST, DELETE) goes to every broker,
 * so every partition's timers and job timeouts follow it wherever its leader is. A broker that does
 * not answer (killed) is left out; the answer is the first broker's that answered, or the first
 * refusal. Reading the clock asks the brokers in turn, broker 0 first. Any other request (health,
 * readiness) goes to the gateway, the address the app's calls go through.
 */
'use strict';
const http = require('node:http');

const [listen, gateway, ...brokers] = process.argv.slice(2).map(Number);
if (!listen || !gateway || brokers.length === 0 || brokers.some((port) => !port)) {
  process.stderr.write('usage: zeebe-mgmt.cjs <listen port> <gateway management port> <broker management port>...\n');
  process.exit(2);
}

const TIMEOUT_MS = 10_000;

/** One broker's answer, or undefined when it could not be reached. */
async function ask(port, method, url, headers, body) {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${url}`, {
      method,
      headers: headers['content-type'] ? { 'content-type': headers['content-type'] } : {},
      body: body.length > 0 ? body : undefined,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    return { status: response.status, type: response.headers.get('content-type'), body: Buffer.from(await response.arrayBuffer()) };
  } catch {
    return undefined;
  }
}

async function answer(request) {
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  const method = request.method ?? 'GET';
  const url = request.url ?? '/';
  if (!url.startsWith('/actuator/clock')) return ask(gateway, method, url, request.headers, body);
  if (method !== 'GET') {
    const answers = (await Promise.all(brokers.map((port) => ask(port, method, url, request.headers, body)))).filter(Boolean);
    return answers.find((a) => a.status >= 300) ?? answers[0];
  }
  for (const port of brokers) {
    const reply = await ask(port, method, url, request.headers, body);
    if (reply) return reply;
  }
  return undefined;
}

http
  .createServer((request, response) => {
    answer(request).then(
      (reply) => {
        if (!reply) {
          response.writeHead(502, { 'content-type': 'text/plain' }).end('no Zeebe broker answered\n');
          return;
        }
        response.writeHead(reply.status, reply.type ? { 'content-type': reply.type } : {}).end(reply.body);
      },
      (error) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`),
    );
  })
  .listen(listen, '127.0.0.1', () => process.stdout.write(`zeebe-mgmt: 127.0.0.1:${listen} -> brokers on ${brokers.join(', ')}\n`));
