#!/usr/bin/env node
/**
 * Writes standard input to a log file that is appended to, never truncated, and rotated by size
 * (rotating-file-stream, classical logrotate naming): `<file>`, then `<file>.1` … `<file>.N`,
 * the oldest dropped. Used by tools/stack/stack.sh and tools/demo.sh for every process they start.
 *
 *   some-command 2>&1 | node tools/stack/log-pipe.cjs <file>
 *
 * LLTP_LOG_MAX_SIZE (default 10M: B, K, M or G) and LLTP_LOG_FILES (default 5) set the size at
 * which the file rotates and how many rotated files are kept.
 */
'use strict';
const path = require('node:path');
const { createStream } = require('rotating-file-stream');

const target = process.argv[2];
if (!target) {
  process.stderr.write('usage: log-pipe.cjs <log file>\n');
  process.exit(2);
}
const size = process.env.LLTP_LOG_MAX_SIZE || '10M';
const files = Number(process.env.LLTP_LOG_FILES || 5);
if (!/^\d+[BKMG]$/.test(size) || !Number.isInteger(files) || files < 1) {
  process.stderr.write(`log-pipe: LLTP_LOG_MAX_SIZE must look like 10M (got ${size}), LLTP_LOG_FILES a whole number ≥ 1 (got ${process.env.LLTP_LOG_FILES})\n`);
  process.exit(2);
}
const name = path.basename(target);
const stream = createStream((index) => (index ? `${name}.${index}` : name), { path: path.dirname(target), size, rotate: files });
stream.on('error', (error) => process.stderr.write(`log-pipe: ${error.message}\n`));
process.stdin.pipe(stream);
// The writer outlives its producer only to flush: when the producer's output ends, so does it.
process.stdin.on('end', () => stream.end());
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => undefined);
