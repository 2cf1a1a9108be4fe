"""The lab's `az` stand-in run as a learner runs it: the `az` found on PATH, in its own process."""

from __future__ import annotations

import subprocess


def az(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`az ARGS...` with the test's environment (or `env`); its exit status, stdout and stderr."""
    return subprocess.run(["az", *args], capture_output=True, text=True, timeout=60, env=env)
