"""OAuth 2.0 grants of the token endpoint, one module each, registered by `grant_type`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.responses import Response

from ..state import EmulatorState
from .base import TokenRequest
from .client_credentials import client_credentials

Grant = Callable[[EmulatorState, TokenRequest], Awaitable[Response]]

GRANTS: dict[str, Grant] = {
    "client_credentials": client_credentials,
}

__all__ = ["GRANTS", "Grant", "TokenRequest"]
