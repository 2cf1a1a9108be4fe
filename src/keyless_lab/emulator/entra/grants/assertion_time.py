"""The validity window of a client assertion (certificate or federated): `nbf` <= now <= `exp`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ...state import EmulatorState
from ..aadsts import ASSERTION_OUTSIDE_VALIDITY, MALFORMED_JWT, EntraError


def _entra_time(epoch: float) -> str:
    """Entra's timestamp format in this message: seven fractional digits and a Z."""
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def check_assertion_lifetime(state: EmulatorState, claims: dict[str, Any]) -> None:
    """Returns when the assertion is within its valid time range; raises AADSTS700024 otherwise."""
    try:
        exp = float(claims["exp"])
        nbf = float(claims.get("nbf", 0))
    except (KeyError, TypeError, ValueError, OverflowError):
        raise EntraError(MALFORMED_JWT) from None
    now, leeway = state.clock.now(), state.policy.leeway
    if now > exp + leeway or now + leeway < nbf:
        try:
            valid_from, expiry = _entra_time(nbf), _entra_time(exp)
        except (OverflowError, OSError, ValueError):
            raise EntraError(MALFORMED_JWT) from None
        raise EntraError(ASSERTION_OUTSIDE_VALIDITY, now=_entra_time(now), valid_from=valid_from, expiry=expiry)
