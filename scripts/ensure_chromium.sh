#!/usr/bin/env bash
# Makes sure Debian's chromium is present for the browser tests (Playwright drives it; it never
# downloads a browser of its own). Installs it with apt-get when running as root.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
else
  echo "The browser tests need /usr/bin/chromium: run 'sudo apt-get install chromium'." >&2
  exit 1
fi
