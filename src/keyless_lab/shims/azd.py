"""A stand-in for the Azure Developer CLI (`azd auth …`), backed by the keyless-lab emulator.

`azd auth token --output json --no-prompt --scope S [--tenant-id T]` prints
`{"token": …, "expiresOn": "YYYY-mm-ddTHH:MM:SSZ"}` (UTC; azure-identity parses it as local time,
so run with TZ=UTC). Signed out, it fails with "not logged in, run `azd auth login` to login",
which AzureDeveloperCliCredential turns into CredentialUnavailableError. `azd auth login` signs
in KEYLESS_LAB_SIGNIN_USER through the lab's scripted sign-in (lab-only), or a person with
`--use-device-code`; `--client-id/--client-secret/--tenant-id` and `--managed-identity` work too.
State lives in AZD_CONFIG_DIR.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from . import _lab
from ._lab import LabError

NOT_LOGGED_IN = "ERROR: fetching token: not logged in, run `azd auth login` to login"
LOGIN_FILE = "keyless-lab-login.json"
LOGIN_SCOPE = "https://management.azure.com/.default"


def config_dir() -> Path:
    return Path(os.environ.get("AZD_CONFIG_DIR") or Path.home() / ".azd") / "auth"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise LabError(f"ERROR: {message}", 1)


def auth_login(argv: list[str]) -> int:
    p = _Parser(prog="azd auth login", add_help=False)
    p.add_argument("--client-id")
    p.add_argument("--client-secret")
    p.add_argument("--tenant-id", default="")
    p.add_argument("--managed-identity", action="store_true")
    p.add_argument("--use-device-code", nargs="?", const="true", default=None)
    p.add_argument("--check-status", action="store_true")
    p.add_argument("--output", default="none")
    p.add_argument("--no-prompt", action="store_true")
    args = p.parse_args(argv)
    path = config_dir() / LOGIN_FILE
    if args.check_status:
        login = _lab.read_json(path)
        if not login:
            print("Not logged in, run `azd auth login` to login to Azure")
            return 1
        print(f"Logged in to Azure as {login.get('username') or login.get('client_id')}")
        return 0
    if args.client_id and args.client_secret:
        tenant = args.tenant_id or "organizations"
        _lab.client_secret_token(tenant, args.client_id, args.client_secret, LOGIN_SCOPE)
        login: dict[str, Any] = {
            "kind": "servicePrincipal",
            "client_id": args.client_id,
            "secret": args.client_secret,
            "tenant": tenant,
        }
    elif args.managed_identity:
        token = _lab.managed_identity_token("https://management.azure.com", args.client_id or "")
        login = {
            "kind": "managedIdentity",
            "client_id": args.client_id or "",
            "tenant": _lab.jwt_claims(token["access_token"])["tid"],
        }
    else:
        tenant = args.tenant_id or "organizations"
        scope = f"{LOGIN_SCOPE} offline_access openid profile"
        user = os.environ.get(_lab.SIGNIN_USER_VAR, "")
        if user and args.use_device_code in (None, "false"):
            result = _lab.scripted_sign_in(tenant, scope, user)
        else:
            result = _lab.device_code_sign_in(tenant, scope)
        claims = _lab.jwt_claims(result["access_token"])
        login = {
            "kind": "user",
            "username": claims["upn"],
            "tenant": claims["tid"],
            "refresh_token": result["refresh_token"],
        }
    _lab.write_private_json(path, login)
    print("Logged in to Azure.")
    return 0


def auth_logout(argv: list[str]) -> int:
    (config_dir() / LOGIN_FILE).unlink(missing_ok=True)
    print("Logged out of Azure.")
    return 0


def auth_token(argv: list[str]) -> int:
    p = _Parser(prog="azd auth token", add_help=False)
    p.add_argument("--output", "-o", default="none")
    p.add_argument("--no-prompt", action="store_true")
    p.add_argument("--scope", action="append")
    p.add_argument("--tenant-id", default="")
    p.add_argument("--claims")
    args = p.parse_args(argv)
    path = config_dir() / LOGIN_FILE
    login = _lab.read_json(path)
    if not login:
        raise LabError(NOT_LOGGED_IN)
    scope = " ".join(args.scope or [LOGIN_SCOPE])
    tenant = args.tenant_id or login["tenant"]
    if login["kind"] == "user":
        result = _lab.refresh(tenant, login["refresh_token"], scope)
        if result.get("refresh_token"):
            login["refresh_token"] = result["refresh_token"]
            _lab.write_private_json(path, login)
    elif login["kind"] == "servicePrincipal":
        result = _lab.client_secret_token(tenant, login["client_id"], login["secret"], scope)
    else:
        result = _lab.managed_identity_token(scope.removesuffix("/.default"), login["client_id"])
    expires_on = int(result.get("expires_on") or time.time() + int(result["expires_in"]))
    expires = dt.datetime.fromtimestamp(expires_on, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if args.output == "json":
        print(json.dumps({"token": result["access_token"], "expiresOn": expires}))
    else:
        print(result["access_token"])
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = {"login": auth_login, "logout": auth_logout, "token": auth_token}
    try:
        if argv[:1] == ["version"] or argv[:1] == ["--version"]:
            print("azd version 1.20.0 (keyless-lab stand-in)")
            return 0
        if len(argv) < 2 or argv[0] != "auth" or argv[1] not in commands:
            raise LabError(f'ERROR: unknown command "{" ".join(argv[:2])}" for "azd" (keyless-lab stand-in)')
        return commands[argv[1]](argv[2:])
    except LabError as exc:
        print(str(exc), file=sys.stderr)
        return exc.exit_code
