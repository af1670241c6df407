#!/usr/bin/env bash
# The local stack of lltp-flow, without Docker: a Zeebe 8.5 broker (from Maven Central),
# PostgreSQL (Debian's package, a private cluster in the run folder) and Mailpit (SMTP sink),
# on loopback.
#
#   tools/stack/stack.sh install   download and build what is missing (cached)
#   tools/stack/stack.sh up        install, then start what is not running; wait until healthy
#   tools/stack/stack.sh status    one line per component; exit 1 when one is down
#   tools/stack/stack.sh down      stop every component started from this checkout
#   tools/stack/stack.sh restart   down, then up
#   tools/stack/stack.sh stop <zeebe|postgres|mailpit>   stop one component (tests use it)
#   tools/stack/stack.sh kill <zeebe|postgres|mailpit>   kill -9 one component, as a crash would (the fault suite)
#   tools/stack/stack.sh reset-zeebe   stop the broker, DELETE its data (every deployment and instance), start it (the fault suite)
#
# LLTP_ZEEBE_CLOCK_OFFSET_MS (tests only): the broker starts with its system clock this many
# milliseconds from the real time (libfaketime, Debian's `faketime` package, installed when
# needed). The test suites use it to run the broker at their chosen instant when that instant
# lies in the past: moving the controlled clock back stalls the engine's job-timeout checker
# until real time catches up, while a broker started in the past runs normally.
#
# Downloads and builds go to $LLTP_CACHE_DIR (default: <repo>/.cache, git-ignored): Maven
# repository, Go module and build caches, the Zeebe distribution, the built binaries.
# PostgreSQL comes from Debian (`apt-get install postgresql-15` when it is missing; root only).
# Run state (data, logs, pid files) goes to <repo>/.cache/run of this checkout.
#
# LLTP_ZEEBE_BROKERS=3: a Zeebe cluster instead of the one broker: three brokers of the same
# distribution (cluster size 3, replication factor 3, 3 partitions; heap 768 MB each), a standalone
# gateway (heap 256 MB) on the usual gRPC and REST ports, so that any one broker may die, and the
# usual management port served by tools/stack/zeebe-mgmt.cjs (the controlled clock moved on every
# broker). `up` records the count
# in the run folder: `status`, `down`, `stop`, `kill`, `reset-zeebe` follow it without the
# variable; `up` with another count replaces the running topology. `stop|kill|start zeebe` act on
# the whole cluster, `kill zeebe-1` (or zeebe-0, zeebe-2, zeebe-gateway) on one of its processes.
#
# LLTP_PG_HA=1: PostgreSQL as a Patroni pair (pg-0, pg-1: one primary, one synchronous standby)
# with etcd, behind HAProxy on DATABASE_URL's port (tools/stack/pg-ha.sh). Recorded in the run
# folder like the broker count; `kill postgres` kills the primary node, `kill|stop|start pg-0`
# (pg-1, etcd, haproxy) one process.
#
# LLTP_PORT_OFFSET (default 0): added to every fixed port (Zeebe, Mailpit) to run a second stack
# beside the first, with its own LLTP_RUN_DIR and a DATABASE_URL on another port.
#
# PostgreSQL listens on the port of $DATABASE_URL (default postgresql://lltp@127.0.0.1:5432/lltp):
# when another server holds 5432, set DATABASE_URL with another port for the stack and the app.
#
# The restore drill's stacks (tools/drill/restore.ts) use LLTP_PORT_OFFSET (Zeebe's 26500-26502,
# 9600 and 8089, Mailpit's 1025 and 8025) and LLTP_PG_OPTIONS, more `-c name=value` settings for
# their PostgreSQL (WAL archiving, recovery).
set -euo pipefail
# The daemons started here must not inherit the caller's descriptors beyond stdin/out/err (a lock
# taken with flock(1), a CI runner's pipes): a broker or PostgreSQL would hold them as long as it lives.
for fd in /proc/$$/fd/*; do
  fd=${fd##*/}
  case $fd in 0 | 1 | 2 | 255) ;; *) eval "exec $fd>&-" 2>/dev/null || true ;; esac
done

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${LLTP_CACHE_DIR:-$REPO/.cache}
RUN=${LLTP_RUN_DIR:-$REPO/.cache/run}
LOGS=$RUN/logs
BIN=$CACHE/bin

ZEEBE_VERSION=${LLTP_ZEEBE_VERSION:-8.5.8}
MAILPIT_VERSION=v1.28.0 # keep equal to tools/stack/mailpit/go.mod
ZEEBE_HOME=$CACHE/zeebe/camunda-zeebe-$ZEEBE_VERSION

