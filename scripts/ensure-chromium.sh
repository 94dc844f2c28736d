#!/usr/bin/env bash
# Make sure a Chromium the browser tests can drive is installed (Debian's package; playwright's
# own browser download is not used). Installs it with apt when running as root.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..."
  apt-get update -qq
  # Without its recommends (cups, samba, avahi, upower...: about 130 packages, 41 s on a fresh
  # machine, beside npm ci): 19 packages in 11 s, and the browser tests pass the same.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  exit 0
fi
echo "The browser tests need Chromium: install it (e.g. 'sudo apt-get install chromium') and run make again." >&2
exit 1
