"""The client credentials grant: an application (or a user-assigned managed identity, through a
federated credential) signs in as itself and gets an app-only token for one resource.

Client authentication (secret, certificate, federated assertion) lives in `client_auth`; this
module checks the scope, which for this grant must be exactly one `{resource}/.default`.
"""

from __future__ import annotations

from starlette.responses import Response

from ...crypto.access_tokens import KNOWN_RESOURCES
from ...state import EmulatorState
from ..aadsts import (
    INCOMPATIBLE_SCOPES,
    MISSING_PARAMETER,
    SCOPE_WITHOUT_DEFAULT,
    UNKNOWN_RESOURCE,
    EntraError,
)
from .base import OIDC_SCOPES, TokenRequest, token_response
from .client_auth import AuthenticatedClient, authenticate_client


def check_scope(state: EmulatorState, req: TokenRequest) -> str:
    """The resource of a client-credentials scope; raises the error Entra returns for the scope."""
    scope = req.fields.get("scope", "")
    if not scope.strip():
        raise EntraError(MISSING_PARAMETER, name="scope")
    scopes = scope.split()
    for item in scopes:
        if not item.endswith("/.default"):
            raise EntraError(SCOPE_WITHOUT_DEFAULT, item=item)
    resources = [s.removesuffix("/.default") for s in scopes if s not in OIDC_SCOPES]
    if len(resources) != 1:
        raise EntraError(INCOMPATIBLE_SCOPES, scope=scope)
    resource = resources[0]
    if resource not in KNOWN_RESOURCES:
        raise EntraError(UNKNOWN_RESOURCE, resource=resource, tenant=req.tenant.name)
    return resource


def _issue(state: EmulatorState, client: AuthenticatedClient, resource: str) -> Response:
    lifetime = state.policy.entra_lifetime
    if client.is_managed_identity:
        issued = state.issuer.managed_identity_token(client.principal, resource, lifetime)
    else:
        issued = state.issuer.application_token(client.principal, resource, lifetime, client_auth=client.appidacr)
    return token_response(issued)


async def client_credentials(state: EmulatorState, req: TokenRequest) -> Response:
    try:
        client = authenticate_client(state, req)
    except EntraError as error:
        state.audit.record(
            "Entra ID", "token client_credentials", req.fields.get("client_id", "")[:64], "", "-", error.entry.status
        )
        raise
    resource = check_scope(state, req)
    state.audit.record(
        "Entra ID", "token client_credentials", client.principal.name, client.principal.object_id, client.method, 200
    )
    return _issue(state, client, resource)
