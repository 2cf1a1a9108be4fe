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

from ...state import EmulatorState
from ..aadsts import (
    CODE_ALREADY_REDEEMED,
    DEVICE_CODE_DECLINED,
    DEVICE_CODE_EXPIRED,
    DEVICE_CODE_PENDING,
    DEVICE_CODE_SLOW_DOWN,
    MALFORMED_GRANT,
    MISSING_PARAMETER,
    UNKNOWN_DEVICE_CODE,
    EntraError,
)
from .base import TokenRequest
from .user_tokens import grant_user, issue_user_tokens

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code"
# What a poll of a known device code answers until the person has signed in (`poll_device`'s outcomes).
POLL_ERRORS = {
    "wrong_client": MALFORMED_GRANT,
    "declined": DEVICE_CODE_DECLINED,
    "pending": DEVICE_CODE_PENDING,
    "slow_down": DEVICE_CODE_SLOW_DOWN,
    "expired": DEVICE_CODE_EXPIRED,
    "redeemed": CODE_ALREADY_REDEEMED,
}


async def device_code(state: EmulatorState, req: TokenRequest) -> Response:
    fields = req.fields
    code = fields.get("device_code") or fields.get("code", "")
    if not code:
        raise EntraError(MISSING_PARAMETER, name="device_code")
    device, problem = state.user_sessions.poll_device(code, fields.get("client_id", "").lower())
    if device is None:
        raise EntraError(UNKNOWN_DEVICE_CODE)
    if problem:
        raise EntraError(POLL_ERRORS[problem])
    user = grant_user(state, req, device.user_id or "")
    scope = fields.get("scope") or device.scope
    return issue_user_tokens(state, req, user, device.client_id, scope, "device_code")
