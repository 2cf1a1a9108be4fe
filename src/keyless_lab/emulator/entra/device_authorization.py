"""The device authorization endpoint: `POST /{tenant}/oauth2/v2.0/devicecode` (RFC 8628).

A device without a browser asks for a code pair: it shows the person the `user_code` and the
verification page, and polls the token endpoint with the `device_code` until the person has
signed in. The lab also offers an emulator-only way to approve a code without a person,
`POST /_lab/devicecode/approve` (JSON `{"user_code", "user"}`) and `approve_device_code()`,
for notebooks, tests and the `az`/`azd` stand-ins. Approving signs someone in, so the route
needs the lab's admin key (`X-Keyless-Lab-Admin-Key`, as the admin API does), and a code is
approved once; the public verification page stays the person's way in.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import errors
from ..lab.admin import read_admin_request
from ..managed_identity.imds import KNOWN_RESOURCES
from ..state import EmulatorState
from .grants.base import invalid_scope, resource_of_default_scope
from .grants.client_credentials import unknown_application
from .signin import DEVICE_LOGIN_PATH, resolve_tenant, users_for
from .token_endpoint import MAX_FORM_BYTES, parse_form, read_bounded

DEVICECODE_PATH = "/{tenant}/oauth2/v2.0/devicecode"
APPROVE_PATH = "/_lab/devicecode/approve"
ADVERTISES = {"device_authorization_endpoint": DEVICECODE_PATH}


def approve_device_code(state: EmulatorState, user_code: str, user: str) -> str:
    """Sign `user` (UPN or object id) in on the verification page for `user_code`.

    Returns "" on success, else a sentence saying why not (unknown user or code, used, expired).
    """
    person = state.directory.user(user)
    if person is None:
        return f"no user {user!r} in the lab directory"
    device = state.user_sessions.device_by_user_code(user_code)
    if device is None:
        return f"no device code {user_code!r} is waiting for sign-in"
    if person not in users_for(state, device.tenant):
        return f"{person.upn} is not a member of tenant {device.tenant!r}"
    if state.user_sessions.approve_device(user_code, person.object_id) is None:
        return f"device code {user_code!r} has expired or was already answered (approved or declined)"
    state.audit.record("Entra ID", "sign-in (device code, scripted)", person.upn, person.object_id, "user", 200)
    return ""


def routes(state: EmulatorState) -> list[Route]:
    async def devicecode(request: Request) -> Response:
        segment = request.path_params["tenant"]
        tenant = resolve_tenant(state, segment)
        if tenant is None:
            return errors.unknown_tenant(segment)
        body = await read_bounded(request, MAX_FORM_BYTES)  # chunked bodies too
        if body is None:
            return errors.entra_error("invalid_request", 900144, "The request body is too large.")
        fields = parse_form(body)
        client_id = fields.get("client_id", "").lower()
        if not client_id:
            return errors.missing_parameter("client_id")
        if state.directory.public_client(client_id) is None:
            return unknown_application(client_id, tenant.name if not isinstance(tenant, str) else segment)
        scope = fields.get("scope", "")
        resource = resource_of_default_scope(scope)
        if resource is None or resource not in KNOWN_RESOURCES:
            return invalid_scope(scope)
        device = state.user_sessions.begin_device(segment, client_id, scope)
        verification_uri = state.urls.authority_host + DEVICE_LOGIN_PATH
        return JSONResponse(
            {
                "user_code": device.user_code,
                "device_code": device.device_code,
                "verification_uri": verification_uri,
                "expires_in": int(device.expires_at - device.issued_at),
                "interval": device.interval,
                "message": f"To sign in, use a web browser to open the page {verification_uri} and enter the code "
                f"{device.user_code} to authenticate.",
            },
            headers={"Cache-Control": "no-store"},
        )

    async def approve(request: Request) -> Response:
        body = await read_admin_request(request, state)
        if isinstance(body, Response):
            return body
        user_code, user = body.get("user_code"), body.get("user")
        if not (isinstance(user_code, str) and isinstance(user, str)):
            return JSONResponse({"error": 'expected JSON {"user_code": "...", "user": "..."}'}, status_code=400)
        problem = approve_device_code(state, user_code, user)
        if problem:
            return JSONResponse({"error": problem}, status_code=400)
        return JSONResponse({"approved": True, "user_code": user_code.upper(), "user": state.directory.user(user).upn})  # type: ignore[union-attr]

    return [
        Route(DEVICECODE_PATH, devicecode, methods=["POST"]),
        Route(APPROVE_PATH, approve, methods=["POST"]),
    ]
