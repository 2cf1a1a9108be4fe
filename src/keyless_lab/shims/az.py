"""A stand-in for the Azure CLI (`az`), backed by the keyless-lab emulator.

Implements what the course and AzureCliCredential use, with the real arguments and output:
`az login` (a seeded user; `--service-principal`; `--identity`), `az logout`, `az account show`,
`az account get-access-token --output json --resource R [--tenant T] [--scope S]`, and the admin
commands `az role assignment create/delete`, `az ad app credential reset [--cert]`, `az ad app credential
list` and `az ad app credential delete`. Signed-out and
error output go to stderr worded as the real CLI words them, which is what azure-identity reads.
Like the real CLI (MSAL's token cache in the profile folder), `get-access-token` serves a cached access
token until five minutes before it expires, without asking Entra ID.

Lab-only behaviour, said plainly: `az login --username UPN` (or KEYLESS_LAB_SIGNIN_USER) signs
the user in without a password through the lab's scripted sign-in; `az login --use-device-code`
prints a code for a person to enter on the emulator's sign-in page.
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
from . import az_provisioning as provisioning
from ._lab import LabError

NOT_LOGGED_IN = "ERROR: Please run 'az login' to setup account."
LOGIN_FILE = "keyless-lab-login.json"  # the lab's stand-in for msal_token_cache.json + SP entries
PROFILE_FILE = "azureProfile.json"
MANAGEMENT = "https://management.azure.com"
TOP_COMMANDS = (
    "login",
    "logout",
    "account",
    "role",
    "ad",
    "identity",
    "group",
    "cognitiveservices",
    "resource",
    "version",
)


def config_dir() -> Path:
    return Path(os.environ.get("AZURE_CONFIG_DIR") or Path.home() / ".azure")


def lab_directory() -> dict[str, Any]:
    path = os.environ.get("KEYLESS_LAB_DIRECTORY", "")
    data = _lab.read_json(Path(path)) if path else None
    if data is None:
        raise LabError("ERROR: KEYLESS_LAB_DIRECTORY is not set: this keyless-lab stand-in needs the lab environment.")
    return data


def subscription_entry(tenant_id: str, user_name: str, user_type: str) -> dict[str, Any]:
    """One subscription as `az account show` prints it."""
    directory = lab_directory()
    tenant = next((t for t in directory["tenants"] if t["id"] == tenant_id), {"domain": "", "name": ""})
    return {
        "environmentName": "AzureCloud",
        "homeTenantId": tenant_id,
        "id": directory["subscription_id"],
        "isDefault": True,
        "managedByTenants": [],
        "name": "keyless-lab-subscription",
        "state": "Enabled",
        "tenantDefaultDomain": tenant["domain"],
        "tenantDisplayName": tenant["name"],
        "tenantId": tenant_id,
        "user": {"name": user_name, "type": user_type},
    }


def signed_in() -> dict[str, Any]:
    login = _lab.read_json(config_dir() / LOGIN_FILE)
    if not login:
        raise LabError(NOT_LOGGED_IN)
    return login


def save_login(login: dict[str, Any], subscription: dict[str, Any]) -> None:
    _lab.write_private_json(config_dir() / LOGIN_FILE, login)
    _lab.write_private_json(config_dir() / PROFILE_FILE, {"subscriptions": [subscription]})


def select(value: Any, path: list[str]) -> Any:
    """A small JMESPath subset: `a.b`, `[0].a`, `[].a` (a projection over a list)."""
    for i, part in enumerate(path):
        if part == "[]":
            return [select(item, path[i + 1 :]) for item in value] if isinstance(value, list) else None
        if part.startswith("[") and part.endswith("]") and part[1:-1].isdigit():
            index = int(part[1:-1])
            value = value[index] if isinstance(value, list) and index < len(value) else None
        else:
            value = value.get(part) if isinstance(value, dict) else None
    return value


def emit(value: Any, output: str = "json", query: str | None = None) -> None:
    """Print like az: JSON by default; `--query a.b` (simple paths only) and `-o tsv` supported."""
    if query:
        value = select(value, [p for p in query.replace("[", ".[").split(".") if p])
    if output == "none":
        return
    if output == "tsv":
        if isinstance(value, dict):
            print("\t".join("" if v is None else str(v) for v in value.values() if not isinstance(v, dict | list)))
        elif isinstance(value, list):
            for item in value:
                print(item if not isinstance(item, dict) else "\t".join(str(v) for v in item.values()))
        elif value is not None:
            print(value)
        return
    print(json.dumps(value, indent=2))


# -- az login / logout ------------------------------------------------------------------------------
def login(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="az login", add_help=False)
    p.add_argument("--username", "-u")
    p.add_argument("--password", "-p")
    p.add_argument("--tenant", "-t")
    p.add_argument("--service-principal", action="store_true")
    p.add_argument("--certificate")
    p.add_argument("--identity", action="store_true")
    p.add_argument("--client-id")
    p.add_argument("--object-id")
    p.add_argument("--resource-id")
    p.add_argument("--use-device-code", action="store_true")
    p.add_argument("--allow-no-subscriptions", action="store_true")
    p.add_argument("--scope")
    p.add_argument("--output", "-o", default="json")
    p.add_argument("--query")
    args = parse(p, argv)
    scope = args.scope or f"{MANAGEMENT}/.default"

    if args.service_principal:
        if not (args.username and (args.password or args.certificate) and args.tenant):
            raise LabError(
                "ERROR: usage error: --service-principal requires --username, --password or --certificate, "
                "and --tenant",
                2,
            )
        tenant = tenant_id_of(args.tenant)
        login_state = {"kind": "servicePrincipal", "client_id": args.username, "tenant": tenant}
        if args.certificate:
            login_state["certificate"] = str(Path(args.certificate).resolve())
        else:
            login_state["secret"] = args.password
        service_principal_token(login_state, tenant, scope)  # proves the credential now, as az does
        entry = subscription_entry(tenant, args.username, "servicePrincipal")
        save_login(login_state, entry)
    elif args.identity:
        token = _lab.managed_identity_token(
            MANAGEMENT, args.client_id or "", args.object_id or "", args.resource_id or ""
        )
        claims = _lab.jwt_claims(token["access_token"])
        entry = subscription_entry(
            claims["tid"],
            "userAssignedIdentity"
            if args.client_id or args.object_id or args.resource_id
            else "systemAssignedIdentity",
            "servicePrincipal",
        )
        entry["user"]["assignedIdentityInfo"] = f"MSIClient-{claims['appid']}" if args.client_id else "MSI"
        save_login(
            {
                "kind": "managedIdentity",
                "client_id": args.client_id or "",
                "object_id": args.object_id or "",
                "resource_id": args.resource_id or "",
                "tenant": claims["tid"],
            },
            entry,
        )
    else:
        if args.password:
            raise LabError(
                "ERROR: The lab's users have no passwords. Use `az login --username <upn>` (the lab's scripted "
                "sign-in) or `az login --use-device-code`."
            )
        tenant = tenant_id_of(args.tenant) if args.tenant else "organizations"
        user = args.username or os.environ.get(_lab.SIGNIN_USER_VAR, "")
        if user and not args.use_device_code:
            result = _lab.scripted_sign_in(tenant, f"{scope} offline_access openid profile", user)
        else:
            result = _lab.device_code_sign_in(tenant, f"{scope} offline_access openid profile")
        claims = _lab.jwt_claims(result["access_token"])
        entry = subscription_entry(claims["tid"], claims["upn"], "user")
        save_login(
            {
                "kind": "user",
                "username": claims["upn"],
                "tenant": claims["tid"],
                "refresh_token": result["refresh_token"],
            },
            entry,
        )
    # What `az login` prints: the subscriptions, with `environmentName` renamed `cloudName`
    # (azure-cli's login command does this; `az account show/list` keep `environmentName`).
    printed = {("cloudName" if k == "environmentName" else k): v for k, v in entry.items()}
    emit([printed], args.output, args.query)
    return 0


def logout(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="az logout", add_help=False)
    p.add_argument("--username")
    parse(p, argv)
    files = [config_dir() / LOGIN_FILE, config_dir() / PROFILE_FILE]
    if not files[0].exists():
        raise LabError("ERROR: There are no active accounts.")
    for path in files:
        path.unlink(missing_ok=True)
    return 0


def service_principal_token(login_state: dict[str, Any], tenant: str, scope: str) -> dict[str, Any]:
    if login_state.get("certificate"):
        return _lab.client_certificate_token(tenant, login_state["client_id"], login_state["certificate"], scope)
    return _lab.client_secret_token(tenant, login_state["client_id"], login_state["secret"], scope)


# -- az account -----------------------------------------------------------------------------------
def account(argv: list[str]) -> int:
    if not argv:
        raise LabError("ERROR: the following arguments are required: _subcommand", 2)
    sub, rest = argv[0], argv[1:]
    if sub == "show":
        p = argparse.ArgumentParser(prog="az account show", add_help=False)
        p.add_argument("--output", "-o", default="json")
        p.add_argument("--query")
        p.add_argument("--subscription", "-s")
        args = parse(p, rest)
        signed_in()
        profile = _lab.read_json(config_dir() / PROFILE_FILE) or {"subscriptions": []}
        if not profile["subscriptions"]:
            raise LabError(NOT_LOGGED_IN)
        emit(profile["subscriptions"][0], args.output, args.query)
        return 0
    if sub == "get-access-token":
        return get_access_token(rest)
    raise LabError(f"ERROR: 'account {sub}' is misspelled or not recognized by the system.", 2)


def get_access_token(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="az account get-access-token", add_help=False)
    p.add_argument("--output", "-o", default="json")
    p.add_argument("--query")
    p.add_argument("--resource")
    p.add_argument("--scope", nargs="+")
    p.add_argument("--tenant", "-t")
    p.add_argument("--subscription", "-s")
    p.add_argument("--resource-type")
    args = parse(p, argv)
    if args.resource and args.scope:
        raise LabError("ERROR: usage error: --resource/--resource-type/--scope are mutually exclusive", 2)
    login_state = signed_in()
    resource = (args.resource or MANAGEMENT).rstrip("/")
    scope = " ".join(args.scope) if args.scope else f"{resource}/.default"
    tenant = tenant_id_of(args.tenant) if args.tenant else login_state["tenant"]
    kind = login_state["kind"]
    cached = cached_access_token(login_state, tenant, scope)
    if cached is not None:
        result = cached
    elif kind == "user":
        try:
            result = _lab.refresh(tenant, login_state["refresh_token"], scope)
        except LabError as exc:
            raise LabError(f"{exc}\nTo re-authenticate, please run:\naz login --scope {scope}") from None
        if result.get("refresh_token"):
            login_state["refresh_token"] = result["refresh_token"]  # keep the rotated one
    elif kind == "servicePrincipal":
        result = service_principal_token(login_state, tenant, scope)
    else:
        mi_resource = scope.removesuffix("/.default")
        result = _lab.managed_identity_token(
            mi_resource, login_state["client_id"], login_state["object_id"], login_state["resource_id"]
        )
    if cached is None and kind in CACHING_KINDS:
        remember_access_token(login_state, tenant, scope, result)
    token = result["access_token"]
    expires_on = int(result.get("expires_on") or time.time() + int(result["expires_in"]))
    claims = _lab.jwt_claims(token)
    printed: dict[str, Any] = {
        "accessToken": token,
        # A naive local time, as the real CLI prints it (datetime.fromtimestamp).
        "expiresOn": dt.datetime.fromtimestamp(expires_on).strftime("%Y-%m-%d %H:%M:%S.%f"),
        "expires_on": expires_on,
        "tenant": claims.get("tid", tenant),
        "tokenType": "Bearer",
    }
    if not args.tenant:  # azure-cli's get_raw_token names a subscription only when no tenant is given
        printed["subscription"] = lab_directory()["subscription_id"]
    emit(dict(sorted(printed.items())), args.output, args.query)
    return 0


# -- the access token cache (what MSAL keeps in msal_token_cache.* in the profile folder) -----------
CACHING_KINDS = ("user", "servicePrincipal")
CACHE_MARGIN = 300  # MSAL does not serve a cached access token with under five minutes left


def cached_access_token(login_state: dict[str, Any], tenant: str, scope: str) -> dict[str, Any] | None:
    """A cached token for (tenant, scope) with more than five minutes left, as the real CLI serves it
    without asking Entra ID; None when there is none (managed identity logins are not cached here)."""
    if login_state["kind"] not in CACHING_KINDS:
        return None
    entry = login_state.get("access_tokens", {}).get(f"{tenant} {scope}")
    if not entry or entry["expires_on"] - time.time() <= CACHE_MARGIN:
        return None
    return {"access_token": entry["access_token"], "expires_on": entry["expires_on"]}


def remember_access_token(login_state: dict[str, Any], tenant: str, scope: str, result: dict[str, Any]) -> None:
    expires_on = int(result.get("expires_on") or time.time() + int(result["expires_in"]))
    tokens = login_state.setdefault("access_tokens", {})
    tokens[f"{tenant} {scope}"] = {"access_token": result["access_token"], "expires_on": expires_on}
    _lab.write_private_json(config_dir() / LOGIN_FILE, login_state)


# -- admin commands -------------------------------------------------------------------------------
def role(argv: list[str]) -> int:
    if argv[:2] == ["assignment", "list"]:
        signed_in()
        return provisioning.role_assignment_list(argv[2:], emit)
    if len(argv) < 2 or argv[0] != "assignment" or argv[1] not in ("create", "delete"):
        raise LabError(f"ERROR: 'role {' '.join(argv[:2])}' is misspelled or not recognized by the system.", 2)
    p = argparse.ArgumentParser(prog=f"az role assignment {argv[1]}", add_help=False)
    p.add_argument("--assignee", "--assignee-object-id", dest="assignee")
    p.add_argument("--assignee-principal-type")
    p.add_argument("--role")
    p.add_argument("--scope")
    p.add_argument("--output", "-o", default="json")
    p.add_argument("--query")
    args = parse(p, argv[2:])
    signed_in()
    body = {"assignee": args.assignee or "", "role": args.role or "", "scope": args.scope or ""}
    if argv[1] == "create":
        if not (args.assignee and args.role and args.scope):
            raise LabError("ERROR: usage error: --assignee, --role and --scope are required", 2)
        emit(_lab.admin("POST", "/_lab/admin/role-assignments", body), args.output, args.query)
    else:
        _lab.admin("DELETE", "/_lab/admin/role-assignments", body)
    return 0


def add_federated_credential(owner: str, name: str, issuer: str, subject: str, audiences: list[str] | None) -> Any:
    signed_in()
    body = {"owner": owner, "name": name, "issuer": issuer, "subject": subject, "audiences": audiences}
    return _lab.admin("POST", "/_lab/admin/federated-credentials", body)


def identity(argv: list[str]) -> int:
    """`az identity federated-credential create`: trust an external issuer's subject for a user-assigned identity."""
    if argv[:1] and argv[0] in ("create", "show", "delete"):
        signed_in()
        return provisioning.identity(argv, emit)
    if argv[:2] != ["federated-credential", "create"]:
        raise LabError(f"ERROR: 'identity {' '.join(argv[:2])}' is misspelled or not recognized by the system.", 2)
    p = argparse.ArgumentParser(prog="az identity federated-credential create", add_help=False)
    p.add_argument("--name", "-n", required=True)
    p.add_argument("--identity-name", required=True)
    p.add_argument("--resource-group", "-g", required=True)
    p.add_argument("--issuer", required=True)
    p.add_argument("--subject", required=True)
    p.add_argument("--audiences", nargs="+")
    p.add_argument("--output", "-o", default="json")
    p.add_argument("--query")
    args = parse(p, argv[2:])
    created = add_federated_credential(args.identity_name, args.name, args.issuer, args.subject, args.audiences)
    subscription = lab_directory()["subscription_id"]
    identity_id = (
        f"/subscriptions/{subscription}/resourcegroups/{args.resource_group}/providers/"
        f"Microsoft.ManagedIdentity/userAssignedIdentities/{args.identity_name}"
    )
    result = {
        **created,
        "id": f"{identity_id}/federatedIdentityCredentials/{created['name']}",
        "resourceGroup": args.resource_group,
        "type": "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
    }
    emit(result, args.output, args.query)
    return 0


