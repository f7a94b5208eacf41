#!/bin/sh
# Debian's chromium for the dashboard's browser tests (tests/test_dashboard_browser.py).
# Prints the browser's path; installs it with apt-get when it is missing (CI runs as root).
# Exit 1 with one clear line when it cannot be had.
set -u
BROWSER="${ARRIVAL_CITY_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$BROWSER" ]; then
  echo "$BROWSER"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "scripts/browser.sh: $BROWSER is missing and cannot be installed here (need root and apt-get): apt-get install chromium" >&2
  exit 1
fi
log="${TMPDIR:-/tmp}/arrival-city-chromium-install.log"
if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-dejavu-core; } >"$log" 2>&1; then
  echo "scripts/browser.sh: apt-get install chromium failed (log: $log)" >&2
  exit 1
fi
if [ ! -x "$BROWSER" ]; then
  echo "scripts/browser.sh: chromium installed but $BROWSER is missing (log: $log)" >&2
  exit 1
fi
echo "$BROWSER"
