#!/usr/bin/env bash
# Install Debian's Chromium for the real-browser tests when it is missing (a browser that a Python
# package downloads at run time is not used). Prints one line and fails when it cannot install.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || [ -x "${KEYLESS_LAB_CHROMIUM:-/nonexistent}" ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-chromium: Chromium is missing and apt-get is not available; install Chromium and set KEYLESS_LAB_CHROMIUM" >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
        echo "ensure-chromium: Chromium is missing; run 'apt-get install chromium' as root" >&2
        exit 1
    fi
fi
echo "ensure-chromium: installing Debian's chromium for the real-browser tests" >&2
if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null; }; then
    echo "ensure-chromium: apt-get install chromium failed; install it by hand (see README)" >&2
    exit 1
fi
