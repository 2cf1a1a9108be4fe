"""The Microsoft Entra ID authority: OpenID Connect discovery and the signing keys (JWKS).

MSAL reads `/{tenant}/v2.0/.well-known/openid-configuration` before it asks for a token; resource
servers read `jwks_uri` to verify signatures. The discovery documents advertise only the
endpoints this emulator implements: the v2.0 document the v2.0 endpoints; the v1 document
(`/{tenant}/.well-known/openid-configuration`, read by v1 resource servers for `issuer` and
`jwks_uri`) the v1 token endpoint `/{tenant}/oauth2/token`. Entra's v1 document also lists a v1
`authorization_endpoint`; the lab has no v1 sign-in page, so it leaves that field out.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..crypto.access_tokens import v1_issuer
from ..state import EmulatorState, emulator_state
from .request_helpers import MultiTenant, known_tenant
from .token_endpoint import V1_TOKEN_PATH

V1_ADVERTISED = {"token_endpoint": V1_TOKEN_PATH}


def _tenant_id(state: EmulatorState, tenant: str) -> str:
    """The id a tenant segment names (`{tenantid}` for the multi-tenant aliases, in any case, as the
    token endpoint reads them); AADSTS90002 if none."""
    found = known_tenant(state, tenant)
    return "{tenantid}" if isinstance(found, MultiTenant) else found.id


def discovery_document(state: EmulatorState, tenant: str, tenant_id: str, v2: bool = True) -> dict[str, Any]:
    base = state.urls.authority_host
    issuer = f"{base}/{tenant_id}/v2.0" if v2 else v1_issuer(tenant_id)
    keys_path = "discovery/v2.0/keys" if v2 else "discovery/keys"
    doc: dict[str, Any] = {
        "issuer": issuer,
        "jwks_uri": f"{base}/{tenant}/{keys_path}",
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "token_endpoint_auth_methods_supported": [
            "client_secret_post",
            "private_key_jwt",
            "client_secret_basic",
        ],
        "tenant_region_scope": "EU",
        "cloud_instance_name": "microsoftonline.com",
    }
    for field, template in (state.advertised_endpoints if v2 else V1_ADVERTISED).items():
        doc[field] = base + template.format(tenant=tenant)
    return doc


def _openid_configuration(request: Request, v2: bool) -> Response:
    state = emulator_state(request)
    tenant = request.path_params["tenant"]
    return JSONResponse(discovery_document(state, tenant, _tenant_id(state, tenant), v2=v2))


async def openid_configuration_v2(request: Request) -> Response:
    return _openid_configuration(request, v2=True)


async def openid_configuration_v1(request: Request) -> Response:
    return _openid_configuration(request, v2=False)


async def jwks(request: Request) -> Response:
    state = emulator_state(request)
    _tenant_id(state, request.path_params.get("tenant", "common"))  # an unknown tenant has no keys
    return JSONResponse(state.keys.jwks())


OPENID_CONFIGURATION_V2_PATH = "/{tenant}/v2.0/.well-known/openid-configuration"
OPENID_CONFIGURATION_V1_PATH = "/{tenant}/.well-known/openid-configuration"
JWKS_V2_PATH = "/{tenant}/discovery/v2.0/keys"
JWKS_V1_PATH = "/{tenant}/discovery/keys"


def routes(state: EmulatorState) -> list[Route]:
    return [
        Route(OPENID_CONFIGURATION_V2_PATH, openid_configuration_v2, methods=["GET"]),  # MSAL's discovery (v2)
        Route(OPENID_CONFIGURATION_V1_PATH, openid_configuration_v1, methods=["GET"]),
        Route(JWKS_V2_PATH, jwks, methods=["GET"]),  # the keys tokens are signed with
        Route(JWKS_V1_PATH, jwks, methods=["GET"]),
    ]
