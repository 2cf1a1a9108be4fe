"""Look inside access tokens safely: decode claims for display, never print a usable token.

A JWT is `header.payload.signature`, base64url-encoded; the first two parts are readable by
anyone holding the token, which is why a token must be treated like a password until it expires.
"""

from __future__ import annotations

import time
from typing import Any

import jwt

from .display import Table

# What each claim means, for the claims tables in the notebooks.
CLAIM_MEANINGS: dict[str, str] = {
    "aud": "audience: the API this token is for",
    "iss": "issuer: the Entra ID tenant that signed it",
    "tid": "tenant id",
    "oid": "object id of the principal: what Azure RBAC checks",
    "sub": "subject (for app tokens, the principal's object id)",
    "appid": "client id of the application or managed identity",
    "azp": "client id of the application (v2 tokens)",
    "idtyp": "identity type: app for app-only tokens, user for sign-ins",
    "appidacr": "how the client authenticated: 0 public, 1 secret, 2 certificate/federated",
    "xms_mirid": "the Azure resource id of the managed identity",
    "upn": "user principal name",
    "name": "display name",
    "scp": "delegated permissions (user tokens)",
    "roles": "application roles granted to the caller",
    "ver": "token format version",
    "iat": "issued at",
    "nbf": "not valid before",
    "exp": "expires",
}
DEFAULT_CLAIMS = ("aud", "iss", "tid", "oid", "appid", "idtyp", "xms_mirid", "ver", "iat", "exp")
TIME_CLAIMS = ("iat", "nbf", "exp")


def decode_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, *without* verifying it — for reading, never for trusting."""
    return jwt.decode(token, options={"verify_signature": False})


def redact(token: str) -> str:
    """A stable, useless stand-in for a token: its first characters and a note."""
    return f"{token[:10]}…[{token.count('.') + 1}-part JWT redacted]"


def relative_time(epoch: float, now: float | None = None) -> str:
    """'in 24 h', 'in 59 min', '12 s ago', 'in 2 s' — stable enough for committed notebook outputs.

    Token times are whole seconds, so a token read the moment it is issued is up to a second old:
    within one second either way is "now". Anything longer is shown, so that a 2-second lab token
    reads `iat now`, `exp in 2 s` rather than expiring "now".
    """
    delta = round(epoch - (time.time() if now is None else now))
    if abs(delta) < 60:
        return "now" if abs(delta) <= 1 else (f"in {delta} s" if delta > 0 else f"{-delta} s ago")
    minutes = round(abs(delta) / 60)
    text = f"{round(minutes / 60)} h" if minutes >= 120 else f"{minutes} min"
    return f"in {text}" if delta > 0 else f"{text} ago"


def claims_table(token: str, claims: tuple[str, ...] = DEFAULT_CLAIMS, now: float | None = None) -> Table:
    """Selected claims of a token with what they mean; times shown relative to now."""
    payload = decode_claims(token)
    rows = []
    for name in claims:
        if name not in payload:
            continue
        value = payload[name]
        shown = relative_time(float(value), now) if name in TIME_CLAIMS else str(value)
        rows.append((name, shown, CLAIM_MEANINGS.get(name, "")))
    return Table(("claim", "value", "meaning"), rows)