def app_federated_credential(argv: list[str]) -> int:
    """`az ad app federated-credential create --id <appId> --parameters <json or @file>`."""
    p = argparse.ArgumentParser(prog="az ad app federated-credential create", add_help=False)
    p.add_argument("--id", required=True)
    p.add_argument("--parameters", required=True)
    p.add_argument("--output", "-o", default="json")
    p.add_argument("--query")
    args = parse(p, argv)
    text = Path(args.parameters[1:]).read_text() if args.parameters.startswith("@") else args.parameters
    try:
        parameters = json.loads(text)
    except ValueError:
        raise LabError("ERROR: --parameters must be JSON or @<file with JSON>", 2) from None
    audiences = parameters.get("audiences")
    created = add_federated_credential(
        args.id, str(parameters.get("name", "")), str(parameters.get("issuer", "")),
        str(parameters.get("subject", "")), audiences,
    )  # fmt: skip
    emit({**created, "description": parameters.get("description")}, args.output, args.query)
    return 0


def ad(argv: list[str]) -> int:
    if argv[:3] == ["app", "federated-credential", "create"]:
        return app_federated_credential(argv[3:])
    login_state = signed_in() if argv[:1] in (["app"], ["sp"], ["signed-in-user"]) else {}
    if argv[:2] == ["signed-in-user", "show"]:
        return provisioning.signed_in_user(argv[2:], emit, login_state)
    if argv[:3] == ["app", "credential", "list"]:
        return app_credential_list(argv[3:])
    if argv[:3] == ["app", "credential", "delete"]:
        return app_credential_delete(argv[3:])
    if argv[:2] == ["app", "federated-credential"]:
        return provisioning.federated_credential(argv[2:], emit)
    if argv[:3] == ["app", "credential", "reset"] and "--create-cert" in argv:
        return provisioning.create_certificate(argv[3:], emit, login_state.get("tenant", ""))
    if argv[:1] == ["app"] and argv[1:2] != ["credential"]:
        return provisioning.app(argv[1:], emit)
    if argv[:1] == ["sp"]:
        return provisioning.service_principal(argv[1:], emit)
    if argv[:3] != ["app", "credential", "reset"]:
        raise LabError(f"ERROR: 'ad {' '.join(argv[:3])}' is misspelled or not recognized by the system.", 2)
    p = argparse.ArgumentParser(prog="az ad app credential reset", add_help=False)
    p.add_argument("--id", required=True)
    p.add_argument("--append", action="store_true")
    p.add_argument("--display-name")
    p.add_argument("--years", type=float, default=1.0)
    p.add_argument("--cert")
    p.add_argument("--output", "-o", default="json")
    p.add_argument("--query")
    args = parse(p, argv[3:])
    signed_in()
    if args.cert:
        result = _lab.admin(
            "POST",
            f"/_lab/admin/applications/{args.id}/certificates",
            {"certificate": read_at_file(args.cert), "append": args.append},
        )
    else:
        body = {"append": args.append, "display_name": args.display_name or "", "years": args.years}
        result = _lab.admin("POST", f"/_lab/admin/applications/{args.id}/credentials/reset", body)
    print(
        "WARNING: The output includes credentials that you must protect. Be sure that you do not include these "
        "credentials in your code or check the credentials into your source control. For more information, see "
        "https://aka.ms/azadsp-cli",
        file=sys.stderr,
    )
    emit(result, args.output, args.query)
    return 0


