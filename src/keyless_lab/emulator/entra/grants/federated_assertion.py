"""Workload identity federation: a client assertion issued by an external OIDC provider.

Entra finds the federated identity credentials of the client (an app or a user-assigned managed
identity) whose issuer equals the token's `iss`, verifies the signature with that issuer's keys and
the token's lifetime, then requires a credential whose subject equals `sub` and one of whose
audiences is in `aud` — all exact, case-sensitive string comparisons. The errors follow Entra's
current behaviour: AADSTS700211 (issuer), AADSTS700213 (subject), AADSTS700212 (audience), and
AADSTS7002138 for a subject that matches a credential only when case is ignored (Entra has matched
case-sensitively since its 2024-25 breaking change, and names that case in its own code).
"""

from __future__ import annotations

from typing import Any

import jwt

from ...state import EmulatorState
from ..aadsts import (
    EXTERNAL_ISSUER_UNREACHABLE,
    EXTERNAL_KEY_NOT_FOUND,
    EXTERNAL_SIGNATURE_INVALID,
    MALFORMED_JWT,
    NO_FEDERATED_AUDIENCE,
    NO_FEDERATED_ISSUER,
    NO_FEDERATED_SUBJECT,
    NO_FEDERATED_SUBJECT_CASE_ONLY,
    Aadsts,
    EntraError,
)
from .assertion_time import check_assertion_lifetime


def no_matching_record(entry: Aadsts, what: str, value: str) -> EntraError:
    return EntraError(entry, what=what, value=value)


def verify_federated_assertion(
    state: EmulatorState, owner_client_id: str, assertion: str, header: dict[str, Any], claims: dict[str, Any]
) -> None:
    """Returns when a federated credential of the owner trusts this external token; raises Entra's error."""
    issuer = claims.get("iss")
    if not isinstance(issuer, str) or not issuer:
        raise EntraError(MALFORMED_JWT)
    candidates = [f for f in state.directory.federated_credentials_of(owner_client_id) if f.issuer == issuer]
    if not candidates:
        raise no_matching_record(NO_FEDERATED_ISSUER, "issuer", issuer)

    external = state.external_issuers.by_issuer(issuer)
    if external is None:  # Entra would fetch the issuer's JWKS over the internet; the lab never does
        raise EntraError(EXTERNAL_ISSUER_UNREACHABLE)
    key = external.keys.public_key(str(header.get("kid", "")))
    if key is None or header.get("alg") != "RS256":
        raise EntraError(EXTERNAL_KEY_NOT_FOUND, kid=header.get("kid", ""))
    try:
        jwt.decode(
            assertion,
            key,
            algorithms=["RS256"],
            options={"verify_aud": False, "verify_exp": False, "verify_nbf": False, "verify_iat": False},
        )
    except jwt.PyJWTError:
        raise EntraError(EXTERNAL_SIGNATURE_INVALID) from None
    check_assertion_lifetime(state, claims)  # raises AADSTS700024 outside the validity window

    subject = str(claims.get("sub"))
    exact = [f for f in candidates if f.subject == subject]
    if not exact:
        folded = subject.casefold()
        case_only = any(f.subject.casefold() == folded for f in candidates)
        raise no_matching_record(
            NO_FEDERATED_SUBJECT_CASE_ONLY if case_only else NO_FEDERATED_SUBJECT, "subject", subject
        )
    candidates = exact
    audience = claims.get("aud")
    presented = [a for a in (audience if isinstance(audience, list) else [audience]) if isinstance(a, str)]
    if not any(a in f.audiences for f in candidates for a in presented):
        raise no_matching_record(NO_FEDERATED_AUDIENCE, "audience", ",".join(presented))
