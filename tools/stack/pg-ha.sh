# Sourced by tools/stack/stack.sh: PostgreSQL in high availability (LLTP_PG_HA=1), with existing
# tools only and no failover logic of ours. Patroni (Debian's `patroni`) runs two PostgreSQL
# nodes, pg-0 and pg-1, with etcd (Debian's `etcd-server`) as its store of the leader key:
# one primary and one synchronous standby (synchronous_mode: a commit is acknowledged once the
# standby has it, and Patroni promotes only that standby). HAProxy (Debian's `haproxy`) listens on
# DATABASE_URL's port and sends every connection to the node whose Patroni REST API answers 200 on
# /primary, so the app follows the leader without knowing the nodes; when the primary dies, HAProxy
# cuts its sessions, the app's pool opens new ones, and they reach the promoted standby.
#
# Ports (plus LLTP_PORT_OFFSET where said): HAProxy the port of DATABASE_URL; node i's PostgreSQL
# that port + 10 + i; node i's Patroni REST 8008 + i (+ offset); etcd 2379 (client) and 2380 (peer)
# (+ offset). Patroni's timing: a leader key of 12 s renewed every 2 s, so a dead primary is
# replaced within about 15 s.
#
# Uses from stack.sh: RUN, LOGS, PORT_OFFSET, PG_PORT, PG_USER, PG_DB, say, die, launch, as_pg,
# pg_bin, port_open, postgres_folder.

PG_HA_NODES=2
ETCD_CLIENT_PORT=$((2379 + PORT_OFFSET))
ETCD_PEER_PORT=$((2380 + PORT_OFFSET))
ha_node_port() { echo $((PG_PORT + 10 + $1)); }
ha_rest_port() { echo $((8008 + PORT_OFFSET + $1)); }
ha_scope() { echo "lltp-flow-$PORT_OFFSET"; }

install_pg_ha() {
  command -v patroni >/dev/null && command -v etcd >/dev/null && command -v haproxy >/dev/null && return 0
  [ "$(id -u)" = 0 ] || die "LLTP_PG_HA=1 needs Patroni, etcd and HAProxy: install them as root (apt-get update && apt-get install -y patroni etcd-server haproxy python3-etcd python3-psycopg2)"
  need apt-get "install Debian's patroni, etcd-server and haproxy packages"
  say "installing Patroni, etcd and HAProxy from Debian's packages (apt-get install patroni etcd-server haproxy, once)"
  mkdir -p "$LOGS"
  { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends patroni etcd-server haproxy python3-etcd python3-psycopg2; } >"$LOGS/install-pg-ha.log" 2>&1 ||
    die "apt-get could not install patroni, etcd-server and haproxy (see $LOGS/install-pg-ha.log)"
  # Debian starts the packaged services where an init system runs them; ours are the run folder's
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then systemctl disable --now etcd haproxy patroni >/dev/null 2>&1 || true; fi
}

ha_folder() { postgres_folder postgres-ha; }

# Patroni's configuration of node i: the cluster's settings (bootstrap.dcs) are the same on both.
write_patroni_config() { # index
  local i=$1 folder bin
  folder=$(ha_folder)
  bin=$(pg_bin) || die "PostgreSQL 15+ is not installed (run: bash tools/stack/stack.sh install)"
  cat >"$folder/patroni-$i.yml" <<EOF
# Written by tools/stack/stack.sh (LLTP_PG_HA=1) at each start of pg-$i; edit the script, not this file.
scope: $(ha_scope)
namespace: /lltp-flow/
name: pg-$i
log:
  level: INFO
restapi:
  listen: 127.0.0.1:$(ha_rest_port "$i")
  connect_address: 127.0.0.1:$(ha_rest_port "$i")
etcd3:
  hosts: 127.0.0.1:$ETCD_CLIENT_PORT
bootstrap:
  dcs:
    ttl: 12
    loop_wait: 2
    retry_timeout: 5
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_level: replica
        hot_standby: 'on'
        wal_log_hints: 'on'
        max_wal_senders: 10
        max_replication_slots: 10
        max_connections: 200
        shared_buffers: 256MB
  initdb:
    - encoding: UTF8
    - locale: C
    - data-checksums
postgresql:
  listen: 127.0.0.1:$(ha_node_port "$i")
  connect_address: 127.0.0.1:$(ha_node_port "$i")
  data_dir: $folder/pg-$i
  bin_dir: $bin
  pgpass: $folder/pgpass-$i
  authentication:
    superuser:
      username: $PG_USER
    replication:
      username: replicator
    rewind:
      username: $PG_USER
  parameters:
    unix_socket_directories: $folder
    unix_socket_permissions: '0700'
  pg_hba:
    - local all all trust
    - host all all 127.0.0.1/32 trust
    - host replication all 127.0.0.1/32 trust
EOF
  [ "$(id -u)" != 0 ] || chown postgres "$folder/patroni-$i.yml"
}

