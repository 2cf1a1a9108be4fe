"""The `az` stand-in's provisioning commands: what `infra/provision.sh` and `teardown.sh` run.

Mapped onto the emulator's provisioning admin API (emulator/lab_provisioning.py), with the real
commands' arguments and the output fields the scripts read:
`az group create|show|delete`, `az cognitiveservices account create|show|delete|purge`,
`az cognitiveservices account deployment create|show|delete`, `az resource update --set
properties.disableLocalAuth=…`, `az identity create|show|delete`, `az ad signed-in-user show`,
`az ad app create|list|show|delete`, `az ad sp create|show`, `az ad app credential reset
--create-cert`, `az ad app federated-credential list|delete`, `az role assignment list`.

Lab-only behaviour, said plainly: the lab has one resource group and one Azure OpenAI account;
any name maps onto them (a note on stderr says so), and deleting them only undoes the
provisioned changes. The lab's users, identities and apps are real directory entries.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any
from urllib.parse import quote

from . import _lab
from ._lab import LabError

BASE = "/_lab/admin/provision"


def _parser(prog: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog, add_help=False)
    p.add_argument("--output", "-o", default="json")
    p.add_argument("--query")
    p.add_argument("--subscription")
    return p


def _admin(method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    return _lab.admin(method, f"{BASE}{path}", body or {})


def _exists(method: str, path: str) -> Any | None:
    try:
        return _admin(method, path)
    except LabError:
        return None


def _shown(path: str, kind: str, name: str) -> Any:
    """What `az <kind> show` prints; ResourceNotFound (exit status 3) when there is no such `kind`."""
    found = _exists("GET", path)
    if found is None:
        raise LabError(f"ERROR: (ResourceNotFound) The {kind} '{name}' could not be found.", 3)
    return found


def _note_mapping(asked: str, actual: str, what: str) -> None:
    if asked and asked != actual:
        print(f"keyless-lab: the lab has one {what}, '{actual}'; '{asked}' maps onto it.", file=sys.stderr)


# -- az group ---------------------------------------------------------------------------------------
def group(argv: list[str], emit: Any, subscription: str) -> int:
    sub = argv[0] if argv else ""
    p = _parser(f"az group {sub}")
    p.add_argument("--name", "-n", "--resource-group", "-g", dest="name", required=True)
    p.add_argument("--location", "-l")
    p.add_argument("--yes", "-y", action="store_true")
    p.add_argument("--no-wait", action="store_true")
    args = _parse(p, argv[1:])
    if sub == "delete":
        return 0  # the lab's resource group stays; teardown.sh deletes what it created one by one first
    if sub not in ("create", "show"):
        raise LabError(f"ERROR: 'group {sub}' is misspelled or not recognized by the system.", 2)
    emit({
        "id": f"/subscriptions/{subscription}/resourceGroups/{args.name}",
        "location": args.location or "swedencentral",
        "name": args.name,
        "properties": {"provisioningState": "Succeeded"},
        "type": "Microsoft.Resources/resourceGroups",
    }, args.output, args.query)  # fmt: skip
    return 0


# -- az cognitiveservices account ------------------------------------------------------------------
def cognitiveservices(argv: list[str], emit: Any) -> int:
    if argv[:1] != ["account"]:
        raise LabError(f"ERROR: 'cognitiveservices {' '.join(argv[:1])}' is misspelled or not recognized.", 2)
    if argv[1:2] == ["deployment"]:
        return deployment(argv[2:], emit)
    sub = argv[1] if len(argv) > 1 else ""
    p = _parser(f"az cognitiveservices account {sub}")
    p.add_argument("--name", "-n", required=True)
    p.add_argument("--resource-group", "-g")
    p.add_argument("--location", "-l")
    p.add_argument("--kind")
    p.add_argument("--sku")
    p.add_argument("--custom-domain")
    p.add_argument("--yes", action="store_true")
    args = _parse(p, argv[2:])
    if sub == "create":
        if (args.kind or "").lower() != "openai":
            raise LabError("ERROR: the lab's account is an Azure OpenAI resource: pass --kind OpenAI", 2)
        account = _admin("GET", "/account")
    elif sub == "show":
        account = _admin("GET", "/account")
    elif sub == "delete":
        _admin("DELETE", "/account")
        return 0
    elif sub == "purge":
        return 0  # nothing is soft-deleted in the lab
    else:
        raise LabError(f"ERROR: 'cognitiveservices account {sub}' is misspelled or not recognized.", 2)
    _note_mapping(args.name, account["name"], "Azure OpenAI account")
    emit(account, args.output, args.query)
    return 0


def deployment(argv: list[str], emit: Any) -> int:
    sub = argv[0] if argv else ""
    p = _parser(f"az cognitiveservices account deployment {sub}")
    p.add_argument("--name", "-n", required=True)
    p.add_argument("--resource-group", "-g")
    p.add_argument("--deployment-name", required=True)
    p.add_argument("--model-name")
    p.add_argument("--model-version")
    p.add_argument("--model-format")
    p.add_argument("--sku-name", "--sku")
    p.add_argument("--sku-capacity", "--capacity")
    args = _parse(p, argv[1:])
    path = f"/deployments/{quote(args.deployment_name, safe='')}"
    if sub == "create":
        if not args.model_name:
            raise LabError("ERROR: the following arguments are required: --model-name", 2)
        result = _admin("PUT", path, {"model": args.model_name, "model_version": args.model_version or ""})
    elif sub == "show":
        result = _shown(path, "deployment", args.deployment_name)
    elif sub == "delete":
        _admin("DELETE", path)
        return 0
    else:
        raise LabError(f"ERROR: 'cognitiveservices account deployment {sub}' is not recognized.", 2)
    emit(result, args.output, args.query)
    return 0


# -- az resource update (disableLocalAuth) ----------------------------------------------------------
def resource(argv: list[str], emit: Any) -> int:
    if argv[:1] != ["update"]:
        raise LabError(f"ERROR: 'resource {' '.join(argv[:1])}' is misspelled or not recognized.", 2)
    p = _parser("az resource update")
    p.add_argument("--ids", required=True)
    p.add_argument("--set", action="append", default=[])
    args = _parse(p, argv[1:])
    account = _admin("GET", "/account")
    if args.ids.lower() != account["id"].lower():
        raise LabError(f"ERROR: (ResourceNotFound) The Resource '{args.ids}' was not found.", 3)
    for assignment in args.set:
        name, _, value = assignment.partition("=")
        if name != "properties.disableLocalAuth" or value.lower() not in ("true", "false"):
            raise LabError(f"ERROR: the lab's stand-in sets only properties.disableLocalAuth=true|false, not {name}", 2)
        account = _admin("POST", "/account", {"disable_local_auth": value.lower() == "true"})
    emit(account, args.output, args.query)
    return 0


# -- az identity create|show|delete ----------------------------------------------------------------
def identity(argv: list[str], emit: Any) -> int:
    sub = argv[0] if argv else ""
    p = _parser(f"az identity {sub}")
    p.add_argument("--name", "-n", required=True)
    p.add_argument("--resource-group", "-g")
    p.add_argument("--location", "-l")
    args = _parse(p, argv[1:])
    path = f"/identities/{quote(args.name, safe='')}"
    if sub == "create":
        result = _admin("PUT", path)
    elif sub == "show":
        result = _shown(path, "identity", args.name)
    elif sub == "delete":
        _exists("DELETE", path)
        return 0
    else:
        raise LabError(f"ERROR: 'identity {sub}' is misspelled or not recognized by the system.", 2)
    emit(result, args.output, args.query)
    return 0


# -- az ad ------------------------------------------------------------------------------------------
def signed_in_user(argv: list[str], emit: Any, login: dict[str, Any]) -> int:
    args = _parse(_parser("az ad signed-in-user show"), argv)
    if login.get("kind") != "user":
        raise LabError("ERROR: /me request is only valid with delegated authentication flow.")
    emit(_admin("GET", f"/users/{quote(login['username'], safe='')}"), args.output, args.query)
    return 0


def app(argv: list[str], emit: Any) -> int:
    sub = argv[0] if argv else ""
    p = _parser(f"az ad app {sub}")
    p.add_argument("--display-name")
    p.add_argument("--id")
    p.add_argument("--filter")
    args = _parse(p, argv[1:])
    if sub == "create":
        if not args.display_name:
            raise LabError("ERROR: the following arguments are required: --display-name", 2)
        emit(_admin("PUT", f"/applications/{quote(args.display_name, safe='')}"), args.output, args.query)
    elif sub == "list":
        found = (
            _exists("GET", f"/applications/{quote(args.display_name or '', safe='')}") if args.display_name else None
        )
        emit([found] if found else [], args.output, args.query)
    elif sub == "show":
        found = _exists("GET", f"/applications/{quote(args.id or '', safe='')}")
        if found is None:
            raise LabError(f"ERROR: Resource '{args.id}' does not exist or one of its queried reference-property "
                           "objects are not present.", 3)  # fmt: skip
        emit(found, args.output, args.query)
    elif sub == "delete":
        _exists("DELETE", f"/applications/{quote(args.id or '', safe='')}")
    else:
        raise LabError(f"ERROR: 'ad app {sub}' is misspelled or not recognized by the system.", 2)
    return 0


def service_principal(argv: list[str], emit: Any) -> int:
    """`az ad sp create|show --id <appId>`: the lab creates an app's service principal with the app."""
    sub = argv[0] if argv else ""
    p = _parser(f"az ad sp {sub}")
    p.add_argument("--id", required=True)
    args = _parse(p, argv[1:])
    if sub not in ("create", "show"):
        raise LabError(f"ERROR: 'ad sp {sub}' is misspelled or not recognized by the system.", 2)
    found = _exists("GET", f"/applications/{quote(args.id, safe='')}")
    if found is None:
        raise LabError(f"ERROR: Resource '{args.id}' does not exist or one of its queried reference-property "
                       "objects are not present.", 3)  # fmt: skip
    emit({"appId": found["appId"], "displayName": found["displayName"], "id": found["servicePrincipalId"]},
         args.output, args.query)  # fmt: skip
    return 0