def read_at_file(value: str) -> str:
    """`@path` reads the file, as az does for any argument; anything else is the value itself."""
    if not value.startswith("@"):
        return value
    try:
        return Path(value[1:]).expanduser().read_text()
    except OSError as exc:
        raise LabError(f"ERROR: cannot read '{value[1:]}': {exc.strerror}", 2) from None


def app_credential_list(argv: list[str]) -> int:
    """`az ad app credential list --id <appId> [--cert]`: metadata only, never a secret value."""
    p = argparse.ArgumentParser(prog="az ad app credential list", add_help=False)
    p.add_argument("--id", required=True)
    p.add_argument("--cert", action="store_true")
    p.add_argument("--output", "-o", default="json")
    p.add_argument("--query")
    args = parse(p, argv)
    signed_in()
    query = "?cert=true" if args.cert else ""
    emit(_lab.admin("GET", f"/_lab/admin/applications/{args.id}/credentials{query}", None), args.output, args.query)
    return 0


def app_credential_delete(argv: list[str]) -> int:
    """`az ad app credential delete --id <appId> --key-id <keyId> [--cert]`: prints nothing on success."""
    p = argparse.ArgumentParser(prog="az ad app credential delete", add_help=False)
    p.add_argument("--id", required=True)
    p.add_argument("--key-id", required=True)
    p.add_argument("--cert", action="store_true")
    args = parse(p, argv)
    signed_in()
    query = "?cert=true" if args.cert else ""
    _lab.admin("DELETE", f"/_lab/admin/applications/{args.id}/credentials/{args.key_id}{query}", None)
    return 0


