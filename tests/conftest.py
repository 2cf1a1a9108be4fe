"""Shared fixtures. (The network guard lives in the root conftest.py, so nbval's kernels get it too.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from keyless_lab import headless_browser
from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.lab.environment import UNSET_IN_EMULATOR_MODE

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ROOT = Path(__file__).resolve().parents[1]
SCOPE = "https://cognitiveservices.azure.com/.default"


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


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Browser]:
    """Debian's headless Chromium through Playwright; a missing browser fails the test with one line."""
    try:
        with headless_browser.chromium() as browser:
            yield browser
    except headless_browser.BrowserUnavailable as missing:
        pytest.fail(str(missing), pytrace=False)
