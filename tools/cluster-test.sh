#!/usr/bin/env bash
# npm run test:cluster: the cluster fault suite (test/cluster) on a stack of its own, never the
# usual one: three Zeebe brokers (LLTP_ZEEBE_BROKERS=3) and the Patroni pair behind HAProxy
# (LLTP_PG_HA=1), every port moved by LLTP_CLUSTER_PORT_OFFSET (default 6000: PostgreSQL through
# HAProxy on 11432, the Zeebe gateway on 32500, Mailpit on 7025) and its run folder
# LLTP_CLUSTER_RUN_DIR (default .cache/run-cluster). The stack starts at the suite's instant
# (LLTP_TEST_NOW, as the integration suite) and is stopped afterwards unless
# LLTP_CLUSTER_KEEP_STACK=1. Extra arguments go to jest.
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export LLTP_CACHE_DIR=${LLTP_CACHE_DIR:-$REPO/.cache}
offset=${LLTP_CLUSTER_PORT_OFFSET:-6000}
export LLTP_PORT_OFFSET=$offset
export LLTP_RUN_DIR=${LLTP_CLUSTER_RUN_DIR:-$REPO/.cache/run-cluster}
export LLTP_ZEEBE_BROKERS=3 LLTP_PG_HA=1
export DATABASE_URL=postgresql://lltp@127.0.0.1:$((5432 + offset))/lltp
export ZEEBE_GRPC_ADDRESS=grpc://127.0.0.1:$((26500 + offset))
export ZEEBE_MANAGEMENT_URL=http://127.0.0.1:$((9600 + offset))
export SMTP_URL=smtp://127.0.0.1:$((1025 + offset))
export MAILPIT_API_URL=http://127.0.0.1:$((8025 + offset))

# the brokers start at the suite's instant (libfaketime), as tools/test.sh does for the integration suite
instant=${LLTP_TEST_NOW:-$(sed -n "s/^export const DEFAULT_TEST_NOW = '\(.*\)';$/\1/p" "$REPO/test/support/clock.ts")}
anchor=$(node -e 'console.log(Date.now())')
export LLTP_TEST_CLOCK_ANCHOR=$anchor
clock_offset=$(node -e 'console.log(Date.parse(process.argv[1]) - Number(process.argv[2]))' "$instant" "$anchor")

started=$SECONDS
LLTP_ZEEBE_CLOCK_OFFSET_MS=$clock_offset bash "$REPO/tools/stack/stack.sh" up || exit 1
echo "cluster-test: stack up in $((SECONDS - started)) s" >&2
(cd "$REPO" && node node_modules/jest/bin/jest.js --selectProjects cluster --runInBand --forceExit "$@")
rc=$?
echo "cluster-test: $((SECONDS - started)) s in all" >&2
[ "${LLTP_CLUSTER_KEEP_STACK:-0}" = 1 ] || bash "$REPO/tools/stack/stack.sh" down
exit $rc