PORT_OFFSET=${LLTP_PORT_OFFSET:-0}
[[ $PORT_OFFSET =~ ^[0-9]+$ ]] || { echo "stack: ERROR: LLTP_PORT_OFFSET must be a whole number, not '$PORT_OFFSET'" >&2; exit 1; }
ZEEBE_GRPC_PORT=$((26500 + PORT_OFFSET))
ZEEBE_COMMAND_PORT=$((26501 + PORT_OFFSET))
ZEEBE_INTERNAL_PORT=$((26502 + PORT_OFFSET))
ZEEBE_MGMT_PORT=$((9600 + PORT_OFFSET))
ZEEBE_REST_PORT=$((8089 + PORT_OFFSET)) # moved off 8080
DATABASE_URL=${DATABASE_URL:-postgresql://lltp@127.0.0.1:5432/lltp}
PG_PORT=$(printf '%s' "$DATABASE_URL" | sed -n 's#^postgres\(ql\)\{0,1\}://[^/]*:\([0-9][0-9]*\)/.*#\2#p')
PG_PORT=${PG_PORT:-5432}
PG_USER=lltp
PG_DB=$(printf '%s' "$DATABASE_URL" | sed -n 's#^[^/]*//[^/]*/\([^?]*\).*#\1#p')
PG_DB=${PG_DB:-lltp}
SMTP_PORT=$((1025 + PORT_OFFSET))
MAILPIT_HTTP_PORT=$((8025 + PORT_OFFSET))

export GOMODCACHE=$CACHE/go/mod GOCACHE=$CACHE/go/build GOFLAGS=-modcacherw GOTELEMETRY=off

say() { printf 'stack: %s\n' "$*" >&2; }
die() { printf 'stack: ERROR: %s\n' "$*" >&2; exit 1; }

# --- toolchains ---------------------------------------------------------------------------

java_major() { "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1; }

# A JDK 21+ for Zeebe 8.5: $LLTP_JAVA_HOME, $JAVA_HOME, the default java, then /usr/lib/jvm/*.
find_java21() {
  local candidates=() c major
  [ -n "${LLTP_JAVA_HOME:-}" ] && candidates+=("$LLTP_JAVA_HOME")
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"); fi
  for c in /usr/lib/jvm/*; do candidates+=("$c"); done
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] || continue
    major=$(java_major "$c/bin/java")
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then echo "$c"; return 0; fi
  done
  return 1
}

need() { command -v "$1" >/dev/null 2>&1 || die "$1 is missing: $2"; }

# --- install -------------------------------------------------------------------------------

install_zeebe() {
  [ -x "$ZEEBE_HOME/bin/broker" ] && return 0
  need mvn "install Maven (apt-get install -y maven) to fetch Zeebe $ZEEBE_VERSION from Maven Central"
  say "downloading Zeebe $ZEEBE_VERSION from Maven Central (about 210 MB, once)"
  mkdir -p "$CACHE/zeebe" "$LOGS"
  mvn -B -q -Dmaven.repo.local="$CACHE/m2" \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
    -Dartifact="io.camunda:camunda-zeebe:$ZEEBE_VERSION:tar.gz" \
    -DoutputDirectory="$CACHE/zeebe" >"$LOGS/install-zeebe.log" 2>&1 ||
    die "Maven could not fetch io.camunda:camunda-zeebe:$ZEEBE_VERSION:tar.gz (see $LOGS/install-zeebe.log)"
  local tmp=$CACHE/zeebe/.unpack-$$
  rm -rf "$tmp" && mkdir -p "$tmp"
  tar -xzf "$CACHE/zeebe/camunda-zeebe-$ZEEBE_VERSION.tar.gz" -C "$tmp"
  local top
  top=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -n 1)
  rm -rf "$ZEEBE_HOME" && mv "$top" "$ZEEBE_HOME" && rm -rf "$tmp" "$CACHE/zeebe/camunda-zeebe-$ZEEBE_VERSION.tar.gz"
}

# Go binaries are rebuilt when their go.mod/go.sum/sources change (stamp = content hash).
go_stamp() { cat "$REPO/tools/stack/$1"/go.* "$REPO/tools/stack/$1"/*.go | sha256sum | cut -c1-16; }

install_go_tool() { # name, build-args...
  local name=$1; shift
  local stamp
  stamp=$(go_stamp "$name" 2>/dev/null || echo none)
  if [ -x "$BIN/$name" ] && [ "$(cat "$BIN/$name.stamp" 2>/dev/null)" = "$stamp" ]; then return 0; fi
  need go "install Go 1.24+ (the Go module proxy must be reachable) to build $name"
  say "building $name with Go (once; a few minutes on 2 cores)"
  mkdir -p "$BIN" "$LOGS"
  (cd "$REPO/tools/stack/$name" && go build -trimpath -o "$BIN/$name.tmp" "$@") >"$LOGS/install-$name.log" 2>&1 ||
    die "could not build $name (see $LOGS/install-$name.log)"
  mv "$BIN/$name.tmp" "$BIN/$name" && echo "$stamp" >"$BIN/$name.stamp"
}

# PostgreSQL 15 or later from Debian's packages: the newest /usr/lib/postgresql/<major>/bin.
pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n | tail -n 1)
  [ -n "$dir" ] && [ -x "$dir/pg_ctl" ] && [ "$(basename "$(dirname "$dir")")" -ge 15 ] && echo "$dir"
}

install_postgres() {
  pg_bin >/dev/null && return 0
  [ "$(id -u)" = 0 ] || die "PostgreSQL 15+ is missing: install it as root (apt-get update && apt-get install -y postgresql-15)"
  need apt-get "install PostgreSQL 15 or later (Debian's postgresql-15 package)"
  say "installing PostgreSQL from Debian's packages (apt-get install postgresql-15, once)"
  mkdir -p "$LOGS"
  { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql-15; } >"$LOGS/install-postgres.log" 2>&1 ||
    die "apt-get could not install postgresql-15 (see $LOGS/install-postgres.log)"
  pg_bin >/dev/null || die "postgresql-15 installed but no pg_ctl under /usr/lib/postgresql/*/bin"
}

# libfaketime for a broker started at another instant (LLTP_ZEEBE_CLOCK_OFFSET_MS).
FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1

install_faketime() {
  [ -f "$FAKETIME_LIB" ] && return 0
  [ "$(id -u)" = 0 ] || die "libfaketime is missing: install it as root (apt-get update && apt-get install -y faketime)"
  need apt-get "install libfaketime (Debian's faketime package)"
  say "installing libfaketime from Debian's packages (apt-get install faketime, once)"
  mkdir -p "$LOGS"
  { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends faketime; } >"$LOGS/install-faketime.log" 2>&1 ||
    die "apt-get could not install faketime (see $LOGS/install-faketime.log)"
  [ -f "$FAKETIME_LIB" ] || die "faketime installed but $FAKETIME_LIB is missing"
}

# The broker's clock offset: a whole number of milliseconds, 0 when unset.
zeebe_clock_offset_ms() {
  local offset=${LLTP_ZEEBE_CLOCK_OFFSET_MS:-0}
  [[ $offset =~ ^-?[0-9]+$ ]] || die "LLTP_ZEEBE_CLOCK_OFFSET_MS must be a whole number of milliseconds, not '$offset'"
  echo "$offset"
}

cmd_install() {
  install_faketime
  install_zeebe
  install_postgres
  if pg_ha; then install_pg_ha; fi
  install_go_tool mailpit github.com/axllent/mailpit
}

# --- health --------------------------------------------------------------------------------

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

healthy() {
  if [ "$1" = zeebe ] && cluster; then cluster_healthy; return; fi
  case $1 in
    etcd | pg-[0-9] | haproxy) ha_healthy "$1" ;;
    zeebe-gateway) curl -fsS -m 2 "http://127.0.0.1:$GATEWAY_MGMT_PORT/actuator/health" >/dev/null 2>&1 && port_open "$ZEEBE_GRPC_PORT" ;;
    zeebe-mgmt) curl -fsS -m 2 "http://127.0.0.1:$ZEEBE_MGMT_PORT/actuator/health" >/dev/null 2>&1 ;;
    zeebe-[0-9]) curl -fsS -m 2 "http://127.0.0.1:$(broker_mgmt_port "${1#zeebe-}")/actuator/health" >/dev/null 2>&1 ;;
    zeebe) curl -fsS -m 2 "http://127.0.0.1:$ZEEBE_MGMT_PORT/actuator/health" >/dev/null 2>&1 && port_open "$ZEEBE_GRPC_PORT" ;; # overall health: the gateway ready and every partition recovered
    postgres) port_open "$PG_PORT" && "$(pg_bin)/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -d "$PG_DB" -U "$PG_USER" >/dev/null 2>&1 ;;
    mailpit) curl -fsS -m 2 "http://127.0.0.1:$MAILPIT_HTTP_PORT/api/v1/info" >/dev/null 2>&1 && port_open "$SMTP_PORT" ;;
  esac
}

