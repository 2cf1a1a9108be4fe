"""The device authorization endpoint: `POST /{tenant}/oauth2/v2.0/devicecode` (RFC 8628).

A device without a browser asks for a code pair: it shows the person the `user_code` and the
verification page, and polls the token endpoint with the `device_code` until the person has
signed in. The lab's scripted approval of a code, without a person, is not emulated Azure and
lives with the lab's control plane (`lab/device_approval.py`).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..crypto.access_tokens import KNOWN_RESOURCES
from ..state import EmulatorState, emulator_state
from .aadsts import (
    INVALID_SCOPE,
    MISSING_PARAMETER,
    UNKNOWN_APPLICATION,
    EntraError,
)
from .grants.base import resource_of_default_scope
from .request_helpers import MultiTenant, known_tenant, read_entra_form
from .signin import DEVICE_LOGIN_PATH

DEVICECODE_PATH = "/{tenant}/oauth2/v2.0/devicecode"
ADVERTISES = {"device_authorization_endpoint": DEVICECODE_PATH}


async def devicecode(request: Request) -> Response:
    state = emulator_state(request)
    segment = request.path_params["tenant"]
    tenant = known_tenant(state, segment)
    fields = await read_entra_form(request)
    client_id = fields.get("client_id", "").lower()
    if not client_id:
        raise EntraError(MISSING_PARAMETER, name="client_id")
    if state.directory.public_client(client_id) is None:
        where = segment if isinstance(tenant, MultiTenant) else tenant.name
        raise EntraError(UNKNOWN_APPLICATION, client_id=client_id, tenant=where)
    scope = fields.get("scope", "")
    resource = resource_of_default_scope(scope)
    if resource is None or resource not in KNOWN_RESOURCES:
        raise EntraError(INVALID_SCOPE, scope=scope)
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


def routes(state: EmulatorState) -> list[Route]:
    return [
        Route(DEVICECODE_PATH, devicecode, methods=["POST"]),
    ]
