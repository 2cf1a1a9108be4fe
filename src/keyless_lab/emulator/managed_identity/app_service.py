"""The App Service managed identity endpoint (also used by Azure Functions and Container Apps).

On App Service the platform sets IDENTITY_ENDPOINT (a local URL such as
`http://127.0.0.1:41564/msi/token`) and IDENTITY_HEADER (a per-instance secret); code asks
`GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=...` with header `X-IDENTITY-HEADER`.
The header defends against server-side request forgery, so a request without the right value is
refused. User-assigned identities are selected by `client_id`, `object_id` or `mi_res_id`.
The emulated App Service carries the same identities as the emulated VM (the lab's one "compute").
"""

from __future__ import annotations

import hmac
import uuid

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..crypto.access_tokens import KNOWN_RESOURCES
from ..state import EmulatorState, emulator_state
from .imds import resource_from

APP_SERVICE_TOKEN_PATH = "/msi/token"
API_VERSION = "2019-08-01"


def app_service_error(status: int, message: str) -> JSONResponse:
    """App Service's error shape: `{"statusCode", "message", "correlationId"}`."""
    return JSONResponse(
        {"statusCode": status, "message": message, "correlationId": str(uuid.uuid4())}, status_code=status
    )


async def msi_token(request: Request) -> Response:
    state = emulator_state(request)
    query = request.query_params
    presented = request.headers.get("x-identity-header", "")
    if not presented or not hmac.compare_digest(presented.encode(), state.identity_header.encode()):
        state.audit.record("App Service MSI", "GET token", "(rejected)", "", "managed identity", 401)
        # Wording is the emulator's: the real endpoint's body for this case is not documented.
        return app_service_error(401, "The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.")
    if query.get("api-version") != API_VERSION:
        return app_service_error(400, f"Unsupported api-version; use api-version={API_VERSION}.")
    resource = resource_from(query.get("resource", ""))
    if not resource:
        return app_service_error(400, "Required query variable 'resource' is missing.")
    principal = state.directory.attached_identity(
        client_id=query.get("client_id", ""),
        object_id=query.get("object_id", "") or query.get("principal_id", ""),  # principal_id: older name
        resource_id=query.get("mi_res_id", ""),
    )
    if principal is None:
        state.audit.record("App Service MSI", "GET token", "(unknown identity)", "", "managed identity", 400)
        return app_service_error(400, "Unable to load the proper Managed Identity.")
    if resource not in KNOWN_RESOURCES:
        tenant = state.directory.tenant(principal.tenant)
        return app_service_error(
            400,
            f"AADSTS500011: The resource principal named {resource} was not found in the tenant named "
            f"{tenant.name if tenant else principal.tenant}.",
        )
    issued = state.issuer.managed_identity_token(principal, resource, state.policy.managed_identity_lifetime)
    state.audit.record("App Service MSI", "GET token", principal.name, principal.object_id, "managed identity", 200)
    return JSONResponse(
        {
            "access_token": issued.token,
            "expires_on": str(issued.expires_at),
            "resource": resource,
            "token_type": "Bearer",
            "client_id": principal.client_id,
        }
    )


def routes(state: EmulatorState) -> list[Route]:
    return [Route(APP_SERVICE_TOKEN_PATH, msi_token, methods=["GET"])]