pid_of() {
  local f=$RUN/$1.pid
  [ "$1" = postgres ] && f=$(pg_data)/postmaster.pid
  [ "$1" = postgres ] && pg_ha && f=$RUN/haproxy.pid
  [ "$1" = zeebe ] && cluster && f=$RUN/zeebe-gateway.pid
  [ -f "$f" ] && kill -0 "$(head -n 1 "$f")" 2>/dev/null && head -n 1 "$f"
}

rss_mb() { # resident memory of a process group in MB; PostgreSQL: the proportional set size of the postmaster and its backends (shared buffers counted once)
  if [ "${2:-}" = postgres ]; then
    local p
    for p in "$1" $(ps -o pid= --ppid "$1" 2>/dev/null); do sed -n 's/^Pss: *\([0-9]*\) kB/\1/p' "/proc/$p/smaps_rollup" 2>/dev/null; done
  else
    ps -o rss= -g "$1" 2>/dev/null
  fi | awk '{s+=$1} END {printf "%.0f", s/1024}'
}

wait_healthy() { # name, timeout seconds
  local name=$1 deadline=$((SECONDS + $2))
  until healthy "$name"; do
    if [ "$name" = zeebe ] && cluster; then
      local i
      for i in $(seq 0 $((ZEEBE_BROKERS - 1))); do
        pid_of "zeebe-$i" >/dev/null || die "zeebe-$i exited during start-up; last lines of $LOGS/zeebe-$i.log:
$(tail -n 15 "$LOGS/zeebe-$i.log" 2>/dev/null)"
      done
    fi
    if ! pid_of "$name" >/dev/null; then die "$name exited during start-up; last lines of $LOGS/$name.log:
$(tail -n 15 "$LOGS/$name.log" 2>/dev/null)"; fi
    [ $SECONDS -ge $deadline ] && die "$name not healthy after $2 s (see $LOGS/$name.log)"
    sleep 1
  done
}

# --- start / stop --------------------------------------------------------------------------

# Logs are appended, never truncated, and rotated by size (LLTP_LOG_MAX_SIZE, default 10M;
# LLTP_LOG_FILES rotated files kept, default 5) by tools/stack/log-pipe.cjs (rotating-file-stream).
LOG_PIPE=$REPO/tools/stack/log-pipe.cjs

launch() { # name, command...: its own session (process group), output to its rotated log
  local name=$1; shift
  mkdir -p "$LOGS"
  if [ -d "$REPO/node_modules/rotating-file-stream" ] && command -v node >/dev/null 2>&1; then
    setsid nohup bash -c 'log=$1; pipe=$2; shift 2; "$@" 2>&1 | node "$pipe" "$log"' launch "$LOGS/$name.log" "$LOG_PIPE" "$@" </dev/null >/dev/null 2>&1 &
  else
    # before `npm install`: append without rotation
    setsid nohup "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  fi
  echo $! >"$RUN/$name.pid"
}

