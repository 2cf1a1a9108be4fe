"""The authorization code grant (+ PKCE): redeem the code the sign-in page sent to the redirect URI.

Checks, as Entra makes them: the code exists and was issued to this client for this redirect
URI, has not been redeemed (AADSTS54005) or expired (AADSTS70008), and the PKCE `code_verifier`
hashes to the `code_challenge` of the /authorize request (AADSTS501481).
"""

from __future__ import annotations

from starlette.responses import Response

from ...state import EmulatorState
from ..aadsts import (
    CODE_ALREADY_REDEEMED,
    CODE_EXPIRED,
    CODE_OTHER_CLIENT,
    CODE_OTHER_REDIRECT_URI,
    MALFORMED_GRANT,
    PKCE_MISMATCH,
    EntraError,
)
from .base import TokenRequest, require_fields
from .user_tokens import grant_user, issue_user_tokens


async def authorization_code(state: EmulatorState, req: TokenRequest) -> Response:
    fields = req.fields
    require_fields(req, "client_id", "code", "redirect_uri")
    found, problem = state.user_sessions.redeem_code(fields["code"])
    if found is None:
        raise EntraError(MALFORMED_GRANT)
    if problem == "redeemed":
        raise EntraError(CODE_ALREADY_REDEEMED)
    if problem == "expired":
        raise EntraError(CODE_EXPIRED)
    request = found.request
    if fields["client_id"].lower() != request.client_id:
        raise EntraError(CODE_OTHER_CLIENT)
    if fields["redirect_uri"] != request.redirect_uri:
        raise EntraError(CODE_OTHER_REDIRECT_URI)
    if not found.verifier_matches(fields.get("code_verifier")):
        raise EntraError(PKCE_MISMATCH)
    user = grant_user(state, req, found.user_id)
    scope = fields.get("scope") or request.scope
    return issue_user_tokens(state, req, user, request.client_id, scope, "authorization_code", nonce=request.nonce)
