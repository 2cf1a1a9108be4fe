"""`private_key_jwt`: a client assertion signed with a certificate registered on the app.

What Entra checks (and MSAL sends): header `alg` RS256 (or PS256), `x5t` = base64url SHA-1
thumbprint (MSAL keeps the '=' padding; compare padding-insensitively) or `x5t#S256`; optional
`x5c` chain (`send_certificate_chain=True`); claims `iss` = `sub` = client id, `aud` = the token
endpoint URL, `exp` (and `nbf` when present). A repeated `jti` is accepted: MSAL reuses one
assertion for up to ten minutes.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import jwt
from cryptography import x509

from ...crypto.certificates import hex_from_b64url, thumbprint
from ...directory import Application, RegisteredCertificate
from ...state import EmulatorState
from ..aadsts import (
    CERTIFICATE_SIGNATURE_INVALID,
    MALFORMED_JWT,
    NO_THUMBPRINT,
    SUBJECT_NOT_ISSUER,
    UNSUPPORTED_ASSERTION_ALGORITHM,
    WRONG_ASSERTION_AUDIENCE,
    EntraError,
)
from .assertion_time import check_assertion_lifetime
from .base import TokenRequest

ALGORITHMS = ("RS256", "PS256")


def invalid_signature(app: Application, reason: str, presented: str, found: RegisteredCertificate | None) -> EntraError:
    found_text = ""
    if found is not None:
        start = found.certificate.not_valid_before_utc.strftime("%m/%d/%Y %H:%M:%S")
        end = found.certificate.not_valid_after_utc.strftime("%m/%d/%Y %H:%M:%S")
        found_text = f" Found key 'Start={start}, End={end}',"
    return EntraError(
        CERTIFICATE_SIGNATURE_INVALID, reason=reason, presented=presented, found=found_text, client_id=app.client_id
    )


def _presented_thumbprint(header: dict[str, Any]) -> tuple[str, str] | None:
    """("sha1"|"sha256", upper-case hex) from `x5t` or `x5t#S256`."""
    for field, kind in (("x5t#S256", "sha256"), ("x5t", "sha1")):
        value = header.get(field)
        if isinstance(value, str) and value:
            hex_value = hex_from_b64url(value)
            if hex_value:
                return kind, hex_value
    return None


def _leaf_of_x5c(header: dict[str, Any]) -> x509.Certificate | bool | None:
    """The first certificate of `x5c`, None when absent, False when unreadable."""
    chain = header.get("x5c")
    if chain is None:
        return None
    if isinstance(chain, str):  # some clients send a single string
        chain = [chain]
    if not isinstance(chain, list) or not chain or not isinstance(chain[0], str):
        return False
    try:
        return x509.load_der_x509_certificate(base64.b64decode(chain[0], validate=False))
    except (ValueError, binascii.Error):
        return False


def verify_certificate_assertion(
    state: EmulatorState,
    req: TokenRequest,
    app: Application,
    assertion: str,
    header: dict[str, Any],
    claims: dict[str, Any],
) -> None:
    """Returns when the assertion proves possession of a registered certificate's key; raises Entra's error."""
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        raise EntraError(UNSUPPORTED_ASSERTION_ALGORITHM)
    presented = _presented_thumbprint(header)
    if presented is None:
        raise EntraError(NO_THUMBPRINT)
    kind, hex_thumbprint = presented
    registered = next(
        (c for c in app.certificates if (c.sha256_thumbprint if kind == "sha256" else c.thumbprint) == hex_thumbprint),
        None,
    )
    if registered is None:
        raise invalid_signature(app, "The key was not found.", hex_thumbprint, None)
    leaf = _leaf_of_x5c(header)
    if leaf is False:
        raise EntraError(MALFORMED_JWT)
    if isinstance(leaf, x509.Certificate) and thumbprint(leaf) != registered.thumbprint:
        raise invalid_signature(app, "The key was not found.", thumbprint(leaf), None)
    now = state.clock.now()
    if not registered.not_before <= now <= registered.expires_at:
        raise invalid_signature(app, "The key used is expired.", hex_thumbprint, registered)
    try:
        jwt.decode(
            assertion,
            registered.certificate.public_key(),  # type: ignore[arg-type]
            algorithms=[str(algorithm)],
            options={"verify_aud": False, "verify_exp": False, "verify_nbf": False, "verify_iat": False},
        )
    except jwt.PyJWTError:
        raise invalid_signature(
            app, "Key was found, but use of the key to verify the signature failed.", hex_thumbprint, registered
        ) from None
    if claims.get("sub") != claims.get("iss"):
        raise EntraError(SUBJECT_NOT_ISSUER)
    audience = claims.get("aud")
    accepted = {
        req.token_url,
        f"{state.urls.authority_host}/{req.tenant.id}/oauth2/v2.0/token",
        f"{state.urls.authority_host}/{req.tenant.domain}/oauth2/v2.0/token",
    }
    audiences = audience if isinstance(audience, list) else [audience]
    if len(audiences) != 1 or audiences[0] not in accepted:
        # Current Entra wording (AADSTS700023, captured in 2021); older answers said AADSTS50012.
        raise EntraError(WRONG_ASSERTION_AUDIENCE)
    check_assertion_lifetime(state, claims)  # raises AADSTS700024 outside the validity window