# A log written by a program that keeps its own file open (PostgreSQL's `pg_ctl -l`): rotated by
# size when the program starts, with the same names and limits.
rotate_at_start() { # file
  local file=$1 max files i
  max=$(numfmt --from=iec "${LLTP_LOG_MAX_SIZE:-10M}" 2>/dev/null || echo 10485760)
  files=${LLTP_LOG_FILES:-5}
  [ -f "$file" ] && [ "$(stat -c %s "$file")" -ge "$max" ] || return 0
  for i in $(seq "$((files - 1))" -1 1); do [ -f "$file.$i" ] && mv -f "$file.$i" "$file.$((i + 1))"; done
  mv -f "$file" "$file.1"
}

# The libfaketime environment of a broker at LLTP_ZEEBE_CLOCK_OFFSET_MS, as `env` arguments; nothing
# at offset 0. A relative offset in seconds: the clock runs at the real pace from the shifted
# instant; the monotonic clock is left alone (the JVM's timers and GC rely on it). Without
# FAKETIME_FORCE_MONOTONIC_FIX=0 every timed wait of the JVM takes libfaketime's slow path:
# measured, the broker took 31-34 s to start instead of 5.5 s (user 40 s + system 19 s of CPU
# instead of 9 s) and recovered from a kill -9 too slowly for the fault suite.
broker_faketime() { # offset (ms)
  local offset=$1
  [ "$offset" != 0 ] || return 0
  echo env LD_PRELOAD="$FAKETIME_LIB" FAKETIME="$(awk -v ms="$offset" 'BEGIN { printf "%+.3f", ms / 1000 }')" FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME_DONT_RESET=1 FAKETIME_FORCE_MONOTONIC_FIX=0
}

# Starts a broker with the settings every broker shares, the one broker's or a cluster's; its own
# (ports, gateway, cluster) come as VAR=value arguments.
launch_broker() { # name, data directory, REST port, management port, VAR=value...
  local name=$1 data=$2 rest_port=$3 mgmt_port=$4 java_home offset faketime
  shift 4
  java_home=$(find_java21) || die "no JDK 21+ found (Zeebe $ZEEBE_VERSION needs Java 21): install one (e.g. Temurin 21 under /usr/lib/jvm) or set LLTP_JAVA_HOME; to run Zeebe 8.3 on Java 17 instead, set LLTP_ZEEBE_VERSION=8.3.x"
  offset=$(zeebe_clock_offset_ms)
  [ "$offset" = 0 ] || install_faketime
  read -r -a faketime <<<"$(broker_faketime "$offset")"
  mkdir -p "$data"
  launch "$name" env \
    JAVA_HOME="$java_home" \
    JAVA_OPTS="-Xms128m -Xmx768m -XX:+UseSerialGC -XX:MaxDirectMemorySize=256m" \
    ZEEBE_BROKER_NETWORK_HOST=127.0.0.1 \
    ZEEBE_BROKER_THREADS_CPUTHREADCOUNT=2 \
    ZEEBE_BROKER_THREADS_IOTHREADCOUNT=2 \
    ZEEBE_BROKER_DATA_DIRECTORY="$data" \
    ZEEBE_BROKER_DATA_DISK_FREESPACE_PROCESSING=256MB \
    ZEEBE_BROKER_DATA_DISK_FREESPACE_REPLICATION=128MB \
    ZEEBE_BROKER_DATA_SNAPSHOTPERIOD=5m \
    ZEEBE_CLOCK_CONTROLLED="${LLTP_ZEEBE_CLOCK_CONTROLLED:-true}" \
    SERVER_ADDRESS=127.0.0.1 SERVER_PORT="$rest_port" \
    MANAGEMENT_SERVER_ADDRESS=127.0.0.1 MANAGEMENT_SERVER_PORT="$mgmt_port" \
    "$@" "${faketime[@]}" "$ZEEBE_HOME/bin/broker"
}

start_zeebe() {
  local offset
  offset=$(zeebe_clock_offset_ms)
  [ "$offset" = 0 ] || say "zeebe's clock runs ${offset} ms from the real time (libfaketime)"
  echo "$offset" >"$RUN/zeebe.clock-offset-ms"
  launch_broker zeebe "$RUN/zeebe-data" "$ZEEBE_REST_PORT" "$ZEEBE_MGMT_PORT" \
    ZEEBE_BROKER_NETWORK_COMMANDAPI_PORT="$ZEEBE_COMMAND_PORT" \
    ZEEBE_BROKER_NETWORK_INTERNALAPI_PORT="$ZEEBE_INTERNAL_PORT" \
    ZEEBE_BROKER_GATEWAY_ENABLE=true \
    ZEEBE_BROKER_GATEWAY_NETWORK_HOST=127.0.0.1 \
    ZEEBE_BROKER_GATEWAY_NETWORK_PORT="$ZEEBE_GRPC_PORT" \
    ZEEBE_BROKER_CLUSTER_PARTITIONSCOUNT=1 \
    ZEEBE_BROKER_CLUSTER_REPLICATIONFACTOR=1 \
    ZEEBE_BROKER_CLUSTER_CLUSTERSIZE=1
}

# --- Zeebe cluster (LLTP_ZEEBE_BROKERS) ----------------------------------------------------

