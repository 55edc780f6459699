#!/usr/bin/env bash
# Makes sure the suite has a Chromium and a Firefox (lib/browsers.ts decides which: E2E_CHROMIUM /
# E2E_FIREFOX, else Debian's packages, else Playwright's own). When one is missing it installs Debian's
# package only as root on Debian, saying so; anywhere else it explains what to do and fails.
set -euo pipefail
cd "$(dirname "$0")"

say() { awk -F'\t' '{ printf "[e2e] %s: %s (%s)\n", $1, $4, $2 }' >&2; }

if report=$(node lib/browsers.ts); then
  echo "$report" | say
  exit 0
fi

# What is missing, as Debian package names. A wrong E2E_* path is the caller's to fix, not apt's.
pkgs=()
while IFS=$'\t' read -r name source status detail; do
  [ "$status" = missing ] || continue
  if [ "$source" != none ]; then
    echo "[e2e] $detail" >&2
    exit 1
  fi
  if [ "$name" = chromium ]; then pkgs+=(chromium); else pkgs+=(firefox-esr); fi
done <<<"$report"

if [ "$(id -u)" -eq 0 ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null; then
  echo "[e2e] installing ${pkgs[*]} from Debian with apt-get (root on Debian: the browsers lib/browsers.ts looks for first)" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
  if report=$(node lib/browsers.ts); then
    echo "$report" | say
    exit 0
  fi
  echo "[e2e] apt-get installed ${pkgs[*]}, yet lib/browsers.ts still finds no browser at Debian's paths" >&2
fi

cat >&2 <<MSG
[e2e] missing browser(s):
$(echo "$report" | awk -F'\t' '$3 == "missing" { printf "  - %s\n", $4 }')

The suite needs a Chromium and a Firefox. Any one of these, per browser:
  - point at one you have:   E2E_CHROMIUM=/path/to/chromium  E2E_FIREFOX=/path/to/firefox
  - Debian / Ubuntu:         sudo apt-get install chromium firefox-esr
  - Playwright's own builds: pnpm --filter @switchyard/e2e exec playwright install chromium firefox
                             (on Linux add --with-deps for their system libraries)
Then run the tests again.
MSG
exit 1
