"""Who is signed in to the Azure CLI: the check at the top of the laptop notebooks.

`AzureCliCredential` borrows the `az login` session; when nobody is signed in it can only say so
at the first token request. On a learner's laptop (azure mode) the notebook checks first, and
stops with one line saying what to run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

from .config import LabConfigurationError

NOT_INSTALLED = (
    "the Azure CLI (az) is not on PATH: install it (https://aka.ms/installazurecli), run `az login`, "
    "then run this cell again"
)
NOT_SIGNED_IN = (
    "nobody is signed in to the Azure CLI: run `az login` (add `--tenant <tenant-id>` for another tenant, "
    "`--use-device-code` on a machine without a browser), then run this cell again"
)


def account_show(timeout: float = 60) -> dict[str, Any] | None:
    """`az account show` as a dict, or None when nobody is signed in."""
    az = shutil.which("az")
    if az is None:
        raise LabConfigurationError(NOT_INSTALLED)
    result = subprocess.run(
        [az, "account", "show", "--output", "json"],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    if result.returncode != 0:
        return None
    return json.loads(result.stdout)


def signed_in_account(timeout: float = 60) -> dict[str, Any]:
    """The signed-in account; stops the cell with one actionable line when there is none."""
    account = account_show(timeout)
    if account is None:
        raise LabConfigurationError(NOT_SIGNED_IN)
    return account


def describe_account(account: dict[str, Any]) -> str:
    """One line: who, of which kind, in which tenant and subscription."""
    user = account.get("user", {})
    return (
        f"Signed in to the Azure CLI as {user.get('name')} ({user.get('type')}), tenant {account.get('tenantId')}, "
        f"subscription '{account.get('name')}'."
    )
