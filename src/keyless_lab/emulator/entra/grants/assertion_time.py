"""The validity window of a client assertion (certificate or federated): `nbf` <= now <= `exp`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.responses import Response

from ... import errors
from ...state import EmulatorState


def _entra_time(epoch: float) -> str:
    """Entra's timestamp format in this message: seven fractional digits and a Z."""
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def check_assertion_lifetime(state: EmulatorState, claims: dict[str, Any]) -> Response | None:
    """None when the assertion is within its valid time range, else AADSTS700024."""
    try:
        exp = float(claims["exp"])
        nbf = float(claims.get("nbf", 0))
    except (KeyError, TypeError, ValueError, OverflowError):
        return errors.entra_error("invalid_request", 50027, "JWT token is invalid or malformed.")
    now, leeway = state.clock.now(), state.policy.leeway
    if now > exp + leeway or now + leeway < nbf:
        try:
            valid_from, expiry = _entra_time(nbf), _entra_time(exp)
        except (OverflowError, OSError, ValueError):
            return errors.entra_error("invalid_request", 50027, "JWT token is invalid or malformed.")
        return errors.entra_error(
            "invalid_client",
            700024,
            f"Client assertion is not within its valid time range. Current time: {_entra_time(now)}, assertion "
            f"valid from {valid_from}, expiry time of assertion {expiry}. Review the documentation at "
            "https://learn.microsoft.com/entra/identity-platform/certificate-credentials .",
            status=401,
        )
    return None
