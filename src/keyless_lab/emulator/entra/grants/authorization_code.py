"""The authorization code grant (+ PKCE): redeem the code the sign-in page sent to the redirect URI.

Checks, as Entra makes them: the code exists and was issued to this client for this redirect
URI, has not been redeemed (AADSTS54005) or expired (AADSTS70008), and the PKCE `code_verifier`
hashes to the `code_challenge` of the /authorize request (AADSTS501481).
"""

from __future__ import annotations

from starlette.responses import Response

from ... import errors
from ...state import EmulatorState
from .base import TokenRequest
from .user_tokens import invalid_grant, issue_user_tokens, malformed_grant, tenant_matches


async def authorization_code(state: EmulatorState, req: TokenRequest) -> Response:
    fields = req.fields
    for name in ("client_id", "code", "redirect_uri"):
        if not fields.get(name):
            return errors.missing_parameter(name)
    found, problem = state.user_sessions.redeem_code(fields["code"])
    if found is None:
        return malformed_grant()
    if problem == "redeemed":
        return invalid_grant(
            54005,
            "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an "
            "existing refresh token.",
        )
    if problem == "expired":
        return invalid_grant(
            70008,
            "The provided authorization code or refresh token has expired due to inactivity. Send a new "
            "interactive authorization request for this user and resource.",
        )
    request = found.request
    if fields["client_id"].lower() != request.client_id:
        return errors.entra_error(
            "invalid_grant",
            70000,
            "The provided value for the 'code' parameter is not valid. The code was issued to a different client.",
        )
    if fields["redirect_uri"] != request.redirect_uri:
        return invalid_grant(
            70000,
            "The provided value for the 'redirect_uri' is not valid. The value must exactly match the "
            "redirect URI used to obtain the authorization code.",
        )
    if not found.verifier_matches(fields.get("code_verifier")):
        return invalid_grant(
            501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request."
        )
    user = state.directory.user(found.user_id)
    if user is None or not tenant_matches(req, user):
        return malformed_grant()
    scope = fields.get("scope") or request.scope
    return issue_user_tokens(state, req, user, request.client_id, scope, "authorization_code", nonce=request.nonce)
