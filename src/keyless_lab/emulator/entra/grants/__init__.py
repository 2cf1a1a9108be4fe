"""OAuth 2.0 grants of the token endpoint, one module each, registered by `grant_type`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.responses import Response

from ...state import EmulatorState
from .authorization_code import authorization_code
from .base import TokenRequest
from .client_credentials import client_credentials
from .device_code import GRANT_TYPE as DEVICE_CODE_GRANT_TYPE
from .device_code import device_code
from .refresh_token import refresh_token

Grant = Callable[[EmulatorState, TokenRequest], Awaitable[Response]]

GRANTS: dict[str, Grant] = {
    "client_credentials": client_credentials,
    "authorization_code": authorization_code,
    DEVICE_CODE_GRANT_TYPE: device_code,
    "refresh_token": refresh_token,
}
# Grants a user signs in through, which `organizations` and `common` also accept (the user's
# home tenant is known from the code or token).
USER_GRANTS = ("authorization_code", DEVICE_CODE_GRANT_TYPE, "refresh_token")

__all__ = ["GRANTS", "USER_GRANTS", "Grant", "TokenRequest"]
