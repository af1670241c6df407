// Orders the integration files so that shared-broker side effects cannot hurt later files:
// 1. ordinary files; 2. files that move the broker's controlled clock (Zeebe 8.5 stops
// re-delivering timed-out jobs for as long as the clock was moved forward once it is reset,
// so the worker-crash test must run before them); 3. the stack test, which stops and restarts
// each component (and so also gives the broker a fresh clock). Alphabetical within a phase.
'use strict';
const Sequencer = require('@jest/test-sequencer').default;

const CLOCK_MOVERS = [/[\\/]pipe\.int\.test\.ts$/, /[\\/]timers\.int\.test\.ts$/];
const LAST = [/[\\/]stack\.int\.test\.ts$/];

function phase(path) {
  if (LAST.some((re) => re.test(path))) return 3;
  if (CLOCK_MOVERS.some((re) => re.test(path))) return 2;
  return 1;
}

class PhasedSequencer extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => phase(a.path) - phase(b.path) || a.path.localeCompare(b.path));
  }
}

module.exports = PhasedSequencer;