# Brokers asked for: `up` and `restart` start LLTP_ZEEBE_BROKERS (default 1); every other command
# follows the count the last start recorded, unless LLTP_ZEEBE_BROKERS says otherwise.
ZEEBE_BROKERS_RECORDED=$(cat "$RUN/zeebe.brokers" 2>/dev/null || echo 1)
case ${1:-} in
  up | restart) ZEEBE_BROKERS=${LLTP_ZEEBE_BROKERS:-1} ;;
  *) ZEEBE_BROKERS=${LLTP_ZEEBE_BROKERS:-$ZEEBE_BROKERS_RECORDED} ;;
esac
[[ $ZEEBE_BROKERS =~ ^[1-9]$ ]] || die "LLTP_ZEEBE_BROKERS must be a number of brokers from 1 to 9, not '$ZEEBE_BROKERS'"
ZEEBE_REPLICATION=$((ZEEBE_BROKERS < 3 ? ZEEBE_BROKERS : 3))

cluster() { [ "$ZEEBE_BROKERS" -gt 1 ]; }

# --- PostgreSQL in high availability (LLTP_PG_HA=1, tools/stack/pg-ha.sh) ------------------

# Like the broker count: `up` and `restart` start the mode asked for (LLTP_PG_HA, default 0);
# every other command follows the mode the last start recorded in the run folder.
PG_HA_RECORDED=$(cat "$RUN/postgres.ha" 2>/dev/null || echo 0)
case ${1:-} in
  up | restart) PG_HA=${LLTP_PG_HA:-0} ;;
  *) PG_HA=${LLTP_PG_HA:-$PG_HA_RECORDED} ;;
esac
[[ $PG_HA =~ ^[01]$ ]] || die "LLTP_PG_HA must be 1 (Patroni pair behind HAProxy) or 0 (one PostgreSQL), not '$PG_HA'"
pg_ha() { [ "$PG_HA" = 1 ]; }
# shellcheck source=tools/stack/pg-ha.sh
source "$REPO/tools/stack/pg-ha.sh"

# Broker i: command API 26501+10i, internal (cluster) API 26502+10i, management 9610+i, REST
# 8099+10i (plus LLTP_PORT_OFFSET). The gateway: gRPC 26500 and REST 8089 as the one broker's,
# cluster 26592, management 9609; 9600 is zeebe-mgmt.cjs.
broker_command_port() { echo $((26501 + PORT_OFFSET + 10 * $1)); }
broker_internal_port() { echo $((26502 + PORT_OFFSET + 10 * $1)); }
broker_mgmt_port() { echo $((9610 + PORT_OFFSET + $1)); }
broker_rest_port() { echo $((8099 + PORT_OFFSET + 10 * $1)); }
GATEWAY_CLUSTER_PORT=$((26592 + PORT_OFFSET))
GATEWAY_MGMT_PORT=$((9609 + PORT_OFFSET))

cluster_contacts() { local j c=""; for j in $(seq 0 $((ZEEBE_BROKERS - 1))); do c+="${c:+,}127.0.0.1:$(broker_internal_port "$j")"; done; echo "$c"; }

start_broker() { # index
  local i=$1
  launch_broker "zeebe-$i" "$RUN/zeebe-data-$i" "$(broker_rest_port "$i")" "$(broker_mgmt_port "$i")" \
    ZEEBE_BROKER_NETWORK_COMMANDAPI_PORT="$(broker_command_port "$i")" \
    ZEEBE_BROKER_NETWORK_INTERNALAPI_PORT="$(broker_internal_port "$i")" \
    ZEEBE_BROKER_GATEWAY_ENABLE=false \
    ZEEBE_BROKER_CLUSTER_CLUSTERNAME="lltp-flow-$PORT_OFFSET" \
    ZEEBE_BROKER_CLUSTER_NODEID="$i" \
    ZEEBE_BROKER_CLUSTER_INITIALCONTACTPOINTS="$(cluster_contacts)" \
    ZEEBE_BROKER_CLUSTER_PARTITIONSCOUNT="$ZEEBE_BROKERS" \
    ZEEBE_BROKER_CLUSTER_REPLICATIONFACTOR="$ZEEBE_REPLICATION" \
    ZEEBE_BROKER_CLUSTER_CLUSTERSIZE="$ZEEBE_BROKERS"
}

start_gateway() {
  local java_home
  java_home=$(find_java21) || die "no JDK 21+ found (Zeebe $ZEEBE_VERSION needs Java 21): install one or set LLTP_JAVA_HOME"
  JAVA_HOME=$java_home \
    JAVA_OPTS="-Xms64m -Xmx256m -XX:+UseSerialGC -XX:MaxDirectMemorySize=128m" \
    ZEEBE_GATEWAY_NETWORK_HOST=127.0.0.1 \
    ZEEBE_GATEWAY_NETWORK_PORT=$ZEEBE_GRPC_PORT \
    ZEEBE_GATEWAY_CLUSTER_CLUSTERNAME="lltp-flow-$PORT_OFFSET" \
    ZEEBE_GATEWAY_CLUSTER_MEMBERID=gateway \
    ZEEBE_GATEWAY_CLUSTER_HOST=127.0.0.1 \
    ZEEBE_GATEWAY_CLUSTER_PORT=$GATEWAY_CLUSTER_PORT \
    ZEEBE_GATEWAY_CLUSTER_INITIALCONTACTPOINTS="$(cluster_contacts)" \
    ZEEBE_GATEWAY_THREADS_MANAGEMENTTHREADS=1 \
    SERVER_ADDRESS=127.0.0.1 SERVER_PORT=$ZEEBE_REST_PORT \
    MANAGEMENT_SERVER_ADDRESS=127.0.0.1 MANAGEMENT_SERVER_PORT=$GATEWAY_MGMT_PORT \
    launch zeebe-gateway "$ZEEBE_HOME/bin/gateway"
}

