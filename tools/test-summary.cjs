#!/usr/bin/env node
// Adds up jest --json result files and prints one line per file, then `N passed, N failed`.
// A suite that could not run counts as a failure; so does a run in which no test ran.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

let passed = 0;
let failed = 0;
let ran = 0;
for (const file of process.argv.slice(2)) {
  let result;
  try {
    result = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    console.log(`${path.basename(file)}: no readable results (${error.message}) — counted as 1 failed`);
    failed += 1;
    continue;
  }
  const brokenSuites = result.testResults.filter((s) => s.status === 'failed' && s.assertionResults.length === 0);
  passed += result.numPassedTests;
  failed += result.numFailedTests + brokenSuites.length;
  ran += result.numTotalTests;
  console.log(`${path.basename(file, '.json')}: ${result.numPassedTests} passed, ${result.numFailedTests} failed, ${result.numPendingTests} skipped, ${brokenSuites.length} suites could not run`);
  for (const suite of brokenSuites) console.log(`  could not run: ${path.relative(process.cwd(), suite.name)}: ${suite.message.split('\n').find((l) => l.trim()) ?? ''}`);
  for (const suite of result.testResults) {
    for (const test of suite.assertionResults) if (test.status === 'failed') console.log(`  failed: ${test.fullName}`);
  }
}
if (ran === 0) {
  console.log('no test ran — counted as a failure');
  failed = Math.max(failed, 1);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
