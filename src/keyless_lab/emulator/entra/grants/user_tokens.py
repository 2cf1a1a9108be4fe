"""The token response of the user grants (authorization code, device code, refresh token).

Entra answers a delegated token request with the access token, a refresh token (when
`offline_access` was asked for), an OpenID Connect `id_token` (when `openid` was), and
`client_info` (base64url `{"uid","utid"}`, when the client sent `client_info=1`), which MSAL uses
to key its account cache.
"""

from __future__ import annotations

import base64
import json

from starlette.responses import Response

from ...crypto.access_tokens import KNOWN_RESOURCES
from ...directory import User
from ...state import EmulatorState
from ..aadsts import INVALID_SCOPE, MALFORMED_GRANT, EntraError
from ..request_helpers import MULTI_TENANT
from .base import TokenRequest, resource_of_default_scope, token_response


def grant_user(state: EmulatorState, req: TokenRequest, user_id: str) -> User:
    """The user a code, device code or refresh token was issued to; invalid_grant if they are gone or in
    another tenant than the URL names (a grant cannot be redeemed at another tenant; organizations/common
    accept any)."""
    user = state.directory.user(user_id)
    segment = req.request.path_params.get("tenant", "").lower()
    if user is None or not (segment in MULTI_TENANT or req.tenant.id == user.tenant):
        raise EntraError(MALFORMED_GRANT)
    return user


def client_info(user: User) -> str:
    raw = json.dumps({"uid": user.object_id, "utid": user.tenant}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def issue_user_tokens(
    state: EmulatorState,
    req: TokenRequest,
    user: User,
    client_id: str,
    scope: str,
    grant: str,
    nonce: str | None = None,
    family: str = "",
) -> Response:
    """Validate the scope and answer with the user's tokens (and a fresh refresh token)."""
    resource = resource_of_default_scope(scope)
    if resource is None or resource not in KNOWN_RESOURCES:
        raise EntraError(INVALID_SCOPE, scope=scope)
    issued = state.issuer.user_token(user, client_id, resource, state.policy.entra_lifetime)
    requested = set(scope.split())
    resource_scope = f"{resource.rstrip('/')}/user_impersonation {resource.rstrip('/')}/.default"
    extra: dict[str, object] = {"scope": resource_scope}
    if "offline_access" in requested:
        extra["refresh_token"] = state.user_sessions.issue_refresh_token(user.object_id, client_id, family)
    if "openid" in requested:
        issuer = f"{state.urls.authority_host}/{user.tenant}/v2.0"
        extra["id_token"] = state.issuer.id_token(user, client_id, issuer, nonce)
    if req.fields.get("client_info") == "1":
        extra["client_info"] = client_info(user)
    state.audit.record("Entra ID", f"token {grant}", user.upn, user.object_id, "user", 200)
    return token_response(issued, extra)