def create_certificate(argv: list[str], emit: Any, tenant: str) -> int:
    """`az ad app credential reset --id X --create-cert [--append] [--display-name N] [--years Y]`."""
    p = _parser("az ad app credential reset")
    p.add_argument("--id", required=True)
    p.add_argument("--create-cert", action="store_true")
    p.add_argument("--append", action="store_true")
    p.add_argument("--display-name")
    p.add_argument("--years", type=float, default=1.0)
    args = _parse(p, argv)
    body = {"display_name": args.display_name or "provisioned", "years": args.years}
    result = _admin("POST", f"/applications/{quote(args.id, safe='')}/certificates", body)
    emit({"appId": args.id, "fileWithCertAndPrivateKey": result["fileWithCertAndPrivateKey"], "password": None,
          "tenant": tenant}, args.output, args.query)  # fmt: skip
    return 0


def federated_credential(argv: list[str], emit: Any) -> int:
    sub = argv[0] if argv else ""
    p = _parser(f"az ad app federated-credential {sub}")
    p.add_argument("--id", required=True)
    p.add_argument("--federated-credential-id")
    args = _parse(p, argv[1:])
    path = f"/applications/{quote(args.id, safe='')}/federated-credentials"
    if sub == "list":
        emit(_admin("GET", path), args.output, args.query)
    elif sub == "delete":
        _admin("DELETE", path, {"name": args.federated_credential_id or ""})
    else:
        raise LabError(f"ERROR: 'ad app federated-credential {sub}' is misspelled or not recognized.", 2)
    return 0


def role_assignment_list(argv: list[str], emit: Any) -> int:
    p = _parser("az role assignment list")
    p.add_argument("--assignee")
    p.add_argument("--role")
    p.add_argument("--scope")
    p.add_argument("--all", action="store_true")
    args = _parse(p, argv)
    body = {"assignee": args.assignee or "", "role": args.role or "", "scope": args.scope or ""}
    emit(_admin("POST", "/role-assignments", body), args.output, args.query)
    return 0


def _parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    from .az import parse

    return parse(parser, argv)
