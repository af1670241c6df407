#!/usr/bin/env bash
# The one test command (`npm test`): installs what is missing, starts the local stack, runs
# the static checks and the unit suite, the calendar tests again under two more time zones,
# the integration suite against the real stack (at LLTP_TEST_NOW, default in test/support/clock.ts),
# the clock-moving tests again at each instant of LLTP_TEST_INSTANTS (when set), and the fault
# suite (kill -9 of each component under load), then prints per-run counts and a last
# line `N passed, N failed` counted from jest's JSON results, each test once (a calendar test
# that ran under three time zones counts once, failed if it failed in any). Exits non-zero on
# any failure or when no test ran.
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
# shellcheck source=tools/ensure-deps.sh
. "$REPO/tools/ensure-deps.sh"
RESULTS=$REPO/.cache/test-results
rm -rf "$RESULTS" && mkdir -p "$RESULTS"

step() { printf '\n=== %s\n' "$*"; }

# A broker with no data whose clock reads the instant $1 now (libfaketime), and the suite's clock
# anchored to the same moment (LLTP_TEST_CLOCK_ANCHOR, test/support/clock.ts). Each pass of the
# integration tests starts on it: a broker that kept earlier runs' instances would fire their
# due timers (thousands after moving days ahead) before the tests' own jobs.
fresh_broker_at() {
  local anchor offset
  anchor=$(node -e 'console.log(Date.now())')
  offset=$(node -e 'const t = Date.parse(process.argv[1]); if (Number.isNaN(t)) process.exit(1); console.log(t - Number(process.argv[2]))' "$1" "$anchor") \
    || { echo "not an ISO instant: $1"; return 1; }
  export LLTP_TEST_CLOCK_ANCHOR=$anchor
  LLTP_ZEEBE_CLOCK_OFFSET_MS=$offset bash tools/stack/stack.sh reset-zeebe >/dev/null \
    || echo "the broker could not be reset at $1; the integration tests will name what is down"
}
DEFAULT_TEST_NOW=$(sed -n "s/^export const DEFAULT_TEST_NOW = '\(.*\)';$/\1/p" test/support/clock.ts)

# 1. npm packages, reinstalled when package-lock.json changed.
step "npm packages"
ensure_npm_packages || { echo "npm packages could not be installed"; echo "0 passed, 1 failed"; exit 1; }

# Debian's Chromium for the page tests (the tests that need it fail naming it when it is missing).
ensure_chromium || echo "Chromium is missing: the browser tests will fail"

# 2. The local stack. When it cannot start, the integration tests still run and fail,
#    each naming the component that is down.
step "local stack"
bash tools/stack/stack.sh up || echo "the local stack did not start completely; integration tests will name what is down"

# 3. Static checks and unit tests (parallel), then the calendar tests under two more time
#    zones: the calendar is the code whose results could depend on the machine's zone.
JEST="node node_modules/jest/bin/jest.js"
step "static checks and unit tests (TZ=Asia/Ho_Chi_Minh)"
TZ=Asia/Ho_Chi_Minh $JEST --selectProjects checks unit --json --outputFile="$RESULTS/unit-hcm.json"
for tz in UTC America/New_York; do
  step "calendar tests (TZ=$tz)"
  results="$RESULTS/calendar-$(echo "$tz" | tr '/' '-').json"
  TZ=$tz $JEST test/unit/calendar --selectProjects unit --silent --json --outputFile="$results"
done

# 4. Integration tests against the real stack, one file at a time (they share the broker clock).
step "integration tests (real Zeebe, PostgreSQL, SMTP)"
fresh_broker_at "${LLTP_TEST_NOW:-$DEFAULT_TEST_NOW}"
LLTP_STOP_STACK_TESTS=1 $JEST --selectProjects integration --runInBand --forceExit --json --outputFile="$RESULTS/integration.json"

# 4b. The tests that move the product's or the broker's clock (marked `@moves-clocks`) again at
#     each instant of LLTP_TEST_INSTANTS (space-separated ISO instants; .ci/run sets three): a
#     Saturday night, the eve of a public holiday, after the year changes. Each test counts once,
#     failed if it failed at any instant.
if [ -n "${LLTP_TEST_INSTANTS:-}" ]; then
  mapfile -t clock_tests < <(grep -rl '@moves-clocks' test/integration --include='*.int.test.ts' | sort)
  for instant in $LLTP_TEST_INSTANTS; do
    step "clock-moving tests at LLTP_TEST_NOW=$instant (${#clock_tests[@]} files)"
    fresh_broker_at "$instant"
    LLTP_TEST_NOW=$instant LLTP_STOP_STACK_TESTS=1 $JEST --selectProjects integration --runInBand --forceExit \
      --json --outputFile="$RESULTS/instant-$(echo "$instant" | tr -c '[:alnum:]\n' '-').json" "${clock_tests[@]}"
  done
fi

# 5. The fault suite: kill -9 of the broker, the database, SMTP and the workers in turn under a
#    bounded load (its own broker: it resets the broker's data first). Prints faults.* figures.
step "fault suite (kill -9 of each component under load)"
unset LLTP_TEST_CLOCK_ANCHOR
$JEST --selectProjects faults --runInBand --forceExit --json --outputFile="$RESULTS/faults.json"

step "summary"
node tools/test-summary.cjs "$RESULTS"/*.json