write_haproxy_config() {
  local i
  {
    echo "# Written by tools/stack/stack.sh (LLTP_PG_HA=1) at each start; edit the script, not this file."
    echo "global"
    echo "  maxconn 1000"
    echo "defaults"
    echo "  mode tcp"
    echo "  timeout connect 2s"
    echo "  timeout client 30m"
    echo "  timeout server 30m"
    echo "  timeout check 1s"
    echo "listen postgres-primary"
    echo "  bind 127.0.0.1:$PG_PORT"
    echo "  option httpchk GET /primary"
    echo "  http-check expect status 200"
    # a node seen down (two failed checks a second apart) loses its sessions at once
    echo "  default-server inter 1s fall 2 rise 1 on-marked-down shutdown-sessions"
    for i in $(seq 0 $((PG_HA_NODES - 1))); do
      echo "  server pg-$i 127.0.0.1:$(ha_node_port "$i") maxconn 500 check port $(ha_rest_port "$i")"
    done
  } >"$RUN/haproxy.cfg"
}

start_etcd() {
  mkdir -p "$RUN/etcd-data"
  launch etcd etcd --name lltp-etcd --data-dir "$RUN/etcd-data" \
    --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "lltp-etcd=http://127.0.0.1:$ETCD_PEER_PORT" --initial-cluster-token "$(ha_scope)"
}

start_ha_node() { # index
  write_patroni_config "$1"
  launch "pg-$1" runuser -u postgres -- patroni "$(ha_folder)/patroni-$1.yml"
}

start_haproxy() {
  write_haproxy_config
  haproxy -c -q -f "$RUN/haproxy.cfg" || die "HAProxy refused $RUN/haproxy.cfg"
  launch haproxy haproxy -db -f "$RUN/haproxy.cfg"
}

# The whole pair: etcd, both Patroni nodes, HAProxy; then the app's database through HAProxy.
start_postgres_ha() {
  local i
  mkdir -p "$RUN"
  echo 1 >"$RUN/postgres.ha"
  say "starting PostgreSQL in high availability: etcd, Patroni nodes pg-0 and pg-1 (one synchronous standby), HAProxy on $PG_PORT"
  pid_of etcd >/dev/null || start_etcd
  wait_healthy etcd 30
  for i in $(seq 0 $((PG_HA_NODES - 1))); do pid_of "pg-$i" >/dev/null || start_ha_node "$i"; done
  pid_of haproxy >/dev/null || start_haproxy
  wait_healthy postgres 120
  local exists
  exists=$("$(pg_bin)/psql" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres -Atqc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")
  [ "$exists" = 1 ] || "$(pg_bin)/createdb" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" "$PG_DB" || die "could not create database $PG_DB"
}

wait_sync_standby() { # timeout seconds
  local deadline=$((SECONDS + $1))
  until ha_sync_standby; do
    [ $SECONDS -ge $deadline ] && die "no synchronous standby streaming after $1 s (see $LOGS/pg-0.log, $LOGS/pg-1.log)"
    sleep 1
  done
}

ha_rest() { curl -fsS -m 2 "http://127.0.0.1:$(ha_rest_port "$1")$2" 2>/dev/null; }

# The node that is primary now (pg-<i>), if any.
ha_primary() {
  local i
  for i in $(seq 0 $((PG_HA_NODES - 1))); do
    ha_rest "$i" /primary >/dev/null && { echo "pg-$i"; return 0; }
  done
  return 1
}

# Healthy pair: HAProxy reaches a primary and a synchronous standby streams from it.
ha_sync_standby() {
  [ "$("$(pg_bin)/psql" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres -Atqc \
    "SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync' AND state = 'streaming'" 2>/dev/null)" = 1 ]
}

patroni_list() { patronictl -c "$(ha_folder)/patroni-0.yml" list 2>/dev/null; }

ha_healthy() { # component
  case $1 in
    etcd) curl -fsS -m 2 "http://127.0.0.1:$ETCD_CLIENT_PORT/health" 2>/dev/null | grep -q '"health":"true"' ;;
    pg-[0-9]) ha_rest "${1#pg-}" /health >/dev/null ;;
    haproxy) port_open "$PG_PORT" ;;
  esac
}

