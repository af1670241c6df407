#!/usr/bin/env node
// Sends a MongoDB `ping` (OP_MSG) to the given mongodb://host:port and exits 0 when it answers ok:1.
// Dependency-free on purpose: the stack script runs it before `npm install`.
'use strict';
const net = require('node:net');

const target = new URL(process.argv[2] || 'mongodb://127.0.0.1:27017/admin');

function cstring(s) { return Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]); }
function int32(n) { const b = Buffer.alloc(4); b.writeInt32LE(n); return b; }

const dbValue = cstring('admin');
const body = Buffer.concat([
  Buffer.from([0x10]), cstring('ping'), int32(1),
  Buffer.from([0x02]), cstring('$db'), int32(dbValue.length), dbValue,
  Buffer.from([0x00]),
]);
const doc = Buffer.concat([int32(body.length + 4), body]);
const payload = Buffer.concat([int32(0), Buffer.from([0]), doc]); // flagBits, section kind 0
const message = Buffer.concat([int32(16 + payload.length), int32(1), int32(0), int32(2013), payload]);

function okFromReply(reply) {
  // header (16) + flagBits (4) + section kind (1), then one BSON document
  let i = 21 + 4;
  const end = 21 + reply.readInt32LE(21) - 1;
  while (i < end) {
    const type = reply[i];
    const nameEnd = reply.indexOf(0, i + 1);
    const name = reply.toString('utf8', i + 1, nameEnd);
    i = nameEnd + 1;
    if (name === 'ok') return type === 0x01 ? reply.readDoubleLE(i) === 1 : type === 0x10 ? reply.readInt32LE(i) === 1 : false;
    if (type === 0x01 || type === 0x12 || type === 0x09 || type === 0x11) i += 8;
    else if (type === 0x10) i += 4;
    else if (type === 0x08) i += 1;
    else if (type === 0x02) i += 4 + reply.readInt32LE(i);
    else if (type === 0x03 || type === 0x04) i += reply.readInt32LE(i);
    else return false;
  }
  return false;
}

const socket = net.connect(Number(target.port || 27017), target.hostname);
const chunks = [];
socket.setTimeout(3000, () => { console.error('ping: timeout'); process.exit(1); });
socket.on('connect', () => socket.write(message));
socket.on('data', (chunk) => {
  chunks.push(chunk);
  const reply = Buffer.concat(chunks);
  if (reply.length >= 4 && reply.length >= reply.readInt32LE(0)) {
    socket.destroy();
    const ok = okFromReply(reply);
    console.log(ok ? 'ok' : 'not ok');
    process.exit(ok ? 0 : 1);
  }
});
socket.on('error', (error) => { console.error(`ping: ${error.message}`); process.exit(1); });
