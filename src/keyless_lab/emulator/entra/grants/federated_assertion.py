"""Workload identity federation: a client assertion issued by an external OIDC provider.

Entra finds the federated identity credentials of the client (an app or a user-assigned managed
identity) whose issuer equals the token's `iss`, verifies the signature with that issuer's keys and
the token's lifetime, then requires a credential whose subject equals `sub` and one of whose
audiences is in `aud` — all exact, case-sensitive string comparisons. The errors follow Entra's
current behaviour: AADSTS700211 (issuer), AADSTS700213 (subject), AADSTS700212 (audience).
"""

from __future__ import annotations

from typing import Any

import jwt
from starlette.responses import Response

from ... import errors
from ...state import EmulatorState
from .assertion_time import check_assertion_lifetime

HINT = (
    "Check your federated identity credential Subject, Audience and Issuer against the presented assertion. "
    "https://learn.microsoft.com/entra/workload-id/workload-identity-federation"
)


def no_matching_record(code: int, what: str, value: str) -> Response:
    return errors.entra_error(
        "invalid_client",
        code,
        f"No matching federated identity record found for presented assertion {what} '{value}'. {HINT}",
        status=401,
    )


def verify_federated_assertion(
    state: EmulatorState, owner_client_id: str, assertion: str, header: dict[str, Any], claims: dict[str, Any]
) -> Response | None:
    """None when a federated credential of the owner trusts this external token, else Entra's error."""
    issuer = claims.get("iss")
    if not isinstance(issuer, str) or not issuer:
        return errors.entra_error("invalid_request", 50027, "JWT token is invalid or malformed.")
    candidates = [f for f in state.directory.federated_credentials_of(owner_client_id) if f.issuer == issuer]
    if not candidates:
        return no_matching_record(700211, "issuer", issuer)

    external = state.external_issuers.by_issuer(issuer)
    if external is None:  # Entra would fetch the issuer's JWKS over the internet; the lab never does
        return errors.entra_error("invalid_request", 50166, "Request to External OIDC endpoint failed.")
    key = external.keys.public_key(str(header.get("kid", "")))
    if key is None or header.get("alg") != "RS256":
        return errors.entra_error(
            "invalid_client",
            700027,
            f"Client assertion contains an invalid signature. [Reason - The key was not found., "
            f"Thumbprint of key used by client: '{header.get('kid', '')}']",
            status=401,
        )
    try:
        jwt.decode(
            assertion,
            key,
            algorithms=["RS256"],
            options={"verify_aud": False, "verify_exp": False, "verify_nbf": False, "verify_iat": False},
        )
    except jwt.PyJWTError:
        return errors.entra_error(
            "invalid_client",
            700027,
            "Client assertion contains an invalid signature. [Reason - Key was found, but use of the key to "
            "verify the signature failed.]",
            status=401,
        )
    check_assertion_lifetime(state, claims)  # raises AADSTS700024 outside the validity window

    subject = claims.get("sub")
    candidates = [f for f in candidates if f.subject == subject]
    if not candidates:
        return no_matching_record(700213, "subject", str(subject))
    audience = claims.get("aud")
    presented = [a for a in (audience if isinstance(audience, list) else [audience]) if isinstance(a, str)]
    if not any(a in f.audiences for f in candidates for a in presented):
        return no_matching_record(700212, "audience", ",".join(presented))
    return None
