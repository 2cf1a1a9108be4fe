"""Fixtures the emulator's tests share (the shared helper modules sit beside this file)."""

from __future__ import annotations

import pytest
from az_cli import az

from keyless_lab.emulator import EmulatorServer


@pytest.fixture
def signed_in(fresh_emulator: EmulatorServer) -> EmulatorServer:
    """A private emulator with the `az` stand-in signed in as Ada (a lab user who may provision)."""
    assert az("login", "--username", "ada@contosolab.onmicrosoft.com").returncode == 0
    return fresh_emulator
