"""Root conftest: the network guard, for every test and every notebook nbval runs.

Installed at import time so that nothing — not even collection — can leave loopback, and exported
through the environment so that notebook kernels and other Python subprocesses inherit it. Any
attempt is recorded, and the session fails at the end if one was.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from keyless_lab import netguard

# pytest-xdist workers inherit the controller's environment, so they append to the controller's
# log, and the controller's session-finish check sees every worker's attempts.
if os.environ.get("PYTEST_XDIST_WORKER") and os.environ.get(netguard.LOG_VAR):
    GUARD_LOG = Path(os.environ[netguard.LOG_VAR])
else:
    GUARD_LOG = Path(tempfile.mkdtemp(prefix="keyless-lab-guard-")) / "violations.log"
os.environ.update(netguard.child_environment(GUARD_LOG))
netguard.install()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    violations = netguard.read_violations(GUARD_LOG)
    if violations:
        print("\n\nNETWORK GUARD: non-loopback attempts during the test run:\n" + violations)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
