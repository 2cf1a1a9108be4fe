"""The Microsoft Entra ID token endpoint: `POST /{tenant}/oauth2/v2.0/token` (and v1 `/oauth2/token`).

One endpoint serves every OAuth grant; this module parses the form, resolves the tenant, and
hands the request to the grant named by `grant_type`. Grants live in `grants/`; a new grant is a
function registered in `GRANTS`.

The v1 endpoint names the API by `resource` rather than `scope` and answers in v1's shape
(numbers as strings, plus `resource`, `expires_on` and `not_before`); the lab translates
`resource` into the equivalent `<resource>/.default` scope and runs the same grants.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..state import EmulatorState, emulator_state
from .aadsts import MISSING_PARAMETER, UNKNOWN_TENANT, UNSUPPORTED_GRANT_TYPE, EntraError
from .grants import GRANTS, USER_GRANTS, TokenRequest
from .request_helpers import MultiTenant, known_tenant, read_entra_form

TOKEN_PATH = "/{tenant}/oauth2/v2.0/token"
V1_TOKEN_PATH = "/{tenant}/oauth2/token"
# MSAL refuses a discovery document without `authorization_endpoint`, even for app-only flows.
ADVERTISES = {"token_endpoint": TOKEN_PATH, "authorization_endpoint": "/{tenant}/oauth2/v2.0/authorize"}


def v1_fields(fields: dict[str, str]) -> dict[str, str]:
    """A v1 request's `resource` as the v2 scope the grants understand."""
    resource = fields.get("resource", "")
    if resource and not fields.get("scope"):
        return {**fields, "scope": resource.rstrip("/") + "/.default"}
    return fields


def v1_response(response: Response, resource: str, now: float) -> Response:
    """A v2 token response in v1's shape (errors are raised, in the same shape for v1 and v2)."""
    body = json.loads(bytes(response.body))
    expires_in = int(body["expires_in"])
    body.update(
        expires_in=str(expires_in),
        ext_expires_in=str(body.get("ext_expires_in", expires_in)),
        expires_on=str(int(now) + expires_in),
        not_before=str(int(now)),
        resource=resource,
    )
    return JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


async def token(request: Request) -> Response:
    state = emulator_state(request)
    tenant_segment = request.path_params["tenant"]
    resolved = known_tenant(state, tenant_segment)
    tenant = None if isinstance(resolved, MultiTenant) else resolved
    form = await read_entra_form(request)
    v1 = request.url.path.endswith("/oauth2/token")
    fields = v1_fields(form) if v1 else form
    grant_type = fields.get("grant_type", "")
    if not grant_type:
        raise EntraError(MISSING_PARAMETER, name="grant_type")
    grant = GRANTS.get(grant_type)
    if grant is None:
        raise EntraError(UNSUPPORTED_GRANT_TYPE, grant_type=grant_type)
    if tenant is None:  # organizations/common: only user grants (the user's tenant is in the grant)
        if grant_type not in USER_GRANTS:
            raise EntraError(UNKNOWN_TENANT, tenant=tenant_segment)
        tenant = state.directory.primary_tenant
    path = V1_TOKEN_PATH if v1 else TOKEN_PATH
    token_url = state.urls.authority_host + path.format(tenant=tenant_segment)
    answer = await grant(state, TokenRequest(tenant=tenant, fields=fields, token_url=token_url, request=request))
    return v1_response(answer, fields.get("resource", ""), state.clock.now()) if v1 else answer


def routes(state: EmulatorState) -> list[Route]:
    return [Route(TOKEN_PATH, token, methods=["POST"]), Route(V1_TOKEN_PATH, token, methods=["POST"])]
