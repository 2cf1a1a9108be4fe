"""The refresh token grant: trade a refresh token for new tokens, for any resource the client may use.

Every redemption returns a new refresh token (rotation: clients should keep the newest); the
old one stays usable until it has been idle 90 days, as on Entra, after which it fails with
AADSTS700082. Garbage or revoked refresh tokens fail with AADSTS9002313 (invalid_grant).
"""

from __future__ import annotations

import datetime as dt

from starlette.responses import Response

from ...state import EmulatorState
from ..aadsts import (
    MALFORMED_GRANT,
    REFRESH_TOKEN_EXPIRED,
    REFRESH_TOKEN_OTHER_CLIENT,
    EntraError,
)
from .base import TokenRequest, require_fields
from .user_tokens import grant_user, issue_user_tokens


async def refresh_token(state: EmulatorState, req: TokenRequest) -> Response:
    fields = req.fields
    require_fields(req, "client_id", "refresh_token")
    grant, problem = state.user_sessions.use_refresh_token(fields["refresh_token"])
    if grant is None:
        raise EntraError(MALFORMED_GRANT)
    if problem == "expired":
        issued = dt.datetime.fromtimestamp(grant.issued_at, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f0Z")
        raise EntraError(REFRESH_TOKEN_EXPIRED, issued=issued)
    if grant.client_id != fields["client_id"].lower():
        raise EntraError(REFRESH_TOKEN_OTHER_CLIENT)
    user = grant_user(state, req, grant.user_id)
    scope = fields.get("scope", "")
    if "offline_access" not in scope.split():
        scope += " offline_access"  # a refresh token request always gets a new refresh token
    return issue_user_tokens(state, req, user, grant.client_id, scope.strip(), "refresh_token", family=grant.family)
