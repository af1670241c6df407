# Sourced by tools/test.sh and tools/demo.sh: installs the npm packages when they are
# missing or package-lock.json changed. npm's cache lives in the project's cache folder.
# `npm install` (with the committed lock) rather than `npm ci`: the registry these machines
# reach lacks the other platforms' optional binaries (@swc/core-*, @unrs/resolver-binding-*),
# which npm leaves out of the lock, and `npm ci` refuses a lock without them.
REPO=${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
CACHE=${LLTP_CACHE_DIR:-$REPO/.cache}
export npm_config_cache=${npm_config_cache:-$CACHE/npm}

ensure_npm_packages() {
  command -v node >/dev/null 2>&1 || { echo "Node.js 20 is missing: install it first" >&2; return 1; }
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 20 ] || { echo "Node.js 20 or newer is needed (found $(node -v))" >&2; return 1; }
  local lock_sum
  lock_sum=$(sha256sum "$REPO/package-lock.json" | cut -c1-16)
  if [ "$(cat "$REPO/node_modules/.lltp-lock" 2>/dev/null)" != "$lock_sum" ]; then
    echo "installing npm packages (npm install with the committed lock)" >&2
    (cd "$REPO" && npm install --no-audit --no-fund) || return 1
    sha256sum "$REPO/package-lock.json" | cut -c1-16 >"$REPO/node_modules/.lltp-lock"
  fi
}

# Debian's Chromium for the browser tests (playwright-core drives it; `npx playwright install`
# cannot download here). Installed with apt-get when missing and we are root.
ensure_chromium() {
  local chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
  [ -x "$chromium" ] && return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "Chromium is missing at $chromium: install Debian's (apt-get install -y chromium) or set CHROMIUM_PATH" >&2
    return 1
  fi
  echo "installing Chromium from Debian's packages (apt-get install chromium fonts-dejavu-core, once)" >&2
  mkdir -p "$CACHE"
  { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-dejavu-core; } >"$CACHE/install-chromium.log" 2>&1 || {
    echo "apt-get could not install chromium (see $CACHE/install-chromium.log)" >&2
    return 1
  }
}
