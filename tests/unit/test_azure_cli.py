"""The signed-in check for the laptop notebooks, against the lab's `az` stand-in."""

from __future__ import annotations

import subprocess

import pytest

from keyless_lab import LabConfigurationError
from keyless_lab.azure_cli import account_show, describe_account, signed_in_account
from keyless_lab.emulator import EmulatorServer


def test_signed_out_stops_with_what_to_run(fresh_emulator: EmulatorServer) -> None:
    assert account_show() is None
    with pytest.raises(LabConfigurationError, match=r"nobody is signed in to the Azure CLI: run `az login`"):
        signed_in_account()


def test_signed_in_account_is_described(fresh_emulator: EmulatorServer) -> None:
    assert subprocess.run(["az", "login", "--output", "none"], check=False).returncode == 0
    account = signed_in_account()
    assert account["user"] == {"name": "ada@contosolab.onmicrosoft.com", "type": "user"}
    line = describe_account(account)
    assert "ada@contosolab.onmicrosoft.com (user)" in line and account["tenantId"] in line


def test_missing_az_says_how_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(LabConfigurationError, match="not on PATH"):
        account_show()
