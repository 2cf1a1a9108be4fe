"""The device code grant: a device polls until the person has signed in on the verification page.

Answers while waiting are HTTP 400 errors the client keeps polling through:
`authorization_pending` (AADSTS70016) and `slow_down` (polling faster than `interval`); then
`expired_token` (AADSTS70020) once the code's 15 minutes are over. A code is redeemed once.
A person who declines on the verification page ends the flow: `authorization_declined` (Entra's
documented error for "the end user denied the authorization request"), which MSAL does not poll
through. Unconfirmed: the AADSTS code Entra puts in that answer; the lab uses AADSTS65004 ("User
declined to consent to access the app."), Entra's code for a declined consent. An unknown
`device_code` is AADSTS7000014 (as captured from Entra; AADSTS9002313 is its answer for other
malformed grants). A poll by another client leaves the code untouched.
"""

from __future__ import annotations

from starlette.responses import Response

from ... import errors
from ...state import EmulatorState
from .base import TokenRequest
from .user_tokens import invalid_grant, issue_user_tokens, malformed_grant, tenant_matches

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code"


async def device_code(state: EmulatorState, req: TokenRequest) -> Response:
    fields = req.fields
    code = fields.get("device_code") or fields.get("code", "")
    if not code:
        return errors.missing_parameter("device_code")
    device, problem = state.user_sessions.poll_device(code, fields.get("client_id", "").lower())
    if device is None:
        return invalid_grant(7000014, "The provided value for the input parameter 'device_code' is not valid.")
    if problem == "wrong_client":
        return malformed_grant()
    if problem == "declined":
        return errors.entra_error("authorization_declined", 65004, "User declined to consent to access the app.")
    if problem == "pending":
        return errors.entra_error(
            "authorization_pending", 70016, "OAuth 2.0 device flow error. Authorization is pending. Continue polling."
        )
    if problem == "slow_down":
        return errors.entra_error(
            "slow_down", 70016, "OAuth 2.0 device flow error. Authorization is pending. Continue polling, more slowly."
        )
    if problem == "expired":
        return errors.entra_error(
            "expired_token",
            70020,
            "The provided value for the input parameter 'device_code' is not valid. This device code has expired.",
        )
    if problem == "redeemed":
        return invalid_grant(
            54005,
            "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an "
            "existing refresh token.",
        )
    user = state.directory.user(device.user_id or "")
    if user is None or not tenant_matches(req, user):
        return malformed_grant()
    scope = fields.get("scope") or device.scope
    return issue_user_tokens(state, req, user, device.client_id, scope, "device_code")
