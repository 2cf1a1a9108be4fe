#!/usr/bin/env bash
# Install Debian's shellcheck for the infra/ script lint test when it is missing.
# Prints one line and fails when it cannot install.
set -euo pipefail
if command -v shellcheck >/dev/null 2>&1; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-shellcheck: shellcheck is missing and apt-get is not available; install shellcheck" >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
        echo "ensure-shellcheck: shellcheck is missing; run 'apt-get install shellcheck' as root" >&2
        exit 1
    fi
fi
echo "ensure-shellcheck: installing Debian's shellcheck for the infra script checks" >&2
if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq shellcheck >/dev/null; }; then
    echo "ensure-shellcheck: apt-get install shellcheck failed; install it by hand (see README)" >&2
    exit 1
fi
