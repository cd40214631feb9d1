#!/usr/bin/env bash
# The one test command. On a machine that has only Node.js (or nothing started) it provisions
# Node 24 + pnpm, PostgreSQL and Redis, then installs, builds, lints, type-checks and runs every test.
# Every test creates its own database and Redis key prefix, so repeated or parallel runs never collide.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

export TZ=UTC
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
NODE_VERSION=24.21.0
PNPM_VERSION=10.34.9
TOOLS_DIR=${SM_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/store-monitoring/tools}

log() { printf '\n==> %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }
apt_updated=
apt_install() {
  command -v apt-get >/dev/null || { echo "Cannot install $* automatically: no apt-get. Install it and re-run." >&2; exit 1; }
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
wait_port() { for _ in $(seq 1 60); do port_open "$1" "$2" && return 0; sleep 0.5; done; return 1; }
url_host() { node -e 'const u = new URL(process.argv[1]); console.log(u.hostname || "127.0.0.1")' "$1"; }
url_port() { node -e 'const u = new URL(process.argv[1]); console.log(u.port || process.argv[2])' "$1" "$2"; }

# --- Node 24 and pnpm -------------------------------------------------------------------------
node_ok() { command -v node >/dev/null && [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)" = 24 ]; }
if ! node_ok || [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  if [ ! -x "$TOOLS_DIR/node_modules/.bin/node" ] || [ ! -x "$TOOLS_DIR/node_modules/.bin/pnpm" ] \
     || [ "$("$TOOLS_DIR/node_modules/.bin/node" --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
    log "Installing Node $NODE_VERSION and pnpm $PNPM_VERSION into $TOOLS_DIR"
    command -v npm >/dev/null || apt_install nodejs npm
    mkdir -p "$TOOLS_DIR"
    npm install --no-audit --no-fund --loglevel=error --prefix "$TOOLS_DIR" "node@$NODE_VERSION" "pnpm@$PNPM_VERSION" >&2
  fi
  export PATH="$TOOLS_DIR/node_modules/.bin:$PATH"
fi
log "node $(node --version), pnpm $(pnpm --version)"

# --- PostgreSQL -------------------------------------------------------------------------------
PG_URL=${TEST_DATABASE_URL:-${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}}
PG_HOST=$(url_host "$PG_URL"); PG_PORT=$(url_port "$PG_URL" 5432)
if ! port_open "$PG_HOST" "$PG_PORT"; then
  if ! command -v pg_ctlcluster >/dev/null; then
    log "Installing PostgreSQL"
    apt_install postgresql
  fi
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  log "Starting PostgreSQL $version"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  wait_port 127.0.0.1 5432 || { echo "PostgreSQL did not start" >&2; exit 1; }
  # A cluster this script started may use password auth on TCP: give the superuser a known password.
  as_root su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null 2>&1 || true
  PG_URL=postgres://postgres:postgres@127.0.0.1:5432/postgres
fi
export TEST_DATABASE_URL=$PG_URL

# --- Redis --------------------------------------------------------------------------------------
REDIS_URL_T=${TEST_REDIS_URL:-${REDIS_URL:-redis://127.0.0.1:6379}}
R_HOST=$(url_host "$REDIS_URL_T"); R_PORT=$(url_port "$REDIS_URL_T" 6379)
if ! port_open "$R_HOST" "$R_PORT"; then
  command -v redis-server >/dev/null || { log "Installing Redis"; apt_install redis-server; }
  log "Starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  wait_port 127.0.0.1 6379 || { echo "Redis did not start" >&2; exit 1; }
  REDIS_URL_T=redis://127.0.0.1:6379
fi
export TEST_REDIS_URL=$REDIS_URL_T
# Tests never read the operator's DATABASE_URL/REDIS_URL: they create their own database and prefix.
unset DATABASE_URL REDIS_URL

# --- Server tools for the topologies the tests start themselves -----------------------------------
# A primary with hot standbys (initdb, pg_basebackup, pg_ctl, run as the postgres user when root),
# a Redis master with a replica and sentinels, and a Redis Cluster (redis-server, redis-cli).
if ! ls /usr/lib/postgresql/*/bin/pg_basebackup >/dev/null 2>&1 && ! command -v pg_basebackup >/dev/null; then
  log "Installing the PostgreSQL server tools"
  apt_install postgresql
fi
if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
  log "Installing PostgreSQL (for its postgres user)"
  apt_install postgresql
fi
if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  log "Installing the Redis server tools"
  apt_install redis-server redis-tools
fi

# --- Chromium for the dashboard's browser test ----------------------------------------------------
export CHROMIUM_PATH=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM_PATH" ]; then
  log "Installing Chromium (Debian package) for the browser test"
  apt_install chromium
fi

# --- Install, build, check, test -------------------------------------------------------------------
log "Installing dependencies (frozen lockfile)"
pnpm install --frozen-lockfile --reporter=append-only
log "Building"
pnpm build
log "Linting"
pnpm lint
log "Type-checking"
pnpm typecheck

export TEST_SUMMARY_FILE="$ROOT/test-artifacts/summary.jsonl"
mkdir -p "$ROOT/test-artifacts"
: > "$TEST_SUMMARY_FILE"
log "Running every test suite"
status=0
pnpm test || status=$?
log "Running the fault-injection suite (worker killed, Redis emptied, Postgres cut)"
pnpm test:chaos || status=$?
node scripts/print-test-summary.mjs "$TEST_SUMMARY_FILE" || status=1
exit $status