# -- plumbing -------------------------------------------------------------------------------------
class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise LabError(f"ERROR: {self.prog}: {message}", 2)


def parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    parser.__class__ = _Parser
    args, unknown = parser.parse_known_args(argv)
    unknown = [u for u in unknown if u not in ("--only-show-errors", "--verbose", "--debug")]
    if unknown:
        raise LabError(f"ERROR: unrecognized arguments: {' '.join(unknown)}", 2)
    return args


def signed_in_subscription() -> str:
    signed_in()
    return str(lab_directory()["subscription_id"])


def tenant_id_of(tenant: str) -> str:
    for t in lab_directory()["tenants"]:
        if tenant.lower() in (t["id"], t["domain"].lower()):
            return t["id"]
    return tenant  # let the emulator answer for an unknown tenant, as Entra would


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = {
        "login": login, "logout": logout, "account": account, "role": role, "ad": ad, "identity": identity,
        "group": lambda a: provisioning.group(a, emit, signed_in_subscription()),
        "cognitiveservices": lambda a: provisioning.cognitiveservices(a, emit) if signed_in() else 1,
        "resource": lambda a: provisioning.resource(a, emit) if signed_in() else 1,
    }  # fmt: skip
    if not argv or argv[0] in ("-h", "--help"):
        print("keyless-lab stand-in for the Azure CLI. Commands: " + ", ".join(commands))
        return 0
    if argv[0] in ("version", "--version"):
        print(json.dumps({"azure-cli": "2.77.0 (keyless-lab stand-in)", "extensions": {}}, indent=2))
        return 0
    command = commands.get(argv[0])
    try:
        if command is None:
            raise LabError(f"ERROR: '{argv[0]}' is misspelled or not recognized by the system.", 2)
        return command(argv[1:])
    except LabError as exc:
        print(str(exc), file=sys.stderr)
        return exc.exit_code
