#!/usr/bin/env bash
# `npm run demo`: installs what is missing, starts the local stack (Zeebe, PostgreSQL, Mailpit),
# deploys the BPMN models, starts the simulators of the external systems, the job workers, the
# SLA monitor and the API, then feeds a steady stream of sample dossiers worked by scripted officers.
# Ctrl-C stops the app processes; the stack keeps running until `npm run stack:down`.
# The demo runs in development mode (the app's default is production) and is the only command
# that writes the demo accounts (tools/demo/seed.ts).
set -euo pipefail
export NODE_ENV="${NODE_ENV:-development}"
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
# shellcheck source=tools/ensure-deps.sh
. "$REPO/tools/ensure-deps.sh"
ensure_npm_packages
bash tools/stack/stack.sh up
LOGS=$REPO/.cache/run/logs
TSX="node $REPO/node_modules/tsx/dist/cli.mjs"
$TSX tools/deploy-processes.ts
$TSX tools/demo/seed.ts

# Each process's output goes to its log through tools/stack/log-pipe.cjs: appended, rotated by size.
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
$TSX tools/simulators/main.ts > >(node tools/stack/log-pipe.cjs "$LOGS/simulators.log") 2>&1 & pids+=($!)
$TSX server/main.ts workers > >(node tools/stack/log-pipe.cjs "$LOGS/workers.log") 2>&1 & pids+=($!)
$TSX server/main.ts api > >(node tools/stack/log-pipe.cjs "$LOGS/api.log") 2>&1 & pids+=($!)
# The SLA monitor, every minute in the demo, and mailing outside working time too, so that a
# first look on any day shows the alerts (production: every 5 minutes, working time only).
MONITOR_CRON="${MONITOR_CRON:-* * * * *}" MONITOR_SEND_OUTSIDE_HOURS="${MONITOR_SEND_OUTSIDE_HOURS:-true}" \
  NODE_OPTIONS=--max-old-space-size=256 $TSX server/main.ts monitor > >(node tools/stack/log-pipe.cjs "$LOGS/monitor.log") 2>&1 & pids+=($!)
for _ in $(seq 1 60); do curl -fsS -m 2 http://127.0.0.1:3000/readyz >/dev/null 2>&1 && break; sleep 1; done
curl -fsS -m 2 http://127.0.0.1:3000/readyz >/dev/null || { echo "the API did not become ready; see $LOGS/api.log"; exit 1; }

cat <<TXT

  lltp-flow đang chạy / is running
    Hộp việc (inbox)   http://127.0.0.1:3000/hop-viec   tài khoản demo: motcua, chuyenvien, truongphong, lanhdao, giamsat … / mật khẩu: ${DEMO_PASSWORD:-lltp-demo}
    Hồ sơ (dossier)    http://127.0.0.1:3000/ho-so/<mã hồ sơ>   API: GET /api/dossiers/<mã hồ sơ> (Bearer token from POST /api/auth/login)
    Thư cảnh báo (mail) http://127.0.0.1:8025   (Mailpit: cảnh báo sắp đến hạn, quá hạn, xin lỗi)
    Giám sát (monitor) GET /api/monitor/status   GET /metrics (tài khoản quantri)
    Zeebe              grpc 127.0.0.1:26500, management http://127.0.0.1:9600
    Nhật ký (logs)     $LOGS/{api,workers,monitor,simulators}.log

TXT
$TSX tools/demo/feed.ts "$@"