ha_status() { # one line per process of the pair and Patroni's view; 1 when one is down
  local name pid state bad=0
  for name in etcd $(seq -f 'pg-%g' 0 $((PG_HA_NODES - 1))) haproxy; do
    pid=$(pid_of "$name" || true)
    if ha_healthy "$name"; then state=healthy; else state=down; bad=1; fi
    printf '  %-13s %-8s port %-6s pid %-8s rss %s MB\n' "$name" "$state" "$(ha_port_of "$name")" "${pid:--}" "$([ -n "$pid" ] && rss_mb "$pid" || echo -)"
  done
  patroni_list | sed 's/^/  /'
  ha_sync_standby || { echo "  no synchronous standby streaming"; bad=1; }
  return $bad
}

ha_port_of() {
  case $1 in
    etcd) echo "$ETCD_CLIENT_PORT" ;;
    pg-[0-9]) ha_node_port "${1#pg-}" ;;
    haproxy) echo "$PG_PORT" ;;
  esac
}

# kill -9 a node as a crash of its machine would: Patroni and its PostgreSQL (the postmaster runs
# in a session of its own) with every backend.
kill_ha_node() { # pg-<i>
  local name=$1 pid postmaster children
  pid=$(pid_of "$name" || true)
  postmaster=$(head -n 1 "$(ha_folder)/$name/postmaster.pid" 2>/dev/null || true)
  [ -n "$postmaster" ] && kill -0 "$postmaster" 2>/dev/null || postmaster=
  [ -n "$pid$postmaster" ] || { say "$name is not running"; return 0; }
  children=$([ -n "$postmaster" ] && ps -o pid= --ppid "$postmaster" 2>/dev/null || true)
  [ -z "$pid" ] || kill -KILL -- "-$pid" 2>/dev/null || true
  # shellcheck disable=SC2086
  [ -z "$postmaster" ] || kill -KILL "$postmaster" $children 2>/dev/null || true
  say "killed $name (kill -9: Patroni ${pid:--}, PostgreSQL ${postmaster:--})"
}

stop_ha_node() { # pg-<i>: Patroni stops its PostgreSQL on SIGTERM
  local name=$1 pid
  pid=$(pid_of "$name") || { rm -f "$RUN/$name.pid"; return 0; }
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill_ha_node "$name" >/dev/null 2>&1
  rm -f "$RUN/$name.pid"
  say "stopped $name"
}

stop_postgres_ha() {
  local i
  stop_one haproxy
  # the standby first, so that stopping the primary starts no failover
  for i in $(seq $((PG_HA_NODES - 1)) -1 0); do
    [ "$(ha_primary || true)" = "pg-$i" ] || stop_ha_node "pg-$i"
  done
  for i in $(seq 0 $((PG_HA_NODES - 1))); do stop_ha_node "pg-$i"; done
  stop_one etcd
}
