"""The refresh token grant: trade a refresh token for new tokens, for any resource the client may use.

Every redemption returns a new refresh token (rotation: clients should keep the newest); the
old one stays usable until it has been idle 90 days, as on Entra, after which it fails with
AADSTS700082. Garbage or revoked refresh tokens fail with AADSTS9002313 (invalid_grant).
"""

from __future__ import annotations

import datetime as dt

from starlette.responses import Response

from ... import errors
from ...state import EmulatorState
from .base import TokenRequest
from .user_tokens import invalid_grant, issue_user_tokens, malformed_grant, tenant_matches


async def refresh_token(state: EmulatorState, req: TokenRequest) -> Response:
    fields = req.fields
    for name in ("client_id", "refresh_token"):
        if not fields.get(name):
            return errors.missing_parameter(name)
    grant, problem = state.user_sessions.use_refresh_token(fields["refresh_token"])
    if grant is None:
        return malformed_grant()
    if problem == "expired":
        issued = dt.datetime.fromtimestamp(grant.issued_at, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f0Z")
        return invalid_grant(
            700082,
            f"The refresh token has expired due to inactivity. The token was issued on {issued} and was inactive "
            "for 90.00:00:00.",
        )
    if grant.client_id != fields["client_id"].lower():
        return errors.entra_error(
            "invalid_grant",
            70000,
            "The provided value for the 'refresh_token' is not valid. The token was issued to a different client.",
        )
    user = state.directory.user(grant.user_id)
    if user is None or not tenant_matches(req, user):
        return malformed_grant()
    scope = fields.get("scope", "")
    if "offline_access" not in scope.split():
        scope += " offline_access"  # a refresh token request always gets a new refresh token
    return issue_user_tokens(state, req, user, grant.client_id, scope.strip(), "refresh_token", family=grant.family)
