"""An emulator-only admin API, mirroring what a person does in the Azure portal or with `az`.

`az role assignment create/delete` and `az ad app credential reset` (the lab's `az` shim) call
these endpoints; notebooks can call the same `Directory` methods directly. Requests must carry
the instance's admin secret in `X-Keyless-Lab-Admin-Key` (from KEYLESS_LAB_ADMIN_KEY in the lab
environment), so that only processes started with the lab's environment can change the directory.
"""

from __future__ import annotations

import hmac
import json
import math
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..directory import RoleAssignment
from ..state import EmulatorState, emulator_state
from .request_error import LabRequestError

ADMIN_HEADER = "x-keyless-lab-admin-key"
ROLE_ASSIGNMENTS_PATH = "/_lab/admin/role-assignments"
CREDENTIAL_RESET_PATH = "/_lab/admin/applications/{app}/credentials/reset"
FEDERATED_CREDENTIALS_PATH = "/_lab/admin/federated-credentials"


MAX_YEARS = 100  # lab choice: a bound that keeps expiry dates representable; `az` takes whole years


def require_admin_key(request: Request, state: EmulatorState) -> None:
    """Raises 401 unless the request carries this instance's admin key (constant-time comparison)."""
    presented = request.headers.get(ADMIN_HEADER, "")
    if not hmac.compare_digest(presented.encode(), state.admin_secret.encode()):
        raise LabRequestError("the lab admin API needs the X-Keyless-Lab-Admin-Key header", 401)


async def read_json_object(request: Request) -> dict[str, Any]:
    """The body as a JSON object; raises a 400 saying why not. Nesting too deep for the parser is a
    400 too, not a RecursionError (a hostile body must never become a 500)."""
    try:
        body = json.loads(await request.body() or b"{}")
    except (ValueError, RecursionError):
        raise LabRequestError("the body must be JSON (and nested no deeper than the parser allows)") from None
    if not isinstance(body, dict):
        raise LabRequestError("the body must be a JSON object")
    return body


async def read_admin_request(request: Request, state: EmulatorState) -> dict[str, Any]:
    """The admin key check, then the JSON object body."""
    require_admin_key(request, state)
    return await read_json_object(request)


def validity_days(value: object) -> int:
    """`years` of `az ad app credential reset` as days; raises a 400 saying what is wrong."""
    if value is None:
        return 365
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise LabRequestError(f"years must be a number, not {type(value).__name__}")
    if not math.isfinite(value) or not 0 < value <= MAX_YEARS:
        raise LabRequestError(f"years must be more than 0 and at most {MAX_YEARS}")
    return max(1, int(value * 365))


def assignment_json(state: EmulatorState, ra: RoleAssignment) -> dict[str, Any]:
    """The shape `az role assignment create` prints (id derived from the assignment, so it is stable)."""
    principal = state.directory.principal(ra.principal_id)
    name = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{ra.scope}|{ra.principal_id}|{ra.role.id}"))
    return {
        "id": f"{ra.scope}/providers/Microsoft.Authorization/roleAssignments/{name}",
        "name": name,
        "principalId": ra.principal_id,
        "principalType": principal.principal_type if principal else "ServicePrincipal",
        "roleDefinitionId": f"/subscriptions/{state.directory.subscription_id}/providers/Microsoft.Authorization/"
        f"roleDefinitions/{ra.role.id}",
        "roleDefinitionName": ra.role.name,
        "scope": ra.scope,
        "type": "Microsoft.Authorization/roleAssignments",
    }


async def read(request: Request) -> dict[str, Any]:
    state = emulator_state(request)
    return await read_admin_request(request, state)


async def role_assignments(request: Request) -> Response:
    state = emulator_state(request)
    body = await read(request)
    assignee, role, scope = (str(body.get(k, "")) for k in ("assignee", "role", "scope"))
    if not (assignee and role):
        raise LabRequestError("--assignee and --role are required")
    try:
        if request.method == "DELETE":
            removed = state.directory.remove_role(assignee, role, scope or "openai")
            return JSONResponse({"removed": removed})
        assignment = state.directory.assign_role(assignee, role, scope or "openai")
    except KeyError as exc:
        raise LabRequestError(str(exc.args[0]), 404) from None
    state.audit.record("Azure RBAC", f"assign {assignment.role.name}", assignee, assignment.principal_id, "admin", 201)
    return JSONResponse(assignment_json(state, assignment), status_code=201)


async def credential_reset(request: Request) -> Response:
    state = emulator_state(request)
    body = await read(request)
    app_id = request.path_params["app"]
    days = validity_days(body.get("years"))
    append, display_name = body.get("append", False), body.get("display_name") or "rbac"
    if not isinstance(append, bool):
        raise LabRequestError("append must be true or false")
    if not isinstance(display_name, str):
        raise LabRequestError("display_name must be a string")
    try:
        secret = state.directory.reset_client_secrets(
            app_id, append=append, display_name=display_name, expires_in_days=days
        )
    except (KeyError, ValueError) as exc:
        raise LabRequestError(str(exc.args[0]) if exc.args else "bad request", 404) from None
    app = next(a for a in state.directory.applications.values() if secret in a.secrets)
    return JSONResponse({"appId": app.client_id, "password": secret.value, "tenant": app.tenant})


async def federated_credentials(request: Request) -> Response:
    """What `az identity federated-credential create` / `az ad app federated-credential create` do."""
    state = emulator_state(request)
    body = await read(request)
    owner, name, issuer, subject = (str(body.get(k, "")) for k in ("owner", "name", "issuer", "subject"))
    audiences = body.get("audiences") or None
    if not (owner and name and issuer and subject):
        raise LabRequestError("owner, name, issuer and subject are required")
    if audiences is not None and not (isinstance(audiences, list) and all(isinstance(a, str) for a in audiences)):
        raise LabRequestError("audiences must be a list of strings")
    try:
        updated = state.directory.has_federated_credential(owner, name)  # an identity's is replaced: 200, as ARM
        created = state.directory.add_federated_credential(owner, issuer, subject, audiences, name=name)
    except KeyError as exc:
        raise LabRequestError(str(exc.args[0]), 404) from None
    except ValueError as exc:  # the owner cannot hold one (a system-assigned identity), or the name is taken
        raise LabRequestError(str(exc.args[0])) from None
    status = 200 if updated else 201
    state.audit.record("Entra ID", f"add federated credential {name}", owner, "", "admin", status)
    return JSONResponse(
        {"name": created.name, "issuer": created.issuer, "subject": created.subject,
         "audiences": list(created.audiences)},
        status_code=status,
    )  # fmt: skip


def routes(state: EmulatorState) -> list[Route]:
    return [
        Route(ROLE_ASSIGNMENTS_PATH, role_assignments, methods=["POST", "DELETE"]),
        Route(CREDENTIAL_RESET_PATH, credential_reset, methods=["POST"]),
        Route(FEDERATED_CREDENTIALS_PATH, federated_credentials, methods=["POST"]),
    ]
