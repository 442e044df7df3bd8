#!/usr/bin/env bash
# Finds, or installs, the Chromium that the browser tests (test/browser) drive through
# playwright-core; Playwright's own browser download is not used (docs/testing.md).
#
#   scripts/ensure-chromium.sh          find it, or install Debian's chromium package when
#                                       apt-get is there and we may use it (npm's pretest)
#   scripts/ensure-chromium.sh --find   find it only, never install (the tests themselves)
#
# Prints the executable's path on stdout. When there is none and it cannot install one,
# it fails with one sentence on stderr naming the command that installs it: the browser
# tests are part of `npm test` and are never skipped.
set -euo pipefail

install=yes
if [ "${1:-}" = "--find" ]; then install=no; fi

missing() {
  echo "The browser tests need Chromium: install it with \`sudo apt-get install -y chromium\` (Debian/Ubuntu) or set CHROMIUM_PATH to a Chromium or Chrome executable, then run npm test again." >&2
  exit 1
}

if [ -n "${CHROMIUM_PATH:-}" ]; then
  if [ -x "$CHROMIUM_PATH" ] && [ -f "$CHROMIUM_PATH" ]; then echo "$CHROMIUM_PATH"; exit 0; fi
  echo "CHROMIUM_PATH is set to $CHROMIUM_PATH, which is not an executable file: point it at Chromium or unset it." >&2
  exit 1
fi

find_chromium() {
  local candidate
  for candidate in /usr/bin/chromium /usr/bin/chromium-browser; do
    if [ -x "$candidate" ]; then echo "$candidate"; return 0; fi
  done
  # Ubuntu's chromium-browser is a snap stub that needs snapd: only take a real binary.
  candidate="$(command -v chromium 2>/dev/null || true)"
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then echo "$candidate"; return 0; fi
  return 1
}

if find_chromium; then exit 0; fi
if [ "$install" = no ]; then missing; fi

# Debian's package, when we may install it: as root, or through sudo without a password.
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    missing
  fi
  echo "ensure-chromium: installing Debian's chromium package for the browser tests (apt-get install -y chromium) ..." >&2
  if "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
     "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; then
    if find_chromium; then exit 0; fi
  fi
  echo "ensure-chromium: apt-get could not install chromium." >&2
fi
missing
