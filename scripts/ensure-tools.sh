#!/usr/bin/env bash
# Install the system tools the test suite drives, from Debian's packages, when they are missing:
# chromium (real-browser tests; a browser that a Python package downloads at run time is not used)
# and shellcheck (infra/ script checks). Prints one line and fails when it cannot install.
set -euo pipefail

missing=()
if ! command -v chromium >/dev/null 2>&1 && [ ! -x "${KEYLESS_LAB_CHROMIUM:-/nonexistent}" ]; then
    missing+=(chromium)
fi
if ! command -v shellcheck >/dev/null 2>&1; then
    missing+=(shellcheck)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-tools: ${missing[*]} missing and apt-get is not available; install them (Chromium: or set KEYLESS_LAB_CHROMIUM)" >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
        echo "ensure-tools: ${missing[*]} missing; run 'apt-get install ${missing[*]}' as root" >&2
        exit 1
    fi
fi
echo "ensure-tools: installing Debian's ${missing[*]} for the test suite" >&2
if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null; }; then
    echo "ensure-tools: apt-get install ${missing[*]} failed; install them by hand (see README)" >&2
    exit 1
fi