start_zeebe_cluster() {
  local i ports=()
  mkdir -p "$RUN"
  echo "$ZEEBE_BROKERS" >"$RUN/zeebe.brokers"
  zeebe_clock_offset_ms >"$RUN/zeebe.clock-offset-ms"
  [ "$(zeebe_clock_offset_ms)" = 0 ] || say "the brokers' clocks run $(zeebe_clock_offset_ms) ms from the real time (libfaketime)"
  say "starting a Zeebe cluster: $ZEEBE_BROKERS brokers, $ZEEBE_BROKERS partitions, replication factor $ZEEBE_REPLICATION, a standalone gateway"
  for i in $(seq 0 $((ZEEBE_BROKERS - 1))); do
    pid_of "zeebe-$i" >/dev/null || start_broker "$i"
    ports+=("$(broker_mgmt_port "$i")")
  done
  pid_of zeebe-gateway >/dev/null || start_gateway
  pid_of zeebe-mgmt >/dev/null || launch zeebe-mgmt node "$REPO/tools/stack/zeebe-mgmt.cjs" "$ZEEBE_MGMT_PORT" "$GATEWAY_MGMT_PORT" "${ports[@]}"
}

broker_roles() { # index: "<partition> <role>" for each partition the broker holds
  curl -fsS -m 2 "http://127.0.0.1:$(broker_mgmt_port "$1")/actuator/partitions" 2>/dev/null |
    node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => { try { for (const [p, v] of Object.entries(JSON.parse(s))) console.log(p, String(v.role).toLowerCase()); } catch {} });' 2>/dev/null
}

cluster_leaders() { # "<partition> zeebe-<i>" for each partition with a leader
  local i
  for i in $(seq 0 $((ZEEBE_BROKERS - 1))); do
    broker_roles "$i" | awk -v b="zeebe-$i" '$2 == "leader" { print $1, b }'
  done | sort -n -u -k1,1
}

# Healthy: the gateway, zeebe-mgmt, every broker's health, a leader for every partition.
cluster_healthy() {
  local i
  healthy zeebe-gateway && healthy zeebe-mgmt || return 1
  for i in $(seq 0 $((ZEEBE_BROKERS - 1))); do healthy "zeebe-$i" || return 1; done
  [ "$(cluster_leaders | wc -l)" -eq "$ZEEBE_BROKERS" ]
}

cluster_status() { # one line per broker and for zeebe-mgmt; 1 when one is down
  local i pid state bad=0 roles
  for i in $(seq 0 $((ZEEBE_BROKERS - 1))); do
    pid=$(pid_of "zeebe-$i" || true)
    if healthy "zeebe-$i"; then state=healthy; else state=down; bad=1; fi
    roles=$(broker_roles "$i" | awk '{ printf "%s%s:%s", (NR > 1 ? " " : ""), $1, $2 }')
    printf '  %-13s %-8s port %-6s pid %-8s rss %s MB  partitions %s\n' "zeebe-$i" "$state" "$(broker_command_port "$i")" "${pid:--}" "$([ -n "$pid" ] && rss_mb "$pid" || echo -)" "${roles:--}"
  done
  pid=$(pid_of zeebe-gateway || true)
  if healthy zeebe-gateway; then state=healthy; else state=down; bad=1; fi
  printf '  %-13s %-8s port %-6s pid %-8s rss %s MB  (the address of the app and the tools)\n' zeebe-gateway "$state" "$ZEEBE_GRPC_PORT" "${pid:--}" "$([ -n "$pid" ] && rss_mb "$pid" || echo -)"
  pid=$(pid_of zeebe-mgmt || true)
  if healthy zeebe-mgmt; then state=healthy; else state=down; bad=1; fi
  printf '  %-13s %-8s port %-6s pid %-8s rss %s MB  (the management address: the clock moved on every broker)\n' zeebe-mgmt "$state" "$ZEEBE_MGMT_PORT" "${pid:--}" "$([ -n "$pid" ] && rss_mb "$pid" || echo -)"
  printf '  cluster size %s, replication factor %s, leaders: %s\n' "$ZEEBE_BROKERS" "$ZEEBE_REPLICATION" \
    "$(cluster_leaders | awk '{ printf "%spartition %s %s", (NR > 1 ? ", " : ""), $1, $2 }')"
  return $bad
}

# PostgreSQL refuses to run as root: as root the cluster belongs to Debian's `postgres` user.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# A folder of the `postgres` user: <run>/<name>, or, when that user cannot reach the run folder
# (a checkout under /root), a folder of this checkout's own under /var/tmp, linked from
# <run>/<name>. The cluster's is postgres-data; the HA pair's (LLTP_PG_HA=1) postgres-ha.
postgres_folder() { # name: prints the folder, made when missing
  local link=$RUN/$1
  if [ -L "$link" ]; then readlink "$link"; return 0; fi
  mkdir -p "$RUN"
  if [ "$(id -u)" = 0 ] && [ -z "$(ls -A "$link" 2>/dev/null)" ]; then # missing or empty: made the postgres user's
    mkdir -p "$link" && chown postgres:postgres "$link" && chmod 700 "$link"
    if ! runuser -u postgres -- test -w "$link"; then
      rmdir "$link"
      local elsewhere=/var/tmp/lltp-flow-${1%-data}-$(printf '%s' "$RUN" | sha256sum | cut -c1-12)
      mkdir -p "$elsewhere" && chown postgres:postgres "$elsewhere" && chmod 700 "$elsewhere"
      ln -sfn "$elsewhere" "$link"
      say "the postgres user cannot reach $RUN: $1 lives in $elsewhere (linked from $link)"
      echo "$elsewhere"
      return 0
    fi
  fi
  mkdir -p "$link"
  echo "$link"
}

