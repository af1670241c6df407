#!/usr/bin/env bash
# `npm run demo`: installs what is missing, starts the local stack (Zeebe, FerretDB, Mailpit),
# deploys the BPMN models and runs the app in the foreground. Ctrl-C stops the app; the
# stack keeps running until `npm run stack:down`.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
# shellcheck source=tools/ensure-deps.sh
. "$REPO/tools/ensure-deps.sh"
ensure_npm_packages
bash tools/stack/stack.sh up
if node -e 'process.exit(require("./package.json").scripts["deploy:processes"] ? 0 : 1)'; then
  npm run --silent deploy:processes
fi
cat <<TXT

  lltp-flow đang chạy / is running:
    API            http://127.0.0.1:3000/readyz
    Zeebe gRPC     127.0.0.1:26500   (management http://127.0.0.1:9600)
    FerretDB       mongodb://127.0.0.1:27017/lltp
    Mailpit (SMTP) 127.0.0.1:1025    (API http://127.0.0.1:8025/api/v1/messages)
    Logs           $REPO/.cache/run/logs

TXT
exec node node_modules/tsx/dist/cli.mjs server/main.ts api
