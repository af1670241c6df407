#!/usr/bin/env node
// Adds up jest --json result files: one line per file with that run's counts, then the last
// line `N passed, N failed`, which counts each test once. A test that ran in several runs (the
// calendar tests under three time zones: same file, same full name) counts once, as failed if
// it failed in any run. A suite that could not run counts as a failure, once however many runs
// it broke; so do an unreadable result file and a run in which no test ran (a rerun whose
// path matched nothing must not vanish from the count), and so does being given no run.
//
//   node tools/test-summary.cjs .cache/test-results/*.json
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** The outcome of every test seen so far, by file, full name and occurrence of that name. */
function createTally() {
  return { tests: new Map(), brokenSuites: new Set(), failedRuns: 0 };
}

/** Records a test's status; a failure in any run wins, then a pass; skipped tests count as neither. */
function recordTest(tally, key, status) {
  const previous = tally.tests.get(key);
  if (previous === 'failed' || (previous === 'passed' && status !== 'failed')) return;
  tally.tests.set(key, status);
}

/** Keys of a suite's tests: two tests of a file with the same full name stay two tests. */
function testKeys(suite) {
  const seen = new Map();
  return suite.assertionResults.map((test) => {
    const occurrence = (seen.get(test.fullName) ?? 0) + 1;
    seen.set(test.fullName, occurrence);
    return JSON.stringify([suite.name, test.fullName, occurrence]);
  });
}

function isBroken(suite) {
  return suite.status === 'failed' && suite.assertionResults.length === 0;
}

/** The first lines of a failed test's message, without colours: enough to tell why from a CI log. */
function failureLines(test, count = 4) {
  const text = (test.failureMessages ?? []).join('\n').replace(/\u001b\[[0-9;]*m/g, '');
  return text.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim()).slice(0, count).map((l) => l.slice(0, 200));
}

function printRun(name, result) {
  const broken = result.testResults.filter(isBroken);
  const { numPassedTests: passed, numFailedTests: failed, numPendingTests: skipped } = result;
  console.log(`${name}: ${passed} passed, ${failed} failed, ${skipped} skipped, ${broken.length} suites could not run`);
  for (const suite of broken) {
    const reason = suite.message.split('\n').find((l) => l.trim()) ?? '';
    console.log(`  could not run: ${path.relative(process.cwd(), suite.name)}: ${reason}`);
  }
  for (const suite of result.testResults) {
    for (const test of suite.assertionResults) {
      if (test.status !== 'failed') continue;
      console.log(`  failed: ${test.fullName} (${path.relative(process.cwd(), suite.name)})`);
      for (const line of failureLines(test)) console.log(`    ${line}`);
    }
  }
}

function addRun(tally, name, result) {
  if (result.numTotalTests === 0 && !result.testResults.some(isBroken)) {
    console.log(`${name}: no test ran — counted as 1 failed`);
    tally.failedRuns += 1;
  }
  for (const suite of result.testResults) {
    if (isBroken(suite)) tally.brokenSuites.add(suite.name);
    const keys = testKeys(suite);
    suite.assertionResults.forEach((test, index) => recordTest(tally, keys[index], test.status));
  }
}

function addFile(tally, file) {
  let result;
  try {
    result = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    console.log(`${path.basename(file)}: no readable results (${error.message}) — counted as 1 failed`);
    tally.failedRuns += 1;
    return;
  }
  const name = path.basename(file, '.json');
  printRun(name, result);
  addRun(tally, name, result);
}

/** `{ passed, failed }`, each test once. */
function count(tally) {
  const statuses = [...tally.tests.values()];
  const passed = statuses.filter((s) => s === 'passed').length;
  const failed = statuses.filter((s) => s === 'failed').length + tally.brokenSuites.size + tally.failedRuns;
  return { passed, failed };
}

function main(files) {
  const tally = createTally();
  if (files.length === 0) {
    console.log('no test results given — counted as 1 failed');
    tally.failedRuns += 1;
  }
  for (const file of files) addFile(tally, file);
  const { passed, failed } = count(tally);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

main(process.argv.slice(2));
