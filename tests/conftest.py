"""Shared fixtures, and the network guard that fails the session on any non-loopback attempt."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from keyless_lab import netguard
from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.server import UNSET_IN_EMULATOR_MODE

ROOT = Path(__file__).resolve().parents[1]
SCOPE = "https://cognitiveservices.azure.com/.default"

# Installed at import time so that nothing — not even collection — can leave loopback, and
# exported so that notebook kernels and other Python subprocesses inherit the guard.
_GUARD_LOG = Path(tempfile.mkdtemp(prefix="keyless-lab-guard-")) / "violations.log"
os.environ.update(netguard.child_environment(_GUARD_LOG))
netguard.install()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    violations = netguard.read_violations(_GUARD_LOG)
    if violations:
        print("\n\nNETWORK GUARD: non-loopback attempts during the test run:\n" + violations)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def apply_lab_environment(monkeypatch: pytest.MonkeyPatch, server: EmulatorServer) -> None:
    for name in UNSET_IN_EMULATOR_MODE:
        monkeypatch.delenv(name, raising=False)
    for name, value in server.environment().items():
        monkeypatch.setenv(name, value)


@pytest.fixture(scope="session")
def shared_emulator() -> Iterator[EmulatorServer]:
    """One emulator for tests that do not change the directory."""
    with EmulatorServer() as server:
        yield server


@pytest.fixture
def emulator(shared_emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> EmulatorServer:
    """The shared emulator, with its environment applied for this test."""
    apply_lab_environment(monkeypatch, shared_emulator)
    return shared_emulator


@pytest.fixture
def fresh_emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorServer]:
    """A private emulator for tests that change roles, keys, clocks or lifetimes."""
    with EmulatorServer() as server:
        apply_lab_environment(monkeypatch, server)
        yield server