pg_data() {
  local link=$RUN/postgres-data
  if [ -L "$link" ]; then readlink "$link"; else echo "$link"; fi
}

start_postgres() {
  local bin data
  bin=$(pg_bin) || die "PostgreSQL 15+ is not installed (run: bash tools/stack/stack.sh install)"
  data=$(postgres_folder postgres-data)
  mkdir -p "$LOGS"
  if [ ! -f "$data/PG_VERSION" ]; then
    say "creating the PostgreSQL cluster in $data (initdb, user $PG_USER)"
    as_pg "$bin/initdb" -D "$data" --auth=trust -U "$PG_USER" -E UTF8 --locale=C >"$LOGS/postgres-initdb.log" 2>&1 ||
      die "initdb failed (see $LOGS/postgres-initdb.log)"
  fi
  rotate_at_start "$LOGS/postgres.log"
  touch "$LOGS/postgres.log" && { [ "$(id -u)" != 0 ] || chown postgres "$LOGS/postgres.log"; }
  as_pg "$bin/pg_ctl" -D "$data" -l "$LOGS/postgres.log" -w -t 60 \
    -o "-p $PG_PORT -k $data -c listen_addresses=127.0.0.1 -c shared_buffers=256MB -c max_connections=200 -c unix_socket_permissions=0700 -c shared_preload_libraries=pg_stat_statements ${LLTP_PG_OPTIONS:-}" \
    start >/dev/null || die "PostgreSQL did not start (see $LOGS/postgres.log)"
  local exists
  exists=$("$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres -Atqc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")
  [ "$exists" = 1 ] || "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" "$PG_DB" || die "could not create database $PG_DB"
}

start_mailpit() {
  mkdir -p "$RUN/mailpit-data"
  MP_DISABLE_VERSION_CHECK=true launch mailpit "$BIN/mailpit" \
    --smtp "127.0.0.1:$SMTP_PORT" --listen "127.0.0.1:$MAILPIT_HTTP_PORT" \
    --database "$RUN/mailpit-data/mailpit.db" --max 5000 \
    --smtp-auth-accept-any --smtp-auth-allow-insecure --disable-version-check
}

port_of() { case $1 in zeebe) echo $ZEEBE_GRPC_PORT ;; postgres) echo "$PG_PORT" ;; mailpit) echo $SMTP_PORT ;; esac; }

start_one() { # name, timeout
  local name=$1
  if [[ $name == zeebe-[0-9] || $name == zeebe-gateway ]]; then # one process of the cluster
    healthy "$name" && { say "$name already running"; return 0; }
    pid_of "$name" >/dev/null && stop_one "$name"
    say "starting $name"
    if [ "$name" = zeebe-gateway ]; then start_gateway; else start_broker "${name#zeebe-}"; fi
    return 0
  fi
  if [[ $name == etcd || $name == pg-[0-9] || $name == haproxy ]]; then # one process of the HA pair
    ha_healthy "$name" && { say "$name already running"; return 0; }
    pid_of "$name" >/dev/null && stop_one "$name"
    say "starting $name"
    case $name in etcd) start_etcd ;; haproxy) start_haproxy ;; *) start_ha_node "${name#pg-}" ;; esac
    return 0
  fi
  if [ "$name" = postgres ] && [ "$PG_HA" != "$PG_HA_RECORDED" ]; then
    # the other mode runs (or ran): stopped before the one asked for starts (each keeps its own data)
    (PG_HA=$PG_HA_RECORDED && stop_one postgres)
    mkdir -p "$RUN"; if pg_ha; then echo 1 >"$RUN/postgres.ha"; else rm -f "$RUN/postgres.ha"; fi
  fi
  if [ "$name" = postgres ] && pg_ha; then start_postgres_ha; return 0; fi # starts what is not running
  if [ "$name" = zeebe ] && [ "$ZEEBE_BROKERS" != "$ZEEBE_BROKERS_RECORDED" ]; then
    # another topology runs (or ran): stopped before the one asked for starts
    (ZEEBE_BROKERS=$ZEEBE_BROKERS_RECORDED && stop_one zeebe)
    if cluster; then echo "$ZEEBE_BROKERS" >"$RUN/zeebe.brokers"; else rm -f "$RUN/zeebe.brokers"; fi
  fi
  if [ "$name" = zeebe ] && healthy zeebe && [ "$(cat "$RUN/zeebe.clock-offset-ms" 2>/dev/null || echo 0)" != "$(zeebe_clock_offset_ms)" ]; then
    # a broker a test suite started at another instant: back on the clock asked for now
    say "zeebe runs $(cat "$RUN/zeebe.clock-offset-ms") ms from the real time; restarting it $(zeebe_clock_offset_ms) ms from it"
    stop_one zeebe
  fi
  if healthy "$name"; then say "$name already running"; return 0; fi
  if port_open "$(port_of "$name")" && ! pid_of "$name" >/dev/null; then
    [ "$name" = postgres ] && die "port $PG_PORT is held by another PostgreSQL (or another program) that this checkout did not start: set DATABASE_URL=postgresql://lltp@127.0.0.1:5433/lltp (any free port) for the stack and the app, or stop it (ss -ltnp | grep $PG_PORT)"
    die "port $(port_of "$name") is taken by a process this checkout did not start; stop it first (ss -ltnp | grep $(port_of "$name"))"
  fi
  # a cluster keeps the brokers that run and starts the others
  if ! { [ "$name" = zeebe ] && cluster; }; then pid_of "$name" >/dev/null && stop_one "$name"; fi
  say "starting $name"
  if [ "$name" = zeebe ] && cluster; then start_zeebe_cluster; else "start_$name"; fi
}

stop_one() {
  local name=$1 pid
  if [ "$name" = zeebe ] && cluster; then
    local part
    for part in zeebe-mgmt zeebe-gateway $(seq -f 'zeebe-%g' 0 $((ZEEBE_BROKERS - 1))); do stop_one "$part"; done
    return 0
  fi
  if [ "$name" = postgres ] && pg_ha; then stop_postgres_ha; return 0; fi
  if [[ $name == pg-[0-9] ]]; then stop_ha_node "$name"; return 0; fi
  pid=$(pid_of "$name") || { rm -f "$RUN/$name.pid"; return 0; }
  if [ "$name" = postgres ]; then
    as_pg "$(pg_bin)/pg_ctl" -D "$(pg_data)" -m fast -w -t 30 stop >/dev/null 2>&1 || kill -INT "$pid" 2>/dev/null || true
    say "stopped postgres"
    return 0
  fi
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$RUN/$name.pid"
  say "stopped $name"
}

kill_one() { # kill -9, no clean shutdown: the component's whole process group (PostgreSQL: the postmaster and its backends)
  local name=$1 pid
  if [ "$name" = zeebe ] && cluster; then # every broker and the gateway
    local i
    for i in $(seq 0 $((ZEEBE_BROKERS - 1))); do kill_one "zeebe-$i"; done
    kill_one zeebe-gateway
    return 0
  fi
  if [ "$name" = postgres ] && pg_ha; then # the primary node
    local primary
    primary=$(ha_primary) || { say "no PostgreSQL node is primary now"; return 0; }
    kill_ha_node "$primary"
    return 0
  fi
  if [[ $name == pg-[0-9] ]]; then kill_ha_node "$name"; return 0; fi
  pid=$(pid_of "$name") || { say "$name is not running"; return 0; }
  if [ "$name" = postgres ]; then
    local children
    children=$(ps -o pid= --ppid "$pid" 2>/dev/null || true)
    kill -KILL "$pid" $children 2>/dev/null || true
  else
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  say "killed $name (kill -9, pid $pid)"
}

COMPONENTS=(postgres mailpit zeebe)

cmd_up() {
  mkdir -p "$RUN" "$LOGS"
  local t0=$SECONDS
  cmd_install
  say "install step took $((SECONDS - t0)) s (0 when everything was cached)"
  local started=$SECONDS name
  for name in "${COMPONENTS[@]}"; do start_one "$name"; done
  wait_healthy postgres 60
  if pg_ha; then wait_sync_standby 120; fi
  wait_healthy mailpit 30
  wait_healthy zeebe 180
  say "all healthy in $((SECONDS - started)) s (logs in $LOGS)"
  cmd_status
}

cmd_status() {
  local name pid state bad=0
  for name in "${COMPONENTS[@]}"; do
    pid=$(pid_of "$name" || true)
    if healthy "$name"; then state=healthy; else state=down; bad=1; fi
    printf '%-9s %-8s port %-6s pid %-8s rss %s MB%s\n' "$name" "$state" "$(port_of "$name")" "${pid:--}" "$([ -n "$pid" ] && rss_mb "$pid" "$name" || echo -)" \
      "$([ "$name" = postgres ] && pg_ha && echo '  (HAProxy to the primary)')"
    if [ "$name" = zeebe ] && cluster; then cluster_status || bad=1; fi
    if [ "$name" = postgres ] && pg_ha; then ha_status || bad=1; fi
  done
  return $bad
}

cmd_down() {
  local name
  for name in zeebe mailpit postgres; do stop_one "$name"; done
}

case ${1:-} in
  install) cmd_install ;;
  up) cmd_up ;;
  status) cmd_status ;;
  down) cmd_down ;;
  restart) cmd_down; cmd_up ;;
  stop) [ -n "${2:-}" ] || die "stop needs a component: zeebe, postgres or mailpit"; stop_one "$2" ;;
  reset-zeebe)
    stop_one zeebe
    # a broker this checkout has no pid file for would go on running on deleted data ("available 0 bytes")
    port_open "$ZEEBE_GRPC_PORT" && die "port $ZEEBE_GRPC_PORT is still held after stopping zeebe (a broker this checkout did not record?): stop it first (ss -ltnp | grep $ZEEBE_GRPC_PORT)"
    rm -rf "$RUN/zeebe-data" "$RUN"/zeebe-data-[0-9]
    start_one zeebe
    wait_healthy zeebe 180
    ;;
  kill) [ -n "${2:-}" ] || die "kill needs a component: zeebe, postgres or mailpit"; kill_one "$2" ;;
  start) [ -n "${2:-}" ] || die "start needs a component: zeebe, postgres or mailpit"; start_one "$2"; wait_healthy "$2" 180 ;;
  *) echo "usage: $0 install|up|status|down|restart|stop <component>|kill <component>|start <component>" >&2; exit 2 ;;
esac
